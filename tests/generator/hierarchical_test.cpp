#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/generator/generator_costs.hpp>
#include <paretonas/generator/hierarchical.hpp>

#include "common/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <set>

using namespace paretonas;

namespace {

const Shape kImage{1, 28, 28};

/// Follows `id` back through the pools and 1x1 projections a merge puts in front of a value.
int source_of(const Architecture& arch, int id)
{
    const Node& n = arch.node(id);
    if (n.op == OpType::avg_pool || (n.op == OpType::conv && n.kernel == 1)) return source_of(arch, n.inputs.front());
    return id;
}

/// The value the network's head reads (relu <- bn <- conv1x1 <- relu <- it, before the pooling).
int head_input(const Architecture& arch)
{
    int x = -1;
    for (const auto& n : arch.nodes())
        if (n.op == OpType::global_avg_pool) x = n.id;
    for (int steps = 0; steps < 5; ++steps) x = arch.node(x).inputs.front();
    return x;
}

/// The cell outputs the head reads: the one cell output itself, or the inputs of the sum of the
/// output cells (each behind the pool and projection of a merge).
std::set<int> head_sources(const Architecture& arch, std::size_t output_cells)
{
    const int features = head_input(arch);
    if (output_cells == 1) return {source_of(arch, features)};
    std::set<int> sources;
    EXPECT_EQ(arch.node(features).op, OpType::add);
    for (int in : arch.node(features).inputs) sources.insert(source_of(arch, in));
    return sources;
}


} // namespace

