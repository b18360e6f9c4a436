#include "progress.hpp"

#include <cstdio>
#include <unistd.h>

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

Progress::Progress(std::ostream& out, bool live, bool quiet) : m_out(out), m_live(live), m_quiet(quiet) {}

void Progress::on_batch(const BatchProgress& p)
{
    if (!m_live || m_quiet) return;
    // Redraws at most 5 times a second: a terminal that scrolls fast costs training time.
    const auto now = std::chrono::steady_clock::now();
    if (p.batch != p.batches && now - m_last_draw < std::chrono::milliseconds(200)) return;
    m_last_draw = now;
    char line[160];
    const int width = std::snprintf(line, sizeof line, "epoch %d/%d  batch %lld/%lld  %.0f img/s  loss %.4f  lr %.4f  ETA %s",
                                    p.epoch, p.epochs, static_cast<long long>(p.batch), static_cast<long long>(p.batches),
                                    p.images_per_second, p.loss, p.lr, format_duration(p.eta_seconds).c_str());
    const auto w = static_cast<std::size_t>(width > 0 ? width : 0);
    m_out << '\r' << line << std::string(m_last_width > w ? m_last_width - w : 0, ' ') << std::flush;
    m_last_width = w;
}

void Progress::on_epoch(const EpochStats& s, int epochs)
{
    if (m_quiet) return;
    if (m_live && m_last_width > 0) m_out << '\r' << std::string(m_last_width, ' ') << '\r';
    m_last_width = 0;
    char line[200];
    std::snprintf(line, sizeof line, "epoch %d/%d  train loss %.4f  train error %.2f%%", s.epoch, epochs, s.train_loss,
                  100 * s.train_error);
    m_out << line;
    if (s.val_error >= 0) {
        std::snprintf(line, sizeof line, "  val loss %.4f  val error %.2f%%", s.val_loss, 100 * s.val_error);
        m_out << line;
    }
    std::snprintf(line, sizeof line, "  %.1fs  %.0f img/s", s.seconds, s.images_per_second);
    m_out << line << std::endl;
}

TrainCallbacks Progress::callbacks(int epochs)
{
    TrainCallbacks c;
    c.on_batch = [this](const BatchProgress& p) { on_batch(p); };
    c.on_epoch = [this, epochs](const EpochStats& s) {
        on_epoch(s, epochs);
        return true;
    };
    return c;
}

} // namespace paretonas::cli
