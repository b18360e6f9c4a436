/// @file surrogate/pairwise.hpp
/// Ranking surrogates for SMEM-NAS (docs/methods/smem.md): which of two architectures has the
/// lower validation error, learnt from an archive of evaluated ones. A pairwise classifier
/// turns n evaluated networks into n(n-1) labelled examples, which is why it needs fewer real
/// evaluations than a regressor of the error itself. Torch-free.
///
/// Three learners behind one interface, all from Debian packages:
/// - "svm": LIBSVM's C-SVC with an RBF kernel on the concatenated (or differenced) encodings of
///   an ordered pair, the SMEM-NAS paper's choice;
/// - "xgboost": XGBoost's boosted trees on the same pair features (binary logistic loss);
/// - "xgboost-rank": XGBoost with its pairwise ranking objective on the points themselves,
///   which learns a score f(x) from the same pairs; the preference is f(a) - f(b).
#ifndef PARETONAS_SURROGATE_PAIRWISE_HPP
#define PARETONAS_SURROGATE_PAIRWISE_HPP

#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace paretonas {

/// An architecture's encoding: genes scaled to [0, 1] (or one-hot).
using Features = std::vector<double>;

struct RankedPoint {
    Features features;
    double value = 0.0;  // what is ranked, lower is better (validation error)
};

/// How an ordered pair (a, b) becomes one classifier input.
enum class PairFeatures { concat, difference };
PairFeatures pair_features_from_name(const std::string& name);  // InputError naming the known ones
const char* pair_features_name(PairFeatures kind);

/// Ordered pairs, row-major: label 1 when the first of the pair has the lower value.
struct PairSet {
    std::size_t width = 0;
    std::vector<double> x;
    std::vector<int> label;
    /// Archive indices of each row's two points.
    std::vector<std::pair<std::size_t, std::size_t>> members;

    std::size_t size() const { return label.size(); }
    const double* row(std::size_t i) const { return x.data() + i * width; }
};

/// Appends the input of the ordered pair (a, b) to `out`: [a, b] or a - b.
void append_pair(const Features& a, const Features& b, PairFeatures kind, std::vector<double>& out);

/// Every unordered pair of archive points whose values differ, in both orders, so that the set
/// is antisymmetric and balanced by construction. Beyond `max_unordered` such pairs, a uniform
/// sample of that many (drawn with `rng`) is taken, keeping both orders of each. Throws
/// InputError when the points' encodings differ in length or no two values differ.
PairSet make_pairs(const std::vector<RankedPoint>& archive, PairFeatures kind, std::size_t max_unordered, std::mt19937_64& rng);

/// A learnt preference s(a, b): > 0 when a is predicted to have the lower value, with
/// s(a, b) = -s(b, a) exactly (classifiers of ordered pairs are antisymmetrised:
/// s(a, b) = (f(a, b) - f(b, a)) / 2).
class RankSurrogate {
public:
    virtual ~RankSurrogate() = default;
    virtual std::string name() const = 0;
    /// Fits on an archive (refits from nothing on every call). Throws InputError as make_pairs.
    virtual void fit(const std::vector<RankedPoint>& archive, std::mt19937_64& rng) = 0;
    /// s(pool[i], reference[j]) at [i * reference.size() + j]. Throws std::logic_error before fit.
    virtual std::vector<double> preference(const std::vector<Features>& pool, const std::vector<Features>& reference) const = 0;
};

struct SurrogateOptions {
    std::string learner = "svm";                   // svm, xgboost, xgboost-rank
    PairFeatures features = PairFeatures::concat;  // svm and xgboost
    std::size_t max_pairs = 3000;                  // unordered pairs per fit (both orders are used)
    int threads = 1;                               // xgboost
};

/// The learners' names, for help texts and errors.
std::vector<std::string> rank_surrogate_names();
/// Throws InputError "unknown surrogate learner 'x' (known: svm, xgboost, xgboost-rank)".
std::unique_ptr<RankSurrogate> make_rank_surrogate(const SurrogateOptions& options);

/// Each pool point's mean predicted win probability against the reference set,
/// mean_j sigmoid(s(x, reference[j])), in (0, 1): higher is predicted better. Soft wins rather
/// than win counts so that two points winning against the same references still differ.
std::vector<double> win_scores(const RankSurrogate& surrogate, const std::vector<Features>& pool,
                               const std::vector<Features>& reference);

} // namespace paretonas

#endif
