// The driver's bookkeeping with a stub proposer and a stub evaluator: no LibTorch, no training,
// a fake clock; milliseconds per test.
#include "common/test_support.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/search/driver.hpp>

#include <gtest/gtest.h>

#include <set>

using namespace paretonas;

namespace {

// Three chains per generation, each wider than anything before: generation g holds widths
// 3g+1..3g+3. Records what it was asked.
class WidthProposer : public Proposer {
public:
    std::vector<Candidate> initial() override { return generation(0); }
    std::vector<Candidate> propose(int g, const std::vector<Candidate>& all) override
    {
        seen_sizes.push_back(all.size());
        if (empty_generations.count(g)) return {};
        return generation(g);
    }
    std::vector<std::size_t> seen_sizes;
    std::set<int> empty_generations;

private:
    static std::vector<Candidate> generation(int g)
    {
        std::vector<Candidate> out;
        for (int k = 1; k <= 3; ++k) {
            Candidate c;
            c.arch = conv_chain({1, 8, 8}, 2, {3 * g + k}, {0});
            c.parameters = parameter_count(c.arch);
            out.push_back(c);
        }
        return out;
    }
};

// Error falls with width, except every third network, which is worse than the one before it
// (so that fronts are not everything). Each evaluation costs 10 s of the fake clock.
class FormulaEvaluator : public Evaluator {
public:
    explicit FormulaEvaluator(double& clock) : m_clock(clock) {}
    Outcome evaluate(Candidate& c) override
    {
        m_clock += 10.0;
        ++evaluated[c.id];
        if (kill_at == c.id) throw std::runtime_error("killed");
        if (fail_id == c.id) throw CandidateFailure("out of memory");
        const double width = static_cast<double>(c.arch.nodes()[1].channels);
        c.val_error = 1.0 / (1.0 + width) + (c.id % 3 == 0 ? 0.5 : 0.0);
        c.epochs = 1;
        c.data["evaluated_by"] = "formula";
        return {};
    }
    std::map<std::int64_t, int> evaluated;
    std::int64_t kill_at = -1, fail_id = -1;

private:
    double& m_clock;
};

struct StubRun {
    test::TempDir dir;
    double clock = 0.0;
    DriverSettings settings;
    StubRun(int generations, double budget)
    {
        settings.generations = generations;
        settings.budget_seconds = budget;
        settings.clock = [this] { return clock; };
    }
    RunStore create() { return RunStore::create(dir.file("run"), test::run_info("stub")); }
    RunStore open() { return RunStore::open(dir.file("run")); }
};

} // namespace

