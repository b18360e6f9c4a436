#include <paretonas/search/baselines.hpp>

#include <paretonas/core/error.hpp>
#include <paretonas/core/pareto.hpp>
#include <paretonas/core/seeds.hpp>

#include <algorithm>
#include <numeric>
#include <set>

namespace paretonas {

BaselineSettings BaselineSettings::from_json(const std::string& method, const nlohmann::json& settings)
{
    BaselineSettings s;
    SettingsReader reader(method, settings);
    // Read by the shared settings, but no network here has a parent.
    if (settings.is_object() && settings.contains("epochs_child")) fail(method + " has no setting 'epochs_child'");
    s.read(reader);
    reader.read("population", s.population);
    if (method == "nsga2") reader.read("crossover", s.crossover).read("mutation", s.mutation);
    if (settings.contains("space")) {
        auto& space = s.space;
        SettingsReader r(method + " space", settings.at("space"));
        r.read("min_stages", space.min_stages).read("max_stages", space.max_stages).read("widths", space.widths);
        r.read("min_blocks", space.min_blocks).read("max_blocks", space.max_blocks).read("kernels", space.kernels);
        r.read("skip", space.skip).read("separable", space.separable).finish();
        nlohmann::json read_once;
        reader.read("space", read_once);  // marks the key as read
    }
    reader.finish();
    s.validate(method);
    return s;
}

nlohmann::json BaselineSettings::to_json(const std::string& method) const
{
    nlohmann::json j;
    write(j);
    j.erase("epochs_child");  // every network trains from scratch
    j["population"] = population;
    if (method == "nsga2") {
        j["crossover"] = crossover;
        j["mutation"] = mutation;
    }
    j["space"] = {{"min_stages", space.min_stages}, {"max_stages", space.max_stages}, {"widths", space.widths},
                  {"min_blocks", space.min_blocks}, {"max_blocks", space.max_blocks}, {"kernels", space.kernels},
                  {"skip", space.skip},             {"separable", space.separable}};
    return j;
}

void BaselineSettings::validate(const std::string& method) const
{
    GenerationalSettings::validate(method);
    space.validate();
    require_in_range(method + " population", population, 2, 1e5);
    require_in_range(method + " crossover", crossover, 0.0, 1.0);
    require_in_range(method + " mutation", mutation, 0.0, 1.0);
}

Genome genome_of(const Candidate& c)
{
    const auto it = c.data.find("genome");
    return it == c.data.end() ? Genome{} : it->get<Genome>();
}

namespace {

// Both baselines: networks of a chain space, each new one priced and de-duplicated.
class SpaceProposer : public Proposer {
public:
    SpaceProposer(const SearchContext& context, const BaselineSettings& settings)
        : m_space(settings.space, input_shape(context), context.data.source.train->num_classes), m_run(context.run), m_settings(settings),
          m_price(make_pricer(context.run.objectives, context.run.constraints, settings.recipe.latency, context.device))
    {
    }
    std::vector<Candidate> initial() override { return draw_random(0, {}); }

protected:
    static Shape input_shape(const SearchContext& context)
    {
        const auto& set = *context.data.source.train;
        return {set.channels, set.height, set.width};
    }
    std::mt19937_64 generation_rng(int generation) const
    {
        return std::mt19937_64(derive_seed(m_run.seed, SeedPurpose::proposal, static_cast<std::uint64_t>(generation)));
    }
    /// A new candidate from `genome` when it is a network not seen before and within the
    /// constraints (added to `seen`).
    std::optional<Candidate> admit(const Genome& genome, std::set<std::string>& seen) const
    {
        Candidate c;
        const auto canonical = m_space.canonical(genome);
        c.data["genome"] = canonical;
        c.arch = m_space.decode(canonical);
        if (seen.count(c.arch.canonical_hash()) || !m_price(c)) return std::nullopt;
        seen.insert(c.arch.canonical_hash());
        return c;
    }
    static std::set<std::string> hashes(const std::vector<Candidate>& all)
    {
        std::set<std::string> seen;
        for (const auto& c : all) seen.insert(c.arch.canonical_hash());
        return seen;
    }
    /// Up to `population` unseen random networks; fewer when the space is nearly exhausted.
    std::vector<Candidate> draw_random(int generation, const std::vector<Candidate>& all) const
    {
        auto rng = generation_rng(generation);
        auto seen = hashes(all);
        std::vector<Candidate> out;
        for (int attempt = 0; attempt < 50 * m_settings.population && static_cast<int>(out.size()) < m_settings.population; ++attempt)
            if (auto c = admit(m_space.sample(rng), seen)) out.push_back(std::move(*c));
        return out;
    }

