#include "common/test_support.hpp"

#include <paretonas/core/pareto.hpp>
#include <paretonas/search/baselines.hpp>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

using namespace paretonas;

namespace {

BaselineConfig tiny(int generations)
{
    BaselineConfig c;
    c.generations = generations;
    c.population = 4;
    c.epochs_initial = 1;
    c.train.batch_size = 32;
    c.latency.repeats = 2;
    c.latency.warmup = 1;
    c.seed = 11;
    c.space.max_stages = 2;
    c.space.widths = {2, 4, 8, 16};
    c.space.max_blocks = 2;
    return c;
}

using Search = SearchResult (*)(RunStore&, const DataView&, const DataView&, const Normalization&, const BaselineConfig&, c10::Device,
                                const SearchCallbacks&);

void expect_valid_run(const RunStore& store, const SearchResult& result, const BaselineConfig& config)
{
    std::set<std::string> hashes;
    const ChainSpace space(config.space, {1, 12, 12}, 3);
    for (const auto& c : store.candidates()) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_EQ(c.parent, -1);  // every network from scratch
        EXPECT_EQ(space.decode(c.genome), c.arch);
        EXPECT_TRUE(hashes.insert(c.arch.canonical_hash()).second) << "a network was trained twice";
    }
    std::vector<ObjectiveVector> front;
    for (const auto& c : result.front) front.push_back(objective_vector(c, config.objectives));
    for (const auto& a : front)
        for (const auto& b : front) EXPECT_FALSE(dominates(a, b));
    for (std::size_t g = 1; g < result.generations.size(); ++g)
        EXPECT_GE(result.generations[g].hypervolume, result.generations[g - 1].hypervolume);
}

// A run stopped after 2 generations and resumed to 4 trains exactly what an uninterrupted run of
// 4 generations trains: the population is replayed from the store.
void expect_resume_equals_uninterrupted(Search search, const std::string& method)
{
    torch::set_num_threads(1);
    const test::BarSplit d;
    test::TempDir dir;
    auto straight = RunStore::create(dir.file("straight"), test::run_info(method));
    const auto full = search(straight, d.train, d.validation, d.norm, tiny(4), torch::kCPU, {});
    EXPECT_TRUE(full.finished);
    ASSERT_EQ(full.generations.size(), 4u);
    expect_valid_run(straight, full, tiny(4));
    {
        auto first = RunStore::create(dir.file("resumed"), test::run_info(method));
        search(first, d.train, d.validation, d.norm, tiny(2), torch::kCPU, {});
    }
    auto resumed = RunStore::open(dir.file("resumed"));
    const auto rest = search(resumed, d.train, d.validation, d.norm, tiny(4), torch::kCPU, {});
    const auto a = straight.candidates(), b = resumed.candidates();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].genome, b[i].genome) << "candidate " << a[i].id;
        EXPECT_EQ(a[i].generation, b[i].generation);
        EXPECT_NEAR(a[i].val_error, b[i].val_error, 1e-12);
    }
    EXPECT_EQ(rest.generations.size(), 4u);
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

TEST(Nsga2, TinyRunIsValidAndResumesExactly) { expect_resume_equals_uninterrupted(&nsga2, "nsga2"); }

TEST(RandomSearch, TinyRunIsValidAndResumesExactly) { expect_resume_equals_uninterrupted(&random_search, "random"); }

TEST(Baselines, RefuseARunOfAnotherSpace)
{
    const test::BarSplit d;
    test::TempDir dir;
    auto store = RunStore::create(dir.file("run"), test::run_info("lemonade"));
    Candidate c;
    c.arch = conv_chain({1, 12, 12}, 3, {4}, {0});
    store.add(c);
    EXPECT_EQ(test::error_message([&] { nsga2(store, d.train, d.validation, d.norm, tiny(2), torch::kCPU, {}); }),
              "run " + store.dir() + " holds networks from outside the chain space (a lemonade run?)");
    auto bad = tiny(2);
    bad.population = 1;
    EXPECT_EQ(test::error_message([&] { random_search(store, d.train, d.validation, d.norm, bad, torch::kCPU, {}); }),
              "random population must be in [2, 100000], got 1");
}
