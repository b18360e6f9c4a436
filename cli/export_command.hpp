// `paretonas export`: a trained model as ONNX, architecture JSON, or LibTorch weights.
#ifndef PARETONAS_CLI_EXPORT_COMMAND_HPP
#define PARETONAS_CLI_EXPORT_COMMAND_HPP

#include <CLI/CLI.hpp>

#include <cstdint>
#include <ostream>
#include <string>

namespace paretonas::cli {

struct ExportOptions {
    std::string run;        // a search run, with --id
    std::int64_t id = -1;
    std::string model;      // or a model directory (arch.json + model.pt), as `train --out` writes
    std::string format = "onnx";
    std::string out;
    int opset = 13;
    bool no_fold = false;
};

CLI::App* add_export_command(CLI::App& app, ExportOptions& o);
int run_export(const ExportOptions& o, std::ostream& out);

} // namespace paretonas::cli

#endif
