#include <paretonas/core/error.hpp>
#include <paretonas/core/seeds.hpp>
#include <paretonas/morph/sampler.hpp>
#include <paretonas/search/nash.hpp>
#include <paretonas/train/trainer.hpp>

#include <torch/torch.h>

#include <set>

namespace paretonas {

NashSettings NashSettings::from_json(const nlohmann::json& settings)
{
    NashSettings s;
    SettingsReader reader("nash", settings);
    bool paper = false;
    reader.read("paper", paper);
    if (paper) {
        s.steps = 8;
        s.neighbours = 7;
        s.morphisms_per_child = 5;
        s.epochs_neighbour = 17;
        s.lr_start = 0.05;
        s.lr_end = 0.0;
        s.weight_decay = 5e-4;
        s.epochs_initial = 20;
    }
    std::vector<std::string> operators;
    nlohmann::json start;
    reader.read("steps", s.steps)
        .read("neighbours", s.neighbours)
        .read("morphisms_per_child", s.morphisms_per_child)
        .read("epochs_initial", s.epochs_initial)
        .read("epochs_neighbour", s.epochs_neighbour)
        .read("lr_start", s.lr_start)
        .read("lr_end", s.lr_end)
        .read("batch_size", s.batch_size)
        .read("weight_decay", s.weight_decay)
        .read("latency_repeats", s.latency_repeats)
        .read("operators", operators)
        .read("start", start);
    reader.finish();
    if (reader.has("operators")) s.operators = morph_ops_from_names(operators);
    if (start.is_object()) {
        s.start = Architecture::from_json(start.dump());
        s.has_start = true;
    }
    s.validate();
    return s;
}

nlohmann::json NashSettings::to_json() const
{
    nlohmann::json j = {{"steps", steps},
                        {"neighbours", neighbours},
                        {"morphisms_per_child", morphisms_per_child},
                        {"epochs_initial", epochs_initial},
                        {"epochs_neighbour", epochs_neighbour},
                        {"lr_start", lr_start},
                        {"lr_end", lr_end},
                        {"batch_size", batch_size},
                        {"weight_decay", weight_decay},
                        {"latency_repeats", latency_repeats},
                        {"operators", morph_op_names(operators)},
                        {"start", has_start ? nlohmann::json::parse(start.to_json()) : nlohmann::json()}};
    return j;
}

void NashSettings::validate() const
{
    require_in_range("nash steps", steps, 1, 1e6);
    require_in_range("nash neighbours", neighbours, 1, 1e4);
    require_in_range("nash morphisms_per_child", morphisms_per_child, 1, 100);
    if (operators.empty()) fail("nash operators must name at least one morphism operator");
    for (auto op : operators)
        if (op != MorphOp::deepen && op != MorphOp::widen && op != MorphOp::add_skip && op != MorphOp::concat_skip)
            fail(std::string("nash climbs by exact morphisms only; '") + morph_op_name(op) + "' is approximate");
    recipe().validate("nash");
}

TrainingRecipe NashSettings::recipe() const
{
    TrainingRecipe r;
    r.epochs_initial = epochs_initial;
    r.epochs_child = epochs_neighbour;
    r.lr_start = lr_start;
    r.lr_end = lr_end;
    r.train.batch_size = batch_size;
    r.train.weight_decay = weight_decay;
    r.latency.repeats = latency_repeats;
    // NASH trains each neighbour for many epochs (17 in the paper), where crops and flips pay.
    r.augment = true;
    return r;
}

const Candidate* nash_incumbent(const std::vector<Candidate>& all, int generation)
{
    for (int g = generation; g >= 0; --g) {
        const Candidate* best = nullptr;
        for (const auto& c : all)
            if (c.generation == g && c.status == CandidateStatus::done && (!best || c.val_error < best->val_error)) best = &c;
        if (best) return best;
    }
    return nullptr;
}

double ensemble_error(std::vector<Network>& members, const DataView& data, const Normalization& norm, c10::Device device)
{
    if (members.empty()) fail("an ensemble needs at least one member");
    torch::Tensor sum;
    for (auto& m : members) {
        // Each member visits the device and goes back where it was kept (nash keeps its
        // snapshots on the CPU, so device memory does not grow with the number of steps).
        const auto params = m->parameters();
        const c10::Device home = params.empty() ? device : params.front().device();
        auto p = predict_probabilities(m, data, norm, device);
        m->to(home);
        sum = sum.defined() ? sum + p : p;
    }
    std::vector<std::int64_t> labels;
    for (auto i : data.indices) labels.push_back(data.set->labels[static_cast<std::size_t>(i)]);
    const auto truth = torch::tensor(labels, torch::kLong);
    return sum.argmax(1).ne(truth).sum().item<double>() / static_cast<double>(data.size());
}

namespace {

class NashProposer : public Proposer {
public:
    NashProposer(const SearchContext& context, const NashSettings& settings)
        : m_context(context), m_settings(settings), m_sampler(uniform_weights(settings.operators)),
          m_price(make_pricer(context.run.objectives, context.run.constraints, settings.recipe().latency, context.device))
    {
    }
    std::vector<Candidate> initial() override
    {
        const auto& set = *m_context.data.source.train;
        const Shape shape{set.channels, set.height, set.width};
        Candidate c;
        c.arch = m_settings.has_start ? m_settings.start : default_architecture(shape, set.num_classes);
        if (c.arch.input_shape() != shape)
            fail("nash: the start network expects input " + shape_string(c.arch.input_shape()) + " but the data set has " + shape_string(shape));
        if (c.arch.num_classes() != set.num_classes)
            fail("nash: the start network has " + std::to_string(c.arch.num_classes()) + " classes but the data set has " +
                 std::to_string(set.num_classes));
        // Exact morphisms only grow a network: a start over a limit would leave nothing to climb.
        if (!m_price(c)) fail("nash: the start network breaks a limit: " + m_context.run.constraints.violation(c));
        return {c};
    }
    std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all) override;

private:
    const SearchContext& m_context;
    const NashSettings& m_settings;
    MorphismSampler m_sampler;
    Pricer m_price;
};

// The neighbours of the incumbent, then the incumbent itself for another cycle (no operators).
std::vector<Candidate> NashProposer::propose(int generation, const std::vector<Candidate>& all)
{
    const Candidate* incumbent = nash_incumbent(all, generation - 1);
    if (!incumbent) fail("nash: the start network failed to train: nothing to climb from");
    std::mt19937_64 rng(derive_seed(m_context.run.seed, SeedPurpose::proposal, static_cast<std::uint64_t>(generation)));
    std::vector<Candidate> out;
    std::set<std::string> seen = {incumbent->arch.canonical_hash()};  // a step trains no network twice
    for (int j = 0; j < m_settings.neighbours; ++j) {
        Candidate child;
        child.parent = incumbent->id;
        child.arch = incumbent->arch;
        try {
            for (int k = 0; k < m_settings.morphisms_per_child; ++k) {
                const auto result = m_sampler.sample(child.arch, rng);
                child.arch = result.child;
                child.operators.push_back(result.applied);
            }
        } catch (const InputError&) {
            continue;  // no operator applies any more
        }
        if (seen.insert(child.arch.canonical_hash()).second && m_price(child)) out.push_back(std::move(child));
    }
    Candidate again;
    again.parent = incumbent->id;
    again.arch = incumbent->arch;
    m_price(again);
    out.push_back(std::move(again));
    return out;
}

class Nash : public SearchMethod {
public:
    explicit Nash(NashSettings settings) : m_settings(std::move(settings)) {}
    std::string name() const override { return "nash"; }
    nlohmann::json settings() const override { return m_settings.to_json(); }
    void check(const RunSettings& run) const override
    {
        if (run.objectives != std::vector<Objective>{Objective::error})
            fail("nash minimises validation error alone: give no --objectives, or --objectives error");
    }
    SearchResult run(const SearchContext& context) override
    {
        check(context.run);
        NashProposer proposer(context, m_settings);
        const auto recipe = with_data_augmentation(m_settings.recipe(), context.data);
        const auto evaluator = train_from_parent(training_context(context), recipe);
        // Generation 0 is the start network; steps are generations 1..steps.
        return run_driver(context.store, budgeted_driver(context, m_settings.steps + 1, recipe, true).settings, proposer, *evaluator,
                          context.callbacks);
    }

private:
    NashSettings m_settings;
};

} // namespace

