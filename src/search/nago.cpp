#include <paretonas/search/nago.hpp>

#include <paretonas/bo/proposer.hpp>
#include <paretonas/generator/generator_costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/seeds.hpp>

#include <cmath>
#include <random>

namespace paretonas {

GeneratorSpace cpu_generator_space()
{
    return GeneratorSpace::from_json({{"top_nodes", {3, 6}}, {"mid_nodes", {1, 3}}, {"bottom_nodes", {3, 5}}, {"width", {4, 12}}});
}

NagoSettings NagoSettings::from_json(const nlohmann::json& settings)
{
    NagoSettings s;
    SettingsReader reader("nago", settings);
    // Read by the shared settings, but no network here has a parent.
    if (settings.is_object() && settings.contains("epochs_child")) fail("nago has no setting 'epochs_child'");
    s.read(reader);
    auto& h = s.hierarchy;
    reader.read("proposer", s.proposer).read("initial", s.initial).read("batch", s.batch).read("cost_samples", s.cost_samples);
    reader.read("random_candidates", s.random_candidates).read("local_candidates", s.local_candidates);
    reader.read("stages", h.stages).read("stage_fractions", h.stage_fractions).read("kernel", h.kernel);
    reader.read("head_channels", h.head_channels).read("dropout", h.dropout).read("graph_tries", h.graph_tries);
    if (settings.is_object() && settings.contains("ranges")) {
        s.space = GeneratorSpace::from_json(settings.at("ranges"), cpu_generator_space());
        nlohmann::json read_once;
        reader.read("ranges", read_once);  // marks the key as read
    }
    reader.finish();
    s.validate();
    return s;
}

nlohmann::json NagoSettings::to_json() const
{
    nlohmann::json j;
    write(j);
    j.erase("epochs_child");  // every network trains from scratch
    j["proposer"] = proposer;
    j["initial"] = initial;
    j["batch"] = batch;
    j["cost_samples"] = cost_samples;
    j["random_candidates"] = random_candidates;
    j["local_candidates"] = local_candidates;
    j["ranges"] = space.to_json();
    j["stages"] = hierarchy.stages;
    j["stage_fractions"] = hierarchy.stage_fractions;
    j["kernel"] = hierarchy.kernel;
    j["head_channels"] = hierarchy.head_channels;
    j["dropout"] = hierarchy.dropout;
    j["graph_tries"] = hierarchy.graph_tries;
    return j;
}

void NagoSettings::validate() const
{
    GenerationalSettings::validate("nago");
    if (proposer != "bo" && proposer != "random") fail("nago proposer must be \"bo\" or \"random\", got \"" + proposer + "\"");
    require_in_range("nago initial", initial, 2, 1e5);
    require_in_range("nago batch", batch, 1, 1e3);
    require_in_range("nago stages", hierarchy.stages, 1, 10);
    require_in_range("nago cost_samples", cost_samples, 1, 100);
    require_in_range("nago random_candidates", random_candidates, 1, 1e6);
    require_in_range("nago local_candidates", local_candidates, 0, 1e6);
    if (batch > random_candidates + local_candidates)
        fail("nago batch (" + std::to_string(batch) + ") needs at least as many candidates per pick (random_candidates + local_candidates = " +
             std::to_string(random_candidates + local_candidates) + ")");
    // Every theta of the box must give the stages asked for.
    hierarchy.check(space.lowest(), {1, 1 << std::max(0, hierarchy.stages - 1), 1 << std::max(0, hierarchy.stages - 1)});
}

std::optional<GeneratorDraw> generator_draw_of(const Candidate& c)
{
    const auto theta = c.data.find("theta");
    const auto seed = c.data.find("sample_seed");
    if (theta == c.data.end() || seed == c.data.end()) return std::nullopt;
    if (!seed->is_number_unsigned()) fail("candidate " + std::to_string(c.id) + ": sample_seed must be a whole number, got " + seed->dump());
    return GeneratorDraw{generator_params_from_json(*theta), seed->get<std::uint64_t>()};
}

namespace {

Shape input_shape_of(const SearchContext& context)
{
    const auto& set = *context.data.source.train;
    return {set.channels, set.height, set.width};
}

class NagoProposer : public Proposer {
public:
    NagoProposer(const SearchContext& context, const NagoSettings& settings)
        : m_run(context.run), m_settings(settings), m_input(input_shape_of(context)),
          m_classes(context.data.source.train->num_classes),
          m_price(make_pricer(context.run.objectives, context.run.constraints, settings.recipe.latency, context.device)),
          m_reference(context.store.info().reference),  // the one the run's hypervolume is measured against
          m_costs(settings.hierarchy, m_input, m_classes, context.run.objectives, settings.cost_samples)
    {
    }

    std::vector<Candidate> initial() override
    {
        auto rng = generation_rng(0);
        return draw_uniform(m_settings.initial, rng);
    }

