#include <paretonas/generator/hierarchical.hpp>

#include <paretonas/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <sstream>

namespace paretonas {
namespace {

/// Adds nodes to an architecture and remembers the channels and stage of every value it made,
/// so that merges know what to pool and project without re-running shape inference.
class Builder {
public:
    Builder(Architecture& arch, const HierarchySettings& settings, int width)
        : m_arch(arch), m_settings(settings), m_width(width)
    {
        m_channels[arch.input_id()] = static_cast<int>(arch.input_shape()[0]);
        m_stage[arch.input_id()] = 0;
    }

    int stage_channels(int stage) const { return m_width << stage; }

    int add(Node node, std::vector<int> inputs, int channels, int stage)
    {
        node.inputs = std::move(inputs);
        const int id = m_arch.add_node(node);
        m_channels[id] = channels;
        m_stage[id] = stage;
        return id;
    }

    /// ReLU, conv to the stage's channels, BN: one operation of the bottom level.
    int operation(int input, int stage)
    {
        const int channels = stage_channels(stage);
        const int relu = add(op_node(OpType::relu), {input}, m_channels.at(input), stage);
        const int conv = add(conv_node(channels, m_settings.kernel), {relu}, channels, stage);
        return add(op_node(OpType::batch_norm), {conv}, channels, stage);
    }

    /// `value` at the resolution of `stage`: one average pool per source and stage, shared by
    /// every reader (floor halving composes, so one 2^d pool equals d halvings).
    int at_stage(int value, int stage)
    {
        const int from = m_stage.at(value);
        if (from >= stage) return value;
        const auto key = std::make_pair(value, stage);
        if (const auto it = m_pooled.find(key); it != m_pooled.end()) return it->second;
        const int factor = 1 << (stage - from);
        return m_pooled[key] = add(pool_node(OpType::avg_pool, factor, factor), {value}, m_channels.at(value), stage);
    }

    /// The merge NAGO puts in front of every cell, node and operation: inputs pooled to `stage`,
    /// projected by 1x1 conv to the last input's channels where they differ, then a gated sum
    /// (or a plain sum for `gated` false); a single input passes through.
    int merge(const std::vector<int>& inputs, int stage, bool gated = true)
    {
        std::vector<int> parts;
        for (int v : inputs) parts.push_back(at_stage(v, stage));
        if (parts.size() == 1) return parts.front();
        const int target = m_channels.at(parts.back());
        for (int& v : parts)
            if (m_channels.at(v) != target) v = add(conv_node(target, 1), {v}, target, stage);
        return add(op_node(gated ? OpType::gated_sum : OpType::add), parts, target, stage);
    }

    /// Builds one level: every node of `dag` reads the merge of its lower neighbours' outputs (an
    /// input node reads `input`) and computes `body`; the level's output sums its output nodes.
    int level(const RandomDag& dag, int input, int stage, const std::function<int(int node, int input)>& body)
    {
        std::vector<int> out(static_cast<std::size_t>(dag.size()));
        for (int v = 0; v < dag.size(); ++v) {
            const auto& preds = dag.inputs[static_cast<std::size_t>(v)];
            std::vector<int> sources;
            for (int p : preds) sources.push_back(out[static_cast<std::size_t>(p)]);
            out[static_cast<std::size_t>(v)] = body(v, preds.empty() ? input : merge(sources, stage));
        }
        std::vector<int> outputs;
        for (int v : dag.output_nodes) outputs.push_back(out[static_cast<std::size_t>(v)]);
        return merge(outputs, stage, /*gated=*/false);
    }

