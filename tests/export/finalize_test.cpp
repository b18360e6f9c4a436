#include "common/test_support.hpp"

#include <paretonas/export/finalize.hpp>
#include "search/search_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

using namespace paretonas;

namespace {

// A finished two-network run on the bar images: the search trains on `train` and validates on
// `validation`; finalize trains on `train` and tests on `validation`, which is all these tests need.
struct TrainedRun {
    test::BarData data;
    test::TempDir dir;
    RunSettings settings = test::settings_for(
        "lemonade", {{"generations", 1}, {"children_proposed", 2}, {"children_accepted", 1}, {"epochs_initial", 3}, {"batch_size", 32},
                     {"latency_repeats", 3},
                     {"initial", {nlohmann::json::parse(conv_chain({1, 12, 12}, 3, {4}, {0}).to_json()),
                                  nlohmann::json::parse(conv_chain({1, 12, 12}, 3, {8, 16}, {0}).to_json())}}});
    RunStore store;
    std::vector<Candidate> models;

    TrainedRun() : store(create_run(dir.file("run"), settings, data.data))
    {
        test::run_method(store, settings, data.data);
        models = store.candidates();
    }
    double search_error(const Candidate& c)
    {
        auto net = load_network(c.arch, store.weights_path(c.weights), torch::kCPU);
        return evaluate(net, data.validation, data.norm, torch::kCPU).error;
    }
};

FinalizeConfig quick(int epochs)
{
    FinalizeConfig f;
    f.epochs = epochs;
    f.train.batch_size = 32;
    f.latency.repeats = 5;
    f.latency.warmup = 1;
    return f;
}

std::vector<FinalModel> run_finalize(TrainedRun& r, const std::vector<std::int64_t>& ids, const FinalizeConfig& config,
                                     FinalizeCallbacks callbacks = {})
{
    return finalize(r.store, ids, r.data.train, r.data.validation, r.data.norm, config, torch::kCPU, callbacks);
}

} // namespace

TEST(Finalize, StoresEachModelWithItsTestErrorAndWeights)
{
    TrainedRun r;
    const auto a = r.models[0], b = r.models[1];
    std::vector<std::string> events;
    FinalizeCallbacks callbacks;
    callbacks.on_model = [&](const Candidate& c, const FinalModel&, CandidateEvent event, const std::string&, int index, int count) {
        events.push_back(std::to_string(c.id) + " " + candidate_event_name(event) + " " + std::to_string(index) + "/" + std::to_string(count));
    };
    const auto finals = run_finalize(r, {b.id, a.id}, quick(2), callbacks);
    ASSERT_EQ(finals.size(), 2u);
    EXPECT_EQ(finals[0].candidate, b.id);
    const std::vector<std::string> expected = {std::to_string(b.id) + " started 1/2", std::to_string(b.id) + " done 1/2",
                                               std::to_string(a.id) + " started 2/2", std::to_string(a.id) + " done 2/2"};
    EXPECT_EQ(events, expected);
    for (const auto& f : finals) {
        EXPECT_EQ(f.status, CandidateStatus::done);
        EXPECT_EQ(f.epochs, 2);
        EXPECT_GT(f.latency_ms, 0.0);
        // The stored test error is that of the stored weights.
        const auto c = *r.store.candidate(f.candidate);
        auto net = load_network(c.arch, r.store.final_path(f.weights), torch::kCPU);
        EXPECT_DOUBLE_EQ(evaluate(net, r.data.validation, r.data.norm, torch::kCPU).error, f.test_error);
        EXPECT_EQ(Architecture::load(r.store.final_path(f.name() + ".json")), c.arch);
    }
    const auto stored = r.store.finals();
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_EQ(stored[0].candidate, b.id);  // in the order written
}

TEST(Finalize, FineTuningStartsFromTheSearchWeightsAndScratchDoesNot)
{
    TrainedRun r;
    const auto c = r.models[1];
    const double search = r.search_error(c);
    ASSERT_LT(search, 0.3);  // the bars are easy: the searched model learned them
    // A learning rate too small to move the weights: what comes out is what went in.
    auto frozen = quick(1);
    frozen.lr_start = 1e-6;
    const auto tuned = run_finalize(r, {c.id}, frozen)[0];
    EXPECT_NEAR(tuned.test_error, search, 0.05);
    frozen.from_scratch = true;
    const auto scratch = run_finalize(r, {c.id}, frozen)[0];
    EXPECT_GT(scratch.test_error, search + 0.2);  // untrained: about chance on 3 classes
    EXPECT_NE(scratch.name(), tuned.name());
    EXPECT_EQ(r.store.finals().size(), 2u);       // one per recipe
    // Another learning rate is another recipe: trained, not reused.
    frozen.from_scratch = false;
    frozen.lr_start = 1.0;
    const auto hot = run_finalize(r, {c.id}, frozen)[0];
    EXPECT_EQ(hot.recipe, "e1-lr1-b32-s0");
    EXPECT_EQ(r.store.finals().size(), 3u);
}

TEST(Finalize, ResumesOnlyWhatIsNotFinished)
{
    TrainedRun r;
    const auto a = r.models[0], b = r.models[1];
    const auto first = run_finalize(r, {a.id}, quick(1))[0];
    const auto written = std::filesystem::last_write_time(r.store.final_path(first.weights));
    // b was in flight when the process died.
    FinalModel in_flight;
    in_flight.candidate = b.id;
    in_flight.recipe = quick(1).recipe();
    in_flight.epochs = 1;
    in_flight.status = CandidateStatus::training;
    r.store.save_final(in_flight);

    std::vector<std::string> events;
    FinalizeCallbacks callbacks;
    callbacks.on_model = [&](const Candidate& c, const FinalModel&, CandidateEvent event, const std::string&, int, int) {
        events.push_back(std::to_string(c.id) + " " + candidate_event_name(event));
    };
    const auto again = run_finalize(r, {a.id, b.id}, quick(1), callbacks);
    EXPECT_EQ(events, (std::vector<std::string>{std::to_string(a.id) + " skipped", std::to_string(b.id) + " started",
                                                std::to_string(b.id) + " done"}));
    EXPECT_DOUBLE_EQ(again[0].test_error, first.test_error);
    EXPECT_DOUBLE_EQ(again[0].seconds, first.seconds);
    EXPECT_EQ(std::filesystem::last_write_time(r.store.final_path(first.weights)), written);
    EXPECT_EQ(again[1].status, CandidateStatus::done);
}

TEST(Finalize, RefusesUnknownAndUntrainedModelsBeforeTraining)
{
    TrainedRun r;
    Candidate queued = r.models[0];
    queued.arch = conv_chain({1, 12, 12}, 3, {2}, {0});
    queued.status = CandidateStatus::queued;
    const auto queued_id = r.store.add(queued);
    EXPECT_EQ(test::error_message([&] { run_finalize(r, {r.models[0].id, 999}, quick(1)); }),
              "run " + r.store.dir() + " has no candidate 999");
    EXPECT_EQ(test::error_message([&] { run_finalize(r, {queued_id}, quick(1)); }),
              "candidate " + std::to_string(queued_id) + " of run " + r.store.dir() + " is queued, not trained");
    EXPECT_EQ(test::error_message([&] { run_finalize(r, {}, quick(1)); }), "finalize: no models chosen");
    EXPECT_THAT(test::error_message([&] { run_finalize(r, {r.models[0].id}, quick(0)); }), ::testing::HasSubstr("finalize epochs"));
    EXPECT_TRUE(r.store.finals().empty());
}
