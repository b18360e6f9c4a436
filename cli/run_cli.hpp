// The CLI as a function, so tests can run it in-process.
#ifndef PARETONAS_CLI_RUN_CLI_HPP
#define PARETONAS_CLI_RUN_CLI_HPP

#include <ostream>
#include <string>
#include <vector>

namespace paretonas::cli {

/// Parses `args` (without the program name), runs the subcommand and returns the exit code:
/// 0 on success, 2 for bad input (one line on `err` naming the problem), 1 for other failures.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace paretonas::cli

#endif
