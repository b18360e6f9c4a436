#include "common/test_support.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/search/nash.hpp>
#include <paretonas/train/runtime.hpp>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <thread>

using namespace paretonas;

namespace {

NashConfig tiny_config()
{
    NashConfig c;
    c.steps = 2;
    c.neighbours = 2;
    c.morphisms_per_child = 2;
    c.epochs_neighbour = 1;
    c.train.batch_size = 32;
    c.seed = 4;
    return c;
}

struct Fixture : test::BarSplit {
    Network start() const
    {
        seed_everything(3);
        Network net(conv_chain({1, 12, 12}, 3, {4}, {0}));
        TrainConfig t;
        t.epochs = 1;
        t.batch_size = 32;
        paretonas::train(net, train, nullptr, norm, t, torch::kCPU);
        return net;
    }
};

} // namespace

TEST(Nash, ClimbsAndKeepsTheBestOfEachStep)
{
    torch::set_num_threads(1);
    const Fixture f;
    const auto start = f.start();
    const auto start_params = parameter_count(start->architecture());
    int steps_seen = 0;
    NashCallbacks callbacks;
    callbacks.on_step = [&](const NashStep&) { ++steps_seen; };
    auto result = nash(start, f.train, f.validation, f.norm, tiny_config(), torch::kCPU, callbacks);
    ASSERT_EQ(result.history.size(), 2u);
    EXPECT_EQ(steps_seen, 2);
    for (const auto& step : result.history) {
        ASSERT_EQ(step.candidates.size(), 3u);  // two children and the incumbent
        EXPECT_TRUE(step.candidates.back().applied.empty());
        for (std::size_t j = 0; j + 1 < step.candidates.size(); ++j) {
            EXPECT_EQ(step.candidates[j].applied.size(), 2u);
            EXPECT_GT(step.candidates[j].parameters, start_params);  // exact morphisms only grow
        }
        for (const auto& c : step.candidates) EXPECT_LE(step.candidates[step.best].val_error, c.val_error);
    }
    // Each step's winner is the next step's incumbent and that step's snapshot.
    ASSERT_EQ(result.snapshots.size(), 2u);
    for (std::size_t k = 0; k < 2; ++k)
        EXPECT_EQ(result.snapshots[k]->architecture(), result.history[k].candidates[result.history[k].best].arch);
    EXPECT_EQ(result.history[1].candidates.back().arch, result.history[0].candidates[result.history[0].best].arch);
    // The result is the best model seen, the start included.
    double best = result.start_val_error;
    for (const auto& step : result.history) best = std::min(best, step.candidates[step.best].val_error);
    EXPECT_DOUBLE_EQ(result.best_val_error, best);
    EXPECT_DOUBLE_EQ(evaluate(result.best, f.validation, f.norm, torch::kCPU).error, best);
}

TEST(Nash, SameSeedSameHistory)
{
    torch::set_num_threads(1);
    const Fixture f;
    auto config = tiny_config();
    config.steps = 1;
    const auto a = nash(f.start(), f.train, f.validation, f.norm, config, torch::kCPU);
    const auto b = nash(f.start(), f.train, f.validation, f.norm, config, torch::kCPU);
    ASSERT_EQ(a.history[0].candidates.size(), b.history[0].candidates.size());
    for (std::size_t j = 0; j < a.history[0].candidates.size(); ++j) {
        EXPECT_EQ(a.history[0].candidates[j].arch, b.history[0].candidates[j].arch);
        EXPECT_EQ(a.history[0].candidates[j].val_error, b.history[0].candidates[j].val_error);
    }
}

TEST(Nash, BudgetIsCheckedBeforeEveryCandidate)
{
    torch::set_num_threads(1);
    const Fixture f;
    auto config = tiny_config();
    config.steps = 3;
    config.budget_seconds = 0.5;
    NashCallbacks slow;
    // The first candidate takes longer than the whole budget: no second one may start.
    slow.on_candidate = [](int, int, int) { std::this_thread::sleep_for(std::chrono::milliseconds(700)); };
    const auto result = nash(f.start(), f.train, f.validation, f.norm, config, torch::kCPU, slow);
    ASSERT_EQ(result.history.size(), 1u);
    EXPECT_EQ(result.history[0].candidates.size(), 1u);
    EXPECT_LE(result.best_val_error, result.start_val_error);
}

TEST(Nash, BadConfigIsNamed)
{
    const Fixture f;
    auto config = tiny_config();
    config.neighbours = 0;
    EXPECT_EQ(test::error_message([&] { nash(f.start(), f.train, f.validation, f.norm, config, torch::kCPU); }),
              "nash neighbours must be in [1, 10000], got 0");
    EXPECT_EQ(NashConfig::paper().epochs_neighbour, 17);
}
