#include <paretonas/generator/generator_costs.hpp>

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/seeds.hpp>

#include <cmath>

namespace paretonas {

void require_estimable_costs(const std::vector<Objective>& objectives)
{
    for (auto o : objectives)
        if (o == Objective::latency)
            fail("nago estimates a generator's costs from sampled architectures without running them; latency is not one of them "
                 "(use params or madds)");
}

GeneratorCostEstimator::GeneratorCostEstimator(HierarchySettings hierarchy, Shape input_shape, int num_classes,
                                               std::vector<Objective> objectives, int samples)
    : m_hierarchy(std::move(hierarchy)), m_input(std::move(input_shape)), m_classes(num_classes), m_objectives(std::move(objectives)),
      m_samples(samples)
{
    if (m_samples < 1) fail("a generator's costs need at least 1 sampled architecture, got " + std::to_string(m_samples));
    require_estimable_costs(m_objectives);
}

ObjectiveVector GeneratorCostEstimator::costs(const GeneratorParams& theta, const ObjectiveVector& unreachable)
{
    const auto key = theta.values();
    if (const auto it = m_cache.find(key); it != m_cache.end()) return it->second;
    ObjectiveVector sum(m_objectives.size() - 1, 0.0);
    std::uint64_t seed = 0x6e61676fULL;  // "nago"
    for (double v : key) seed = derive_seed(seed, SeedPurpose::proposal, static_cast<std::uint64_t>(std::llround(v * 1e6)));
    GraphRng rng(seed);
    try {
        for (int s = 0; s < m_samples; ++s) {
            Candidate c;
            c.arch = sample_architecture(theta, m_input, m_classes, m_hierarchy, rng).architecture;
            c.parameters = parameter_count(c.arch);
            c.multiply_adds = multiply_adds(c.arch);
            const auto v = cheap_vector(c, m_objectives);
            for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += v[k] / m_samples;
        }
    } catch (const InputError&) {  // G(theta) cannot connect its graphs: worthless to BO
        sum = unreachable;
    }
    return m_cache[key] = sum;
}

} // namespace paretonas
