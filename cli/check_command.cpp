#include "check_command.hpp"

#include <paretonas/search/run_check.hpp>

namespace paretonas::cli {

CLI::App* add_check_command(CLI::App& app, CheckOptions& o)
{
    auto* cmd = app.add_subcommand("check", "verify a run: its database, every trained candidate's weights, its fronts; changes nothing");
    cmd->add_option("--run", o.run, "search run directory")->required();
    return cmd;
}

int run_check(const CheckOptions& o, std::ostream& out)
{
    const auto check = check_run(o.run);
    out << "check " << o.run << ": " << check.candidates << " candidates read, " << check.weights_loaded << " weights loaded, "
        << check.generations << " generations, " << check.finals << " final models; ";
    if (check.problems.empty()) {
        out << "no problems" << std::endl;
        return 0;
    }
    out << check.problems.size() << (check.problems.size() == 1 ? " problem" : " problems") << std::endl;
    for (const auto& p : check.problems) out << "problem: " << one_line(p.what) << "\n  repair would: " << p.repair << std::endl;
    return 1;
}

} // namespace paretonas::cli
