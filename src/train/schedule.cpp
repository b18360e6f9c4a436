#include <paretonas/core/error.hpp>
#include <paretonas/train/schedule.hpp>

#include <cmath>

namespace paretonas {

void LrSchedule::validate() const
{
    require_in_range("lr_max", lr_max, 0.0, 10.0);
    require_in_range("lr_min", lr_min, 0.0, lr_max);
    if (kind == LrScheduleKind::sgdr) {
        require_in_range("t0", t0, 1e-3, 1e6);
        require_in_range("t_mult", t_mult, 1.0, 100.0);
    }
}

LrScheduleKind schedule_kind_from_name(const std::string& name)
{
    if (name == "constant") return LrScheduleKind::constant;
    if (name == "cosine") return LrScheduleKind::cosine;
    if (name == "sgdr") return LrScheduleKind::sgdr;
    fail("unknown learning-rate schedule '" + name + "' (known: constant, cosine, sgdr)");
}

namespace {
constexpr double pi = 3.14159265358979323846;
double cosine_between(double lo, double hi, double t, double period)
{
    return lo + 0.5 * (hi - lo) * (1.0 + std::cos(pi * t / period));
}
} // namespace

double learning_rate(const LrSchedule& s, double epoch, double total_epochs)
{
    switch (s.kind) {
    case LrScheduleKind::constant:
        return s.lr_max;
    case LrScheduleKind::cosine:
        return cosine_between(s.lr_min, s.lr_max, std::min(epoch, total_epochs), total_epochs);
    case LrScheduleKind::sgdr: {
        // Closed form for the cycle that holds `epoch` (called every batch, so no loop over
        // cycles): cycle i starts at t0 * (t_mult^i - 1) / (t_mult - 1).
        const double e = std::max(epoch, 0.0);
        double start = 0.0, period = s.t0;
        if (s.t_mult == 1.0) {
            start = std::floor(e / s.t0) * s.t0;
        } else {
            const double i = std::floor(std::log1p(e * (s.t_mult - 1.0) / s.t0) / std::log(s.t_mult));
            period = s.t0 * std::pow(s.t_mult, i);
            start = s.t0 * (std::pow(s.t_mult, i) - 1.0) / (s.t_mult - 1.0);
        }
        // Floating point can put an epoch boundary a hair before the restart: count it as the
        // restart.
        if (e - start >= period - 1e-9) {
            start += period;
            period *= s.t_mult;
        }
        return cosine_between(s.lr_min, s.lr_max, std::max(e - start, 0.0), period);
    }
    }
    return s.lr_max;
}

} // namespace paretonas
