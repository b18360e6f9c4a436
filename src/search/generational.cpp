#include <paretonas/search/generational.hpp>

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/pareto.hpp>
#include <paretonas/morph/inherit.hpp>
#include <paretonas/morph/sampler.hpp>
#include <paretonas/train/runtime.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace paretonas {

void SearchConfig::validate(const std::string& method) const
{
    require_in_range(method + " generations", generations, 1, 1e6);
    require_in_range(method + " epochs_initial", epochs_initial, 1, 1e4);
    require_in_range(method + " epochs_child", epochs_child, 1, 1e4);
    require_in_range(method + " lr_start", lr_start, 1e-6, 10.0);
    require_in_range(method + " lr_end", lr_end, 0.0, lr_start);
    require_in_range(method + " budget_seconds", budget_seconds, 0.0, 1e9);
    objectives_from_names(objective_names(objectives));
    constraints.validate();
    latency.validate();
    train.validate();
    fidelity.validate();
}

bool SearchConfig::latency_before_training() const
{
    return constraints.max_latency_ms > 0 || std::find(objectives.begin(), objectives.end(), Objective::latency) != objectives.end();
}

bool price_proposal(Candidate& c, const SearchConfig& config, c10::Device device)
{
    c.parameters = parameter_count(c.arch);
    c.multiply_adds = multiply_adds(c.arch);
    // Timed, so with a latency objective or limit the accepted proposals can differ between two
    // runs of one seed; a resume still trains exactly the stored queue.
    if (config.latency_before_training()) c.latency_ms = measure_latency(c.arch, device, config.latency).median_ms;
    return config.constraints.violation(c).empty();
}

namespace {

using Clock = std::chrono::steady_clock;

class Generations {
public:
    Generations(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
                const SearchConfig& config, c10::Device device, const SearchCallbacks& callbacks)
        : m_store(store), m_train(train_data), m_validation(validation), m_norm(norm), m_config(config), m_device(device),
          m_callbacks(callbacks), m_elapsed_before(store.elapsed_seconds())
    {
    }

    double elapsed() const { return m_elapsed_before + std::chrono::duration<double>(Clock::now() - m_start).count(); }
    bool out_of_budget() const { return m_config.budget_seconds > 0 && elapsed() >= m_config.budget_seconds; }

    void train_candidate(Candidate c);
    GenerationRecord close_generation(int generation, const std::vector<Candidate>& all);

private:
    void notify(const Candidate& c, const std::string& event) const
    {
        if (m_callbacks.on_candidate) m_callbacks.on_candidate(c, event);
    }
    Network build(Candidate& c, Network& teacher) const;
    TrainCallbacks halving(Candidate& c, bool& stopped) const;

