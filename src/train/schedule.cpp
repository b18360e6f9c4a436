#include <paretonas/core/error.hpp>
#include <paretonas/train/schedule.hpp>

#include <cmath>
#include <limits>

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
        double t = epoch, period = s.t0;
        // Small slack so that an epoch boundary that floating point puts a hair before the
        // restart still lands in the new cycle.
        while (t >= period - 1e-9 && period < std::numeric_limits<double>::max() / s.t_mult) {
            t -= period;
            period *= s.t_mult;
        }
        return cosine_between(s.lr_min, s.lr_max, std::max(t, 0.0), period);
    }
    }
    return s.lr_max;
}

} // namespace paretonas
