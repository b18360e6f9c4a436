/// @file generator/random_graph.hpp
/// The random-graph models that NAGO and RandWire draw networks from (Watts-Strogatz,
/// Erdos-Renyi, Barabasi-Albert), each drawn from an explicit engine so that a stored seed gives
/// back the same graph, and the conversion of an undirected graph into a DAG by node id.
/// Torch-free. Which parts come from Boost.Graph and which are written here, and why, is in
/// docs/methods/nago.md ("Random graphs").
#ifndef PARETONAS_GENERATOR_RANDOM_GRAPH_HPP
#define PARETONAS_GENERATOR_RANDOM_GRAPH_HPP

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace paretonas {

/// The engine every generator draws from. Draws go through Boost.Random's distributions, whose
/// output is specified exactly (the standard library's are not), so a seed gives the same graph
/// with any compiler.
using GraphRng = std::mt19937_64;

/// A simple undirected graph on nodes 0..nodes-1. Each edge is stored once as (u, v), u < v,
/// and the list is sorted, so equal graphs compare equal.
struct UndirectedGraph {
    int nodes = 0;
    std::vector<std::pair<int, int>> edges;

    std::vector<int> degrees() const;
    bool has_edge(int u, int v) const;
    bool operator==(const UndirectedGraph& other) const { return nodes == other.nodes && edges == other.edges; }
    bool operator!=(const UndirectedGraph& other) const { return !(*this == other); }
};

enum class GraphModel { watts_strogatz, erdos_renyi, barabasi_albert };

/// "watts_strogatz", "erdos_renyi", "barabasi_albert".
const char* graph_model_name(GraphModel model);

/// One model and its parameters; a model ignores the parameters it does not use.
struct GraphSpec {
    GraphModel model = GraphModel::watts_strogatz;
    int nodes = 1;
    int k = 2;        // WS: each node joins its k/2 nearest ring neighbours on each side
    double p = 0.5;   // WS: rewiring probability; ER: edge probability
    int m = 1;        // BA: edges of each new node

    /// "watts_strogatz(nodes=8, k=4, p=0.75)": the model with the parameters it uses.
    std::string describe() const;
    /// Throws InputError naming the parameter that is out of its domain.
    void check() const;
};

/// Watts-Strogatz: a ring lattice where each node joins its k/2 nearest neighbours on each side
/// (k is first capped at nodes - 1, as the public NAGO code does), then each lattice edge
/// (u, u + j), visited by j and then u, is rewired with probability p to (u, w) for a uniform w
/// that is neither u nor a neighbour of u (skipped when u already neighbours every node). The
/// edge count stays nodes * (k / 2).
UndirectedGraph watts_strogatz(int nodes, int k, double p, GraphRng& rng);
/// Erdos-Renyi G(n, p): each of the n(n-1)/2 edges present independently with probability p.
UndirectedGraph erdos_renyi(int nodes, double p, GraphRng& rng);
/// Barabasi-Albert as in the 1999 paper and RandWire: m nodes without edges; each next node
/// joins m distinct earlier nodes, drawn with probability proportional to their degree (the
/// first new node joins all m). m (nodes - m) edges, always connected.
UndirectedGraph barabasi_albert(int nodes, int m, GraphRng& rng);
/// Dispatches on spec.model after spec.check().
UndirectedGraph sample_graph(const GraphSpec& spec, GraphRng& rng);

/// True when every node is reachable from every other (a graph of one node is connected).
bool is_connected(const UndirectedGraph& graph);

/// Draws until the graph is connected. Throws InputError "<spec> gave no connected graph in
/// <tries> draws ..." past `tries` draws, so that a generator that cannot work is named instead of
/// looping or building a network with a dangling part.
UndirectedGraph sample_connected_graph(const GraphSpec& spec, GraphRng& rng, int tries = 100);

/// An undirected graph with every edge oriented from the lower to the higher node id.
struct RandomDag {
    /// inputs[v]: the lower-id neighbours of v, ascending.
    std::vector<std::vector<int>> inputs;
    /// Nodes of in-degree 0 and of out-degree 0, ascending by node id (a graph of one node has
    /// node 0 in both). Selected by id, not by the position of a node in some container: the
    /// public NAGO code's positional selection picks wrong output nodes in ~9% of WS graphs.
    std::vector<int> input_nodes;
    std::vector<int> output_nodes;

    int size() const { return static_cast<int>(inputs.size()); }
};

RandomDag orient_by_id(const UndirectedGraph& graph);

} // namespace paretonas

#endif
