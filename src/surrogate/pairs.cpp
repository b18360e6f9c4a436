// Pair construction, soft win scores and the learner registry of the ranking surrogates.
#include <paretonas/core/error.hpp>
#include <paretonas/surrogate/learners.hpp>
#include <paretonas/surrogate/pairwise.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace paretonas {

PairFeatures pair_features_from_name(const std::string& name)
{
    if (name == "concat") return PairFeatures::concat;
    if (name == "difference") return PairFeatures::difference;
    fail("unknown pair features '" + name + "' (known: concat, difference)");
}

const char* pair_features_name(PairFeatures kind) { return kind == PairFeatures::concat ? "concat" : "difference"; }

void append_pair(const Features& a, const Features& b, PairFeatures kind, std::vector<double>& out)
{
    if (kind == PairFeatures::concat) {
        out.insert(out.end(), a.begin(), a.end());
        out.insert(out.end(), b.begin(), b.end());
        return;
    }
    for (std::size_t i = 0; i < a.size(); ++i) out.push_back(a[i] - b[i]);
}

void check_archive(const std::vector<RankedPoint>& archive)
{
    const auto too_few = "pairwise surrogate: needs two archive points with different values, got " + std::to_string(archive.size()) + " points";
    if (archive.size() < 2) fail(too_few);
    for (const auto& p : archive)
        if (p.features.size() != archive.front().features.size())
            fail("pairwise surrogate: archive encodings differ in length (" + std::to_string(archive.front().features.size()) +
                 " and " + std::to_string(p.features.size()) + ")");
    for (const auto& p : archive)
        if (p.value != archive.front().value) return;
    fail(too_few);
}

PairSet make_pairs(const std::vector<RankedPoint>& archive, PairFeatures kind, std::size_t max_unordered, std::mt19937_64& rng)
{
    check_archive(archive);
    std::vector<std::pair<std::size_t, std::size_t>> unordered;
    for (std::size_t i = 0; i < archive.size(); ++i)
        for (std::size_t j = i + 1; j < archive.size(); ++j)
            if (archive[i].value != archive[j].value) unordered.emplace_back(i, j);
    if (max_unordered > 0 && unordered.size() > max_unordered) {
        // Partial Fisher-Yates: the first max_unordered entries are a uniform sample.
        for (std::size_t k = 0; k < max_unordered; ++k) {
            std::uniform_int_distribution<std::size_t> pick(k, unordered.size() - 1);
            std::swap(unordered[k], unordered[pick(rng)]);
        }
        unordered.resize(max_unordered);
    }
    PairSet pairs;
    const std::size_t d = archive.front().features.size();
    pairs.width = kind == PairFeatures::concat ? 2 * d : d;
    pairs.x.reserve(2 * unordered.size() * pairs.width);
    for (const auto& [i, j] : unordered)
        for (const auto& [first, second] : {std::make_pair(i, j), std::make_pair(j, i)}) {
            append_pair(archive[first].features, archive[second].features, kind, pairs.x);
            pairs.label.push_back(archive[first].value < archive[second].value ? 1 : 0);
            pairs.members.emplace_back(first, second);
        }
    return pairs;
}

void require_fitted(bool fitted, const std::string& learner)
{
    if (!fitted) throw std::logic_error(learner + ": preference asked before fit");
}

namespace {

// The learners by name: one list for the factory, the names and the error.
using LearnerFactory = std::unique_ptr<RankSurrogate> (*)(const SurrogateOptions&);
const std::vector<std::pair<std::string, LearnerFactory>>& learners()
{
    static const std::vector<std::pair<std::string, LearnerFactory>> all = {
        {"svm", &make_svm_surrogate}, {"xgboost", &make_xgboost_pair_surrogate}, {"xgboost-rank", &make_xgboost_rank_surrogate}};
    return all;
}

} // namespace

std::vector<std::string> rank_surrogate_names()
{
    std::vector<std::string> names;
    for (const auto& [name, make] : learners()) names.push_back(name);
    return names;
}

std::unique_ptr<RankSurrogate> make_rank_surrogate(const SurrogateOptions& options)
{
    std::string known;
    for (const auto& [name, make] : learners()) {
        if (options.learner == name) return make(options);
        known += (known.empty() ? "" : ", ") + name;
    }
    fail("unknown surrogate learner '" + options.learner + "' (known: " + known + ")");
}

std::vector<double> win_scores(const RankSurrogate& surrogate, const std::vector<Features>& pool, const std::vector<Features>& reference)
{
    if (reference.empty()) fail("pairwise surrogate: an empty reference set scores nothing");
    const auto s = surrogate.preference(pool, reference);
    std::vector<double> scores(pool.size(), 0.0);
    for (std::size_t i = 0; i < pool.size(); ++i) {
        for (std::size_t j = 0; j < reference.size(); ++j) scores[i] += 1.0 / (1.0 + std::exp(-s[i * reference.size() + j]));
        scores[i] /= static_cast<double>(reference.size());
    }
    return scores;
}

} // namespace paretonas
