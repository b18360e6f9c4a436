#include <paretonas/core/costs.hpp>
#include <paretonas/core/density.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/morph/inherit.hpp>
#include <paretonas/search/lemonade.hpp>
#include <paretonas/train/runtime.hpp>

#include <torch/torch.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>

namespace paretonas {

void LemonadeConfig::validate() const
{
    require_in_range("lemonade generations", generations, 1, 1e6);
    require_in_range("lemonade children_proposed", children_proposed, 1, 1e5);
    require_in_range("lemonade children_accepted", children_accepted, 1, children_proposed);
    require_in_range("lemonade morphisms_per_child", morphisms_per_child, 1, 20);
    require_in_range("lemonade epochs_initial", epochs_initial, 1, 1e4);
    require_in_range("lemonade epochs_child", epochs_child, 1, 1e4);
    require_in_range("lemonade lr_start", lr_start, 1e-6, 10.0);
    require_in_range("lemonade lr_end", lr_end, 0.0, lr_start);
    require_in_range("lemonade budget_seconds", budget_seconds, 0.0, 1e9);
    objectives_from_names(objective_names(objectives));
    constraints.validate();
    latency.validate();
    train.validate();
}

std::vector<Architecture> default_initial_population(const Shape& input_shape, int num_classes)
{
    // Log-spaced sizes, so that the front covers small to large models from the first generation
    // and the search refines it in between and beyond (a 60-minute run on 2 cores grew the
    // largest of three by 2x only, see docs/results.md).
    return {conv_chain(input_shape, num_classes, {8, 16}, {0}), conv_chain(input_shape, num_classes, {16, 32, 64}, {0, 1}),
            default_architecture(input_shape, num_classes), conv_chain(input_shape, num_classes, {64, 64, 128, 128, 256}, {1, 3})};
}

namespace {

using Clock = std::chrono::steady_clock;

class Evolution {
public:
    Evolution(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
              const LemonadeConfig& config, c10::Device device, const LemonadeCallbacks& callbacks)
        : m_store(store), m_train(train_data), m_validation(validation), m_norm(norm), m_config(config), m_device(device),
          m_callbacks(callbacks), m_sampler(config.operators), m_elapsed_before(store.elapsed_seconds())
    {
    }

    double elapsed() const { return m_elapsed_before + std::chrono::duration<double>(Clock::now() - m_start).count(); }
    bool out_of_budget() const { return m_config.budget_seconds > 0 && elapsed() >= m_config.budget_seconds; }

    void train_candidate(Candidate c);
    std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all);
    GenerationRecord close_generation(int generation, const std::vector<Candidate>& all);

private:
    TrainConfig cycle(int epochs, std::uint64_t seed) const
    {
        return cosine_cycle(m_config.train, epochs, m_config.lr_start, m_config.lr_end, seed);
    }
    Network load(const Candidate& c) const { return load_network(c.arch, m_store.weights_path(c.weights), m_device); }
    void notify(const Candidate& c, const std::string& event) const
    {
        if (m_callbacks.on_candidate) m_callbacks.on_candidate(c, event);
    }
    bool latency_needed_early() const
    {
        const auto& o = m_config.objectives;
        return m_config.constraints.max_latency_ms > 0 || std::find(o.begin(), o.end(), Objective::latency) != o.end();
    }

