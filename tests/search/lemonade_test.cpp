#include "common/test_support.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/core/pareto.hpp>
#include <paretonas/search/lemonade.hpp>

#include "search/search_support.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <set>

using namespace paretonas;

namespace {

nlohmann::json tiny_settings(int generations)
{
    nlohmann::json initial = nlohmann::json::array();
    for (const auto& arch : {conv_chain({1, 12, 12}, 3, {2}, {0}), conv_chain({1, 12, 12}, 3, {4, 8}, {0}), conv_chain({1, 12, 12}, 3, {16, 32}, {0})})
        initial.push_back(nlohmann::json::parse(arch.to_json()));
    return {{"generations", generations}, {"children_proposed", 6}, {"children_accepted", 2}, {"epochs_initial", 2}, {"epochs_child", 1},
            {"batch_size", 32}, {"latency_repeats", 3}, {"initial", initial}};
}

} // namespace

TEST(Lemonade, FrontImprovesAndStaysNonDominated)
{
    const test::BarData d;
    test::TempDir dir;
    auto config = test::settings_for("lemonade", tiny_settings(5));
    auto store = create_run(dir.file("run"), config, d.data);
    const auto result = test::run_method(store, config, d.data);
    EXPECT_TRUE(result.finished);
    ASSERT_EQ(result.generations.size(), 5u);

    // Hypervolume never falls (the front only takes in) and the search improved on generation 0.
    for (std::size_t g = 1; g < result.generations.size(); ++g)
        EXPECT_GE(result.generations[g].hypervolume, result.generations[g - 1].hypervolume);
    EXPECT_GT(result.generations.back().hypervolume, result.generations.front().hypervolume);

    // The front is non-dominated, and no finished candidate outside it dominates a member.
    const auto all = store.candidates();
    std::vector<ObjectiveVector> front_points;
    for (const auto& c : result.front) front_points.push_back(objective_vector(c, config.objectives));
    for (const auto& a : front_points)
        for (const auto& b : front_points) EXPECT_FALSE(dominates(a, b));
    for (const auto& c : all)
        for (const auto& f : front_points)
            if (c.status == CandidateStatus::done) EXPECT_FALSE(dominates(objective_vector(c, config.objectives), f));
    EXPECT_EQ(result.generations.back().front.size(), result.front.size());

    // Children descend from trained parents by recorded operators, at most n_ac per generation,
    // no architecture twice, weights on disk.
    std::set<std::string> hashes;
    std::map<int, int> per_generation;
    for (const auto& c : all) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_TRUE(hashes.insert(c.arch.canonical_hash()).second);
        EXPECT_TRUE(std::filesystem::exists(store.weights_path(c.weights)));
        ++per_generation[c.generation];
        if (c.generation == 0) continue;
        ASSERT_GE(c.parent, 0);
        EXPECT_EQ(c.operators.size(), 1u);
        EXPECT_LT(store.candidate(c.parent)->generation, c.generation);
    }
    EXPECT_EQ(per_generation[0], 3);
    for (int g = 1; g < 5; ++g) EXPECT_LE(per_generation[g], 2);
}

TEST(Lemonade, StoppedAfterTwoGenerationsAndResumedToFourStoresWhatAnUninterruptedRunStores)
{
    test::expect_resume_equals_uninterrupted(test::settings_for("lemonade", tiny_settings(4)), "generations", 2, 4);
}

TEST(Lemonade, ContinuesAStoppedRunWithoutRetrainingIt)
{
    const test::BarData d;
    test::TempDir dir;
    auto config = test::settings_for("lemonade", tiny_settings(2));
    std::vector<Candidate> before;
    {
        auto store = create_run(dir.file("run"), config, d.data);
        test::run_method(store, config, d.data);
        before = store.candidates();
    }
    config.method_settings["generations"] = 3;
    auto store = RunStore::open(dir.file("run"));
    const auto result = test::run_method(store, config, d.data);
    EXPECT_EQ(result.generations.size(), 3u);
    const auto after = store.candidates();
    ASSERT_GT(after.size(), before.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
        EXPECT_EQ(after[i].val_error, before[i].val_error);  // not trained again
        EXPECT_EQ(after[i].seconds, before[i].seconds);
    }
    for (std::size_t i = before.size(); i < after.size(); ++i) EXPECT_EQ(after[i].generation, 2);
}

TEST(Lemonade, ConstraintsAndObjectivesAreEnforced)
{
    const test::BarData d;
    test::TempDir dir;
    auto config = test::settings_for("lemonade", tiny_settings(3));
    config.constraints.max_params = 2000;
    auto store = create_run(dir.file("run"), config, d.data);
    const auto result = test::run_method(store, config, d.data);
    ASSERT_FALSE(result.front.empty());
    for (const auto& c : result.front) EXPECT_LE(c.parameters, 2000);
    for (const auto& c : store.candidates())
        if (c.generation > 0) EXPECT_LE(c.parameters, 2000);  // children over the limit are never trained

    auto other = config;
    other.objectives = {Objective::error, Objective::madds};
    EXPECT_EQ(test::error_message([&] { test::run_method(store, other, d.data); }),
              "run " + dir.file("run") + " was started with other objectives");
    other.objectives = {Objective::error};
    EXPECT_EQ(test::error_message([&] { test::run_method(store, other, d.data); }),
              "lemonade needs at least one cost objective besides error (params, madds or latency)");
    auto settings = tiny_settings(3);
    settings["children_accepted"] = 9;
    EXPECT_EQ(test::error_message([&] { make_method("lemonade", settings); }), "lemonade children_accepted must be in [1, 6], got 9");
    EXPECT_EQ(test::error_message([&] { make_method("lemonade", {{"children", 3}}); }), "lemonade has no setting 'children'");
    EXPECT_EQ(test::error_message([&] { make_method("lemonade", {{"operators", {"widen", "shrink"}}}); }),
              "unknown morphism operator 'shrink' (known: deepen, widen, add_skip, concat_skip, remove_layer, remove_skip, prune, sep_conv)");
    EXPECT_EQ(test::error_message([&] { make_method("lemonade", {{"children_proposed", "many"}}); }),
              "lemonade children_proposed has the wrong type: \"many\"");
}

