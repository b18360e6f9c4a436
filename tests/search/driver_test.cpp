// The driver's bookkeeping with a stub proposer and a stub evaluator: no LibTorch, no training,
// a fake clock; milliseconds per test.
#include "common/test_support.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/search/driver.hpp>
#include <paretonas/search/time_model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
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
// (so that fronts are not everything). Each evaluation costs seconds_of(c) of the fake clock
// (10 s unless set), in steps of a second, checking the deadline after each as training does.
class FormulaEvaluator : public Evaluator {
public:
    explicit FormulaEvaluator(double& clock) : m_clock(clock) {}
    Outcome evaluate(Candidate& c, const Deadline& deadline) override
    {
        ++evaluated[c.id];
        c.epochs = 99;  // as training changes a candidate before it ends
        for (double left = seconds_of ? seconds_of(c) : 10.0; left > 0; left -= 1.0) {
            m_clock += std::min(left, 1.0);
            if (deadline.reached()) throw BudgetSpent();
        }
        if (kill_at == c.id) throw std::runtime_error("killed");
        if (fail_id == c.id) throw CandidateFailure("out of memory");
        const double width = static_cast<double>(c.arch.nodes()[1].channels);
        c.val_error = 1.0 / (1.0 + width) + (c.id % 3 == 0 ? 0.5 : 0.0);
        c.epochs = 1;
        c.data["evaluated_by"] = "formula";
        return {};
    }
    std::map<std::int64_t, int> evaluated;  // started, by id
    std::int64_t kill_at = -1, fail_id = -1;
    std::function<double(const Candidate&)> seconds_of;

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

TEST(Driver, TheBudgetStopsTheCandidateInFlightWhichAResumeWithMoreBudgetTrainsAgain)
{
    StubRun run(10, 35.0);
    WidthProposer proposer;
    FormulaEvaluator evaluator(run.clock);
    std::vector<std::string> deferred;
    SearchCallbacks callbacks;
    callbacks.on_candidate = [&](const Candidate& c, CandidateEvent e, const std::string& detail) {
        if (e == CandidateEvent::deferred) deferred.push_back(std::to_string(c.id) + " " + detail);
    };
    {
        auto store = run.create();
        const auto result = run_driver(store, run.settings, proposer, evaluator, callbacks);
        EXPECT_FALSE(result.finished);
        // Three evaluations of 10 s; the fourth starts at 30 s and stops at the budget's end.
        EXPECT_EQ(evaluator.evaluated.size(), 4u);
        EXPECT_DOUBLE_EQ(store.elapsed_seconds(), 35.0);
        EXPECT_EQ(store.generations().size(), 1u);  // generation 0 closed; generation 1 in its queue
        ASSERT_EQ(store.candidates().size(), 6u);
        EXPECT_EQ(store.candidate(4)->status, CandidateStatus::queued);
        EXPECT_EQ(store.candidate(4)->epochs, 0);  // queued again as it was, not as training left it
        EXPECT_EQ(deferred, (std::vector<std::string>{"4 (stopped at the end of the budget; a resume with a larger budget trains it again)"}));
    }
    // Another process with a larger budget: the time already spent counts.
    run.clock = 1000.0;
    run.settings.budget_seconds = 75.0;
    auto store = run.open();
    run_driver(store, run.settings, proposer, evaluator);
    EXPECT_DOUBLE_EQ(store.elapsed_seconds(), 75.0);
    EXPECT_EQ(evaluator.evaluated.size(), 7u);
    EXPECT_EQ(evaluator.evaluated[4], 2);  // again, from the start
    EXPECT_EQ(store.candidate(6)->status, CandidateStatus::done);
    EXPECT_EQ(store.candidate(7)->status, CandidateStatus::queued);
}

TEST(Driver, ACandidateExpectedNotToFitIsDeferredAndARunWhereNothingFitsEnds)
{
    StubRun run(10, 35.0);
    run.settings.estimate_seconds = [](const Candidate&, const std::vector<Candidate>&) { return 10.0; };
    WidthProposer proposer;
    FormulaEvaluator evaluator(run.clock);
    std::vector<std::int64_t> deferred;
    SearchCallbacks callbacks;
    callbacks.on_candidate = [&](const Candidate& c, CandidateEvent e, const std::string& detail) {
        if (e != CandidateEvent::deferred) return;
        deferred.push_back(c.id);
        EXPECT_EQ(detail, "(expected 10 s, 5 s of the budget left)");
    };
    auto store = run.create();
    const auto result = run_driver(store, run.settings, proposer, evaluator, callbacks);
    EXPECT_FALSE(result.finished);
    EXPECT_EQ(evaluator.evaluated.size(), 3u);  // none started that would not end in the budget
    EXPECT_DOUBLE_EQ(store.elapsed_seconds(), 30.0);
    EXPECT_EQ(deferred, (std::vector<std::int64_t>{4, 5, 6}));  // each said once, then the run ends
    for (std::int64_t id : {4, 5, 6}) EXPECT_EQ(store.candidate(id)->status, CandidateStatus::queued);
    EXPECT_EQ(store.candidates().size(), 6u);
}

TEST(Driver, BeforeAnythingFinishedTheCheapestCandidateStartsWhateverTheProbeSaid)
{
    StubRun run(10, 5.0);
    // The probe alone over-estimates everything; candidate 1 is the cheapest.
    run.settings.estimate_seconds = [](const Candidate& c, const std::vector<Candidate>&) { return 10.0 + static_cast<double>(c.id); };
    WidthProposer proposer;
    FormulaEvaluator evaluator(run.clock);
    evaluator.seconds_of = [](const Candidate&) { return 3.0; };
    auto store = run.create();
    const auto result = run_driver(store, run.settings, proposer, evaluator);
    EXPECT_FALSE(result.finished);
    EXPECT_EQ(evaluator.evaluated.size(), 1u);
    EXPECT_EQ(store.candidate(1)->status, CandidateStatus::done);
    EXPECT_DOUBLE_EQ(store.candidate(1)->data.at("finished_at").get<double>(), 3.0);  // the run's time when it finished
    // Once one has finished, estimates decide: 12 s and 13 s do not fit in the 2 s left.
    EXPECT_EQ(store.candidate(2)->status, CandidateStatus::queued);
    EXPECT_EQ(store.candidate(3)->status, CandidateStatus::queued);
}

TEST(Driver, ALastGenerationWithADeferredCandidateIsNotFinished)
{
    StubRun run(1, 25.0);
    run.settings.estimate_seconds = [](const Candidate& c, const std::vector<Candidate>&) { return c.id == 3 ? 100.0 : 10.0; };
    WidthProposer proposer;
    FormulaEvaluator evaluator(run.clock);
    auto store = run.create();
    const auto result = run_driver(store, run.settings, proposer, evaluator);
    EXPECT_EQ(store.generations().size(), 1u);
    EXPECT_EQ(store.candidate(3)->status, CandidateStatus::queued);
    EXPECT_FALSE(result.finished);  // a resume with a larger budget still has candidate 3 to train
}

// The budget rule of issue 21 with a fake trainer whose seconds grow with multiply-adds, and
// estimates from a time model whose prior (the probe) is off by a factor of two.
TEST(Driver, ABudgetedRunEndsWithinItsBudgetAfterSeveralGenerations)
{
    for (double budget : {300.0, 1200.0}) {
        StubRun run(1000, budget);
        FormulaEvaluator evaluator(run.clock);
        const TimeModel truth{2.0, 1e-3};  // 2.6 s for a width-1 chain, 20 s for width 30
        evaluator.seconds_of = [&](const Candidate& c) { return truth.seconds(c.multiply_adds, 1); };
        const TimeModel prior{truth.fixed / 2, truth.per_madd / 2};
        run.settings.estimate_seconds = [&](const Candidate& c, const std::vector<Candidate>& all) {
            return TimeModel::fit(all, prior).seconds(c.multiply_adds, 1);
        };
        struct Priced : WidthProposer {
            static std::vector<Candidate> priced(std::vector<Candidate> out)
            {
                for (auto& c : out) c.multiply_adds = multiply_adds(c.arch);
                return out;
            }
            std::vector<Candidate> initial() override { return priced(WidthProposer::initial()); }
            std::vector<Candidate> propose(int g, const std::vector<Candidate>& all) override { return priced(WidthProposer::propose(g, all)); }
        } priced;
        auto store = run.create();
        run_driver(store, run.settings, priced, evaluator);
        EXPECT_LE(store.elapsed_seconds(), budget) << budget;
        EXPECT_GE(store.elapsed_seconds(), 0.9 * budget) << budget;
        EXPECT_GE(store.generations().back().generation, 3) << budget;
        int stopped_in_flight = 0;
        for (const auto& [id, times] : evaluator.evaluated)
            if (store.candidate(id)->status != CandidateStatus::done) ++stopped_in_flight;
        EXPECT_EQ(stopped_in_flight, 0) << "a candidate was started that did not fit; budget " << budget;
    }
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
