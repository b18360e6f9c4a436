// `paretonas check`: verifies a run (search/run_check.hpp) and says what a repair would do.
#ifndef PARETONAS_CLI_CHECK_COMMAND_HPP
#define PARETONAS_CLI_CHECK_COMMAND_HPP

#include "common.hpp"

#include <ostream>

namespace paretonas::cli {

struct CheckOptions {
    std::string run;
};

CLI::App* add_check_command(CLI::App& app, CheckOptions& o);
/// 0 when the run is sound, 1 when it found problems (each printed with its repair).
int run_check(const CheckOptions& o, std::ostream& out);

} // namespace paretonas::cli

#endif
