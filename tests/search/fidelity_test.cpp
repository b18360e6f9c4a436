#include "common/test_support.hpp"

#include <paretonas/search/baselines.hpp>

#include "search/search_support.hpp"
#include <paretonas/search/fidelity.hpp>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

using namespace paretonas;

TEST(Fidelity, RungsDoubleBelowTheEpochs)
{
    EXPECT_TRUE(rung_epochs(1, 2).empty());
    EXPECT_EQ(rung_epochs(2, 2), (std::vector<int>{1}));
    EXPECT_EQ(rung_epochs(8, 2), (std::vector<int>{1, 2, 4}));
    EXPECT_EQ(rung_epochs(9, 3), (std::vector<int>{1, 3}));
    EXPECT_EQ(rung_epochs(5, 1.5), (std::vector<int>{1, 2, 3}));
}

TEST(Fidelity, DominatedWithMarginNeedsNoHigherCostAndAClearlyLowerError)
{
    const ObjectiveVector me = {0.30, 4.0};
    EXPECT_TRUE(dominated_with_margin(me, {{0.25, 4.0}}, 0.05));
    EXPECT_TRUE(dominated_with_margin(me, {{0.40, 3.0}, {0.20, 3.5}}, 0.05));
    EXPECT_FALSE(dominated_with_margin(me, {{0.27, 4.0}}, 0.05));  // better, but within the margin
    EXPECT_FALSE(dominated_with_margin(me, {{0.10, 4.1}}, 0.05));  // much better, but costlier
    EXPECT_FALSE(dominated_with_margin(me, {}, 0.05));
    EXPECT_EQ(test::error_message([] {
                  FidelityConfig f;
                  f.margin = 0;
                  f.validate();
              }).find("fidelity margin"),
              0u);
}

TEST(Fidelity, NeverStopsAPointOfTheFront)
{
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> u(0, 1);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<ObjectiveVector> points;
        for (int i = 0; i < 12; ++i) points.push_back({u(rng), u(rng) * 6, u(rng) * 9});
        for (auto i : pareto_front(points)) {
            auto others = points;
            others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
            EXPECT_FALSE(dominated_with_margin(points[i], others, 1e-6));
        }
    }
}

namespace {

// A run holding one rival that has finished with the given learning curve and parameter count,
// then searched for one generation of 3 networks of 4 epochs under successive halving.
std::vector<Candidate> search_against(double rival_error, std::int64_t rival_params, std::vector<std::string>& events, double lr = 0.05)
{
    const test::BarData d;
    test::TempDir dir;
    // Generation 0 is the rival's: generation 1 draws the 3 networks.
    auto settings = test::settings_for("random", {{"generations", 2}, {"population", 3}, {"epochs_initial", 4}, {"batch_size", 32},
                                                  {"latency_repeats", 2}, {"fidelity", "sh"}, {"sh_margin", 0.01}, {"lr_start", lr},
                                                  {"space", {{"max_stages", 1}, {"widths", {2, 4, 8}}}}});
    auto store = create_run(dir.file("run"), settings, d.data);
    ChainSpaceConfig space;
    space.max_stages = 1;
    space.widths = {2, 4, 8};
    const ChainSpace chain(space, {1, 12, 12}, 3);
    Candidate rival;
    rival.data["genome"] = Genome(chain.size(), 0);
    rival.arch = chain.decode(genome_of(rival));
    rival.status = CandidateStatus::done;
    rival.parameters = rival_params;
    rival.data["curve"] = {rival_error, rival_error, rival_error, rival_error};
    rival.val_error = rival_error;
    rival.id = store.add(rival);
    store.update(rival);
    store.record_generation({0, {rival.id}, 0.0, 0.0});
    SearchCallbacks callbacks;
    callbacks.on_candidate = [&](const Candidate&, CandidateEvent event, const std::string& detail) {
        if (event != CandidateEvent::started) events.push_back(candidate_event_name(event) + (detail.empty() ? "" : " " + detail));
    };
    test::run_method(store, settings, d.data, callbacks);
    auto all = store.candidates();
    all.erase(all.begin());  // the rival
    return all;
}

} // namespace

TEST(Fidelity, AClearlyBetterCheaperRivalStopsEveryCandidateAtTheFirstRung)
{
    std::vector<std::string> events;
    // A learning rate too small to learn the bars in one epoch: no network ties the rival's 0.
    const auto trained = search_against(0.0, 1, events, 1e-4);
    ASSERT_EQ(trained.size(), 3u);
    for (const auto& c : trained) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_EQ(c.epochs, 1);
        ASSERT_EQ(learning_curve(c).size(), 1u);
        EXPECT_DOUBLE_EQ(c.val_error, learning_curve(c)[0]);
    }
    EXPECT_EQ(events, std::vector<std::string>(3, "stopped early at epoch 1 of 4"));
}

TEST(Fidelity, ARivalThatCostsMoreStopsNothing)
{
    std::vector<std::string> events;
    const auto trained = search_against(0.0, 1'000'000'000, events);
    ASSERT_EQ(trained.size(), 3u);
    for (const auto& c : trained) {
        EXPECT_EQ(c.epochs, 4);
        EXPECT_EQ(learning_curve(c).size(), 4u);
    }
    EXPECT_EQ(events, std::vector<std::string>(3, "done"));
}
