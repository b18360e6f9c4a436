#include "common/test_support.hpp"

#include <paretonas/core/rank_correlation.hpp>
#include <paretonas/surrogate/pairwise.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

using namespace paretonas;
using ::testing::HasSubstr;

namespace {

// A smooth, non-linear ranking of 6 genes in [0, 1]: what a surrogate should learn from pairs.
double known_value(const Features& x)
{
    return std::pow(x[0] - 0.3, 2) + 0.5 * x[1] * x[2] + 0.2 * std::sin(3.0 * x[3]) + 0.6 * x[4] - 0.1 * x[5];
}

std::vector<RankedPoint> synthetic_archive(std::size_t n, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<RankedPoint> archive(n);
    for (auto& p : archive) {
        for (int g = 0; g < 6; ++g) p.features.push_back(unit(rng));
        p.value = known_value(p.features);
    }
    return archive;
}

SurrogateOptions options(const std::string& learner, PairFeatures features = PairFeatures::concat)
{
    SurrogateOptions o;
    o.learner = learner;
    o.features = features;
    o.max_pairs = 2000;
    o.threads = 2;
    return o;
}

std::vector<Features> features_of(const std::vector<RankedPoint>& points)
{
    std::vector<Features> out;
    for (const auto& p : points) out.push_back(p.features);
    return out;
}

} // namespace

TEST(Pairs, BothOrdersOfEveryPairWithDistinctValuesAntisymmetricAndBalanced)
{
    // Points 1 and 3 tie, so their pair is left out: 6 unordered pairs of 4 points, minus 1.
    const std::vector<RankedPoint> archive = {{{0.0, 0.1}, 0.5}, {{0.2, 0.3}, 0.1}, {{0.4, 0.5}, 0.9}, {{0.6, 0.7}, 0.1}};
    std::mt19937_64 rng(1);
    const auto pairs = make_pairs(archive, PairFeatures::concat, 0, rng);
    ASSERT_EQ(pairs.size(), 10u);
    EXPECT_EQ(pairs.width, 4u);
    std::map<std::pair<std::size_t, std::size_t>, int> label_of;
    for (std::size_t r = 0; r < pairs.size(); ++r) {
        const auto [a, b] = pairs.members[r];
        label_of[{a, b}] = pairs.label[r];
        EXPECT_EQ(pairs.label[r], archive[a].value < archive[b].value ? 1 : 0);
        // concat: the first point's genes, then the second's.
        EXPECT_EQ(std::vector<double>(pairs.row(r), pairs.row(r) + 4),
                  (std::vector<double>{archive[a].features[0], archive[a].features[1], archive[b].features[0], archive[b].features[1]}));
    }
    for (const auto& [members, label] : label_of) EXPECT_EQ(label_of.at({members.second, members.first}), 1 - label);
    EXPECT_EQ(label_of.count({1, 3}), 0u);
    EXPECT_EQ(std::count(pairs.label.begin(), pairs.label.end(), 1), 5);

    const auto differences = make_pairs(archive, PairFeatures::difference, 0, rng);
    ASSERT_EQ(differences.width, 2u);
    const auto [a, b] = differences.members[0];
    EXPECT_DOUBLE_EQ(differences.row(0)[0], archive[a].features[0] - archive[b].features[0]);
    EXPECT_DOUBLE_EQ(differences.row(1)[0], -differences.row(0)[0]);  // the other order follows
}

TEST(Pairs, SubsampleKeepsDistinctPairsInBothOrdersAndIsSeeded)
{
    const auto archive = synthetic_archive(30, 3);  // 435 unordered pairs
    std::mt19937_64 rng(7), same(7);
    const auto pairs = make_pairs(archive, PairFeatures::concat, 50, rng);
    ASSERT_EQ(pairs.size(), 100u);
    std::set<std::pair<std::size_t, std::size_t>> seen;
    for (std::size_t r = 0; r < pairs.size(); r += 2) {
        EXPECT_EQ(pairs.members[r + 1], std::make_pair(pairs.members[r].second, pairs.members[r].first));
        EXPECT_EQ(pairs.label[r] + pairs.label[r + 1], 1);
        EXPECT_TRUE(seen.insert(std::minmax(pairs.members[r].first, pairs.members[r].second)).second);
    }
    EXPECT_EQ(make_pairs(archive, PairFeatures::concat, 50, same).members, pairs.members);
}

