// Progress display for long CLI commands: one live line on a terminal, plain log lines
// otherwise, JSON lines for tools (--json-log), nothing with --quiet.
#ifndef PARETONAS_CLI_PROGRESS_HPP
#define PARETONAS_CLI_PROGRESS_HPP

#include "common.hpp"

#include <paretonas/train/trainer.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <ostream>

namespace paretonas::cli {

/// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

class Progress {
public:
    enum class Format { text, json };
    /// `live`: redraw one line in place (a terminal; text format only).
    Progress(std::ostream& out, bool live, bool quiet = false, Format format = Format::text);

    /// What is being worked on, shown before the training figures of the live line ("gen 4
    /// candidate 63 (2/4)  HV 4.310"), and the seconds of work expected after the current
    /// training, so that the ETA covers the whole command.
    void set_context(std::string context, double seconds_after_current = 0.0);
    /// A wall-clock budget: the live line shows what is left of it instead of an ETA.
    void set_budget_end(std::chrono::steady_clock::time_point end) { m_budget_end = end; }

    /// One event: `text` as a log line, or `event` (with "event": `name`) as a JSON line.
    void log(const std::string& name, const std::string& text, nlohmann::json event = nlohmann::json::object());

    void on_batch(const BatchProgress& p);
    void on_epoch(const EpochStats& s, int epochs);
    /// Callbacks for train(), forwarding here; `epoch_lines`: log every epoch (a search logs
    /// per candidate instead).
    TrainCallbacks callbacks(int epochs, bool epoch_lines = true);

    bool quiet() const { return m_quiet; }

private:
    void clear_live_line();

    std::ostream& m_out;
    bool m_live, m_quiet;
    Format m_format;
    std::string m_context;
    double m_seconds_after = 0.0;
    std::optional<std::chrono::steady_clock::time_point> m_budget_end;
    std::size_t m_last_width = 0;
    std::chrono::steady_clock::time_point m_last_draw{};
};

/// True when `fd` is a terminal.
bool is_terminal(int fd);

/// The display the common flags ask for: live on a terminal when `out` is stdout.
Progress make_progress(const CommonOptions& common, std::ostream& out);

} // namespace paretonas::cli

#endif
