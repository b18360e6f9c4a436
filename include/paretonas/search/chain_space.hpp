/// @file search/chain_space.hpp
/// A parametric space of chain CNNs, so that classic optimisers (random search, NSGA-II) search
/// the same kind of networks the morphism methods grow: stages of conv-BN-ReLU blocks separated
/// by 2x2 max pools, then global average pooling and a linear classifier. A point is a vector of
/// integer genes, each in [0, upper]; every point decodes to a valid Architecture.
#ifndef PARETONAS_SEARCH_CHAIN_SPACE_HPP
#define PARETONAS_SEARCH_CHAIN_SPACE_HPP

#include <paretonas/core/architecture.hpp>

#include <random>
#include <vector>

namespace paretonas {

struct ChainSpaceConfig {
    int min_stages = 1, max_stages = 3;
    std::vector<int> widths = {8, 16, 24, 32, 48, 64, 96, 128};  // choices per stage
    int min_blocks = 1, max_blocks = 3;                          // conv blocks per stage
    std::vector<int> kernels = {3, 5};                           // one kernel size for all blocks
    bool skip = true;       // the space includes residual blocks (where channels match)
    bool separable = true;  // the space includes depthwise-separable blocks (not the first)

    /// Throws InputError naming the bad field.
    void validate() const;
};

using Genome = std::vector<int>;

class ChainSpace {
public:
    ChainSpace(ChainSpaceConfig config, Shape input_shape, int num_classes);

    /// Genes: stages, kernel, skip, separable, then (width, blocks) for each possible stage;
    /// the genes of stages beyond the first `stages` are carried but unused.
    std::size_t size() const { return m_upper.size(); }
    /// The largest value gene `i` takes.
    int upper(std::size_t i) const { return m_upper.at(i); }
    const ChainSpaceConfig& config() const { return m_config; }

    /// A uniformly random point.
    Genome sample(std::mt19937_64& rng) const;
    /// The network of a point. Throws InputError for a genome of the wrong length or a gene
    /// out of range.
    Architecture decode(const Genome& genome) const;
    /// The same network is reached by many genomes (unused stage genes, skip in a space where
    /// no block can take one): this one has unused genes zeroed, to de-duplicate.
    Genome canonical(const Genome& genome) const;
    /// The encoding the surrogate methods learn from, of the canonical genome (so that genomes
    /// of one network encode alike): each gene scaled to [0, 1] as gene / upper (0 where the
    /// upper is 0), or with `one_hot` each gene as upper + 1 indicators. Throws as decode.
    std::vector<double> encode(const Genome& genome, bool one_hot = false) const;

private:
    ChainSpaceConfig m_config;
    Shape m_input_shape;
    int m_num_classes;
    std::vector<int> m_upper;
};

} // namespace paretonas

#endif
