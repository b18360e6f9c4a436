#include <paretonas/search/training_evaluator.hpp>

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/memory.hpp>
#include <paretonas/core/seeds.hpp>
#include <paretonas/morph/inherit.hpp>
#include <paretonas/morph/sampler.hpp>
#include <paretonas/search/trained_weights.hpp>
#include <paretonas/train/latency.hpp>
#include <paretonas/train/runtime.hpp>
#include <paretonas/train/trainer.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace paretonas {

void TrainingRecipe::validate(const std::string& method) const
{
    require_in_range(method + " epochs_initial", epochs_initial, 1, 1e4);
    require_in_range(method + " epochs_child", epochs_child, 1, 1e4);
    require_in_range(method + " lr_start", lr_start, 1e-6, 10.0);
    require_in_range(method + " lr_end", lr_end, 0.0, lr_start);
    latency.validate();
    train.validate();
    fidelity.validate();
}

std::vector<double> learning_curve(const Candidate& c)
{
    const auto it = c.data.find("curve");
    return it == c.data.end() ? std::vector<double>{} : it->get<std::vector<double>>();
}

bool latency_before_training(const std::vector<Objective>& objectives, const Constraints& constraints)
{
    return constraints.max_latency_ms > 0 || std::find(objectives.begin(), objectives.end(), Objective::latency) != objectives.end();
}

Pricer make_pricer(const std::vector<Objective>& objectives, const Constraints& constraints, const LatencyOptions& latency,
                   c10::Device device)
{
    const bool timed = latency_before_training(objectives, constraints);
    return [=](Candidate& c) {
        c.parameters = parameter_count(c.arch);
        c.multiply_adds = multiply_adds(c.arch);
        if (timed) c.latency_ms = measure_latency(c.arch, device, latency).median_ms;
        return constraints.violation(c).empty();
    };
}

namespace {

class TrainingEvaluator : public Evaluator {
public:
    TrainingEvaluator(const TrainingContext& context, const TrainingRecipe& recipe, bool inherit)
        : m_context(context), m_recipe(recipe), m_inherit(inherit)
    {
        recipe.validate("training");
        if (context.data.split.validation.size() == 0) fail("the search needs a validation set");
        if (context.data.split.train.size() == 0) fail("the search needs training data");
    }
    Outcome evaluate(Candidate& c, const Deadline& deadline) override;

private:
    Network build(Candidate& c, Network& teacher) const;
    TrainCallbacks halving(Candidate& c, std::vector<double>& curve, bool& stopped) const;
    static TrainCallbacks stopping_at(TrainCallbacks callbacks, const Deadline& deadline);