    std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all) override
    {
        auto rng = generation_rng(generation);
        const auto observed = observations(all);
        // Random search over theta, or nothing to model yet.
        if (m_settings.proposer == "random" || observed.size() < 2) return draw_uniform(m_settings.batch, rng);
        ProposerSettings bo;
        bo.random_candidates = m_settings.random_candidates;
        bo.local_candidates = m_settings.local_candidates;
        bo.snap = [this](const std::vector<double>& u) { return m_settings.space.to_unit(m_settings.space.from_unit(u)); };
        const ObjectiveVector unreachable(m_reference.begin() + 1, m_reference.end());
        const auto known = [&](const std::vector<double>& u) { return m_costs.costs(m_settings.space.from_unit(u), unreachable); };
        const auto points = propose_batch(observed, GeneratorParams::dimensions, known, m_reference, m_settings.batch, rng(), bo);
        std::vector<Candidate> out;
        for (const auto& u : points)
            if (auto c = draw(m_settings.space.from_unit(u), rng())) out.push_back(std::move(*c));
        return out;
    }

private:
    std::mt19937_64 generation_rng(int generation) const
    {
        return std::mt19937_64(derive_seed(m_run.seed, SeedPurpose::proposal, static_cast<std::uint64_t>(generation)));
    }

    /// `count` generators uniform in the box, one network each.
    std::vector<Candidate> draw_uniform(int count, std::mt19937_64& rng) const
    {
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::vector<Candidate> out;
        for (int i = 0; i < count; ++i) {
            std::vector<double> u(GeneratorParams::dimensions);
            for (double& v : u) v = unit(rng);
            if (auto c = draw(m_settings.space.from_unit(u), rng())) out.push_back(std::move(*c));
        }
        return out;
    }

    /// One network from G(theta) drawn with `seed`, priced; empty when the generator cannot
    /// connect its graphs or the network breaks a constraint (the proposal is dropped).
    std::optional<Candidate> draw(const GeneratorParams& theta, std::uint64_t seed) const
    {
        Candidate c;
        try {
            GraphRng rng(seed);
            c.arch = sample_architecture(theta, m_input, m_classes, m_settings.hierarchy, rng).architecture;
        } catch (const InputError&) {
            return std::nullopt;
        }
        c.data["theta"] = to_json(theta);
        c.data["sample_seed"] = seed;
        if (!m_price(c)) return std::nullopt;
        return c;
    }

    /// Every scored generator as a BO observation; a failed network counts as error 1 (the worst),
    /// so that BO learns to avoid what cannot be trained.
    std::vector<BoObservation> observations(const std::vector<Candidate>& all) const
    {
        std::vector<BoObservation> out;
        for (const auto& c : all) {
            const auto d = generator_draw_of(c);
            if (!d || (c.status != CandidateStatus::done && c.status != CandidateStatus::failed)) continue;
            ObjectiveVector v = objective_vector(c, m_run.objectives);
            if (c.status == CandidateStatus::failed || !std::isfinite(v[0])) v[0] = 1.0;
            out.push_back({m_settings.space.to_unit(d->theta), std::move(v)});
        }
        return out;
    }

    const RunSettings& m_run;
    const NagoSettings& m_settings;
    Shape m_input;
    int m_classes;
    Pricer m_price;
    ObjectiveVector m_reference;
    GeneratorCostEstimator m_costs;
};

class Nago : public SearchMethod {
public:
    explicit Nago(NagoSettings settings) : m_settings(std::move(settings)) {}
    std::string name() const override { return "nago"; }
    nlohmann::json settings() const override { return m_settings.to_json(); }
    void check(const RunSettings& run) const override
    {
        require_cost_objective(run.objectives, "nago");
        require_estimable_costs(run.objectives);
    }
    SearchResult run(const SearchContext& context) override
    {
        check(context.run);
        // The data's images must allow the stages of every generator of the box.
        m_settings.hierarchy.check(m_settings.space.lowest(), input_shape_of(context));
        for (const auto& c : context.store.candidates())
            if (!generator_draw_of(c))
                fail("run " + context.store.dir() + " holds networks that no generator drew (a " + context.store.info().method + " run?)");
        NagoProposer proposer(context, m_settings);
        return run_from_scratch(context, m_settings, proposer);
    }

private:
    NagoSettings m_settings;
};

} // namespace

MethodSpec nago_method()
{
    MethodSpec spec;
    spec.name = "nago";
    spec.summary = "Bayesian optimisation of a hierarchical random-graph network generator (WS/ER/WS), networks from scratch";
    spec.source = "Ru, Esperanca, Carlucci: Neural Architecture Generator Optimization, NeurIPS 2020";
    spec.options = generational_options(false);
    spec.options.insert(spec.options.end(), {
        {"/proposer", "--proposer", "bo, or random (theta uniform in the box: the random-generator baseline)"},
        {"/initial", "--initial", "random generators before the first Bayesian-optimisation proposal"},
        {"/batch", "--batch", "proposals per generation (kriging believer)"},
        {"/stages", "--stages", "stages of every network (resolution halves, channels double)"},
        {"/cost_samples", "--cost-samples", "architectures sampled per generator to estimate its costs"},
        {"/ranges", "--ranges", "JSON file of theta ranges, e.g. {\"top_nodes\": [3, 6]}", MethodOption::Kind::json_file},
    });
    spec.make = [](const nlohmann::json& settings) { return std::make_unique<Nago>(NagoSettings::from_json(settings)); };
    return spec;
}

} // namespace paretonas
