#include <paretonas/search/lemonade.hpp>

#include <paretonas/core/density.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/seeds.hpp>
#include <paretonas/morph/inherit.hpp>
#include <paretonas/train/network.hpp>

#include <torch/torch.h>

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
    reader.read("children_proposed", s.children_proposed)
        .read("children_accepted", s.children_accepted)
        .read("morphisms_per_child", s.morphisms_per_child)
        .read("operators", operators)
        .read("initial", initial);
    reader.finish();
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

namespace {

class LemonadeProposer : public Proposer {
public:
    LemonadeProposer(const SearchContext& context, const LemonadeSettings& settings)
        : m_context(context), m_settings(settings), m_sampler(uniform_weights(settings.operators)),
          m_price(make_pricer(context.run.objectives, context.run.constraints, settings.recipe.latency, context.device))
    {
    }
    std::vector<Candidate> initial() override;
    std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all) override;

private:
    Network load(const Candidate& c) const
    {
        return load_network(c.arch, m_context.store.weights_path(c.weights), m_context.device);
    }
    std::vector<Candidate> children_of(const std::vector<Candidate>& population, const std::vector<double>& density,
                                       const std::vector<Candidate>& all, int generation, std::mt19937_64& rng) const;

    const SearchContext& m_context;
    const LemonadeSettings& m_settings;
    MorphismSampler m_sampler;
    Pricer m_price;
};

std::vector<Candidate> LemonadeProposer::initial()
{
    const auto& set = *m_context.data.source.train;
    std::vector<Candidate> out;
    for (const auto& arch : m_settings.initial.empty() ? default_initial_population({set.channels, set.height, set.width}, set.num_classes)
                                                       : m_settings.initial) {
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
    // Accept by inverse density under the population's KDE: children in sparse regions first.
    std::vector<double> child_density;
    for (const auto& c : children) child_density.push_back(kde.density(cheap_vector(c, objectives)));
    std::vector<Candidate> accepted;
    for (auto i : sample_inverse_density(child_density, static_cast<std::size_t>(m_settings.children_accepted), rng))
        accepted.push_back(children[i]);
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
        LemonadeProposer proposer(context, m_settings);
        const auto evaluator = train_from_parent(training_context(context), with_data_augmentation(m_settings.recipe, context));
        return run_driver(context.store, context.driver(m_settings.generations), proposer, *evaluator, context.callbacks);
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
    });
    spec.make = [](const nlohmann::json& settings) { return std::make_unique<Lemonade>(LemonadeSettings::from_json(settings)); };
    return spec;
}

} // namespace paretonas
