/// @file generator/hierarchical.hpp
/// Draws one network from a hierarchical generator G(theta) (NAGO): a Watts-Strogatz graph of
/// cells, in each cell an Erdos-Renyi graph of nodes, in each node a Watts-Strogatz graph of
/// ReLU-conv-BN operations. Cells are assigned to stages by normalised fractions; the resolution
/// halves and the channels double from stage to stage. Torch-free.
#ifndef PARETONAS_GENERATOR_HIERARCHICAL_HPP
#define PARETONAS_GENERATOR_HIERARCHICAL_HPP

#include <paretonas/core/architecture.hpp>
#include <paretonas/generator/generator_params.hpp>
#include <paretonas/generator/random_graph.hpp>

#include <vector>

namespace paretonas {

/// What the generator fixes (NAGO fixes these in its experiments too).
struct HierarchySettings {
    int stages = 3;
    /// Share of the cells in each stage, normalised; empty: equal shares. NAGO's released config
    /// uses 1.0 for every stage, which puts all cells in stage 0 unless there are 3 cells.
    std::vector<double> stage_fractions;
    int kernel = 3;             // of every operation's conv
    int head_channels = 0;      // of the head's 1x1 conv; 0: twice the last stage's channels
    double dropout = 0.2;       // before the classifier
    int graph_tries = 1000;     // draws per graph before a generator is declared unable to connect

    /// InputError naming the setting (or theta field) that makes G(theta) impossible: fewer
    /// cells than stages, an input too small to halve stages - 1 times, a bad fraction or kernel.
    void check(const GeneratorParams& theta, const Shape& input_shape) const;
};

/// Stage of each of `cells` cells in id order, by NAGO's threshold rule on normalised fractions:
/// [1/3, 1/3, 1/3] gives 4 cells [0, 0, 1, 2] and 6 cells [0, 0, 1, 1, 2, 2].
std::vector<int> stage_of_cells(int cells, int stages, const std::vector<double>& fractions);

/// The graphs a network was drawn from: for the report's drawing and for tests.
struct SampledGraphs {
    RandomDag top;
    std::vector<int> stage;                     // per cell
    std::vector<RandomDag> mid;                 // per cell
    std::vector<std::vector<RandomDag>> bottom; // per cell, per mid node
    std::vector<int> cell_output;               // per cell: the architecture node of its output
};

struct SampledArchitecture {
    Architecture architecture;
    SampledGraphs graphs;
};

/// One architecture from G(theta), every graph drawn from `rng`:
/// - stem conv-BN-ReLU-conv-BN at `width` channels;
/// - each cell, node and operation reads the merge of its inputs: an average pool on any input
///   from an earlier stage (shared per source and stage), then the input itself when there is
///   one, else a gated_sum with a 1x1 conv on any input whose channels differ from the last's;
/// - an operation is ReLU, conv (kernel, the cell's stage channels), BN;
/// - a node's output is the sum of its graph's output nodes, likewise a cell's and the network's
///   (a sum, not NAGO's mean: the ReLU-conv-BN that reads it removes any positive scale);
/// - head: ReLU, 1x1 conv, BN, ReLU, global average pool, dropout, linear.
/// Input and output nodes of every graph are chosen by node id (random_graph.hpp).
SampledArchitecture sample_architecture(const GeneratorParams& theta, const Shape& input_shape, int num_classes,
                                        const HierarchySettings& settings, GraphRng& rng);

} // namespace paretonas

#endif