    ChainSpace m_space;
    const RunSettings& m_run;
    const BaselineSettings& m_settings;
    Pricer m_price;
};

class RandomProposer : public SpaceProposer {
public:
    using SpaceProposer::SpaceProposer;
    std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all) override { return draw_random(generation, all); }
};

class Nsga2Proposer : public SpaceProposer {
public:
    using SpaceProposer::SpaceProposer;
    std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all) override;

private:
    /// The population after `generation`, replayed from the store: generation 0's trained
    /// networks, then each generation's survivors of parents and children.
    std::vector<Candidate> population(int generation, const std::vector<Candidate>& all) const;
    std::vector<ObjectiveVector> points(const std::vector<Candidate>& cs) const;
};

std::vector<ObjectiveVector> Nsga2Proposer::points(const std::vector<Candidate>& cs) const
{
    std::vector<ObjectiveVector> out;
    for (const auto& c : cs) {
        auto v = objective_vector(c, m_run.objectives);
        // Over a limit measured only after training (latency): behind every feasible network.
        if (!m_run.constraints.violation(c).empty()) v[0] += 1.0;
        out.push_back(v);
    }
    return out;
}

std::vector<Candidate> Nsga2Proposer::population(int generation, const std::vector<Candidate>& all) const
{
    std::vector<Candidate> survivors;
    for (int g = 0; g <= generation; ++g) {
        for (const auto& c : all)
            if (c.generation == g && c.status == CandidateStatus::done && c.data.contains("genome")) survivors.push_back(c);
        std::vector<Candidate> next;
        for (auto i : nsga2_select(points(survivors), static_cast<std::size_t>(m_settings.population))) next.push_back(survivors[i]);
        survivors = std::move(next);
    }
    return survivors;
}