    int stage_of(int value) const { return m_stage.at(value); }
    int channels_of(int value) const { return m_channels.at(value); }

private:
    Architecture& m_arch;
    const HierarchySettings& m_settings;
    int m_width;
    std::map<int, int> m_channels, m_stage;
    std::map<std::pair<int, int>, int> m_pooled;
};

RandomDag sample_dag(const GraphSpec& spec, GraphRng& rng, int tries) { return orient_by_id(sample_connected_graph(spec, rng, tries)); }

int stem(Builder& b, int input, int channels)
{
    const int conv1 = b.add(conv_node(channels, 3), {input}, channels, 0);
    const int bn1 = b.add(op_node(OpType::batch_norm), {conv1}, channels, 0);
    const int relu = b.add(op_node(OpType::relu), {bn1}, channels, 0);
    const int conv2 = b.add(conv_node(channels, 3), {relu}, channels, 0);
    return b.add(op_node(OpType::batch_norm), {conv2}, channels, 0);
}

int head(Builder& b, int features, int channels, double dropout, int num_classes)
{
    const int stage = b.stage_of(features);
    int x = b.add(op_node(OpType::relu), {features}, b.channels_of(features), stage);
    x = b.add(conv_node(channels, 1), {x}, channels, stage);
    x = b.add(op_node(OpType::batch_norm), {x}, channels, stage);
    x = b.add(op_node(OpType::relu), {x}, channels, stage);
    x = b.add(op_node(OpType::global_avg_pool), {x}, channels, stage);
    if (dropout > 0) {
        Node drop = op_node(OpType::dropout);
        drop.rate = dropout;
        x = b.add(drop, {x}, channels, stage);
    }
    return b.add(linear_node(num_classes), {x}, num_classes, stage);
}

std::string number(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

} // namespace

void HierarchySettings::check(const GeneratorParams& theta, const Shape& input_shape) const
{
    if (stages < 1) fail("generator stages must be at least 1, got " + std::to_string(stages));
    if (!stage_fractions.empty()) {
        if (static_cast<int>(stage_fractions.size()) != stages)
            fail("generator stage_fractions needs one share per stage (" + std::to_string(stages) + "), got " + std::to_string(stage_fractions.size()));
        for (double f : stage_fractions)
            if (!(std::isfinite(f) && f > 0)) fail("generator stage_fractions must be positive, got " + number(f));
    }
    if (kernel < 1 || kernel % 2 == 0 || kernel > 7) fail("generator kernel must be 1, 3, 5 or 7, got " + std::to_string(kernel));
    if (head_channels < 0) fail("generator head_channels must be 0 (automatic) or positive, got " + std::to_string(head_channels));
    if (!(dropout >= 0 && dropout < 1)) fail("generator dropout must be in [0, 1), got " + number(dropout));
    if (graph_tries < 1) fail("generator graph_tries must be at least 1, got " + std::to_string(graph_tries));
    if (theta.top_nodes < stages)
        fail("generator theta field top_nodes = " + std::to_string(theta.top_nodes) + " gives fewer cells than the " + std::to_string(stages) + " stages");
    if (theta.width < 1) fail("generator theta field width must be at least 1, got " + std::to_string(theta.width));
    if (input_shape.size() != 3) fail("a generated network needs image input [C,H,W], got " + shape_string(input_shape));
    const std::int64_t smallest = std::min(input_shape[1], input_shape[2]);
    if (stages > 1 && (smallest >> (stages - 1)) < 1)
        fail("a " + std::to_string(input_shape[1]) + "x" + std::to_string(input_shape[2]) + " input cannot be halved " + std::to_string(stages - 1) +
             " times for " + std::to_string(stages) + " stages");
}

std::vector<int> stage_of_cells(int cells, int stages, const std::vector<double>& fractions)
{
    std::vector<double> share = fractions.empty() ? std::vector<double>(static_cast<std::size_t>(stages), 1.0) : fractions;
    const double total = std::accumulate(share.begin(), share.end(), 0.0);
    for (double& f : share) f /= total;
    std::vector<int> stage(static_cast<std::size_t>(cells));
    int current = 0;
    double threshold = share[0] * cells;
    for (int x = 0; x < cells; ++x) {
        // NAGO's rule (one step per cell once its index passes the running threshold; the
        // epsilon keeps 2/3 * 6 = 4 a threshold that cell 4 passes) ...
        if (x + 1e-9 >= threshold && current + 1 < stages) {
            ++current;
            threshold += share[static_cast<std::size_t>(current)] * cells;
        }
        // ... kept within reach of every stage: never more stages than cells so far, and the
        // last cells step up so that each stage gets at least one cell when uneven shares
        // would leave one out.
        current = std::max(current, stages - cells + x);
        stage[static_cast<std::size_t>(x)] = std::min(current, x);
    }
    return stage;
}

SampledArchitecture sample_architecture(const GeneratorParams& theta, const Shape& input_shape, int num_classes,
                                        const HierarchySettings& settings, GraphRng& rng)
{
    settings.check(theta, input_shape);
    SampledArchitecture result{Architecture(input_shape, num_classes), {}};
    SampledGraphs& graphs = result.graphs;
    Builder b(result.architecture, settings, theta.width);
    const int stem_out = stem(b, result.architecture.input_id(), b.stage_channels(0));

    graphs.top = sample_dag({GraphModel::watts_strogatz, theta.top_nodes, theta.top_k, theta.top_p, 1}, rng, settings.graph_tries);
    graphs.stage = stage_of_cells(theta.top_nodes, settings.stages, settings.stage_fractions);
    graphs.mid.resize(static_cast<std::size_t>(theta.top_nodes));
    graphs.bottom.resize(static_cast<std::size_t>(theta.top_nodes));
    std::vector<int> cell_out(static_cast<std::size_t>(theta.top_nodes));
    for (int cell = 0; cell < theta.top_nodes; ++cell) {
        const auto c = static_cast<std::size_t>(cell);
        const int stage = graphs.stage[c];
        std::vector<int> sources;
        for (int p : graphs.top.inputs[c]) sources.push_back(cell_out[static_cast<std::size_t>(p)]);
        if (sources.empty()) sources.push_back(stem_out);
        const int cell_input = b.merge(sources, stage);
        graphs.mid[c] = sample_dag({GraphModel::erdos_renyi, theta.mid_nodes, 2, theta.mid_p, 1}, rng, settings.graph_tries);
        cell_out[c] = b.level(graphs.mid[c], cell_input, stage, [&](int, int node_input) {
            graphs.bottom[c].push_back(
                sample_dag({GraphModel::watts_strogatz, theta.bottom_nodes, theta.bottom_k, theta.bottom_p, 1}, rng, settings.graph_tries));
            return b.level(graphs.bottom[c].back(), node_input, stage, [&](int, int op_input) { return b.operation(op_input, stage); });
        });
    }
    std::vector<int> outputs;
    int deepest = 0;
    for (int v : graphs.top.output_nodes) {
        outputs.push_back(cell_out[static_cast<std::size_t>(v)]);
        deepest = std::max(deepest, graphs.stage[static_cast<std::size_t>(v)]);
    }
    const int features = b.merge(outputs, deepest, /*gated=*/false);
    graphs.cell_output = cell_out;
    const int head_channels = settings.head_channels > 0 ? settings.head_channels : 2 * b.stage_channels(settings.stages - 1);
    result.architecture.set_output(head(b, features, head_channels, settings.dropout, num_classes));
    return result;
}

} // namespace paretonas
