// The random-graph models are checked by the statistics that define them, over many seeded
// draws: ER's edge count and binomial degrees, WS's constant edge count and rewired fraction,
// BA's preferential attachment (exact probabilities on a 4-node case).
#include <paretonas/core/error.hpp>
#include <paretonas/generator/random_graph.hpp>

#include "common/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

using namespace paretonas;

namespace {

/// Simple: no self-loop, no duplicate edge, u < v, sorted, ids in range.
void expect_simple(const UndirectedGraph& g)
{
    std::set<std::pair<int, int>> seen;
    for (const auto& [u, v] : g.edges) {
        EXPECT_LT(u, v);
        EXPECT_GE(u, 0);
        EXPECT_LT(v, g.nodes);
        EXPECT_TRUE(seen.insert({u, v}).second) << u << "-" << v << " twice";
    }
    EXPECT_TRUE(std::is_sorted(g.edges.begin(), g.edges.end()));
}

double binomial(int n, int k, double p)
{
    return std::exp(std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1)) * std::pow(p, k) * std::pow(1 - p, n - k);
}

} // namespace

TEST(RandomGraph, ErdosRenyiEdgeCountAndDegreesFollowTheBinomial)
{
    const int n = 10, draws = 4000;
    const double p = 0.3;
    GraphRng rng(7);
    double edges = 0;
    std::map<int, int> degree_counts;
    for (int i = 0; i < draws; ++i) {
        const UndirectedGraph g = erdos_renyi(n, p, rng);
        expect_simple(g);
        edges += static_cast<double>(g.edges.size());
        for (int d : g.degrees()) ++degree_counts[d];
    }
    // 45 possible edges: mean 13.5, standard error of the mean 3.07 / sqrt(4000) = 0.049.
    EXPECT_NEAR(edges / draws, p * n * (n - 1) / 2, 0.25);
    for (int d = 0; d < n; ++d)  // standard error of each share <= 0.0025
        EXPECT_NEAR(degree_counts[d] / double(n * draws), binomial(n - 1, d, p), 0.0125) << "degree " << d;
}

TEST(RandomGraph, ErdosRenyiAtTheEndsOfPIsEmptyOrComplete)
{
    GraphRng rng(1);
    EXPECT_TRUE(erdos_renyi(6, 0.0, rng).edges.empty());
    EXPECT_EQ(erdos_renyi(6, 1.0, rng).edges.size(), 15u);
    EXPECT_TRUE(erdos_renyi(1, 0.7, rng).edges.empty());
}

TEST(RandomGraph, WattsStrogatzWithoutRewiringIsTheRingLattice)
{
    GraphRng rng(3);
    const UndirectedGraph g = watts_strogatz(6, 4, 0.0, rng);
    const std::vector<std::pair<int, int>> lattice{{0, 1}, {0, 2}, {0, 4}, {0, 5}, {1, 2}, {1, 3},
                                                   {1, 5}, {2, 3}, {2, 4}, {3, 4}, {3, 5}, {4, 5}};
    EXPECT_EQ(g.edges, lattice);
    // k is capped at nodes - 1 as in the public code: 3 nodes with k = 5 form a triangle.
    EXPECT_EQ(watts_strogatz(3, 5, 0.0, rng).edges.size(), 3u);
}

TEST(RandomGraph, WattsStrogatzKeepsItsEdgeCountAndRewiresAFractionP)
{
    const int n = 200, k = 4, draws = 40;
    const double p = 0.3;
    GraphRng rng(11);
    double missing_lattice_edges = 0;
    for (int i = 0; i < draws; ++i) {
        const UndirectedGraph g = watts_strogatz(n, k, p, rng);
        expect_simple(g);
        ASSERT_EQ(g.edges.size(), static_cast<std::size_t>(n * k / 2));
        for (int u = 0; u < n; ++u)
            for (int j = 1; j <= k / 2; ++j) missing_lattice_edges += g.has_edge(u, (u + j) % n) ? 0 : 1;
    }
    // 16,000 lattice edges, each rewired with probability p (a rewired edge lands back on a
    // lattice position with probability ~ 4/200, which lowers the share a little).
    EXPECT_NEAR(missing_lattice_edges / (draws * n * k / 2), p, 0.02);
}

TEST(RandomGraph, WattsStrogatzOfSmallGraphsStaysSimpleWhenEveryNodeIsFull)
{
    GraphRng rng(5);
    for (int i = 0; i < 500; ++i) {
        const UndirectedGraph g = watts_strogatz(4, 3, 1.0, rng);  // a 4-ring, every edge up for rewiring
        expect_simple(g);
        EXPECT_EQ(g.edges.size(), 4u);
    }
}

