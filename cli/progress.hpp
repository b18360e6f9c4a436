// Progress display for long CLI commands: one live line on a terminal, plain log lines otherwise.
#ifndef PARETONAS_CLI_PROGRESS_HPP
#define PARETONAS_CLI_PROGRESS_HPP

#include <paretonas/train/trainer.hpp>

#include <chrono>
#include <ostream>

namespace paretonas::cli {

/// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

class Progress {
public:
    /// `live`: redraw one line in place (a terminal); otherwise print a log line per epoch.
    Progress(std::ostream& out, bool live, bool quiet = false);
    void on_batch(const BatchProgress& p);
    void on_epoch(const EpochStats& s, int epochs);
    /// Callbacks for train(), forwarding here.
    TrainCallbacks callbacks(int epochs);

private:
    std::ostream& m_out;
    bool m_live, m_quiet;
    std::size_t m_last_width = 0;
    std::chrono::steady_clock::time_point m_last_draw{};
};

/// True when `fd` is a terminal.
bool is_terminal(int fd);

} // namespace paretonas::cli

#endif
