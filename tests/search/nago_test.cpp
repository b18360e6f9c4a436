#include "common/test_support.hpp"

#include <paretonas/core/pareto.hpp>
#include <paretonas/search/nago.hpp>
#include <paretonas/search/training_evaluator.hpp>

#include "search/search_support.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

using namespace paretonas;

namespace {

nlohmann::json tiny(int generations)
{
    return {{"generations", generations}, {"initial", 4}, {"batch", 2}, {"epochs_initial", 1}, {"batch_size", 32},
            {"latency_repeats", 2}, {"random_candidates", 60}, {"local_candidates", 20},
            {"ranges", {{"top_nodes", {3, 4}}, {"mid_nodes", {1, 2}}, {"bottom_nodes", {3, 4}}, {"width", {2, 4}}}}};
}

} // namespace

TEST(Nago, TinyRunDrawsEveryNetworkFromItsStoredGeneratorAndKeepsAFront)
{
    const test::BarData d;
    test::TempDir dir;
    auto settings = test::settings_for("nago", tiny(3), 11);
    auto store = create_run(dir.file("run"), settings, d.data);
    const auto result = test::run_method(store, settings, d.data);
    EXPECT_TRUE(result.finished);
    ASSERT_EQ(result.generations.size(), 3u);
    const auto stored = NagoSettings::from_json(RunSettings::of(store).method_settings);
    std::set<std::pair<std::string, std::uint64_t>> draws;
    int proposed_by_bo = 0;
    for (const auto& c : store.candidates()) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_EQ(c.parent, -1);
        const auto draw = generator_draw_of(c);
        ASSERT_TRUE(draw);
        stored.space.check(draw->theta);  // inside the ranges asked for
        GraphRng rng(draw->seed);
        EXPECT_EQ(sample_architecture(draw->theta, {1, 12, 12}, 3, stored.hierarchy, rng).architecture, c.arch);
        EXPECT_TRUE(draws.insert({to_json(draw->theta).dump(), draw->seed}).second) << "a draw was evaluated twice";
        proposed_by_bo += c.generation > 0 ? 1 : 0;
    }
    EXPECT_EQ(proposed_by_bo, 4);  // 2 generations of batch 2
    std::vector<ObjectiveVector> front;
    for (const auto& c : result.front) front.push_back(objective_vector(c, settings.objectives));
    for (const auto& a : front)
        for (const auto& b : front) EXPECT_FALSE(dominates(a, b));
}

TEST(Nago, StoppedAfterTwoGenerationsAndResumedToFourStoresWhatAnUninterruptedRunStores)
{
    test::expect_resume_equals_uninterrupted(test::settings_for("nago", tiny(4), 11), "generations", 2, 4);
}

TEST(Nago, TheRandomGeneratorBaselineDrawsThetaUniformlyWithTheSameMachinery)
{
    const test::BarData d;
    test::TempDir dir;
    auto json = tiny(3);
    json["proposer"] = "random";
    auto settings = test::settings_for("nago", json, 11);
    auto store = create_run(dir.file("run"), settings, d.data);
    const auto result = test::run_method(store, settings, d.data);
    EXPECT_TRUE(result.finished);
    // The same seed gives the same initial generators as BO; later ones differ from BO's.
    auto bo_settings = test::settings_for("nago", tiny(3), 11);
    test::TempDir other;
    auto bo_store = create_run(other.file("run"), bo_settings, d.data);
    test::run_method(bo_store, bo_settings, d.data);
    const auto random_candidates = store.candidates(), bo_candidates = bo_store.candidates();
    ASSERT_EQ(random_candidates.size(), bo_candidates.size());
    bool any_differs = false;
    for (std::size_t i = 0; i < random_candidates.size(); ++i) {
        if (random_candidates[i].generation == 0) EXPECT_EQ(random_candidates[i].arch, bo_candidates[i].arch);
        else any_differs = any_differs || random_candidates[i].arch != bo_candidates[i].arch;
    }
    EXPECT_TRUE(any_differs);
    EXPECT_EQ(test::error_message([] { make_method("nago", {{"proposer", "grid"}}); }), "nago proposer must be \"bo\" or \"random\", got \"grid\"");
}

namespace {

// The error alone, successive halving on 3 epochs (rungs after 1 and 3), enough generators for
// the BOHB model (2 (9 dimensions + 1)) before the last two generations.
RunSettings single_objective(int generations)
{
    auto json = tiny(generations);
    json["initial"] = 20;
    json["epochs_initial"] = 3;
    json["fidelity"] = "sh";
    json["sh_margin"] = 0.02;
    auto settings = test::settings_for("nago", json, 11);
    settings.objectives = {Objective::error};
    return settings;
}

} // namespace

