#include <paretonas/search/driver.hpp>

#include <paretonas/core/error.hpp>
#include <paretonas/core/pareto.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

namespace paretonas {

namespace {

double steady_seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// The bookkeeping of one process's share of a run: time, evaluation, generation records.
class Loop {
public:
    Loop(RunStore& store, const DriverSettings& settings, Evaluator& evaluator, const SearchCallbacks& callbacks)
        : m_store(store), m_settings(settings), m_evaluator(evaluator), m_callbacks(callbacks),
          m_clock(settings.clock ? settings.clock : steady_seconds), m_start(m_clock()), m_elapsed_before(store.elapsed_seconds())
    {
    }

    double elapsed() const { return m_elapsed_before + (m_clock() - m_start); }
    double process_seconds() const { return m_clock() - m_start; }
    bool out_of_budget() const { return m_settings.budget_seconds > 0 && elapsed() >= m_settings.budget_seconds; }

    /// False, after saying so once, for a candidate expected not to fit in what is left.
    bool fits(const Candidate& c, const std::vector<Candidate>& all);
    /// False when the candidate was stopped at the end of the budget (it is queued again).
    bool evaluate(Candidate c);
    GenerationRecord close_generation(int generation, const std::vector<Candidate>& all);

private:
    bool is_cheapest_queued(const Candidate& c, double expected, const std::vector<Candidate>& all) const
    {
        return std::none_of(all.begin(), all.end(), [&](const Candidate& o) {
            return o.pending() && o.id != c.id && m_settings.estimate_seconds(o, all) < expected;
        });
    }
    void notify(const Candidate& c, CandidateEvent e, const std::string& detail = {}) const
    {
        if (m_callbacks.on_candidate) m_callbacks.on_candidate(c, e, detail);
    }

