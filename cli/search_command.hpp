// `paretonas search`, `paretonas methods` and `paretonas front`: the flags of a run and of its
// method (from the method registry), and the views of a run's front.
#ifndef PARETONAS_CLI_SEARCH_COMMAND_HPP
#define PARETONAS_CLI_SEARCH_COMMAND_HPP

#include "common.hpp"

#include <paretonas/search/method.hpp>

#include <map>
#include <ostream>

namespace paretonas::cli {

struct SearchOptions {
    std::string method;            // from the registry; chosen before the flags are parsed
    DataOptions data;
    std::string budget = "60m";
    std::string out = "runs/search";
    std::string objectives;        // empty: the method's
    Constraints constraints;
    /// The run's own flags, by setting name ("method", "budget_seconds", "objectives", ...).
    std::map<std::string, CLI::Option*> run_flags;
    /// The method's flags and the text given to each (a flag without value reads "true").
    std::vector<std::pair<MethodOption, CLI::Option*>> method_flags;
    std::map<std::string, std::string> method_values;
};

/// The method a `search` command line is about: its --method, else the method of the run in its
/// --out, else lemonade. Needed before parsing, because each method has its own flags.
std::string method_of_command_line(const std::vector<std::string>& args);

CLI::App* add_search_command(CLI::App& app, CommonOptions& common, SearchOptions& o);
/// Starts the run in --out, or resumes it, and prints its front.
int run_search(const CommonOptions& common, SearchOptions& o, std::ostream& out);

CLI::App* add_methods_command(CLI::App& app);
/// `paretonas methods`: one line per registered method.
int run_methods(std::ostream& out);

/// `paretonas front --run DIR [--json] [--test]`.
struct FrontOptions {
    std::string run;
    bool json = false;
    bool test = false;
    std::string device = "cpu";
};
CLI::App* add_front_command(CLI::App& app, FrontOptions& o);
int run_front(const FrontOptions& o, std::ostream& out);

/// The front of `store` as printed after a search and by `front`.
void print_run_front(const RunStore& store, std::ostream& out, bool json);

} // namespace paretonas::cli

#endif
