#include "common/test_support.hpp"

#include <paretonas/core/pareto.hpp>
#include <paretonas/search/baselines.hpp>

#include "search/search_support.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

using namespace paretonas;

namespace {

nlohmann::json tiny(int generations)
{
    return {{"generations", generations}, {"population", 4}, {"epochs_initial", 1}, {"batch_size", 32}, {"latency_repeats", 2},
            {"space", {{"max_stages", 2}, {"widths", {2, 4, 8, 16}}, {"max_blocks", 2}}}};
}

void expect_valid_run(const std::string& method)
{
    const test::BarData d;
    test::TempDir dir;
    auto settings = test::settings_for(method, tiny(3), 11);
    auto store = create_run(dir.file("run"), settings, d.data);
    const auto result = test::run_method(store, settings, d.data);
    EXPECT_TRUE(result.finished);
    ASSERT_EQ(result.generations.size(), 3u);
    std::set<std::string> hashes;
    ChainSpaceConfig space;
    space.max_stages = 2;
    space.widths = {2, 4, 8, 16};
    space.max_blocks = 2;
    const ChainSpace chain(space, {1, 12, 12}, 3);
    for (const auto& c : store.candidates()) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_EQ(c.parent, -1);  // every network from scratch
        EXPECT_EQ(chain.decode(genome_of(c)), c.arch);
        EXPECT_TRUE(hashes.insert(c.arch.canonical_hash()).second) << "a network was trained twice";
    }
    std::vector<ObjectiveVector> front;
    for (const auto& c : result.front) front.push_back(objective_vector(c, settings.objectives));
    for (const auto& a : front)
        for (const auto& b : front) EXPECT_FALSE(dominates(a, b));
    for (std::size_t g = 1; g < result.generations.size(); ++g)
        EXPECT_GE(result.generations[g].hypervolume, result.generations[g - 1].hypervolume);
}

} // namespace

TEST(Nsga2, SelectionTakesWholeFrontsThenTheLeastCrowded)
{
    // Front 0: (0,4) (1,2) (2,1) (4,0); front 1: (3,3); front 2: (5,5).
    const std::vector<ObjectiveVector> p = {{3, 3}, {0, 4}, {1, 2}, {5, 5}, {2, 1}, {4, 0}};
    EXPECT_EQ(nsga2_select(p, 5), (std::vector<std::size_t>{1, 2, 4, 5, 0}));
    // Two of front 0: its extremes, whose crowding distance is infinite.
    const auto two = nsga2_select(p, 2);
    EXPECT_EQ(std::set<std::size_t>(two.begin(), two.end()), (std::set<std::size_t>{1, 5}));
    EXPECT_EQ(nsga2_select(p, 6).size(), 6u);
    EXPECT_EQ(nsga2_select(p, 9).size(), 6u);
}

TEST(Nsga2, TinyRunIsValid) { expect_valid_run("nsga2"); }

TEST(RandomSearch, TinyRunIsValid) { expect_valid_run("random"); }

TEST(Nsga2, StoppedAfterTwoGenerationsAndResumedToFourStoresWhatAnUninterruptedRunStores)
{
    test::expect_resume_equals_uninterrupted(test::settings_for("nsga2", tiny(4), 11), "generations", 2, 4);
}

TEST(RandomSearch, StoppedAfterTwoGenerationsAndResumedToFourStoresWhatAnUninterruptedRunStores)
{
    test::expect_resume_equals_uninterrupted(test::settings_for("random", tiny(4), 11), "generations", 2, 4);
}

TEST(Baselines, RefuseARunOfAnotherSpace)
{
    const test::BarData d;
    test::TempDir dir;
    auto store = RunStore::create(dir.file("run"), test::run_info("lemonade"));
    Candidate c;
    c.arch = conv_chain({1, 12, 12}, 3, {4}, {0});
    store.add(c);
    EXPECT_EQ(test::error_message([&] { test::run_method(store, test::settings_for("nsga2", tiny(2)), d.data); }),
              "run " + store.dir() + " holds networks from outside the chain space (a lemonade run?)");
    auto bad = tiny(2);
    bad["population"] = 1;
    EXPECT_EQ(test::error_message([&] { make_method("random", bad); }), "random population must be in [2, 100000], got 1");
    EXPECT_EQ(test::error_message([&] { make_method("random", {{"crossover", 0.5}}); }), "random has no setting 'crossover'");
    EXPECT_EQ(test::error_message([&] { make_method("nsga2", {{"epochs_child", 2}}); }), "nsga2 has no setting 'epochs_child'");
    EXPECT_EQ(test::error_message([&] { make_method("nsga2", {{"space", {{"depth", 2}}}}); }), "nsga2 space has no setting 'depth'");
}
