#include <paretonas/search/nago.hpp>

#include <paretonas/bo/proposer.hpp>
#include <paretonas/bo/tpe.hpp>
#include <paretonas/generator/generator_costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/seeds.hpp>
#include <paretonas/search/generator_spread.hpp>

#include <cmath>
#include <map>
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

Shape input_shape_of(const ImageSet& set)
{
    return {set.channels, set.height, set.width};
}

} // namespace

Architecture draw_network(const NagoSettings& settings, const GeneratorDraw& draw, const ImageSet& data)
{
    GraphRng rng(draw.seed);
    return sample_architecture(draw.theta, input_shape_of(data), data.num_classes, settings.hierarchy, rng).architecture;
}

namespace {

class NagoProposer : public Proposer {
public:
    NagoProposer(const SearchContext& context, const NagoSettings& settings)
        : m_run(context.run), m_settings(settings), m_data(*context.data.source.train),
          m_price(make_pricer(context.run.objectives, context.run.constraints, settings.recipe.latency, context.device)),
          m_reference(context.store.info().reference),  // the one the run's hypervolume is measured against
          m_costs(settings.hierarchy, input_shape_of(m_data), m_data.num_classes, context.run.objectives, settings.cost_samples)
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
        if (m_settings.proposer == "random") return draw_uniform(m_settings.batch, rng);
        if (m_run.objectives.size() == 1) return draw_each(bohb_batch(all, rng()), rng);
        const auto observed = observations(all);
        if (observed.size() < 2) return draw_uniform(m_settings.batch, rng);  // nothing to model yet
        ProposerSettings bo;
        bo.random_candidates = m_settings.random_candidates;
        bo.local_candidates = m_settings.local_candidates;
        bo.snap = snap_to_box();
        const ObjectiveVector unreachable(m_reference.begin() + 1, m_reference.end());
        const auto known = [&](const std::vector<double>& u) { return m_costs.costs(m_settings.space.from_unit(u), unreachable); };
        return draw_each(propose_batch(observed, GeneratorParams::dimensions, known, m_reference, m_settings.batch, rng(), bo), rng);
    }

private:
    std::mt19937_64 generation_rng(int generation) const
    {
        return std::mt19937_64(derive_seed(m_run.seed, SeedPurpose::proposal, static_cast<std::uint64_t>(generation)));
    }

    /// Maps a point of the unit cube to the theta it decodes to (integer fields at the middle of
    /// their shares), for both models.
    std::function<std::vector<double>(const std::vector<double>&)> snap_to_box() const
    {
        return [this](const std::vector<double>& u) { return m_settings.space.to_unit(m_settings.space.from_unit(u)); };
    }

    std::vector<Candidate> draw_each(const std::vector<std::vector<double>>& points, std::mt19937_64& rng) const
    {
        std::vector<Candidate> out;
        for (const auto& u : points)
            if (auto c = draw(m_settings.space.from_unit(u), rng())) out.push_back(std::move(*c));
        return out;
    }