TEST(RandomGraph, BarabasiAlbertAttachesInProportionToDegree)
{
    // Node 1 joins node 0; node 2 joins 0 or 1 (1/2 each); node 3 then joins the node of degree
    // 2 with probability 1/2: P(node 3 -> 0) = P(-> 1) = 3/8 and P(-> 2) = 1/4.
    GraphRng rng(13);
    std::map<int, int> target_of_last;
    const int draws = 8000;
    for (int i = 0; i < draws; ++i) {
        const UndirectedGraph g = barabasi_albert(4, 1, rng);
        ASSERT_EQ(g.edges.size(), 3u);
        for (const auto& [u, v] : g.edges)
            if (v == 3) ++target_of_last[u];
    }
    EXPECT_NEAR(target_of_last[0] / double(draws), 0.375, 0.02);
    EXPECT_NEAR(target_of_last[1] / double(draws), 0.375, 0.02);
    EXPECT_NEAR(target_of_last[2] / double(draws), 0.25, 0.02);
}

TEST(RandomGraph, BarabasiAlbertHasMTimesNMinusMEdgesAndIsConnected)
{
    GraphRng rng(17);
    for (int i = 0; i < 200; ++i) {
        const UndirectedGraph g = barabasi_albert(30, 3, rng);
        expect_simple(g);
        EXPECT_EQ(g.edges.size(), 3u * 27u);
        EXPECT_TRUE(is_connected(g));
        const auto degree = g.degrees();
        for (int v = 3; v < 30; ++v) EXPECT_GE(degree[static_cast<std::size_t>(v)], 3);
    }
}

TEST(RandomGraph, TheSameSeedGivesTheSameGraph)
{
    GraphRng a(99), b(99);
    const GraphSpec spec{GraphModel::watts_strogatz, 10, 4, 0.5, 1};
    EXPECT_EQ(sample_graph(spec, a), sample_graph(spec, b));
    EXPECT_NE(sample_graph(spec, a), sample_graph(spec, a));  // the engine moved on (fixed seed: no flake)
}

TEST(RandomGraph, ConnectivityIsCheckedAndResampledWithinBoundedDraws)
{
    EXPECT_TRUE(is_connected(UndirectedGraph{1, {}}));
    EXPECT_FALSE(is_connected(UndirectedGraph{4, {{0, 1}, {2, 3}}}));
    EXPECT_TRUE(is_connected(UndirectedGraph{4, {{0, 1}, {1, 3}, {2, 3}}}));

    GraphRng rng(23);
    const GraphSpec sparse{GraphModel::erdos_renyi, 10, 2, 0.15, 1};  // connected in a small share of draws
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(is_connected(sample_connected_graph(sparse, rng, 1000)));

    const GraphSpec hopeless{GraphModel::erdos_renyi, 10, 2, 0.01, 1};
    try {
        sample_connected_graph(hopeless, rng, 100);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "erdos_renyi(nodes=10, p=0.01) gave no connected graph in 100 draws; raise p or lower nodes");
    }
}

TEST(RandomGraph, ParametersOutsideTheirDomainAreNamed)
{
    GraphRng rng(1);
    const auto message = [&](const GraphSpec& spec) { return test::error_message([&] { sample_graph(spec, rng); }); };
    EXPECT_EQ(message({GraphModel::barabasi_albert, 3, 2, 0.5, 3}), "barabasi_albert graph needs 1 <= m < nodes, got m=3 with nodes=3");
    EXPECT_EQ(message({GraphModel::erdos_renyi, 5, 2, 1.5, 1}), "erdos_renyi graph needs p in [0, 1], got p=1.5");
    EXPECT_EQ(message({GraphModel::watts_strogatz, 0, 2, 0.5, 1}), "watts_strogatz graph needs at least 1 node, got nodes=0");
    EXPECT_EQ(message({GraphModel::watts_strogatz, 5, -1, 0.5, 1}), "watts_strogatz graph needs k >= 0, got k=-1");
}

TEST(RandomGraph, OrientingByIdSelectsInputsAndOutputsByNodeId)
{
    // Node 1 has no higher neighbour: an output although it is not the last node.
    const RandomDag dag = orient_by_id(UndirectedGraph{4, {{0, 1}, {0, 2}, {2, 3}}});
    EXPECT_EQ(dag.inputs, (std::vector<std::vector<int>>{{}, {0}, {0}, {2}}));
    EXPECT_EQ(dag.input_nodes, std::vector<int>{0});
    EXPECT_EQ(dag.output_nodes, (std::vector<int>{1, 3}));

    const RandomDag two_inputs = orient_by_id(UndirectedGraph{4, {{0, 2}, {1, 2}, {1, 3}, {2, 3}}});
    EXPECT_EQ(two_inputs.inputs[3], (std::vector<int>{1, 2}));
    EXPECT_EQ(two_inputs.input_nodes, (std::vector<int>{0, 1}));
    EXPECT_EQ(two_inputs.output_nodes, std::vector<int>{3});

    const RandomDag single = orient_by_id(UndirectedGraph{1, {}});
    EXPECT_EQ(single.input_nodes, std::vector<int>{0});
    EXPECT_EQ(single.output_nodes, std::vector<int>{0});
}
