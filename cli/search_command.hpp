// `paretonas search`: runs a search method and writes its results to --out.
#ifndef PARETONAS_CLI_SEARCH_COMMAND_HPP
#define PARETONAS_CLI_SEARCH_COMMAND_HPP

#include "common.hpp"

#include <paretonas/search/nash.hpp>

#include <ostream>

namespace paretonas::cli {

struct SearchOptions {
    std::string method = "nash";
    std::string arch_path;
    DataOptions data;
    std::string budget = "30m";
    std::string out = "runs/nash";
    int epochs_init = 2;
    bool paper = false;
    NashConfig nash;
    std::vector<CLI::Option*> nash_options;  // the ones --paper fills when not given
};

CLI::App* add_search_command(CLI::App& app, CommonOptions& common, SearchOptions& o);
int run_search(const CommonOptions& common, SearchOptions& o, std::ostream& out);

} // namespace paretonas::cli

#endif