TEST(Lemonade, TheDefaultInitialPopulationFitsInItsShareOfTheBudget)
{
    const auto seeds = default_initial_population({1, 28, 28}, 10);
    ASSERT_EQ(seeds.size(), 4u);
    std::vector<double> madds;
    for (const auto& s : seeds) madds.push_back(static_cast<double>(multiply_adds(s)));
    // One second per epoch plus 1 s per million multiply-adds; two epochs each.
    const TimeModel model{1.0, 1e-6};
    const auto seconds = [&](std::size_t i) { return model.seconds(static_cast<std::int64_t>(madds[i]), 2); };
    // A budget whose tenth holds the two smallest but not the third.
    const double budget = 10 * (seconds(0) + seconds(1)) + 1;
    ASSERT_GT(seconds(0) + seconds(1) + seconds(2), 0.1 * budget);
    const auto kept = initial_within_budget(seeds, model, 2, budget, 0.1);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0], seeds[0]);
    EXPECT_EQ(kept[1], seeds[1]);
    // In cost order, whatever the order given.
    const auto reversed = initial_within_budget({seeds.rbegin(), seeds.rend()}, model, 2, budget, 0.1);
    ASSERT_EQ(reversed.size(), 2u);
    EXPECT_EQ(reversed[0], seeds[0]);
    // A budget too small for any: still the cheapest, so that the search has a start.
    EXPECT_EQ(initial_within_budget(seeds, model, 2, 1.0, 0.1).size(), 1u);
    // No budget, or no time model: all of them.
    EXPECT_EQ(initial_within_budget(seeds, model, 2, 0.0, 0.1).size(), 4u);
    EXPECT_EQ(initial_within_budget(seeds, TimeModel{}, 2, budget, 0.1).size(), 4u);
}

TEST(Lemonade, AcceptanceCostGrowsWithMultiplyAddsFromAFixedPart)
{
    Candidate small, large;
    small.multiply_adds = 0;
    large.multiply_adds = 9'000'000;
    EXPECT_GT(acceptance_cost(small), 0.0);  // even an empty network costs a step
    EXPECT_DOUBLE_EQ(acceptance_cost(large) / acceptance_cost(small), 7.0);
}

TEST(Lemonade, AcceptRuleAndInitialShareAreSettings)
{
    const auto defaults = LemonadeSettings::from_json(nlohmann::json::object());
    EXPECT_EQ(defaults.accept_rule, AcceptRule::cost);
    EXPECT_FALSE(defaults.recipe.augment);
    const auto paper = LemonadeSettings::from_json({{"accept_rule", "paper"}, {"initial_share", 0.25}, {"augment", true}});
    EXPECT_EQ(paper.accept_rule, AcceptRule::paper);
    EXPECT_DOUBLE_EQ(paper.initial_share, 0.25);
    EXPECT_TRUE(paper.recipe.augment);
    EXPECT_EQ(paper.to_json().at("accept_rule"), "paper");
    EXPECT_EQ(test::error_message([] { LemonadeSettings::from_json({{"accept_rule", "best"}}); }),
              "unknown acceptance rule 'best' (paper or cost)");
    EXPECT_EQ(test::error_message([] { LemonadeSettings::from_json({{"initial_share", 0.0}}); }).rfind("lemonade initial_share", 0), 0u);
}

// Weights deleted under a run are the run's damage, not its children's fault: the search stops
// naming the file, fails no candidate, and goes on once the file is back.
TEST(Lemonade, MissingParentWeightsStopTheRunWithoutFailingChildren)
{
    namespace fs = std::filesystem;
    const test::BarData d;
    test::TempDir dir;
    auto config = test::settings_for("lemonade", tiny_settings(2));
    Candidate child;
    {
        auto store = create_run(dir.file("run"), config, d.data);
        test::run_method(store, config, d.data);
        for (const auto& c : store.candidates())
            if (c.parent >= 0 && c.status == CandidateStatus::done) child = c;
        ASSERT_GE(child.parent, 0);
        auto queued = child;  // as a kill during its training leaves it
        queued.status = CandidateStatus::queued;
        store.update(queued);
    }
    const auto parent_weights = dir.file("run/weights/" + std::to_string(child.parent) + ".pt");
    fs::rename(parent_weights, dir.file("parent.pt"));
    const auto no_failed = [&](const RunStore& store) {
        for (const auto& c : store.candidates()) EXPECT_NE(c.status, CandidateStatus::failed) << "candidate " << c.id;
    };
    {
        auto store = RunStore::open(dir.file("run"));
        try {
            test::run_method(store, config, d.data);
            ADD_FAILURE() << "expected a StorageError";
        } catch (const StorageError& e) {
            EXPECT_EQ(std::string(e.what()), "run " + dir.file("run") + ": the weights of candidate " + std::to_string(child.parent) + " (" +
                                                 parent_weights + ") are missing; restore the file, then resume");
        }
        no_failed(store);
        EXPECT_TRUE(store.candidate(child.id)->pending());
    }
    fs::rename(dir.file("parent.pt"), parent_weights);
    auto store = RunStore::open(dir.file("run"));
    EXPECT_TRUE(test::run_method(store, config, d.data).finished);
    EXPECT_EQ(store.candidate(child.id)->status, CandidateStatus::done);
    no_failed(store);
}
