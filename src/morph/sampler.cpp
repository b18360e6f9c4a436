#include <paretonas/core/error.hpp>
#include <paretonas/morph/approximate.hpp>
#include <paretonas/morph/sampler.hpp>

#include <algorithm>
#include <cmath>

namespace paretonas {

namespace {
template <class T>
const T& pick(const std::vector<T>& items, std::mt19937_64& rng)
{
    return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}
} // namespace

std::vector<OperatorWeight> MorphismSampler::default_operators()
{
    return {{MorphOp::deepen, 1.0}, {MorphOp::widen, 1.0}, {MorphOp::add_skip, 1.0}, {MorphOp::concat_skip, 1.0}};
}

std::vector<OperatorWeight> uniform_weights(const std::vector<MorphOp>& ops)
{
    std::vector<OperatorWeight> weights;
    for (auto op : ops) weights.push_back({op, 1.0});
    return weights;
}

std::vector<OperatorWeight> MorphismSampler::all_operators() { return uniform_weights(all_morph_ops()); }

MorphismSampler::MorphismSampler(std::vector<OperatorWeight> operators, double widen_factor, std::vector<int> kernels)
    : m_operators(std::move(operators)), m_widen_factor(widen_factor), m_kernels(std::move(kernels))
{
    double total = 0;
    for (const auto& o : m_operators) {
        require_in_range(std::string("weight of ") + morph_op_name(o.op), o.weight, 0.0, 1e9);
        total += o.weight;
    }
    if (total <= 0) fail("morphism operators need a positive total weight");
    // A zero weight disables an operator; keeping it would let it be drawn once the others run
    // out of sites.
    m_operators.erase(std::remove_if(m_operators.begin(), m_operators.end(), [](const OperatorWeight& o) { return o.weight <= 0; }),
                      m_operators.end());
    require_in_range("widen_factor", widen_factor, 1.01, 16.0);
    if (m_kernels.empty()) fail("deepen needs at least one kernel size");
}

MorphResult MorphismSampler::apply(MorphOp op, const Architecture& arch, std::mt19937_64& rng,
                                   const ChannelScorer& scores) const
{
    const auto at_random_site = [&](const std::vector<int>& sites) {
        if (sites.empty()) fail(std::string("no ") + morph_op_name(op) + " site");
        return pick(sites, rng);
    };
    switch (op) {
    case MorphOp::remove_layer: return remove_layer(arch, at_random_site(remove_layer_sites(arch)));
    case MorphOp::remove_skip: return remove_skip(arch, at_random_site(remove_skip_sites(arch)));
    case MorphOp::sep_conv: return to_sep_conv(arch, at_random_site(sep_conv_sites(arch)));
    case MorphOp::prune: {
        if (!scores) fail("prune needs filter scores");
        const int site = at_random_site(prune_sites(arch));
        return prune(arch, site, keep_largest(scores(site), pick(std::vector<double>{0.5, 0.25}, rng)));
    }
    case MorphOp::deepen: return deepen(arch, at_random_site(deepen_sites(arch)), pick(m_kernels, rng));
    case MorphOp::widen: {
        const int site = at_random_site(widen_sites(arch));
        const int width = arch.node(site).channels;
        return widen(arch, site, std::max(width + 1, static_cast<int>(std::lround(width * m_widen_factor))));
    }
    case MorphOp::add_skip:
    case MorphOp::concat_skip: break;
    }
    auto sites = skip_sites(arch);
    // concat skips are refused where the extra channels would meet an add: try sites in a
    // random order until one takes.
    std::shuffle(sites.begin(), sites.end(), rng);
    for (const auto& [from, to] : sites) {
        try {
            return op == MorphOp::add_skip ? add_skip(arch, from, to) : concat_skip(arch, from, to);
        } catch (const InputError&) {
        }
    }
    fail(std::string("no ") + morph_op_name(op) + " site");
}

MorphResult MorphismSampler::sample(const Architecture& arch, std::mt19937_64& rng, const ChannelScorer& scores) const
{
    auto candidates = m_operators;
    while (!candidates.empty()) {
        std::vector<double> weights;
        for (const auto& c : candidates) weights.push_back(c.weight);
        const auto k = std::discrete_distribution<std::size_t>(weights.begin(), weights.end())(rng);
        try {
            return apply(candidates[k].op, arch, rng, scores);
        } catch (const InputError&) {
            candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(k));  // no site for it
        }
    }
    fail("no morphism operator applies to this architecture");
}

MorphResult apply_morphism(const Architecture& arch, const Morphism& m)
{
    switch (m.op) {
    case MorphOp::deepen: return deepen(arch, m.node, m.size > 0 ? m.size : 1);
    case MorphOp::widen: return widen(arch, m.node, m.size);
    case MorphOp::add_skip: return add_skip(arch, m.other, m.node);
    case MorphOp::concat_skip: return concat_skip(arch, m.other, m.node);
    case MorphOp::remove_layer: return remove_layer(arch, m.node);
    case MorphOp::remove_skip: return remove_skip(arch, m.node);
    case MorphOp::prune: return prune(arch, m.node, m.channels);
    case MorphOp::sep_conv: return to_sep_conv(arch, m.node);
    }
    fail("unknown morphism operator");
}

} // namespace paretonas
