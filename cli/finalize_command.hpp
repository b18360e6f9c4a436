// `paretonas finalize`: trains chosen members of a search run on train + validation data and
// reports their test errors.
#ifndef PARETONAS_CLI_FINALIZE_COMMAND_HPP
#define PARETONAS_CLI_FINALIZE_COMMAND_HPP

#include "common.hpp"

#include <paretonas/export/finalize.hpp>

#include <ostream>

namespace paretonas::cli {

struct FinalizeOptions {
    std::string run;
    std::vector<std::int64_t> ids;
    bool front = false;
    FinalizeConfig config;
};

CLI::App* add_finalize_command(CLI::App& app, CommonOptions& common, FinalizeOptions& o);
int run_finalize(const CommonOptions& common, FinalizeOptions& o, std::ostream& out);

} // namespace paretonas::cli

#endif