    TrainingContext m_context;
    TrainingRecipe m_recipe;
    bool m_inherit;
};

// The network to train: fresh for a candidate without parent (or when not inheriting);
// otherwise the trained parent with the recorded operators replayed, and the parent as teacher
// when one of them was approximate.
Network TrainingEvaluator::build(Candidate& c, Network& teacher) const
{
    const auto device = m_context.device;
    if (c.parent < 0 || !m_inherit) {
        Network net(c.arch);
        net->to(device);
        c.epochs = m_recipe.epochs_initial;
        return net;
    }
    const auto& store = m_context.store;
    std::optional<Candidate> parent;
    try {
        parent = store.candidate(c.parent);
    } catch (const InputError& e) {  // a damaged parent row is the run's, not this child's
        throw StorageError(e.what());
    }
    if (!parent || parent->status != CandidateStatus::done)
        throw StorageError("run " + store.dir() + ": candidate " + std::to_string(c.id) + " has parent " + std::to_string(c.parent) +
                           ", which is not trained");
    teacher = load_trained(store, *parent, device);
    Network net = teacher;
    for (const auto& m : c.operators) net = inherit(*net, apply_morphism(net->architecture(), m));
    if (net->architecture() != c.arch) fail("candidate " + std::to_string(c.id) + ": its operators do not rebuild its architecture");
    if (!c.approximate()) teacher = Network{nullptr};
    c.epochs = m_recipe.epochs_child;
    return net;
}

// Successive halving: record the validation error after every epoch, and stop at a rung when
// a candidate that reached the same rung dominates this one with margin.
TrainCallbacks TrainingEvaluator::halving(Candidate& c, std::vector<double>& curve, bool& stopped) const
{
    // A rival's costs stay; at a rung only its error changes, read from its learning curve.
    struct Rival {
        ObjectiveVector objectives;
        std::vector<double> curve;
    };
    const auto& objectives = m_context.objectives;
    std::vector<Rival> rivals;
    for (const auto& o : m_context.store.candidates())
        if (o.status == CandidateStatus::done && o.id != c.id)
            if (auto rival_curve = learning_curve(o); !rival_curve.empty())
                rivals.push_back({objective_vector(o, objectives), std::move(rival_curve)});
    const auto rungs = rung_epochs(c.epochs, m_recipe.fidelity.eta);
    TrainCallbacks callbacks = m_context.callbacks;
    callbacks.on_epoch = [&, rivals = std::move(rivals), rungs, outer = m_context.callbacks.on_epoch](const EpochStats& s) {
        if (outer) outer(s);
        curve.push_back(s.val_error);
        const auto epoch = curve.size();
        if (std::find(rungs.begin(), rungs.end(), static_cast<int>(epoch)) == rungs.end()) return true;
        // The error is objective 0: objectives_from_names puts it first.
        std::vector<ObjectiveVector> at_rung;
        for (const auto& r : rivals)
            if (r.curve.size() >= epoch) {
                at_rung.push_back(r.objectives);
                at_rung.back()[0] = r.curve[epoch - 1];
            }
        auto point = objective_vector(c, objectives);
        point[0] = s.val_error;
        stopped = dominated_with_margin(point, at_rung, m_recipe.fidelity.margin);
        return !stopped;
    };
    return callbacks;
}

// Training checks the deadline between batches (every TrainConfig::progress_every of them).
TrainCallbacks TrainingEvaluator::stopping_at(TrainCallbacks callbacks, const Deadline& deadline)
{
    if (!deadline.passed) return callbacks;  // no budget: no check, and no host sync for it
    callbacks.on_batch = [outer = std::move(callbacks.on_batch), &deadline](const BatchProgress& p) {
        if (outer) outer(p);
        if (deadline.reached()) throw BudgetSpent();
    };
    return callbacks;
}

Evaluator::Outcome TrainingEvaluator::evaluate(Candidate& c, const Deadline& deadline)
{
    // Refused before anything is allocated: a failed candidate with the estimate as its reason.
    require_training_memory(c.arch, m_recipe.train.batch_size, m_context.max_memory_bytes, "candidate " + std::to_string(c.id));
    const auto& [train_data, validation] = m_context.data.split;
    const auto& norm = m_context.data.norm;
    const auto device = m_context.device;
    const auto seed = derive_seed(m_context.seed, SeedPurpose::candidate_training, static_cast<std::uint64_t>(c.id));
    Outcome outcome;
    Network net{nullptr};
    // A failure of the candidate's own (it does not fit in memory, say) fails it; a failure to
    // write its weights (a full disk) is the machine's and ends the run, which resumes.
    try {
        seed_everything(seed);
        Network teacher{nullptr};
        net = build(c, teacher);
        const bool tracked = m_recipe.fidelity.successive_halving;
        const int planned = c.epochs;
        std::vector<double> curve;
        train(net, train_data, tracked ? &validation : nullptr, norm,
              cosine_cycle(m_recipe.train, c.epochs, m_recipe.lr_start, m_recipe.lr_end, seed), device,
              stopping_at(tracked ? halving(c, curve, outcome.stopped_early) : m_context.callbacks, deadline), teacher ? &teacher : nullptr);
        // With a learning curve, its last point is the validation error: no second evaluation.
        c.val_error = tracked ? curve.back() : paretonas::evaluate(net, validation, norm, device).error;
        if (tracked) c.data["curve"] = curve;
        if (outcome.stopped_early) {
            c.epochs = static_cast<int>(curve.size());
            outcome.detail = "at epoch " + std::to_string(c.epochs) + " of " + std::to_string(planned);
        }
        c.latency_ms = measure_latency(*net, device, m_recipe.latency).median_ms;
    } catch (const c10::Error& e) {
        throw CandidateFailure(e.what_without_backtrace());
    }
    c.weights = std::to_string(c.id) + ".pt";
    save_weights(net, m_context.store.weights_path(c.weights));
    c.arch.save(m_context.store.weights_path(std::to_string(c.id) + ".json"));  // so that a model loads without the store
    return outcome;
}

} // namespace

