#include <paretonas/search/lemonade.hpp>
#include <paretonas/search/trained_weights.hpp>

#include <paretonas/core/density.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/costs.hpp>
#include <paretonas/core/seeds.hpp>
#include <paretonas/morph/inherit.hpp>
#include <paretonas/train/network.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <set>

namespace paretonas {

LemonadeSettings LemonadeSettings::from_json(const nlohmann::json& settings)
{
    LemonadeSettings s;
    SettingsReader reader("lemonade", settings);
    s.read(reader);
    std::vector<std::string> operators;
    std::vector<nlohmann::json> initial;
    std::string accept_rule = accept_rule_name(s.accept_rule);
    reader.read("children_proposed", s.children_proposed)
        .read("children_accepted", s.children_accepted)
        .read("morphisms_per_child", s.morphisms_per_child)
        .read("operators", operators)
        .read("accept_rule", accept_rule)
        .read("initial_share", s.initial_share)
        .read("initial", initial);
    reader.finish();
    s.accept_rule = accept_rule_from_name(accept_rule);
    if (reader.has("operators")) s.operators = morph_ops_from_names(operators);
    for (const auto& arch : initial) s.initial.push_back(Architecture::from_json(arch.dump()));
    s.validate();
    return s;
}

nlohmann::json LemonadeSettings::to_json() const
{
    nlohmann::json j;
    write(j);
    j["children_proposed"] = children_proposed;
    j["children_accepted"] = children_accepted;
    j["morphisms_per_child"] = morphisms_per_child;
    j["operators"] = morph_op_names(operators);
    j["accept_rule"] = accept_rule_name(accept_rule);
    j["initial_share"] = initial_share;
    j["initial"] = nlohmann::json::array();
    for (const auto& arch : initial) j["initial"].push_back(nlohmann::json::parse(arch.to_json()));
    return j;
}

void LemonadeSettings::validate() const
{
    GenerationalSettings::validate("lemonade");
    require_in_range("lemonade children_proposed", children_proposed, 1, 1e5);
    require_in_range("lemonade children_accepted", children_accepted, 1, children_proposed);
    require_in_range("lemonade morphisms_per_child", morphisms_per_child, 1, 20);
    require_in_range("lemonade initial_share", initial_share, 0.01, 1.0);
    if (operators.empty()) fail("lemonade operators must name at least one morphism operator");
}

std::vector<Architecture> default_initial_population(const Shape& input_shape, int num_classes)
{
    // Log-spaced sizes, so that the front covers small to large models from the first generation
    // and the search refines it in between and beyond (a 60-minute run on 2 cores grew the
    // largest of three by 2x only, see docs/results.md).
    return {conv_chain(input_shape, num_classes, {8, 16}, {0}), conv_chain(input_shape, num_classes, {16, 32, 64}, {0, 1}),
            default_architecture(input_shape, num_classes), conv_chain(input_shape, num_classes, {64, 64, 128, 128, 256}, {1, 3})};
}

std::vector<Architecture> initial_within_budget(std::vector<Architecture> seeds, const TimeModel& model, int epochs,
                                                double budget_seconds, double share)
{
    if (budget_seconds <= 0 || !model.known() || seeds.empty()) return seeds;
    std::stable_sort(seeds.begin(), seeds.end(),
                     [](const Architecture& a, const Architecture& b) { return multiply_adds(a) < multiply_adds(b); });
    std::vector<Architecture> kept;
    double seconds = 0;
    for (auto& arch : seeds) {
        seconds += model.seconds(multiply_adds(arch), epochs);
        if (!kept.empty() && seconds > share * budget_seconds) break;
        kept.push_back(std::move(arch));
    }
    return kept;
}

// Measured with bench/search_recipe.py (docs/results.md), one thread, 10k + 5k images: an epoch
// takes 2.6 s at 0.28M multiply-adds, 3.1 s at 1.9M and 32.6 s at 21.9M, about
// 2.2 s + 1.4e-6 s x multiply-adds: the fixed part weighs as much as 1.5M multiply-adds.
constexpr double kFixedStepMadds = 1.5e6;

double acceptance_cost(const Candidate& child) { return static_cast<double>(child.multiply_adds) + kFixedStepMadds; }

namespace {

class LemonadeProposer : public Proposer {
public:
    LemonadeProposer(const SearchContext& context, const LemonadeSettings& settings, const TimeModel& time)
        : m_context(context), m_settings(settings), m_time(time), m_sampler(uniform_weights(settings.operators)),
          m_price(make_pricer(context.run.objectives, context.run.constraints, settings.recipe.latency, context.device))
    {
    }
    std::vector<Candidate> initial() override;
    std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all) override;

private:
    Network load(const Candidate& c) const
    {
        return load_trained(m_context.store, c, m_context.device);
    }
    std::vector<Candidate> children_of(const std::vector<Candidate>& population, const std::vector<double>& density,
                                       const std::vector<Candidate>& all, int generation, std::mt19937_64& rng) const;

