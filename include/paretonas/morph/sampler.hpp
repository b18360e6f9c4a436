/// @file morph/sampler.hpp
/// Draws random morphisms by operator weight: what a search calls to make a child.
#ifndef PARETONAS_MORPH_SAMPLER_HPP
#define PARETONAS_MORPH_SAMPLER_HPP

#include <paretonas/morph/morphism.hpp>

#include <random>
#include <string>
#include <vector>

namespace paretonas {

struct OperatorWeight {
    std::string op;  // deepen, widen, add_skip, concat_skip
    double weight;
};

class MorphismSampler {
public:
    /// Operators drawn with probability proportional to their weight (uniform by default, as in
    /// NASH); widen multiplies a layer's width by `widen_factor`; deepen draws its kernel from
    /// `kernels`. Throws InputError on an unknown operator or a non-positive total weight.
    explicit MorphismSampler(std::vector<OperatorWeight> operators = default_operators(), double widen_factor = 2.0,
                             std::vector<int> kernels = {3, 5});

    static std::vector<OperatorWeight> default_operators();

    /// One random morphism of `arch`: an operator by weight, then a site uniformly among its
    /// valid sites; operators without a valid site are skipped. Throws InputError when no
    /// operator applies anywhere.
    MorphResult sample(const Architecture& arch, std::mt19937_64& rng) const;

private:
    MorphResult apply(const std::string& op, const Architecture& arch, std::mt19937_64& rng) const;

    std::vector<OperatorWeight> m_operators;
    double m_widen_factor;
    std::vector<int> m_kernels;
};

} // namespace paretonas

#endif
