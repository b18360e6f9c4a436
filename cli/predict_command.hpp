// `paretonas predict`: what a trained model says about images.
#ifndef PARETONAS_CLI_PREDICT_COMMAND_HPP
#define PARETONAS_CLI_PREDICT_COMMAND_HPP

#include "model_source.hpp"

#include <ostream>
#include <string>

namespace paretonas::cli {

struct PredictOptions {
    ModelRef source;
    std::string images;  // an IDX image file, an image file, or a directory of image files
    int top = 3;
    bool json = false;
    std::string device = "cpu";
};

CLI::App* add_predict_command(CLI::App& app, PredictOptions& o);
int run_predict(const PredictOptions& o, std::ostream& out);


} // namespace paretonas::cli

#endif