TEST(Driver, EvaluatesEachGenerationsQueueAndRecordsItsFront)
{
    StubRun run(3, 0.0);
    auto store = run.create();
    WidthProposer proposer;
    FormulaEvaluator evaluator(run.clock);
    std::vector<std::pair<std::int64_t, CandidateEvent>> events;
    std::vector<int> closed;
    SearchCallbacks callbacks;
    callbacks.on_candidate = [&](const Candidate& c, CandidateEvent e, const std::string&) { events.emplace_back(c.id, e); };
    callbacks.on_generation = [&](const GenerationRecord& g, const std::vector<Candidate>&) { closed.push_back(g.generation); };
    const auto result = run_driver(store, run.settings, proposer, evaluator, callbacks);

    EXPECT_TRUE(result.finished);
    EXPECT_EQ(closed, (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(proposer.seen_sizes, (std::vector<std::size_t>{3, 6}));  // all of the run, each time
    const auto all = store.candidates();
    ASSERT_EQ(all.size(), 9u);
    for (const auto& c : all) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_EQ(c.generation, static_cast<int>((c.id - 1) / 3));
        EXPECT_EQ(evaluator.evaluated[c.id], 1);
        EXPECT_EQ(c.data.at("evaluated_by"), "formula");  // what an evaluator keeps is stored
        EXPECT_DOUBLE_EQ(c.seconds, 10.0);
    }
    ASSERT_EQ(events.size(), 18u);  // started, then done, per candidate in id order
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].first, static_cast<std::int64_t>(i / 2 + 1));
        EXPECT_EQ(events[i].second, i % 2 == 0 ? CandidateEvent::started : CandidateEvent::done);
    }
    // Candidates 3, 6, 9 are dominated: wider and worse than the one before.
    const auto generations = store.generations();
    ASSERT_EQ(generations.size(), 3u);
    EXPECT_EQ(generations[0].front, (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(generations[2].front, (std::vector<std::int64_t>{1, 2, 4, 5, 7, 8}));
    for (std::size_t g = 1; g < generations.size(); ++g) EXPECT_GT(generations[g].hypervolume, generations[g - 1].hypervolume);
    EXPECT_DOUBLE_EQ(generations[2].seconds, 90.0);
    EXPECT_DOUBLE_EQ(store.elapsed_seconds(), 90.0);
    std::vector<std::int64_t> front_ids;
    for (const auto& c : result.front) front_ids.push_back(c.id);
    EXPECT_EQ(front_ids, generations[2].front);
}

TEST(Driver, BudgetStopsBeforeTheNextCandidateAndAResumeGoesOnWhereItStopped)
{
    StubRun run(10, 35.0);
    WidthProposer proposer;
    FormulaEvaluator evaluator(run.clock);
    {
        auto store = run.create();
        const auto result = run_driver(store, run.settings, proposer, evaluator);
        EXPECT_FALSE(result.finished);
        // 4 evaluations of 10 s: the budget is checked before each candidate, so it overruns by
        // at most one.
        EXPECT_EQ(evaluator.evaluated.size(), 4u);
        EXPECT_DOUBLE_EQ(store.elapsed_seconds(), 40.0);
        EXPECT_EQ(store.generations().size(), 1u);  // generation 0 closed; generation 1 in its queue
        EXPECT_EQ(store.candidates().size(), 6u);
    }
    // Another process with a larger budget: the time already spent counts.
    run.clock = 1000.0;
    run.settings.budget_seconds = 75.0;
    auto store = run.open();
    run_driver(store, run.settings, proposer, evaluator);
    EXPECT_DOUBLE_EQ(store.elapsed_seconds(), 80.0);
    EXPECT_EQ(evaluator.evaluated.size(), 8u);
    for (const auto& [id, times] : evaluator.evaluated) EXPECT_EQ(times, 1) << "candidate " << id;
}

TEST(Driver, AKilledRunLosesOnlyTheCandidateInFlightAndEndsLikeAnUninterruptedOne)
{
    StubRun straight(3, 0.0), killed(3, 0.0);
    WidthProposer p1, p2;
    FormulaEvaluator e1(straight.clock), e2(killed.clock);
    auto reference = straight.create();
    run_driver(reference, straight.settings, p1, e1);

    e2.kill_at = 5;
    {
        auto store = killed.create();
        EXPECT_THROW(run_driver(store, killed.settings, p2, e2), std::runtime_error);
        const auto left = store.candidates();
        EXPECT_EQ(left[4].status, CandidateStatus::training);  // in flight when killed
        EXPECT_EQ(left[5].status, CandidateStatus::queued);
    }
    e2.kill_at = -1;
    auto store = killed.open();
    run_driver(store, killed.settings, p2, e2);
    EXPECT_EQ(e2.evaluated[5], 2);  // the one in flight, again
    for (const auto& [id, times] : e2.evaluated)
        if (id != 5) EXPECT_EQ(times, 1) << "candidate " << id;
    const auto a = reference.candidates(), b = store.candidates();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].arch, b[i].arch);
        EXPECT_EQ(a[i].status, b[i].status);
        EXPECT_EQ(a[i].val_error, b[i].val_error);
    }
    ASSERT_EQ(reference.generations().size(), store.generations().size());
    for (std::size_t g = 0; g < store.generations().size(); ++g)
        EXPECT_EQ(reference.generations()[g].front, store.generations()[g].front);
}

TEST(Driver, AFailedCandidateIsStoredAsFailedAndTheSearchGoesOn)
{
    StubRun run(2, 0.0);
    auto store = run.create();
    WidthProposer proposer;
    FormulaEvaluator evaluator(run.clock);
    evaluator.fail_id = 2;
    std::string detail;
    SearchCallbacks callbacks;
    callbacks.on_candidate = [&](const Candidate&, CandidateEvent e, const std::string& d) {
        if (e == CandidateEvent::failed) detail = d;
    };
    const auto result = run_driver(store, run.settings, proposer, evaluator, callbacks);
    EXPECT_TRUE(result.finished);
    EXPECT_EQ(detail, "out of memory");
    EXPECT_EQ(store.candidate(2)->status, CandidateStatus::failed);
    EXPECT_EQ(store.candidates().size(), 6u);
    for (const auto& c : result.front) EXPECT_NE(c.id, 2);
}

TEST(Driver, AnEmptyGenerationIsRecordedAndTheNextOneProposed)
{
    StubRun run(3, 0.0);
    auto store = run.create();
    WidthProposer proposer;
    proposer.empty_generations = {1};
    FormulaEvaluator evaluator(run.clock);
    const auto result = run_driver(store, run.settings, proposer, evaluator);
    EXPECT_TRUE(result.finished);
    ASSERT_EQ(store.generations().size(), 3u);
    EXPECT_EQ(store.generations()[1].front, store.generations()[0].front);
    EXPECT_EQ(store.candidates().size(), 6u);
    EXPECT_EQ(store.candidates().back().generation, 2);
}

TEST(Driver, RefusesARunOfOtherObjectivesOrWithoutInitialCandidates)
{
    StubRun run(2, 0.0);
    auto store = run.create();
    WidthProposer proposer;
    FormulaEvaluator evaluator(run.clock);
    auto other = run.settings;
    other.objectives = {Objective::error, Objective::madds};
    EXPECT_EQ(test::error_message([&] { run_driver(store, other, proposer, evaluator); }),
              "run " + store.dir() + " was started with other objectives");
    struct Nothing : Proposer {
        std::vector<Candidate> initial() override { return {}; }
        std::vector<Candidate> propose(int, const std::vector<Candidate>&) override { return {}; }
    } nothing;
    EXPECT_EQ(test::error_message([&] { run_driver(store, run.settings, nothing, evaluator); }),
              "the search proposed no initial candidate within the constraints");
}