    RunStore& m_store;
    const DataView& m_train;
    const DataView& m_validation;
    const Normalization& m_norm;
    const SearchConfig& m_config;
    c10::Device m_device;
    const SearchCallbacks& m_callbacks;
    double m_elapsed_before;
    Clock::time_point m_start = Clock::now();
};

// The network to train: fresh for a candidate without parent; otherwise (Lamarckian) the
// trained parent with the recorded operators replayed, and the parent as teacher when one of
// them was approximate.
Network Generations::build(Candidate& c, Network& teacher) const
{
    if (c.parent < 0) {
        Network net(c.arch);
        net->to(m_device);
        c.epochs = m_config.epochs_initial;
        return net;
    }
    const auto parent = m_store.candidate(c.parent);
    if (!parent || parent->status != CandidateStatus::done)
        fail("candidate " + std::to_string(c.id) + ": parent " + std::to_string(c.parent) + " has no trained weights");
    teacher = load_network(parent->arch, m_store.weights_path(parent->weights), m_device);
    Network net = teacher;
    for (const auto& m : c.operators) net = inherit(*net, apply_morphism(net->architecture(), m));
    if (net->architecture() != c.arch) fail("candidate " + std::to_string(c.id) + ": its operators do not rebuild its architecture");
    if (!c.approximate()) teacher = Network{nullptr};
    c.epochs = m_config.epochs_child;
    return net;
}

// Successive halving: record the validation error after every epoch, and stop at a rung when
// a candidate that reached the same rung dominates this one with margin.
TrainCallbacks Generations::halving(Candidate& c, bool& stopped) const
{
    // A rival's costs stay; at a rung only its error changes, read from its learning curve.
    struct Rival {
        ObjectiveVector objectives;
        std::vector<double> curve;
    };
    std::vector<Rival> rivals;
    for (const auto& o : m_store.candidates())
        if (o.status == CandidateStatus::done && o.id != c.id && !o.curve.empty())
            rivals.push_back({objective_vector(o, m_config.objectives), o.curve});
    const auto rungs = rung_epochs(c.epochs, m_config.fidelity.eta);
    TrainCallbacks callbacks = m_callbacks.train;
    callbacks.on_epoch = [this, &c, &stopped, rivals = std::move(rivals), rungs, outer = m_callbacks.train.on_epoch](const EpochStats& s) {
        if (outer) outer(s);
        c.curve.push_back(s.val_error);
        const auto epoch = c.curve.size();
        if (std::find(rungs.begin(), rungs.end(), static_cast<int>(epoch)) == rungs.end()) return true;
        // The error is objective 0: parse_objectives puts it first.
        std::vector<ObjectiveVector> at_rung;
        for (const auto& r : rivals)
            if (r.curve.size() >= epoch) {
                at_rung.push_back(r.objectives);
                at_rung.back()[0] = r.curve[epoch - 1];
            }
        auto point = objective_vector(c, m_config.objectives);
        point[0] = s.val_error;
        stopped = dominated_with_margin(point, at_rung, m_config.fidelity.margin);
        return !stopped;
    };
    return callbacks;
}

void Generations::train_candidate(Candidate c)
{
    const auto t0 = Clock::now();
    c.status = CandidateStatus::training;
    m_store.update(c);
    // Saved here too, so that a kill does not hand the time since the last candidate back.
    m_store.set_elapsed_seconds(elapsed());
    notify(c, "training");
    std::string outcome = "done";
    // Store errors are not the candidate's fault: they end the run (it resumes) instead of
    // failing the candidate for good.
    try {
        seed_everything(m_config.seed * 1000003 + static_cast<std::uint64_t>(c.id));
        Network teacher{nullptr};
        Network net = build(c, teacher);
        const bool tracked = m_config.fidelity.successive_halving;
        c.curve.clear();
        const int planned = c.epochs;
        bool stopped = false;
        train(net, m_train, tracked ? &m_validation : nullptr, m_norm,
              cosine_cycle(m_config.train, c.epochs, m_config.lr_start, m_config.lr_end, m_config.seed + static_cast<std::uint64_t>(c.id)),
              m_device, tracked ? halving(c, stopped) : m_callbacks.train, teacher ? &teacher : nullptr);
        // With a learning curve, its last point is the validation error: no second evaluation.
        c.val_error = tracked ? c.curve.back() : evaluate(net, m_validation, m_norm, m_device).error;
        if (stopped) {
            c.epochs = static_cast<int>(c.curve.size());
            outcome = "stopped at epoch " + std::to_string(c.epochs) + " of " + std::to_string(planned);
        }
        c.latency_ms = measure_latency(*net, m_device, m_config.latency).median_ms;
        c.weights = std::to_string(c.id) + ".pt";
        save_weights(net, m_store.weights_path(c.weights));
        c.arch.save(m_store.weights_path(std::to_string(c.id) + ".json"));  // so that a model loads without the store
        c.status = CandidateStatus::done;
    } catch (const InputError& e) {
        c.status = CandidateStatus::failed;
        notify(c, std::string("failed: ") + e.what());
    } catch (const c10::Error& e) {
        c.status = CandidateStatus::failed;
        notify(c, std::string("failed: ") + e.what_without_backtrace());
    }
    c.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    // The run's time first: a kill between the two writes then charges the budget for a candidate
    // that trains again, rather than storing a finished candidate whose time the budget never saw.
    m_store.set_elapsed_seconds(elapsed());
    m_store.update(c);
    if (c.status == CandidateStatus::done) notify(c, outcome);
}

GenerationRecord Generations::close_generation(int generation, const std::vector<Candidate>& all)
{
    const auto front = current_front(all, m_config.objectives, m_config.constraints);
    GenerationRecord g;
    g.generation = generation;
    std::vector<ObjectiveVector> points;
    for (const auto& c : front) {
        g.front.push_back(c.id);
        points.push_back(objective_vector(c, m_config.objectives));
    }
    g.hypervolume = hypervolume(points, m_store.info().reference);
    g.seconds = elapsed();
    m_store.record_generation(g);
    m_store.set_elapsed_seconds(g.seconds);
    if (m_callbacks.on_generation) m_callbacks.on_generation(g, front);
    return g;
}

bool pending(const Candidate& c) { return c.status == CandidateStatus::queued || c.status == CandidateStatus::training; }

} // namespace

SearchResult run_generations(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
                             const SearchConfig& config, c10::Device device, Proposer& proposer, const SearchCallbacks& callbacks)
{
    if (validation.size() == 0) fail("the search needs a validation set");
    if (objective_names(config.objectives) != store.info().objectives) fail("run " + store.dir() + " was started with other objectives");
    const auto start = Clock::now();
    Generations run(store, train_data, validation, norm, config, device, callbacks);
    SearchResult result;
    if (store.candidates().empty()) {
        auto initial = proposer.initial();
        if (initial.empty()) fail("the search proposed no initial candidate within the constraints");
        store.add_all(initial);
    }
    for (;;) {
        auto all = store.candidates();
        // The latest generation: of a candidate, or of an empty generation's record.
        int generation = 0;
        for (const auto& c : all) generation = std::max(generation, c.generation);
        const auto before = store.generations();
        if (!before.empty()) generation = std::max(generation, before.back().generation);
        bool stopped = false;
        for (const auto& c : all) {
            if (!pending(c)) continue;
            if (run.out_of_budget()) {
                stopped = true;
                break;
            }
            run.train_candidate(c);
        }
        if (stopped) break;
        all = store.candidates();
        const auto recorded = store.generations();
        if (recorded.empty() || recorded.back().generation < generation) run.close_generation(generation, all);
        if (generation + 1 >= config.generations) {
            result.finished = true;
            break;
        }
        if (run.out_of_budget()) break;
        auto proposals = proposer.propose(generation + 1, all);
        if (proposals.empty()) {
            // An empty generation, so that the next one draws with other random numbers.
            run.close_generation(generation + 1, all);
            continue;
        }
        for (auto& p : proposals) p.generation = generation + 1;
        store.add_all(proposals);
    }
    const auto all = store.candidates();
    result.front = current_front(all, config.objectives, config.constraints);
    result.generations = store.generations();
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

} // namespace paretonas
