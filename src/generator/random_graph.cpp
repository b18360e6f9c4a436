#include <paretonas/generator/random_graph.hpp>

#include <paretonas/core/error.hpp>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/erdos_renyi_generator.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <algorithm>
#include <set>
#include <sstream>

namespace paretonas {
namespace {

using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

/// Symmetric adjacency matrix: the generators add and remove edges while they draw, and graphs
/// here have tens of nodes, so a matrix is simpler and faster than an edge list.
class AdjacencyMatrix {
public:
    explicit AdjacencyMatrix(int nodes) : m_nodes(nodes), m_cells(static_cast<std::size_t>(nodes) * nodes, false) {}
    bool has(int u, int v) const { return m_cells[index(u, v)]; }
    void set(int u, int v, bool present) { m_cells[index(u, v)] = present; m_cells[index(v, u)] = present; }
    int degree(int u) const
    {
        int d = 0;
        for (int v = 0; v < m_nodes; ++v) d += has(u, v) ? 1 : 0;
        return d;
    }
    UndirectedGraph graph() const
    {
        UndirectedGraph g;
        g.nodes = m_nodes;
        for (int u = 0; u < m_nodes; ++u)
            for (int v = u + 1; v < m_nodes; ++v)
                if (has(u, v)) g.edges.emplace_back(u, v);
        return g;
    }

private:
    std::size_t index(int u, int v) const { return static_cast<std::size_t>(u) * m_nodes + v; }
    int m_nodes;
    std::vector<bool> m_cells;
};

int uniform_node(int nodes, GraphRng& rng)
{
    return boost::random::uniform_int_distribution<int>(0, nodes - 1)(rng);
}

double unit(GraphRng& rng) { return boost::random::uniform_real_distribution<double>(0.0, 1.0)(rng); }

void require_nodes(const char* model, int nodes, int at_least)
{
    if (nodes < at_least)
        fail(std::string(model) + " graph needs at least " + std::to_string(at_least) + " node" + (at_least == 1 ? "" : "s")
             + ", got nodes=" + std::to_string(nodes));
}

void require_probability(const char* model, double p)
{
    if (!(p >= 0.0 && p <= 1.0)) {
        std::ostringstream message;
        message << model << " graph needs p in [0, 1], got p=" << p;
        fail(message.str());
    }
}

} // namespace

std::vector<int> UndirectedGraph::degrees() const
{
    std::vector<int> d(static_cast<std::size_t>(nodes), 0);
    for (const auto& [u, v] : edges) {
        ++d[static_cast<std::size_t>(u)];
        ++d[static_cast<std::size_t>(v)];
    }
    return d;
}

bool UndirectedGraph::has_edge(int u, int v) const
{
    return std::binary_search(edges.begin(), edges.end(), std::make_pair(std::min(u, v), std::max(u, v)));
}

const char* graph_model_name(GraphModel model)
{
    switch (model) {
    case GraphModel::watts_strogatz: return "watts_strogatz";
    case GraphModel::erdos_renyi: return "erdos_renyi";
    case GraphModel::barabasi_albert: return "barabasi_albert";
    }
    return "unknown";
}

std::string GraphSpec::describe() const
{
    std::ostringstream text;
    text << graph_model_name(model) << "(nodes=" << nodes;
    switch (model) {
    case GraphModel::watts_strogatz: text << ", k=" << k << ", p=" << p; break;
    case GraphModel::erdos_renyi: text << ", p=" << p; break;
    case GraphModel::barabasi_albert: text << ", m=" << m; break;
    }
    text << ")";
    return text.str();
}

void GraphSpec::check() const
{
    const char* name = graph_model_name(model);
    require_nodes(name, nodes, 1);
    switch (model) {
    case GraphModel::watts_strogatz:
        if (k < 0) fail(std::string(name) + " graph needs k >= 0, got k=" + std::to_string(k));
        require_probability(name, p);
        break;
    case GraphModel::erdos_renyi: require_probability(name, p); break;
    case GraphModel::barabasi_albert:
        if (m < 1 || m >= nodes)
            fail(std::string(name) + " graph needs 1 <= m < nodes, got m=" + std::to_string(m) + " with nodes=" + std::to_string(nodes));
        break;
    }
}

UndirectedGraph watts_strogatz(int nodes, int k, double p, GraphRng& rng)
{
    GraphSpec{GraphModel::watts_strogatz, nodes, k, p, 1}.check();
    const int half = std::min(k, nodes - 1) / 2;
    AdjacencyMatrix adjacency(nodes);
    for (int u = 0; u < nodes; ++u)
        for (int j = 1; j <= half; ++j) adjacency.set(u, (u + j) % nodes, true);
    for (int j = 1; j <= half; ++j) {
        for (int u = 0; u < nodes; ++u) {
            if (unit(rng) >= p) continue;
            // A node that already neighbours every other has nowhere to rewire to.
            if (adjacency.degree(u) >= nodes - 1) continue;
            int w = uniform_node(nodes, rng);
            while (w == u || adjacency.has(u, w)) w = uniform_node(nodes, rng);
            adjacency.set(u, (u + j) % nodes, false);
            adjacency.set(u, w, true);
        }
    }
    return adjacency.graph();
}

UndirectedGraph erdos_renyi(int nodes, double p, GraphRng& rng)
{
    GraphSpec{GraphModel::erdos_renyi, nodes, 2, p, 1}.check();
    UndirectedGraph graph;
    graph.nodes = nodes;
    if (p >= 1.0) {
        // Boost's generator skips between edges with a geometric distribution, undefined at
        // p = 1 (it asserts); there every edge is present by definition.
        for (int u = 0; u < nodes; ++u)
            for (int v = u + 1; v < nodes; ++v) graph.edges.emplace_back(u, v);
        return graph;
    }
    if (p <= 0.0 || nodes < 2) return graph;
    using Iterator = boost::sorted_erdos_renyi_iterator<GraphRng, BoostGraph>;
    for (Iterator edge(rng, static_cast<std::size_t>(nodes), p), end; edge != end; ++edge) {
        const int a = static_cast<int>(edge->first), b = static_cast<int>(edge->second);
        graph.edges.emplace_back(std::min(a, b), std::max(a, b));
    }
    std::sort(graph.edges.begin(), graph.edges.end());
    return graph;
}

UndirectedGraph barabasi_albert(int nodes, int m, GraphRng& rng)
{
    GraphSpec{GraphModel::barabasi_albert, nodes, 2, 0.5, m}.check();
    AdjacencyMatrix adjacency(nodes);
    // Each node appears once per edge end it has: a uniform draw from this list is a draw
    // proportional to degree.
    std::vector<int> edge_ends;
    std::vector<int> targets(static_cast<std::size_t>(m));
    for (int i = 0; i < m; ++i) targets[static_cast<std::size_t>(i)] = i;
    for (int source = m; source < nodes; ++source) {
        for (int target : targets) {
            adjacency.set(source, target, true);
            edge_ends.push_back(target);
            edge_ends.push_back(source);
        }
        std::set<int> chosen;
        while (static_cast<int>(chosen.size()) < m)
            chosen.insert(edge_ends[static_cast<std::size_t>(uniform_node(static_cast<int>(edge_ends.size()), rng))]);
        targets.assign(chosen.begin(), chosen.end());
    }
    return adjacency.graph();
}

UndirectedGraph sample_graph(const GraphSpec& spec, GraphRng& rng)
{
    spec.check();
    switch (spec.model) {
    case GraphModel::watts_strogatz: return watts_strogatz(spec.nodes, spec.k, spec.p, rng);
    case GraphModel::erdos_renyi: return erdos_renyi(spec.nodes, spec.p, rng);
    case GraphModel::barabasi_albert: return barabasi_albert(spec.nodes, spec.m, rng);
    }
    fail("unknown graph model");
}

bool is_connected(const UndirectedGraph& graph)
{
    if (graph.nodes <= 1) return true;
    BoostGraph boost_graph(static_cast<std::size_t>(graph.nodes));
    for (const auto& [u, v] : graph.edges) boost::add_edge(static_cast<std::size_t>(u), static_cast<std::size_t>(v), boost_graph);
    std::vector<int> component(static_cast<std::size_t>(graph.nodes));
    return boost::connected_components(boost_graph, component.data()) == 1;
}

UndirectedGraph sample_connected_graph(const GraphSpec& spec, GraphRng& rng, int tries)
{
    spec.check();
    for (int attempt = 0; attempt < tries; ++attempt) {
        UndirectedGraph graph = sample_graph(spec, rng);
        if (is_connected(graph)) return graph;
    }
    const std::string hint = spec.model == GraphModel::erdos_renyi      ? "; raise p or lower nodes"
                             : spec.model == GraphModel::watts_strogatz ? "; raise k or lower p"
                                                                        : "";
    fail(spec.describe() + " gave no connected graph in " + std::to_string(tries) + " draws" + hint);
}

RandomDag orient_by_id(const UndirectedGraph& graph)
{
    RandomDag dag;
    dag.inputs.resize(static_cast<std::size_t>(graph.nodes));
    std::vector<bool> has_output(static_cast<std::size_t>(graph.nodes), false);
    for (const auto& [u, v] : graph.edges) {  // sorted, so each inputs[v] comes out ascending
        dag.inputs[static_cast<std::size_t>(v)].push_back(u);
        has_output[static_cast<std::size_t>(u)] = true;
    }
    for (int v = 0; v < graph.nodes; ++v) {
        if (dag.inputs[static_cast<std::size_t>(v)].empty()) dag.input_nodes.push_back(v);
        if (!has_output[static_cast<std::size_t>(v)]) dag.output_nodes.push_back(v);
    }
    return dag;
}

} // namespace paretonas
