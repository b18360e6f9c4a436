#include "search/search_support.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/search/nash.hpp>
#include <paretonas/train/trainer.hpp>

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace paretonas;

namespace {

nlohmann::json tiny_settings(int steps)
{
    return {{"steps", steps},       {"neighbours", 2},     {"morphisms_per_child", 2}, {"epochs_initial", 1}, {"epochs_neighbour", 1},
            {"batch_size", 32},     {"latency_repeats", 2},
            {"start", nlohmann::json::parse(conv_chain({1, 12, 12}, 3, {4}, {0}).to_json())}};
}

} // namespace

TEST(Nash, ClimbsFromTheIncumbentAndKeepsTheBestOfEachStep)
{
    const test::BarData d;
    test::TempDir dir;
    auto settings = test::settings_for("nash", tiny_settings(2), 4);
    auto store = create_run(dir.file("run"), settings, d.data);
    EXPECT_EQ(settings.objectives, std::vector<Objective>{Objective::error});  // nash's own
    const auto result = test::run_method(store, settings, d.data);
    EXPECT_TRUE(result.finished);
    const auto all = store.candidates();
    ASSERT_EQ(all.size(), 7u);  // the start, then two steps of two children and the incumbent
    const auto start_params = parameter_count(all[0].arch);
    EXPECT_EQ(all[0].generation, 0);
    EXPECT_EQ(all[0].epochs, 1);
    for (int step = 1; step <= 2; ++step) {
        const Candidate* incumbent = nash_incumbent(all, step - 1);
        ASSERT_NE(incumbent, nullptr);
        std::vector<Candidate> members;
        for (const auto& c : all)
            if (c.generation == step) members.push_back(c);
        ASSERT_EQ(members.size(), 3u);
        for (const auto& c : members) {
            EXPECT_EQ(c.status, CandidateStatus::done);
            EXPECT_EQ(c.parent, incumbent->id);  // every member starts from the incumbent's weights
            EXPECT_FALSE(c.approximate());
        }
        for (std::size_t j = 0; j < 2; ++j) {
            EXPECT_EQ(members[j].operators.size(), 2u);
            EXPECT_GT(members[j].parameters, start_params);  // exact morphisms only grow
        }
        EXPECT_TRUE(members[2].operators.empty());  // the incumbent, for another cycle
        EXPECT_EQ(members[2].arch, incumbent->arch);
        // The incumbent of the next step is this step's best.
        const Candidate* best = nash_incumbent(all, step);
        for (const auto& c : members) EXPECT_LE(best->val_error, c.val_error);
    }
    // Single objective: the front is the best network of the run, with its cost.
    ASSERT_EQ(result.front.size(), 1u);
    for (const auto& c : all) EXPECT_LE(result.front[0].val_error, c.val_error);
    EXPECT_GT(result.front[0].parameters, 0);
    EXPECT_NEAR(result.generations.back().hypervolume, 1.0 - result.front[0].val_error, 1e-12);
    // The snapshot ensemble of each step's best, from the stored weights.
    std::vector<Network> snapshots;
    for (int step = 1; step <= 2; ++step) {
        const auto* best = nash_incumbent(all, step);
        snapshots.push_back(load_network(best->arch, store.weights_path(best->weights), torch::kCPU));
    }
    const double ensemble = ensemble_error(snapshots, d.validation, d.norm, torch::kCPU);
    EXPECT_GE(ensemble, 0.0);
    EXPECT_LE(ensemble, 1.0);
}

TEST(Nash, StoppedAfterTwoStepsAndResumedToFourStoresWhatAnUninterruptedRunStores)
{
    test::expect_resume_equals_uninterrupted(test::settings_for("nash", tiny_settings(4), 4), "steps", 2, 4);
}

TEST(Nash, BadSettingsAreNamed)
{
    EXPECT_EQ(test::error_message([] { make_method("nash", {{"neighbours", 0}}); }), "nash neighbours must be in [1, 10000], got 0");
    EXPECT_EQ(test::error_message([] { make_method("nash", {{"operators", {"widen", "prune"}}}); }),
              "nash climbs by exact morphisms only; 'prune' is approximate");
    // The paper's settings fill what is not given.
    const auto paper = make_method("nash", {{"paper", true}, {"steps", 3}})->settings();
    EXPECT_EQ(paper.at("epochs_neighbour"), 17);
    EXPECT_EQ(paper.at("neighbours"), 7);
    EXPECT_EQ(paper.at("steps"), 3);
}

TEST(Nash, TheStartNetworkMustFitTheDataAndTheLimits)
{
    const test::BarData d;
    test::TempDir dir;
    auto settings = test::settings_for("nash", tiny_settings(1));
    settings.method_settings["start"] = nlohmann::json::parse(conv_chain({1, 28, 28}, 3, {4}, {0}).to_json());
    auto store = create_run(dir.file("shape"), settings, d.data);
    EXPECT_EQ(test::error_message([&] { test::run_method(store, settings, d.data); }),
              "nash: the start network expects input [1,28,28] but the data set has [1,12,12]");
    // Exact morphisms only grow a network: a start over --max-params is refused at once.
    auto limited = test::settings_for("nash", tiny_settings(1));
    limited.constraints.max_params = 10;
    auto small = create_run(dir.file("limit"), limited, d.data);
    EXPECT_EQ(test::error_message([&] { test::run_method(small, limited, d.data); }),
              "nash: the start network breaks a limit: more parameters than --max-params");
}
