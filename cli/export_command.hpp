// `paretonas export`: a trained model as ONNX, architecture JSON, or LibTorch weights.
#ifndef PARETONAS_CLI_EXPORT_COMMAND_HPP
#define PARETONAS_CLI_EXPORT_COMMAND_HPP

#include "model_source.hpp"

#include <ostream>
#include <string>

namespace paretonas::cli {

struct ExportOptions {
    ModelRef source;
    std::string format = "onnx";
    std::string out;
    int opset = 13;
    bool no_fold = false;
};

CLI::App* add_export_command(CLI::App& app, ExportOptions& o);
int run_export(const ExportOptions& o, std::ostream& out);

/// Writes `model` as checked ONNX to `path`, with its normalisation inside when known.
void write_onnx(LoadedModel& model, const std::string& path, int opset = 13, bool fold_batch_norm = true);

} // namespace paretonas::cli

#endif
