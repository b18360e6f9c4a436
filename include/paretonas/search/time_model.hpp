/// @file search/time_model.hpp
/// What a candidate's evaluation will cost in wall-clock seconds, so that a budget can be kept:
/// seconds = epochs x (fixed + per_madd x multiply-adds), a straight line in multiply-adds per
/// epoch. A prior comes from a short probe on this machine before the search (how fast it trains
/// a small and a larger network); the run's own finished candidates then correct it.
/// Torch-free: the driver and the tests use it with a fake clock.
#ifndef PARETONAS_SEARCH_TIME_MODEL_HPP
#define PARETONAS_SEARCH_TIME_MODEL_HPP

#include <paretonas/core/candidate.hpp>

#include <cstdint>
#include <vector>

namespace paretonas {

struct TimeModel {
    double fixed = 0.0;      // seconds per epoch of any network (data, optimiser, evaluation set-up)
    double per_madd = 0.0;   // seconds per epoch per multiply-add of one image

    /// False for a model with no information (no probe, nothing finished): every estimate is 0.
    bool known() const { return fixed > 0 || per_madd > 0; }
    double seconds(std::int64_t multiply_adds, int epochs) const;

    /// The line through two probes: (multiply-adds, seconds per epoch) of two networks.
    static TimeModel through(std::int64_t madds_a, double seconds_a, std::int64_t madds_b, double seconds_b);
    /// `prior` corrected by the finished candidates of `all` (done, with epochs and seconds):
    /// with three or more of different cost, the least-squares line when its slope and
    /// intercept are not negative; otherwise `prior` scaled by the median ratio of measured to
    /// predicted seconds; `prior` itself when nothing has finished.
    static TimeModel fit(const std::vector<Candidate>& all, const TimeModel& prior);
};

} // namespace paretonas

#endif