    RunStore& m_store;
    const DataView& m_train;
    const DataView& m_validation;
    const Normalization& m_norm;
    const LemonadeConfig& m_config;
    c10::Device m_device;
    const LemonadeCallbacks& m_callbacks;
    MorphismSampler m_sampler;
    double m_elapsed_before;
    Clock::time_point m_start = Clock::now();
};

void Evolution::train_candidate(Candidate c)
{
    const auto t0 = Clock::now();
    c.status = CandidateStatus::training;
    m_store.update(c);
    // Saved here too, so that a kill does not hand the time since the last candidate back.
    m_store.set_elapsed_seconds(elapsed());
    notify(c, "training");
    // Store errors are not the candidate's fault: they end the run (it resumes) instead of
    // failing the candidate for good.
    const auto parent = c.parent < 0 ? std::nullopt : m_store.candidate(c.parent);
    try {
        seed_everything(m_config.seed * 1000003 + static_cast<std::uint64_t>(c.id));
        Network net{nullptr}, teacher{nullptr};
        if (c.parent < 0) {
            net = Network(c.arch);
            net->to(m_device);
            c.epochs = m_config.epochs_initial;
        } else {
            if (!parent || parent->status != CandidateStatus::done)
                fail("candidate " + std::to_string(c.id) + ": parent " + std::to_string(c.parent) + " has no trained weights");
            teacher = load(*parent);
            net = teacher;
            // Lamarckian: replay the recorded morphisms on the trained parent.
            for (const auto& m : c.operators) net = inherit(*net, apply_morphism(net->architecture(), m));
            if (net->architecture() != c.arch) fail("candidate " + std::to_string(c.id) + ": its operators do not rebuild its architecture");
            if (!c.approximate()) teacher = Network{nullptr};
            c.epochs = m_config.epochs_child;
        }
        train(net, m_train, nullptr, m_norm, cycle(c.epochs, m_config.seed + static_cast<std::uint64_t>(c.id)), m_device,
              m_callbacks.train, teacher ? &teacher : nullptr);
        c.val_error = evaluate(net, m_validation, m_norm, m_device).error;
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
    m_store.update(c);
    m_store.set_elapsed_seconds(elapsed());
    if (c.status == CandidateStatus::done) notify(c, "done");
}

std::vector<Candidate> Evolution::propose(int generation, const std::vector<Candidate>& all)
{
    const auto& objectives = m_config.objectives;
    const auto population = current_front(all, objectives, m_config.constraints);
    if (population.empty()) fail("no trained candidate meets the constraints: nothing to evolve from");
    std::vector<std::vector<double>> cheap;
    for (const auto& p : population) cheap.push_back(cheap_vector(p, objectives));
    const GaussianKde kde(cheap);
    std::vector<double> parent_density;
    for (const auto& x : cheap) parent_density.push_back(kde.density(x));

    std::mt19937_64 rng(m_config.seed * 7919 + static_cast<std::uint64_t>(generation));
    std::set<std::string> seen;
    for (const auto& c : all) seen.insert(c.arch.canonical_hash());
    std::map<std::int64_t, Network> parents;  // loaded on demand, for the prune scores
    std::vector<Candidate> children;
    for (int k = 0; k < m_config.children_proposed; ++k) {
        const Candidate& parent = population[draw_inverse_density(parent_density, rng)];
        const ChannelScorer scores = [&](int node) {
            auto it = parents.find(parent.id);
            if (it == parents.end()) it = parents.emplace(parent.id, load(parent)).first;
            return filter_l1_norms(*it->second, node);
        };
        Candidate child;
        child.generation = generation;
        child.parent = parent.id;
        child.arch = parent.arch;
        try {
            for (int m = 0; m < m_config.morphisms_per_child; ++m) {
                // Filter scores describe the parent's own layers: only the first operator may prune.
                const auto result = m_sampler.sample(child.arch, rng, m == 0 ? scores : ChannelScorer{});
                child.arch = result.child;
                child.operators.push_back(result.applied);
            }
        } catch (const InputError&) {
            continue;  // no operator applies to this parent
        }
        child.parameters = parameter_count(child.arch);
        child.multiply_adds = multiply_adds(child.arch);
        // Timed, so with a latency objective or limit the accepted children can differ between
        // two runs of one seed; a resume still trains exactly the stored queue.
        if (latency_needed_early()) child.latency_ms = measure_latency(child.arch, m_device, m_config.latency).median_ms;
        if (!seen.insert(child.arch.canonical_hash()).second) continue;  // already trained or proposed
        if (!m_config.constraints.violation(child).empty()) continue;
        children.push_back(std::move(child));
    }
    // Accept by inverse density under the population's KDE: children in sparse regions first.
    std::vector<double> child_density;
    for (const auto& c : children) child_density.push_back(kde.density(cheap_vector(c, objectives)));
    std::vector<Candidate> accepted;
    for (auto i : sample_inverse_density(child_density, static_cast<std::size_t>(m_config.children_accepted), rng))
        accepted.push_back(children[i]);
    return accepted;
}

GenerationRecord Evolution::close_generation(int generation, const std::vector<Candidate>& all)
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

LemonadeResult lemonade(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
                        const LemonadeConfig& config, c10::Device device, const LemonadeCallbacks& callbacks)
{
    config.validate();
    if (validation.size() == 0) fail("LEMONADE needs a validation set");
    if (objective_names(config.objectives) != store.info().objectives)
        fail("run " + store.dir() + " was started with other objectives");
    const auto start = Clock::now();
    Evolution evolution(store, train_data, validation, norm, config, device, callbacks);
    LemonadeResult result;
    if (store.candidates().empty()) {
        std::vector<Candidate> initial;
        const auto archs = config.initial.empty()
                               ? default_initial_population({train_data.set->channels, train_data.set->height, train_data.set->width},
                                                            train_data.set->num_classes)
                               : config.initial;
        for (const auto& arch : archs) {
            Candidate c;
            c.arch = arch;
            c.parameters = parameter_count(arch);
            c.multiply_adds = multiply_adds(arch);
            initial.push_back(c);
        }
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
            if (evolution.out_of_budget()) {
                stopped = true;
                break;
            }
            evolution.train_candidate(c);
        }
        if (stopped) break;
        all = store.candidates();
        const auto recorded = store.generations();
        if (recorded.empty() || recorded.back().generation < generation) evolution.close_generation(generation, all);
        if (generation + 1 >= config.generations) {
            result.finished = true;
            break;
        }
        if (evolution.out_of_budget()) break;
        auto children = evolution.propose(generation + 1, all);
        if (children.empty()) {
            // Every proposal was a duplicate or broke a constraint: an empty generation, so the
            // next one draws with other random numbers.
            evolution.close_generation(generation + 1, all);
            continue;
        }
        store.add_all(children);
    }
    const auto all = store.candidates();
    result.front = current_front(all, config.objectives, config.constraints);
    result.generations = store.generations();
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

} // namespace paretonas
