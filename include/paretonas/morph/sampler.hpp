/// @file morph/sampler.hpp
/// Draws random morphisms by operator weight: what a search calls to make a child.
#ifndef PARETONAS_MORPH_SAMPLER_HPP
#define PARETONAS_MORPH_SAMPLER_HPP

#include <paretonas/morph/morphism.hpp>

#include <functional>
#include <random>
#include <string>
#include <vector>

namespace paretonas {

struct OperatorWeight {
    MorphOp op;
    double weight;
};

/// Scores of a node's output filters (their L1 norms, from filter_l1_norms): prune keeps the
/// largest. Without one, prune is never drawn.
using ChannelScorer = std::function<std::vector<double>(int node)>;

/// Each of `ops` with weight 1.
std::vector<OperatorWeight> uniform_weights(const std::vector<MorphOp>& ops);

class MorphismSampler {
public:
    /// Operators drawn with probability proportional to their weight (uniform by default, as in
    /// NASH); widen multiplies a layer's width by `widen_factor`; deepen draws its kernel from
    /// `kernels`. Throws InputError on a non-positive total weight.
    explicit MorphismSampler(std::vector<OperatorWeight> operators = default_operators(), double widen_factor = 2.0,
                             std::vector<int> kernels = {3, 5});

    /// The exact operators, uniform (NASH).
    static std::vector<OperatorWeight> default_operators();
    /// Exact and approximate operators, uniform (LEMONADE's NM and ANM sets).
    static std::vector<OperatorWeight> all_operators();

    /// One random morphism of `arch`: an operator by weight, then a site uniformly among its
    /// valid sites; operators without a valid site are skipped. prune removes 1/2 or 1/4 of the
    /// filters with the smallest `scores`. Throws InputError when no operator applies anywhere.
    MorphResult sample(const Architecture& arch, std::mt19937_64& rng, const ChannelScorer& scores = {}) const;

private:
    MorphResult apply(MorphOp op, const Architecture& arch, std::mt19937_64& rng, const ChannelScorer& scores) const;

    std::vector<OperatorWeight> m_operators;
    double m_widen_factor;
    std::vector<int> m_kernels;
};

/// Applies the recorded morphism `m` to `arch` again: how a resumed search rebuilds a child
/// from its parent. Throws InputError when `m` does not fit `arch`.
MorphResult apply_morphism(const Architecture& arch, const Morphism& m);

} // namespace paretonas

#endif