TEST(Hierarchical, StagesFollowNormalisedFractionsAndAreNeverEmpty)
{
    EXPECT_EQ(stage_of_cells(3, 3, {}), (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(stage_of_cells(4, 3, {}), (std::vector<int>{0, 0, 1, 2}));
    EXPECT_EQ(stage_of_cells(6, 3, {}), (std::vector<int>{0, 0, 1, 1, 2, 2}));
    EXPECT_EQ(stage_of_cells(10, 3, {}), (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}));
    // NAGO's released 1.0 per stage, normalised, is the equal split, not "all in stage 0".
    EXPECT_EQ(stage_of_cells(6, 3, {1.0, 1.0, 1.0}), (std::vector<int>{0, 0, 1, 1, 2, 2}));
    EXPECT_EQ(stage_of_cells(4, 3, {0.8, 0.1, 0.1}), (std::vector<int>{0, 0, 1, 2}));
    std::mt19937_64 rng(8);
    std::uniform_real_distribution<double> share(0.01, 1.0);
    for (int stages = 1; stages <= 4; ++stages)
        for (int cells = stages; cells <= 10; ++cells)
            for (int draw = 0; draw < 50; ++draw) {
                std::vector<double> fractions;  // equal shares first, then random uneven ones
                for (int k = 0; draw > 0 && k < stages; ++k) fractions.push_back(share(rng));
                const auto s = stage_of_cells(cells, stages, fractions);
                EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
                EXPECT_EQ(s.front(), 0);
                EXPECT_EQ(std::set<int>(s.begin(), s.end()).size(), static_cast<std::size_t>(stages)) << cells << " cells";
            }
}

TEST(Hierarchical, AThousandRandomGeneratorsGiveValidStagedNetworksWithOutputsById)
{
    const GeneratorSpace space;
    GraphRng rng(2024);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const HierarchySettings settings;
    for (int draw = 0; draw < 1000; ++draw) {
        std::vector<double> u(GeneratorParams::dimensions);
        for (double& v : u) v = unit(rng);
        const GeneratorParams theta = space.from_unit(u);
        const SampledArchitecture sampled = sample_architecture(theta, kImage, 10, settings, rng);
        const Architecture& arch = sampled.architecture;
        const auto shapes = arch.infer_shapes();  // throws on an invalid graph
        ASSERT_EQ(shapes[arch.index_of(arch.output_id())], Shape{10});
        std::set<std::int64_t> resolutions;
        int operations = 0;
        for (std::size_t i = 0; i < arch.nodes().size(); ++i) {
            const Node& n = arch.nodes()[i];
            if (n.op == OpType::conv && n.kernel == 3) {
                resolutions.insert(shapes[i][1]);
                const int stage = static_cast<int>(std::log2(28 / shapes[i][1]));
                EXPECT_EQ(shapes[i][0], theta.width << stage);  // channels 1:2:4
                ++operations;
            }
        }
        ASSERT_EQ(resolutions, (std::set<std::int64_t>{28, 14, 7})) << draw;
        EXPECT_EQ(operations, 2 + theta.top_nodes * theta.mid_nodes * theta.bottom_nodes);  // 2: the stem
        std::set<int> expected;
        for (int v : sampled.graphs.top.output_nodes) expected.insert(sampled.graphs.cell_output[static_cast<std::size_t>(v)]);
        ASSERT_EQ(head_sources(arch, sampled.graphs.top.output_nodes.size()), expected) << draw;
    }
}

TEST(Hierarchical, TheSameSeedGivesTheSameNetworkAndCostGrowsWithWidth)
{
    GeneratorParams theta;
    GraphRng a(5), b(5);
    const auto first = sample_architecture(theta, kImage, 10, {}, a).architecture;
    EXPECT_EQ(first.to_json(), sample_architecture(theta, kImage, 10, {}, b).architecture.to_json());
    GeneratorParams wide = theta;
    wide.width = 2 * theta.width;
    GraphRng c(5);
    const auto doubled = sample_architecture(wide, kImage, 10, {}, c).architecture;
    EXPECT_GT(parameter_count(doubled), 3 * parameter_count(first));  // convs grow with width^2
}

TEST(Hierarchical, OneNodeCellsAndGatedMergesAppearWhereTheGraphsSayTheyDo)
{
    GeneratorParams theta;
    theta.top_nodes = 3;
    theta.mid_nodes = 1;
    theta.bottom_nodes = 3;
    theta.bottom_k = 2;
    theta.bottom_p = 0.1;
    GraphRng rng(9);
    const auto sampled = sample_architecture(theta, kImage, 10, {}, rng);
    int gated_inputs = 0;
    for (const auto& n : sampled.architecture.nodes())
        if (n.op == OpType::gated_sum) gated_inputs += static_cast<int>(n.inputs.size());
    // Each merge of k > 1 inputs is a gated_sum with k inputs: count the edges into nodes of
    // in-degree > 1 over every graph's DAG.
    int expected = 0;
    const auto count = [&](const RandomDag& dag) {
        for (const auto& in : dag.inputs) expected += in.size() > 1 ? static_cast<int>(in.size()) : 0;
    };
    count(sampled.graphs.top);
    for (const auto& cell : sampled.graphs.bottom)
        for (const auto& dag : cell) count(dag);
    EXPECT_EQ(gated_inputs, expected);
    EXPECT_EQ(sampled.graphs.mid.front().size(), 1);
}

TEST(Hierarchical, ImpossibleGeneratorsAreNamed)
{
    GraphRng rng(1);
    GeneratorParams theta;
    theta.top_nodes = 2;
    EXPECT_EQ(test::error_message([&] { sample_architecture(theta, kImage, 10, {}, rng); }),
              "generator theta field top_nodes = 2 gives fewer cells than the 3 stages");
    HierarchySettings deep;
    deep.stages = 6;
    theta.top_nodes = 6;
    EXPECT_EQ(test::error_message([&] { sample_architecture(theta, kImage, 10, deep, rng); }), "a 28x28 input cannot be halved 5 times for 6 stages");
    GeneratorParams sparse;
    sparse.mid_nodes = 10;
    sparse.mid_p = 0.01;
    EXPECT_EQ(test::error_message([&] { sample_architecture(sparse, kImage, 10, {}, rng); }),
              "erdos_renyi(nodes=10, p=0.01) gave no connected graph in 1000 draws; raise p or lower nodes");
    HierarchySettings fractions;
    fractions.stage_fractions = {0.5, 0.5};
    EXPECT_EQ(test::error_message([&] { sample_architecture(GeneratorParams{}, kImage, 10, fractions, rng); }),
              "generator stage_fractions needs one share per stage (3), got 2");
}

TEST(GeneratorCosts, AreTheMeanLog10CostsOfReproducibleDrawsAndNameLatency)
{
    GeneratorCostEstimator estimator({}, kImage, 10, {Objective::error, Objective::params, Objective::madds}, 3);
    GeneratorParams theta;
    const auto costs = estimator.costs(theta, {8, 11});
    ASSERT_EQ(costs.size(), 2u);
    GeneratorCostEstimator again({}, kImage, 10, {Objective::error, Objective::params, Objective::madds}, 3);
    EXPECT_EQ(again.costs(theta, {8, 11}), costs);  // draws depend on theta alone
    // The estimate lies between the cheapest and the dearest of many draws of the same theta.
    GraphRng rng(77);
    double lowest = 1e9, highest = 0;
    for (int i = 0; i < 50; ++i) {
        const double p = std::log10(double(parameter_count(sample_architecture(theta, kImage, 10, {}, rng).architecture)));
        lowest = std::min(lowest, p);
        highest = std::max(highest, p);
    }
    EXPECT_GE(costs[0], lowest);
    EXPECT_LE(costs[0], highest);
    GeneratorParams sparse;
    sparse.mid_nodes = 10;
    sparse.mid_p = 0.01;
    EXPECT_EQ(estimator.costs(sparse, {8, 11}), (ObjectiveVector{8, 11}));  // cannot connect: the given point
    EXPECT_EQ(test::error_message([] { require_estimable_costs({Objective::error, Objective::latency}); }),
              "nago estimates a generator's costs from sampled architectures without running them; latency is not one of them (use params or madds)");
}