TEST(Nago, ErrorAloneRunsBohbOnTheSuccessiveHalvingRungs)
{
    const test::BarData d;
    test::TempDir dir;
    auto settings = single_objective(3);
    auto store = create_run(dir.file("run"), settings, d.data);
    const auto result = test::run_method(store, settings, d.data);
    EXPECT_TRUE(result.finished);
    const auto all = store.candidates();
    ASSERT_EQ(all.size(), 24u);  // 20 initial, 2 generations of 2
    int stopped = 0, best = 0;
    for (const auto& c : all) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_EQ(learning_curve(c).size(), static_cast<std::size_t>(c.epochs));
        stopped += c.epochs < 3;
        if (c.val_error < all[best].val_error) best = static_cast<int>(&c - all.data());
    }
    EXPECT_GT(stopped, 0);  // the rungs stopped some networks early
    ASSERT_EQ(result.front.size(), 1u);  // one objective: the best network
    EXPECT_EQ(result.front[0].val_error, all[best].val_error);

    // The initial design is the random proposer's; the later generators are the model's.
    auto random_settings = settings;
    random_settings.method_settings["proposer"] = "random";
    test::TempDir other;
    auto random_store = create_run(other.file("run"), random_settings, d.data);
    test::run_method(random_store, random_settings, d.data);
    const auto random_all = random_store.candidates();
    ASSERT_EQ(random_all.size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        EXPECT_EQ(all[i].data.at("theta") == random_all[i].data.at("theta"), all[i].generation == 0) << "candidate " << all[i].id;
}

TEST(Nago, ErrorAloneResumedStoresWhatAnUninterruptedRunStores)
{
    test::expect_resume_equals_uninterrupted(single_objective(3), "generations", 2, 3);
}

TEST(Nago, BadSettingsForeignRunsAndLatencyAreNamed)
{
    const test::BarData d;
    test::TempDir dir;
    auto store = RunStore::create(dir.file("run"), test::run_info("lemonade"));
    Candidate c;
    c.arch = conv_chain({1, 12, 12}, 3, {4}, {0});
    store.add(c);
    EXPECT_EQ(test::error_message([&] { test::run_method(store, test::settings_for("nago", tiny(2)), d.data); }),
              "run " + store.dir() + " holds networks that no generator drew (a lemonade run?)");
    EXPECT_EQ(test::error_message([] { make_method("nago", {{"batch", 0}}); }), "nago batch must be in [1, 1000], got 0");
    EXPECT_EQ(test::error_message([] { make_method("nago", {{"epochs_child", 2}}); }), "nago has no setting 'epochs_child'");
    EXPECT_EQ(test::error_message([] { make_method("nago", {{"batch", 8}, {"random_candidates", 4}, {"local_candidates", 0}}); }),
              "nago batch (8) needs at least as many candidates per pick (random_candidates + local_candidates = 4)");
    EXPECT_EQ(test::error_message([] { make_method("nago", {{"stages", 40}}); }), "nago stages must be in [1, 10], got 40");
    EXPECT_EQ(test::error_message([] { make_method("nago", {{"ranges", {{"bottom_nodes", {2, 4}}}}}); }),
              "generator theta field bottom_nodes range [2, 4] leaves its domain [3, 1000]");
    EXPECT_EQ(test::error_message([] { make_method("nago", {{"ranges", {{"top_p", {0.5, 1.5}}}}}); }),
              "generator theta field top_p range [0.5, 1.5] leaves its domain [0, 1]");
    EXPECT_EQ(test::error_message([] { make_method("nago", {{"stages", 4}}); }),
              "generator theta field top_nodes = 3 gives fewer cells than the 4 stages");
    auto latency = test::settings_for("nago", tiny(2));
    latency.objectives = {Objective::error, Objective::latency};
    EXPECT_EQ(test::error_message([&] { make_method("nago", latency.method_settings)->check(latency); }),
              "nago estimates a generator's costs from sampled architectures without running them; latency is not one of them (use params or madds)");
    auto deep = test::settings_for("nago", tiny(2));
    deep.method_settings["stages"] = 5;
    deep.method_settings["ranges"]["top_nodes"] = {5, 6};
    test::TempDir other;
    auto fresh = create_run(other.file("run"), deep, d.data);
    EXPECT_EQ(test::error_message([&] { test::run_method(fresh, deep, d.data); }), "a 12x12 input cannot be halved 4 times for 5 stages");
}