    const SearchContext& m_context;
    const LemonadeSettings& m_settings;
    TimeModel m_time;
    MorphismSampler m_sampler;
    Pricer m_price;
};

std::vector<Candidate> LemonadeProposer::initial()
{
    const auto& set = *m_context.data.source.train;
    const auto seeds = m_settings.initial.empty()
                           ? initial_within_budget(default_initial_population({set.channels, set.height, set.width}, set.num_classes),
                                                   m_time, m_settings.recipe.epochs_initial, m_context.run.budget_seconds, m_settings.initial_share)
                           : m_settings.initial;
    std::vector<Candidate> out;
    for (const auto& arch : seeds) {
        Candidate c;
        c.arch = arch;
        m_price(c);  // the seeds are trained whatever their cost
        out.push_back(c);
    }
    return out;
}

// n_pc children of parents drawn by inverse density, each unseen and within the constraints.
std::vector<Candidate> LemonadeProposer::children_of(const std::vector<Candidate>& population, const std::vector<double>& density,
                                                     const std::vector<Candidate>& all, int generation, std::mt19937_64& rng) const
{
    std::set<std::string> seen;
    for (const auto& c : all) seen.insert(c.arch.canonical_hash());
    std::map<std::int64_t, Network> parents;  // loaded on demand, for the prune scores
    std::vector<Candidate> children;
    for (int k = 0; k < m_settings.children_proposed; ++k) {
        const Candidate& parent = population[draw_inverse_density(density, rng)];
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
            for (int m = 0; m < m_settings.morphisms_per_child; ++m) {
                // Filter scores describe the parent's own layers: only the first operator may prune.
                const auto result = m_sampler.sample(child.arch, rng, m == 0 ? scores : ChannelScorer{});
                child.arch = result.child;
                child.operators.push_back(result.applied);
            }
        } catch (const InputError&) {
            continue;  // no operator applies to this parent
        }
        if (seen.count(child.arch.canonical_hash())) continue;  // already trained or proposed
        if (!m_price(child)) continue;
        seen.insert(child.arch.canonical_hash());
        children.push_back(std::move(child));
    }
    return children;
}

std::vector<Candidate> LemonadeProposer::propose(int generation, const std::vector<Candidate>& all)
{
    const auto& objectives = m_context.run.objectives;
    const auto population = current_front(all, objectives, m_context.run.constraints);
    if (population.empty()) fail("no trained candidate meets the constraints: nothing to evolve from");
    std::vector<std::vector<double>> cheap;
    for (const auto& p : population) cheap.push_back(cheap_vector(p, objectives));
    const GaussianKde kde(cheap);
    std::vector<double> parent_density;
    for (const auto& x : cheap) parent_density.push_back(kde.density(x));

    std::mt19937_64 rng(derive_seed(m_context.run.seed, SeedPurpose::proposal, static_cast<std::uint64_t>(generation)));
    const auto children = children_of(population, parent_density, all, generation, rng);
    // Accept by inverse density under the population's KDE (children in sparse regions first),
    // per expected training second with the cost rule.
    std::vector<double> child_density, child_cost;
    for (const auto& c : children) {
        child_density.push_back(kde.density(cheap_vector(c, objectives)));
        child_cost.push_back(acceptance_cost(c));
    }
    std::vector<Candidate> accepted;
    const auto weights = acceptance_weights(child_density, child_cost, m_settings.accept_rule);
    for (auto i : sample_weighted(weights, static_cast<std::size_t>(m_settings.children_accepted), rng)) accepted.push_back(children[i]);
    return accepted;
}

class Lemonade : public SearchMethod {
public:
    explicit Lemonade(LemonadeSettings settings) : m_settings(std::move(settings)) {}
    std::string name() const override { return "lemonade"; }
    nlohmann::json settings() const override { return m_settings.to_json(); }
    void check(const RunSettings& run) const override { require_cost_objective(run.objectives, "lemonade"); }
    SearchResult run(const SearchContext& context) override
    {
        check(context.run);
        const auto recipe = with_data_augmentation(m_settings.recipe, context.data);
        const auto driver = budgeted_driver(context, m_settings.generations, recipe, true);
        LemonadeProposer proposer(context, m_settings, driver.prior);
        const auto evaluator = train_from_parent(training_context(context), recipe);
        return run_driver(context.store, driver.settings, proposer, *evaluator, context.callbacks);
    }

private:
    LemonadeSettings m_settings;
};

} // namespace

MethodSpec lemonade_method()
{
    MethodSpec spec;
    spec.name = "lemonade";
    spec.summary = "Lamarckian multi-objective evolution by network morphisms (Pareto front; the default)";
    spec.source = "Elsken, Metzen, Hutter: Efficient Multi-objective Neural Architecture Search via Lamarckian Evolution, ICLR 2019";
    spec.options = generational_options(true);
    spec.options.insert(spec.options.end(), {
        {"/children_proposed", "--children", "children proposed per generation (cheap: no training)"},
        {"/children_accepted", "--accept", "children trained per generation"},
        {"/morphisms_per_child", "--morphisms", "random morphisms per child"},
        {"/operators", "--operators", "morphism operators drawn (exact and approximate)"},
        {"/accept_rule", "--accept-rule", "cost: accept children by inverse density per expected training second; paper: by inverse density"},
        {"/initial_share", "--initial-share", "with a budget: the default initial population trains in at most this share of it"},
    });
    spec.make = [](const nlohmann::json& settings) { return std::make_unique<Lemonade>(LemonadeSettings::from_json(settings)); };
    return spec;
}

} // namespace paretonas
