// `paretonas report`: the run's HTML report, with the front's models as ONNX and JSON beside it.
#ifndef PARETONAS_CLI_REPORT_COMMAND_HPP
#define PARETONAS_CLI_REPORT_COMMAND_HPP

#include "common.hpp"

#include <ostream>

namespace paretonas::cli {

struct ReportOptions {
    std::string run;
    std::string out;  // default <run>/report
    bool test = false;
    bool no_models = false;
    std::string device = "cpu";
};

CLI::App* add_report_command(CLI::App& app, ReportOptions& o);
int run_report(const ReportOptions& o, std::ostream& out);

} // namespace paretonas::cli

#endif
