#include <paretonas/search/baselines.hpp>

#include <paretonas/core/error.hpp>
#include <paretonas/core/pareto.hpp>

#include <algorithm>
#include <numeric>
#include <set>

namespace paretonas {

void BaselineConfig::validate(const std::string& method) const
{
    SearchConfig::validate(method);
    space.validate();
    require_in_range(method + " population", population, 2, 1e5);
    require_in_range(method + " crossover", crossover, 0.0, 1.0);
    require_in_range(method + " mutation", mutation, 0.0, 1.0);
}

std::vector<std::size_t> nsga2_select(const std::vector<ObjectiveVector>& points, std::size_t n)
{
    std::vector<std::size_t> chosen;
    for (const auto& front : non_dominated_fronts(points)) {
        if (chosen.size() + front.size() <= n) {
            chosen.insert(chosen.end(), front.begin(), front.end());
            continue;
        }
        std::vector<ObjectiveVector> members;
        for (auto i : front) members.push_back(points[i]);
        const auto crowding = crowding_distances(members);
        std::vector<std::size_t> order(front.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return crowding[a] > crowding[b]; });
        for (std::size_t k = 0; chosen.size() < n; ++k) chosen.push_back(front[order[k]]);
        break;
    }
    return chosen;
}

namespace {

// Both baselines: networks of a chain space, each new one priced and de-duplicated.
class SpaceProposer : public Proposer {
public:
    SpaceProposer(const DataView& data, const BaselineConfig& config, c10::Device device)
        : m_space(config.space, {data.set->channels, data.set->height, data.set->width}, data.set->num_classes), m_config(config),
          m_device(device)
    {
    }
    std::vector<Candidate> initial() override { return draw_random(0, {}); }

protected:
    static std::mt19937_64 generation_rng(std::uint64_t seed, int generation)
    {
        return std::mt19937_64(seed * 7919 + static_cast<std::uint64_t>(generation));
    }
    /// A new candidate from `genome` when it is a network not seen before and within the
    /// constraints (added to `seen`).
    std::optional<Candidate> admit(const Genome& genome, std::set<std::string>& seen) const
    {
        Candidate c;
        c.genome = m_space.canonical(genome);
        c.arch = m_space.decode(c.genome);
        if (seen.count(c.arch.canonical_hash()) || !price_proposal(c, m_config, m_device)) return std::nullopt;
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
        auto rng = generation_rng(m_config.seed, generation);
        auto seen = hashes(all);
        std::vector<Candidate> out;
        for (int attempt = 0; attempt < 50 * m_config.population && static_cast<int>(out.size()) < m_config.population; ++attempt)
            if (auto c = admit(m_space.sample(rng), seen)) out.push_back(std::move(*c));
        return out;
    }

    ChainSpace m_space;
    const BaselineConfig& m_config;
    c10::Device m_device;
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
        auto v = objective_vector(c, m_config.objectives);
        // Over a limit measured only after training (latency): behind every feasible network.
        if (!m_config.constraints.violation(c).empty()) v[0] += 1.0;
        out.push_back(v);
    }
    return out;
}

std::vector<Candidate> Nsga2Proposer::population(int generation, const std::vector<Candidate>& all) const
{
    std::vector<Candidate> survivors;
    for (int g = 0; g <= generation; ++g) {
        for (const auto& c : all)
            if (c.generation == g && c.status == CandidateStatus::done && !c.genome.empty()) survivors.push_back(c);
        std::vector<Candidate> next;
        for (auto i : nsga2_select(points(survivors), static_cast<std::size_t>(m_config.population))) next.push_back(survivors[i]);
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
    auto rng = generation_rng(m_config.seed, generation);
    std::uniform_int_distribution<std::size_t> pick(0, parents.size() - 1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto tournament = [&] {
        const auto a = pick(rng), b = pick(rng);
        if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
        return crowding[a] >= crowding[b] ? a : b;
    };
    const double mutation = m_config.mutation > 0 ? m_config.mutation : 1.0 / static_cast<double>(m_space.size());
    auto seen = hashes(all);
    std::vector<Candidate> children;
    for (int attempt = 0; attempt < 50 * m_config.population && static_cast<int>(children.size()) < m_config.population; ++attempt) {
        Genome child = parents[tournament()].genome;
        if (unit(rng) < m_config.crossover) {
            const auto& other = parents[tournament()].genome;
            for (std::size_t i = 0; i < child.size(); ++i)
                if (unit(rng) < 0.5) child[i] = other[i];
        }
        // A child equal to a network already seen is mutated harder on the next attempt.
        const double rate = std::min(1.0, mutation * (1 + attempt / m_config.population));
        for (std::size_t i = 0; i < child.size(); ++i)
            if (m_space.upper(i) > 0 && unit(rng) < rate) child[i] = std::uniform_int_distribution<int>(0, m_space.upper(i))(rng);
        if (auto c = admit(child, seen)) children.push_back(std::move(*c));
    }
    return children;
}

// Both baselines: checked settings and run, then the shared generational driver.
template <class SpaceMethod>
SearchResult search_space(const std::string& method, RunStore& store, const DataView& train_data, const DataView& validation,
                          const Normalization& norm, const BaselineConfig& config, c10::Device device, const SearchCallbacks& callbacks)
{
    config.validate(method);
    for (const auto& c : store.candidates())
        if (c.genome.empty()) fail("run " + store.dir() + " holds networks from outside the chain space (a " + store.info().method + " run?)");
    if (train_data.size() == 0) fail("the search needs training data");
    SpaceMethod proposer(train_data, config, device);
    return run_generations(store, train_data, validation, norm, config, device, proposer, callbacks);
}

} // namespace

SearchResult random_search(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
                           const BaselineConfig& config, c10::Device device, const SearchCallbacks& callbacks)
{
    return search_space<RandomProposer>("random", store, train_data, validation, norm, config, device, callbacks);
}

SearchResult nsga2(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
                   const BaselineConfig& config, c10::Device device, const SearchCallbacks& callbacks)
{
    return search_space<Nsga2Proposer>("nsga2", store, train_data, validation, norm, config, device, callbacks);
}

} // namespace paretonas
