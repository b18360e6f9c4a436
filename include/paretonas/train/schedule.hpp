/// @file train/schedule.hpp
/// Learning-rate schedules as pure functions of (fractional) epoch: no LibTorch.
#ifndef PARETONAS_TRAIN_SCHEDULE_HPP
#define PARETONAS_TRAIN_SCHEDULE_HPP

#include <string>

namespace paretonas {

enum class LrScheduleKind { constant, cosine, sgdr };

struct LrSchedule {
    LrScheduleKind kind = LrScheduleKind::cosine;
    double lr_max = 0.05;
    double lr_min = 0.0;
    double t0 = 1.0;      // sgdr: length of the first cycle in epochs
    double t_mult = 2.0;  // sgdr: each cycle is t_mult times longer than the last

    /// Throws InputError naming the bad field.
    void validate() const;
};

LrScheduleKind schedule_kind_from_name(const std::string& name);

/// Learning rate at `epoch` (fractional: 2.5 is half way through the third epoch) of a run of
/// `total_epochs`. Cosine anneals lr_max -> lr_min over the run; SGDR (Loshchilov & Hutter)
/// restarts at lr_max after cycles of t0, t0*t_mult, t0*t_mult^2, ... epochs.
double learning_rate(const LrSchedule& schedule, double epoch, double total_epochs);

} // namespace paretonas

#endif