    RunStore& m_store;
    const DriverSettings& m_settings;
    Evaluator& m_evaluator;
    const SearchCallbacks& m_callbacks;
    std::function<double()> m_clock;
    double m_start;
    double m_elapsed_before;
    std::set<std::int64_t> m_deferred;  // said once each
};

bool Loop::fits(const Candidate& c, const std::vector<Candidate>& all)
{
    if (m_settings.budget_seconds <= 0 || !m_settings.estimate_seconds) return true;
    const double expected = m_settings.estimate_seconds(c, all);
    const double left = m_settings.budget_seconds - elapsed();
    if (expected <= left) return true;
    // Before any candidate has finished, the estimate is the probe's alone: rather than end a run
    // with nothing on a guess, the cheapest queued candidate starts (a stop at the budget's end
    // still keeps the promise).
    if (std::none_of(all.begin(), all.end(), [](const Candidate& o) { return o.status == CandidateStatus::done; }) &&
        is_cheapest_queued(c, expected, all))
        return true;
    if (m_deferred.insert(c.id).second)
        notify(c, CandidateEvent::deferred,
               "(expected " + std::to_string(std::lround(expected)) + " s, " + std::to_string(std::lround(left)) + " s of the budget left)");
    return false;
}

bool Loop::evaluate(Candidate c)
{
    const double t0 = m_clock();
    c.status = CandidateStatus::training;
    m_store.update(c);
    // Saved here too, so that a kill does not hand the time since the last candidate back.
    m_store.set_elapsed_seconds(elapsed());
    notify(c, CandidateEvent::started);
    const Candidate before = c;  // what goes back to the queue if the budget ends its training
    Evaluator::Outcome outcome;
    std::string failure;
    // Store errors are not the candidate's fault: they end the run (it resumes) instead of
    // failing the candidate for good. Evaluators report a candidate's own failure by type.
    try {
        // No budget, no deadline: the evaluator then need not check it between batches.
        outcome = m_evaluator.evaluate(c, m_settings.budget_seconds > 0 ? Deadline{[this] { return out_of_budget(); }} : Deadline{});
        c.status = CandidateStatus::done;
    } catch (const BudgetSpent& e) {
        Candidate queued = before;
        queued.status = CandidateStatus::queued;
        m_store.set_elapsed_seconds(elapsed());
        m_store.update(queued);
        m_deferred.insert(c.id);
        notify(queued, CandidateEvent::deferred, "(stopped at the end of the budget; a resume with a larger budget trains it again)");
        return false;
    } catch (const CandidateFailure& e) {
        failure = e.what();
    } catch (const InputError& e) {
        failure = e.what();
    }
    if (!failure.empty()) c.status = CandidateStatus::failed;
    c.seconds = m_clock() - t0;
    // The run's time when it finished: a deferred candidate trains after its generation closed.
    c.data["finished_at"] = elapsed();
    // The run's time first: a kill between the two writes then charges the budget for a candidate
    // that is evaluated again, rather than storing a finished one whose time the budget never saw.
    m_store.set_elapsed_seconds(elapsed());
    m_store.update(c);
    if (c.status == CandidateStatus::failed) notify(c, CandidateEvent::failed, failure);
    else if (outcome.stopped_early) notify(c, CandidateEvent::stopped_early, outcome.detail);
    else notify(c, CandidateEvent::done);
    return true;
}

GenerationRecord Loop::close_generation(int generation, const std::vector<Candidate>& all)
{
    const auto front = current_front(all, m_settings.objectives, m_settings.constraints);
    GenerationRecord g;
    g.generation = generation;
    std::vector<ObjectiveVector> points;
    for (const auto& c : front) {
        g.front.push_back(c.id);
        points.push_back(objective_vector(c, m_settings.objectives));
    }
    g.hypervolume = hypervolume(points, m_store.info().reference);
    g.seconds = elapsed();
    m_store.record_generation(g);
    m_store.set_elapsed_seconds(g.seconds);
    if (m_callbacks.on_generation) m_callbacks.on_generation(g, front);
    return g;
}

// The latest generation: of a candidate, or of an empty generation's record.
int latest_generation(const std::vector<Candidate>& all, const std::vector<GenerationRecord>& recorded)
{
    int generation = 0;
    for (const auto& c : all) generation = std::max(generation, c.generation);
    if (!recorded.empty()) generation = std::max(generation, recorded.back().generation);
    return generation;
}

} // namespace

SearchResult run_driver(RunStore& store, const DriverSettings& settings, Proposer& proposer, Evaluator& evaluator,
                        const SearchCallbacks& callbacks)
{
    if (objective_names(settings.objectives) != store.info().objectives) fail("run " + store.dir() + " was started with other objectives");
    Loop loop(store, settings, evaluator, callbacks);
    SearchResult result;
    if (store.candidates().empty()) {
        auto initial = proposer.initial();
        if (initial.empty()) fail("the search proposed no initial candidate within the constraints");
        store.add_all(initial);
    }
    for (;;) {
        auto all = store.candidates();
        const int generation = latest_generation(all, store.generations());
        bool stopped = false;
        int started = 0, deferred = 0;
        for (const auto& queued : std::vector<Candidate>(all)) {
            if (!queued.pending()) continue;
            if (loop.out_of_budget()) {
                stopped = true;
                break;
            }
            if (!loop.fits(queued, all)) {
                ++deferred;
                continue;
            }
            ++started;
            if (!loop.evaluate(queued)) {
                stopped = true;
                break;
            }
            if (settings.estimate_seconds) all = store.candidates();  // estimates learn from each finished one
        }
        // Nothing left fits: the rest of the budget would only be spent proposing.
        if (stopped || (deferred > 0 && started == 0)) break;
        all = store.candidates();
        const auto recorded = store.generations();
        if (recorded.empty() || recorded.back().generation < generation) loop.close_generation(generation, all);
        if (generation + 1 >= settings.generations) {
            result.finished = deferred == 0;  // a deferred candidate is still to train
            break;
        }
        if (loop.out_of_budget()) break;
        auto proposals = proposer.propose(generation + 1, all);
        if (proposals.empty()) {
            // An empty generation, so that the next one draws with other random numbers.
            loop.close_generation(generation + 1, all);
            continue;
        }
        for (auto& p : proposals) p.generation = generation + 1;
        store.add_all(proposals);
    }
    result.front = current_front(store.candidates(), settings.objectives, settings.constraints);
    result.generations = store.generations();
    result.seconds = loop.process_seconds();
    return result;
}

} // namespace paretonas
