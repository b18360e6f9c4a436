/// @file core/rank_correlation.hpp
/// Kendall's rank correlation, the measure of a ranking surrogate (SMEM-NAS logs it on every
/// iteration's new candidates). Torch-free.
#ifndef PARETONAS_CORE_RANK_CORRELATION_HPP
#define PARETONAS_CORE_RANK_CORRELATION_HPP

#include <vector>

namespace paretonas {

/// Kendall's tau-b of two paired samples: (concordant - discordant) pairs over the square root
/// of the product of the pairs untied in each sample, in [-1, 1]; ties count for neither side.
/// O(n^2), which suits the few hundred points it is used on. 0 when either sample is constant
/// (no pair is ordered, so there is nothing to correlate). Throws InputError for samples of
/// different lengths or of fewer than 2 points.
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);

} // namespace paretonas

#endif