TEST(Pairs, NamedErrors)
{
    std::mt19937_64 rng(1);
    EXPECT_THAT(test::error_message([&] { make_pairs({{{0.0}, 1.0}, {{0.0, 1.0}, 2.0}}, PairFeatures::concat, 0, rng); }),
                HasSubstr("pairwise surrogate: archive encodings differ in length (1 and 2)"));
    EXPECT_THAT(test::error_message([&] { make_pairs({{{0.0}, 1.0}, {{0.5}, 1.0}}, PairFeatures::concat, 0, rng); }),
                HasSubstr("pairwise surrogate: needs two archive points with different values, got 2 points"));
    EXPECT_THAT(test::error_message([&] { make_pairs({}, PairFeatures::concat, 0, rng); }),
                HasSubstr("needs two archive points with different values, got 0 points"));
    EXPECT_THAT(test::error_message([] { pair_features_from_name("sum"); }), HasSubstr("unknown pair features 'sum' (known: concat, difference)"));
    EXPECT_THAT(test::error_message([] { make_rank_surrogate(options("forest")); }),
                HasSubstr("unknown surrogate learner 'forest' (known: svm, xgboost, xgboost-rank)"));
    for (const auto& name : rank_surrogate_names())
        EXPECT_THROW(make_rank_surrogate(options(name))->preference({{0.0}}, {{1.0}}), std::logic_error) << name;
    EXPECT_THAT(test::error_message([] { win_scores(*make_rank_surrogate({}), {{0.0}}, {}); }),
                HasSubstr("an empty reference set scores nothing"));
}

struct LearnerCase {
    std::string learner;
    PairFeatures features;
};

class Learner : public ::testing::TestWithParam<LearnerCase> {};

TEST_P(Learner, RanksHeldOutPointsOfAKnownRanking)
{
    const auto train = synthetic_archive(80, 11), held_out = synthetic_archive(60, 12);
    auto surrogate = make_rank_surrogate(options(GetParam().learner, GetParam().features));
    std::mt19937_64 rng(5);
    surrogate->fit(train, rng);
    const auto scores = win_scores(*surrogate, features_of(held_out), features_of(train));
    std::vector<double> predicted, truth;
    for (std::size_t i = 0; i < held_out.size(); ++i) {
        predicted.push_back(-scores[i]);  // a high win score predicts a low value
        truth.push_back(held_out[i].value);
        EXPECT_GT(scores[i], 0.0);
        EXPECT_LT(scores[i], 1.0);
    }
    const double tau = kendall_tau(predicted, truth);
    EXPECT_GT(tau, 0.6) << surrogate->name();
    RecordProperty("kendall_tau", std::to_string(tau));
}

TEST_P(Learner, PreferenceIsAntisymmetricAndAgreesWithTheTrainingPairs)
{
    const auto train = synthetic_archive(40, 21);
    auto surrogate = make_rank_surrogate(options(GetParam().learner, GetParam().features));
    std::mt19937_64 rng(9);
    surrogate->fit(train, rng);
    const auto points = features_of(train);
    const auto s = surrogate->preference(points, points);
    std::size_t agree = 0, ordered = 0;
    for (std::size_t i = 0; i < points.size(); ++i)
        for (std::size_t j = 0; j < points.size(); ++j) {
            EXPECT_NEAR(s[i * points.size() + j], -s[j * points.size() + i], 1e-9);
            if (i == j) continue;
            ++ordered;
            agree += (s[i * points.size() + j] > 0) == (train[i].value < train[j].value);
        }
    // The pairs it was fitted on: far better than chance (the sign convention and, for the SVM,
    // the factorised kernel evaluation are right).
    EXPECT_GT(static_cast<double>(agree) / static_cast<double>(ordered), 0.85) << surrogate->name();
}

INSTANTIATE_TEST_SUITE_P(Surrogate, Learner,
                         ::testing::Values(LearnerCase{"svm", PairFeatures::concat}, LearnerCase{"svm", PairFeatures::difference},
                                           LearnerCase{"xgboost", PairFeatures::concat}, LearnerCase{"xgboost", PairFeatures::difference},
                                           LearnerCase{"xgboost-rank", PairFeatures::concat}),
                         [](const auto& info) {
                             std::string name = info.param.learner + "_" + pair_features_name(info.param.features);
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });
