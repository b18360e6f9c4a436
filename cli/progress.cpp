#include "progress.hpp"

#include <cstdio>
#include <iostream>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace paretonas::cli {

std::string format_duration(double seconds)
{
    const long s = seconds < 0 ? 0 : static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

bool is_terminal(int fd) { return isatty(fd) == 1; }

namespace {
int terminal_columns()
{
    winsize size{};
    return ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 ? size.ws_col : 80;
}
} // namespace

Progress make_progress(const CommonOptions& common, std::ostream& out)
{
    return Progress(out, &out == &std::cout && is_terminal(fileno(stdout)), common.quiet,
                    common.json_log ? Progress::Format::json : Progress::Format::text);
}

Progress::Progress(std::ostream& out, bool live, bool quiet, Format format)
    : m_out(out), m_live(live && format == Format::text), m_quiet(quiet), m_format(format)
{
}

void Progress::set_context(std::string context, double seconds_after_current)
{
    m_context = std::move(context);
    m_seconds_after = seconds_after_current;
}

void Progress::clear_live_line()
{
    if (m_live && m_last_width > 0) m_out << '\r' << std::string(m_last_width, ' ') << '\r';
    m_last_width = 0;
}

void Progress::log(const std::string& name, const std::string& text, nlohmann::json event)
{
    if (m_quiet) return;
    if (m_format == Format::json) {
        event["event"] = name;
        m_out << event.dump() << std::endl;
        return;
    }
    clear_live_line();
    m_out << text << std::endl;
}

void Progress::on_batch(const BatchProgress& p)
{
    if (!m_live || m_quiet) return;
    // Redraws at most 5 times a second: a terminal that scrolls fast costs training time.
    const auto now = std::chrono::steady_clock::now();
    if (p.batch != p.batches && now - m_last_draw < std::chrono::milliseconds(200)) return;
    m_last_draw = now;
    const std::string left =
        m_budget_end ? format_duration(std::chrono::duration<double>(*m_budget_end - now).count()) + " of budget left"
                     : "ETA " + format_duration(p.eta_seconds + m_seconds_after);
    char line[320];
    const int width = std::snprintf(line, sizeof line, "%s%sepoch %d/%d  batch %lld/%lld  %.0f img/s  loss %.4f  %s",
                                    m_context.c_str(), m_context.empty() ? "" : "  ", p.epoch, p.epochs,
                                    static_cast<long long>(p.batch), static_cast<long long>(p.batches), p.images_per_second, p.loss,
                                    left.c_str());
    // A line longer than the terminal wraps, and '\r' then returns only to its last row: every
    // redraw would leave a stale row behind.
    const auto w = static_cast<std::size_t>(std::max(0, std::min({width, static_cast<int>(sizeof line) - 1, terminal_columns() - 1})));
    line[w] = '\0';
    m_out << '\r' << line << std::string(m_last_width > w ? m_last_width - w : 0, ' ') << std::flush;
    m_last_width = w;
}

void Progress::on_epoch(const EpochStats& s, int epochs)
{
    if (m_quiet) return;
    nlohmann::json event{{"epoch", s.epoch},          {"epochs", epochs},       {"lr", s.lr},
                         {"train_loss", s.train_loss}, {"train_error", s.train_error}, {"seconds", s.seconds},
                         {"images_per_second", s.images_per_second}};
    if (!m_context.empty()) event["context"] = m_context;
    char line[200];
    std::string text = m_context.empty() ? "" : m_context + "  ";
    std::snprintf(line, sizeof line, "epoch %d/%d  train loss %.4f  train error %.2f%%", s.epoch, epochs, s.train_loss,
                  100 * s.train_error);
    text += line;
    if (s.val_error >= 0) {
        event["val_loss"] = s.val_loss;
        event["val_error"] = s.val_error;
        std::snprintf(line, sizeof line, "  val loss %.4f  val error %.2f%%", s.val_loss, 100 * s.val_error);
        text += line;
    }
    std::snprintf(line, sizeof line, "  %.1fs  %.0f img/s", s.seconds, s.images_per_second);
    log("epoch", text + line, event);
}

TrainCallbacks Progress::callbacks(int epochs, bool epoch_lines)
{
    TrainCallbacks c;
    c.on_batch = [this](const BatchProgress& p) { on_batch(p); };
    c.on_epoch = [this, epochs, epoch_lines](const EpochStats& s) {
        if (epoch_lines) on_epoch(s, epochs);
        else clear_live_line();
        return true;
    };
    return c;
}

} // namespace paretonas::cli