std::vector<Candidate> Nsga2Proposer::propose(int generation, const std::vector<Candidate>& all)
{
    const auto parents = population(generation - 1, all);
    if (parents.size() < 2) return draw_random(generation, all);  // nothing to breed from yet
    // Rank and crowding of each parent, for the tournaments.
    const auto pts = points(parents);
    std::vector<std::size_t> rank(parents.size());
    std::vector<double> crowding(parents.size());
    const auto fronts = non_dominated_fronts(pts);
    for (std::size_t r = 0; r < fronts.size(); ++r) {
        std::vector<ObjectiveVector> members;
        for (auto i : fronts[r]) members.push_back(pts[i]);
        const auto d = crowding_distances(members);
        for (std::size_t k = 0; k < fronts[r].size(); ++k) {
            rank[fronts[r][k]] = r;
            crowding[fronts[r][k]] = d[k];
        }
    }
    auto rng = generation_rng(generation);
    std::uniform_int_distribution<std::size_t> pick(0, parents.size() - 1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto tournament = [&] {
        const auto a = pick(rng), b = pick(rng);
        if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
        return crowding[a] >= crowding[b] ? a : b;
    };
    const double mutation = m_settings.mutation > 0 ? m_settings.mutation : 1.0 / static_cast<double>(m_space.size());
    auto seen = hashes(all);
    std::vector<Candidate> children;
    for (int attempt = 0; attempt < 50 * m_settings.population && static_cast<int>(children.size()) < m_settings.population; ++attempt) {
        Genome child = genome_of(parents[tournament()]);
        if (unit(rng) < m_settings.crossover) {
            const auto other = genome_of(parents[tournament()]);
            for (std::size_t i = 0; i < child.size(); ++i)
                if (unit(rng) < 0.5) child[i] = other[i];
        }
        // A child equal to a network already seen is mutated harder on the next attempt.
        const double rate = std::min(1.0, mutation * (1 + attempt / m_settings.population));
        for (std::size_t i = 0; i < child.size(); ++i)
            if (m_space.upper(i) > 0 && unit(rng) < rate) child[i] = std::uniform_int_distribution<int>(0, m_space.upper(i))(rng);
        if (auto c = admit(child, seen)) children.push_back(std::move(*c));
    }
    return children;
}

// Both baselines: a proposer of the space, every network trained from scratch.
template <class SpaceMethod>
class Baseline : public SearchMethod {
public:
    Baseline(std::string name, BaselineSettings settings) : m_name(std::move(name)), m_settings(std::move(settings)) {}
    std::string name() const override { return m_name; }
    nlohmann::json settings() const override { return m_settings.to_json(m_name); }
    void check(const RunSettings& run) const override { require_cost_objective(run.objectives, m_name); }
    SearchResult run(const SearchContext& context) override
    {
        check(context.run);
        for (const auto& c : context.store.candidates())
            if (!c.data.contains("genome"))
                fail("run " + context.store.dir() + " holds networks from outside the chain space (a " + context.store.info().method + " run?)");
        SpaceMethod proposer(context, m_settings);
        return run_from_scratch(context, m_settings, proposer);
    }

private:
    std::string m_name;
    BaselineSettings m_settings;
};

// The registry entry of a baseline: the shared options, the space's, then `extra`.
template <class SpaceMethod>
MethodSpec baseline_spec(const std::string& name, std::string summary, std::string source, const std::vector<MethodOption>& extra)
{
    MethodSpec spec;
    spec.name = name;
    spec.summary = std::move(summary);
    spec.source = std::move(source);
    spec.options = generational_options(false);
    spec.options.insert(spec.options.end(), {
        {"/population", "--population", "networks per generation (NSGA-II: also the population)"},
        {"/space/widths", "--space-widths", "widths a stage may take"},
        {"/space/max_stages", "--space-stages", "at most this many stages"},
        {"/space/max_blocks", "--space-blocks", "at most this many conv blocks per stage"},
        {"/space/kernels", "--space-kernels", "kernel sizes"},
        {"/space/skip", "--space-skip", "the space includes residual blocks"},
        {"/space/separable", "--space-separable", "the space includes depthwise-separable blocks"},
    });
    spec.options.insert(spec.options.end(), extra.begin(), extra.end());
    spec.make = [name](const nlohmann::json& settings) {
        return std::make_unique<Baseline<SpaceMethod>>(name, BaselineSettings::from_json(name, settings));
    };
    return spec;
}

} // namespace

MethodSpec random_search_method()
{
    return baseline_spec<RandomProposer>("random", "random search over a chain space, every network from scratch (baseline)",
                                         "Bergstra, Bengio: Random Search for Hyper-Parameter Optimization, JMLR 2012; "
                                         "Li, Talwalkar: Random Search and Reproducibility for NAS, UAI 2019",
                                         {});
}

MethodSpec nsga2_method()
{
    return baseline_spec<Nsga2Proposer>(
        "nsga2", "NSGA-II over a chain space, every network from scratch (baseline)",
        "Deb, Pratap, Agarwal, Meyarivan: A Fast and Elitist Multiobjective Genetic Algorithm: NSGA-II, IEEE TEC 2002",
        {{"/crossover", "--crossover", "probability that a child mixes two parents"},
         {"/mutation", "--mutation", "per-gene probability of a random reset (0: 1 / genes)"}});
}

} // namespace paretonas
