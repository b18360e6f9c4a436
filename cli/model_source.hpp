// Where a command takes a trained model from: a search run and a candidate id, or a model
// directory (arch.json + model.pt [+ normalization.json]). Shared by export and predict.
#ifndef PARETONAS_CLI_MODEL_SOURCE_HPP
#define PARETONAS_CLI_MODEL_SOURCE_HPP

#include "common.hpp"

#include <optional>
#include <string>

namespace paretonas::cli {

struct ModelRef {
    std::string run;
    std::int64_t id = -1;
    std::string model;
    std::string weights = "auto";  // with --run: search, final, or auto (final when finalised)
};

struct LoadedModel {
    Network net{nullptr};
    std::optional<Normalization> norm;  // how its inputs were normalised in training, if known
    std::string data;                   // the data set it was trained on, if known ("fashion-mnist")
    std::string origin;                 // which weights: "search", "final (10 epochs, fine-tuned)", ...
};

void add_model_options(CLI::App* cmd, ModelRef& ref);
/// Throws InputError naming what is missing or wrong.
LoadedModel load_model(const ModelRef& ref, c10::Device device);

} // namespace paretonas::cli

#endif
