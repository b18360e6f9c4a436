#include "common/test_support.hpp"

#include <paretonas/search/generator_spread.hpp>
#include <paretonas/search/nago.hpp>

#include "search/search_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace paretonas;
using ::testing::HasSubstr;

namespace {

// A tiny finished NAGO run on the bar images.
struct NagoRun {
    test::BarData d;
    test::TempDir dir;
    RunStore store;
    NagoRun() : store(make()) {}

    RunStore make()
    {
        const nlohmann::json tiny = {{"generations", 1}, {"initial", 3}, {"epochs_initial", 1}, {"batch_size", 32}, {"latency_repeats", 2},
                                     {"ranges", {{"top_nodes", {3, 4}}, {"mid_nodes", {1, 2}}, {"bottom_nodes", {3, 4}}, {"width", {2, 4}}}}};
        auto settings = test::settings_for("nago", tiny, 11);
        auto s = create_run(dir.file("run"), settings, d.data);
        test::run_method(s, settings, d.data);
        return s;
    }
    SampleRequest request(int count) const
    {
        SampleRequest r;
        r.candidate = 1;
        r.count = count;
        return r;
    }
};

std::string error_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(GeneratorSpread, MeanAndSampleStandardDeviation)
{
    const auto s = spread_of({1, 2, 3, 4});
    EXPECT_EQ(s.count, 4);
    EXPECT_DOUBLE_EQ(s.mean, 2.5);
    EXPECT_NEAR(s.std, std::sqrt(5.0 / 3.0), 1e-12);  // sum of squares 5 over n - 1
    EXPECT_EQ(spread_of({0.3}).std, 0.0);
    EXPECT_EQ(spread_of({}).count, 0);
}

TEST(GeneratorSpread, SummarisesFinishedSamplesAndCountsFailedOnes)
{
    std::vector<GeneratorSample> samples(4);
    const double errors[] = {0.2, 0.4, 0.9, 0.3};
    for (int i = 0; i < 4; ++i) {
        samples[i].status = CandidateStatus::done;
        samples[i].val_error = errors[i];
        samples[i].parameters = 100 * (i + 1);
    }
    samples[2].status = CandidateStatus::failed;  // its error is not a measurement
    const auto spread = generator_spread(samples);
    EXPECT_EQ(spread.done, 3);
    EXPECT_EQ(spread.failed, 1);
    EXPECT_NEAR(spread.val_error.mean, 0.3, 1e-12);
    EXPECT_NEAR(spread.val_error.std, 0.1, 1e-12);
    EXPECT_NEAR(spread.parameters.mean, (100 + 200 + 400) / 3.0, 1e-9);
}

TEST(GeneratorSpread, SamplesAreFreshDrawsOfTheCandidatesGeneratorStoredAndResumed)
{
    NagoRun run;
    const auto candidate = trained_candidate(run.store, 1);
    const auto draw = generator_draw_of(candidate);
    ASSERT_TRUE(draw);
    const auto settings = NagoSettings::from_json(RunSettings::of(run.store).method_settings);

    torch::set_num_threads(1);
    int trained = 0;
    SampleCallbacks counting;
    counting.on_sample = [&](const GeneratorSample&, CandidateEvent e) { trained += e == CandidateEvent::started ? 1 : 0; };
    const auto first = sample_generator(run.store, run.d.data, run.request(3), counting);
    EXPECT_EQ(trained, 3);
    ASSERT_EQ(first.size(), 3u);
    std::set<std::uint64_t> seeds{draw->seed};
    bool another_network = false;
    for (const auto& s : first) {
        EXPECT_EQ(s.status, CandidateStatus::done) << s.detail;
        EXPECT_TRUE(seeds.insert(s.seed).second) << "sample " << s.index << " repeats a draw";
        EXPECT_EQ(s.arch, draw_network(settings, {draw->theta, s.seed}, *run.d.data.source.train));  // the same theta
        another_network |= s.arch != candidate.arch;
        EXPECT_GE(s.val_error, 0.0);
        EXPECT_LE(s.val_error, 1.0);
        EXPECT_GT(s.parameters, 0);
    }
    EXPECT_TRUE(another_network);

    // Asking for more trains only the new ones and keeps the stored ones as they were.
    trained = 0;
    const auto more = sample_generator(run.store, run.d.data, run.request(4), counting);
    EXPECT_EQ(trained, 1);
    ASSERT_EQ(more.size(), 4u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(more[i].arch, first[i].arch);
        EXPECT_EQ(more[i].val_error, first[i].val_error);
    }
    EXPECT_EQ(run.store.samples().size(), 4u);
}

TEST(GeneratorSpread, RefusesWhatHasNoGeneratorBeforeTraining)
{
    NagoRun run;
    EXPECT_EQ(error_of([&] { sample_generator(run.store, run.d.data, run.request(0)); }), "sample count must be in [1, 10000], got 0");
    auto unknown = run.request(2);
    unknown.candidate = 99;
    EXPECT_EQ(error_of([&] { sample_generator(run.store, run.d.data, unknown); }), "run " + run.store.dir() + " has no candidate 99");

    // A network the generator does not draw (edited, or drawn by another version).
    auto c = trained_candidate(run.store, 1);
    c.data["sample_seed"] = c.data["sample_seed"].get<std::uint64_t>() + 1;
    run.store.update(c);
    EXPECT_EQ(error_of([&] { sample_generator(run.store, run.d.data, run.request(2)); }),
              "sample: the generator of candidate 1 no longer draws its network (run " + run.store.dir() +
                  " was made by another version of paretonas)");
    c.data = nlohmann::json::object();
    run.store.update(c);
    EXPECT_EQ(error_of([&] { sample_generator(run.store, run.d.data, run.request(2)); }),
              "sample: candidate 1 of run " + run.store.dir() + " holds no generator");
    EXPECT_TRUE(run.store.samples().empty());
}

TEST(GeneratorSpread, RefusesARunOfAnotherMethod)
{
    const test::BarData d;
    test::TempDir dir;
    auto settings = test::settings_for("random", {{"generations", 1}, {"population", 2}, {"epochs_initial", 1}}, 3);
    auto store = create_run(dir.file("run"), settings, d.data);
    test::run_method(store, settings, d.data);
    SampleRequest r;
    r.candidate = 1;
    EXPECT_EQ(error_of([&] { sample_generator(store, d.data, r); }),
              "sample: run " + store.dir() + " is a random run; only a nago run's candidates come from a generator");
}