std::function<double(const Candidate&, const std::vector<Candidate>&)> estimate_by_time_model(const TrainingRecipe& recipe,
                                                                                             const TimeModel& prior, bool inherit)
{
    return [recipe, prior, inherit](const Candidate& c, const std::vector<Candidate>& all) {
        const int epochs = inherit && c.parent >= 0 ? recipe.epochs_child : recipe.epochs_initial;
        return TimeModel::fit(all, prior).seconds(c.multiply_adds, epochs);
    };
}

namespace {

// Seconds per training image of `arch` under `recipe`: a warm-up pass over one batch (the first
// steps allocate and pick kernels), then timed passes over one batch and over four. Their
// difference leaves out what a call costs whatever its length (the optimizer, the loader), which
// the time model's fixed term learns from finished candidates instead.
double seconds_per_image(const Architecture& arch, const TrainingContext& context, const TrainingRecipe& recipe)
{
    const auto& norm = context.data.norm;
    const auto batch = recipe.train.batch_size;
    const auto four = context.data.split.train.head(4 * static_cast<std::int64_t>(batch));
    const auto one = four.head(batch);
    const auto config = cosine_cycle(recipe.train, 1, recipe.lr_start, recipe.lr_end, 0);
    Network net(arch);
    net->to(context.device);
    const auto timed = [&](const auto& images) {
        const auto t0 = std::chrono::steady_clock::now();
        train(net, images, nullptr, norm, config, context.device);
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    timed(one);
    const double t_one = timed(one);
    const double t_four = timed(four);
    const auto extra = four.size() - one.size();
    // A training set of one batch, or timer noise, leaves no difference to read.
    if (extra > 0 && t_four > t_one) return (t_four - t_one) / static_cast<double>(extra);
    return t_four / static_cast<double>(std::max<std::int64_t>(four.size(), 1));
}

} // namespace

TimeModel probe_time_model(const TrainingContext& context, const TrainingRecipe& recipe)
{
    const auto& set = *context.data.source.train;
    const Shape shape{set.channels, set.height, set.width};
    const auto small = conv_chain(shape, set.num_classes, {8, 16}, {0});
    const auto large = conv_chain(shape, set.num_classes, {32, 64, 128}, {0, 1});
    // An epoch trains on the training set and then evaluates the validation set (a forward pass,
    // about a third of a training step).
    const double images = static_cast<double>(context.data.split.train.size()) + static_cast<double>(context.data.split.validation.size()) / 3;
    return TimeModel::through(multiply_adds(small), images * seconds_per_image(small, context, recipe), multiply_adds(large),
                              images * seconds_per_image(large, context, recipe));
}

std::unique_ptr<Evaluator> train_from_scratch(const TrainingContext& context, const TrainingRecipe& recipe)
{
    return std::make_unique<TrainingEvaluator>(context, recipe, false);
}

std::unique_ptr<Evaluator> train_from_parent(const TrainingContext& context, const TrainingRecipe& recipe)
{
    return std::make_unique<TrainingEvaluator>(context, recipe, true);
}

} // namespace paretonas