    /// With the error as the only objective, BOHB: a TPE model (bo/tpe.hpp) on the most epochs at
    /// which enough generators were scored. With successive halving every epoch of a learning
    /// curve is such a budget; without, the networks' full training is the only one. A failed
    /// network joins the chosen budget as the worst (error 1), but does not count towards it.
    std::vector<std::vector<double>> bohb_batch(const std::vector<Candidate>& all, std::uint64_t seed) const
    {
        const auto error = [](double e) { return std::isfinite(e) ? e : 1.0; };
        std::map<int, std::vector<TpeObservation>> by_epochs;
        std::vector<TpeObservation> failed;
        for (const auto& c : all) {
            const auto d = generator_draw_of(c);
            if (!d) continue;
            const auto u = m_settings.space.to_unit(d->theta);
            const auto curve = learning_curve(c);
            if (c.status == CandidateStatus::failed)
                failed.push_back({u, 1.0});
            else if (c.status == CandidateStatus::done && curve.empty())
                by_epochs[c.epochs].push_back({u, error(c.val_error)});
            else if (c.status == CandidateStatus::done)
                for (std::size_t e = 1; e <= curve.size(); ++e) by_epochs[static_cast<int>(e)].push_back({u, error(curve[e - 1])});
        }
        TpeSettings tpe;
        tpe.snap = snap_to_box();
        std::vector<TpeObservation> observed;
        for (auto it = by_epochs.rbegin(); it != by_epochs.rend() && observed.empty(); ++it)
            if (it->second.size() >= tpe_minimum_observations(GeneratorParams::dimensions)) observed = it->second;
        if (!observed.empty()) observed.insert(observed.end(), failed.begin(), failed.end());
        return propose_tpe(observed, GeneratorParams::dimensions, m_settings.batch, seed, tpe);
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
            c.arch = draw_network(m_settings, {theta, seed}, m_data);
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
    const ImageSet& m_data;
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
        // The error alone is allowed: BOHB's single-objective mode.
        require_estimable_costs(run.objectives);
    }
    SearchResult run(const SearchContext& context) override
    {
        check(context.run);
        // The data's images must allow the stages of every generator of the box.
        m_settings.hierarchy.check(m_settings.space.lowest(), input_shape_of(*context.data.source.train));
        for (const auto& c : context.store.candidates())
            if (!generator_draw_of(c))
                fail("run " + context.store.dir() + " holds networks that no generator drew (a " + context.store.info().method + " run?)");
        NagoProposer proposer(context, m_settings);
        return run_from_scratch(context, m_settings, proposer);
    }

private:
    NagoSettings m_settings;
};

// The graph of cells a candidate's network was drawn with: per cell its stage and how many
// nodes and operations it holds, and the cell-to-cell edges.
nlohmann::json cell_graph(const SampledGraphs& g)
{
    nlohmann::json cells = nlohmann::json::array(), edges = nlohmann::json::array();
    for (int cell = 0; cell < g.top.size(); ++cell) {
        int operations = 0;
        for (const auto& bottom : g.bottom[cell]) operations += bottom.size();
        cells.push_back({{"stage", g.stage[cell]}, {"nodes", g.mid[cell].size()}, {"operations", operations}});
        for (int from : g.top.inputs[cell]) edges.push_back({from, cell});
    }
    return {{"cells", cells}, {"edges", edges}, {"inputs", g.top.input_nodes}, {"outputs", g.top.output_nodes}};
}

// For the report: each trained candidate's generator, its cell graph (drawn again from the
// stored theta and seed, shown only when it gives the candidate's network back) and, once
// `paretonas sample` ran, the spread of all its generator's stored draws. A candidate whose row
// cannot be read this way keeps its network in the report, without details.
std::map<std::int64_t, nlohmann::json> nago_candidate_details(const RunStore& store)
{
    std::optional<NagoSettings> settings;
    try {
        settings = NagoSettings::from_json(RunSettings::of(store).method_settings);
    } catch (const InputError&) {
        return {};
    }
    std::map<std::int64_t, std::vector<GeneratorSample>> samples;
    for (auto& s : store.samples()) samples[s.candidate].push_back(std::move(s));
    std::map<std::int64_t, nlohmann::json> out;
    for (const auto& c : store.candidates()) {
        if (c.status != CandidateStatus::done) continue;
        try {
            const auto draw = generator_draw_of(c);
            if (!draw) continue;
            nlohmann::json details = {{"generator", to_json(draw->theta)}, {"seed", draw->seed}};
            GraphRng rng(draw->seed);
            const auto drawn = sample_architecture(draw->theta, c.arch.input_shape(), c.arch.num_classes(), settings->hierarchy, rng);
            if (drawn.architecture == c.arch) details["cell_graph"] = cell_graph(drawn.graphs);
            if (samples.count(c.id)) details["spread"] = to_json(generator_spread(samples[c.id]));
            out[c.id] = std::move(details);
        } catch (const InputError&) {
            // A bad draw in the row, or graphs another version drew: no details for this one.
        }
    }
    return out;
}

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
    spec.candidate_details = nago_candidate_details;
    return spec;
}

} // namespace paretonas