MethodSpec nash_method()
{
    MethodSpec spec;
    spec.name = "nash";
    spec.summary = "hill climbing by exact network morphisms with short SGDR runs (single objective: validation error)";
    spec.source = "Elsken, Metzen, Hutter: Simple and Efficient Architecture Search for Convolutional Neural Networks, ICLR workshop 2018";
    spec.objectives = {Objective::error};
    spec.options = {
        {"/steps", "--steps", "hill-climbing steps (the budget usually ends the run first)"},
        {"/neighbours", "--neighbours", "children per step (the incumbent trains again besides)"},
        {"/morphisms_per_child", "--morphisms", "random exact morphisms per child"},
        {"/epochs_initial", "--epochs-init", "epochs of the start network, from scratch"},
        {"/epochs_neighbour", "--epochs-neighbour", "epochs per child and step (one cosine cycle)"},
        {"/lr_start", "--lr-start", "learning rate at the start of each cycle"},
        {"/lr_end", "--lr-end", "learning rate at its end"},
        {"/batch_size", "--batch-size", "training batch size"},
        {"/weight_decay", "--weight-decay", "SGD weight decay"},
        {"/operators", "--operators", "exact morphism operators drawn"},
        {"/start", "--arch", "start network: an architecture JSON file (default: the built-in starting network)", MethodOption::Kind::json_file},
        {"/paper", "--paper", "the NASH paper's settings for what is not given (8 steps x 8 neighbours, 5 morphisms, 17 epochs; GPU-sized)",
         MethodOption::Kind::flag},
    };
    spec.make = [](const nlohmann::json& settings) { return std::make_unique<Nash>(NashSettings::from_json(settings)); };
    return spec;
}

} // namespace paretonas
