// `paretonas sample`: draws and trains more networks from the generator behind a candidate of a
// generator run, and reports their spread (search/generator_spread.hpp).
#ifndef PARETONAS_CLI_SAMPLE_COMMAND_HPP
#define PARETONAS_CLI_SAMPLE_COMMAND_HPP

#include "common.hpp"

#include <ostream>

namespace paretonas::cli {

struct SampleOptions {
    std::string run;
    std::int64_t id = -1;
    int count = 8;
};

CLI::App* add_sample_command(CLI::App& app, CommonOptions& common, SampleOptions& o);
int run_sample(const CommonOptions& common, const SampleOptions& o, std::ostream& out);

} // namespace paretonas::cli

#endif
