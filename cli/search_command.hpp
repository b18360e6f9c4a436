// `paretonas search`: runs a search method and writes its results to --out.
#ifndef PARETONAS_CLI_SEARCH_COMMAND_HPP
#define PARETONAS_CLI_SEARCH_COMMAND_HPP

#include "common.hpp"

#include <paretonas/search/baselines.hpp>
#include <paretonas/search/lemonade.hpp>
#include <paretonas/search/nash.hpp>

#include <ostream>

namespace paretonas::cli {

struct SearchOptions {
    std::string method = "lemonade";
    CLI::Option* method_option = nullptr;
    std::string arch_path;
    DataOptions data;
    std::string budget = "60m";
    CLI::Option* budget_option = nullptr;
    std::string out = "runs/search";
    int epochs_init = 2;
    bool paper = false;
    NashConfig nash;
    std::vector<CLI::Option*> nash_options;  // the ones --paper fills when not given
    LemonadeConfig lemonade;       // also holds the settings all generational methods share
    BaselineConfig baseline;       // random and nsga2: the space, population, crossover, mutation
    std::vector<CLI::Option*> run_options;  // fixed when a run starts: ignored on resume
    std::string objectives = "error,params";
    std::string fidelity = "none";
};

CLI::App* add_search_command(CLI::App& app, CommonOptions& common, SearchOptions& o);
int run_search(const CommonOptions& common, SearchOptions& o, std::ostream& out);
/// lemonade, nsga2 and random: the methods that keep a run store (and a front) in --out.
bool generational_method(const std::string& method);
/// --method lemonade, nsga2 or random (cli/generational_command.cpp): starts the run in --out,
/// or resumes it.
int run_generational(const CommonOptions& common, SearchOptions& o, std::ostream& out);

/// `paretonas front --run DIR [--json]`.
struct FrontOptions {
    std::string run;
    bool json = false;
    bool test = false;
    std::string device = "cpu";
};
CLI::App* add_front_command(CLI::App& app, FrontOptions& o);
int run_front(const FrontOptions& o, std::ostream& out);

} // namespace paretonas::cli

#endif
