/// @file surrogate/learners.hpp
/// The learners behind make_rank_surrogate (surrogate/pairwise.hpp), one source file each;
/// callers use make_rank_surrogate.
#ifndef PARETONAS_SURROGATE_LEARNERS_HPP
#define PARETONAS_SURROGATE_LEARNERS_HPP

#include <paretonas/surrogate/pairwise.hpp>

namespace paretonas {

std::unique_ptr<RankSurrogate> make_svm_surrogate(const SurrogateOptions& options);
std::unique_ptr<RankSurrogate> make_xgboost_pair_surrogate(const SurrogateOptions& options);
std::unique_ptr<RankSurrogate> make_xgboost_rank_surrogate(const SurrogateOptions& options);

/// Throws InputError when the archive's encodings differ in length or no two values differ.
void check_archive(const std::vector<RankedPoint>& archive);
/// Throws std::logic_error "<learner>: preference asked before fit" unless `fitted`.
void require_fitted(bool fitted, const std::string& learner);

} // namespace paretonas

#endif
