#include <paretonas/core/architecture.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/json_text.hpp>

#include <algorithm>
#include <map>
#include <ostream>
#include <queue>
#include <sstream>

namespace paretonas {

namespace {

struct OpInfo {
    OpType op;
    const char* name;
};

constexpr OpInfo op_table[] = {
    {OpType::input, "input"},
    {OpType::conv, "conv"},
    {OpType::sep_conv, "sep_conv"},
    {OpType::batch_norm, "batch_norm"},
    {OpType::relu, "relu"},
    {OpType::max_pool, "max_pool"},
    {OpType::avg_pool, "avg_pool"},
    {OpType::global_avg_pool, "global_avg_pool"},
    {OpType::flatten, "flatten"},
    {OpType::linear, "linear"},
    {OpType::add, "add"},
    {OpType::concat, "concat"},
    {OpType::identity, "identity"},
    {OpType::dropout, "dropout"},
    {OpType::gated_sum, "gated_sum"},
};

std::string node_label(const Node& n) { return "node " + std::to_string(n.id) + " (" + op_name(n.op) + ")"; }

// Output size of a window op, or 0 when the window does not fit (C++ division would round a
// negative span towards zero and hide that).
std::int64_t window_out(std::int64_t size, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                        std::int64_t dilation)
{
    const std::int64_t span = size + 2 * padding - dilation * (kernel - 1) - 1;
    return span < 0 ? 0 : span / stride + 1;
}

// Bounds that keep every size computation far from overflow and every network buildable.
// With these, parameters (<= 2^48) and multiply-adds (<= 2^62) fit in int64.
constexpr int max_window = 256;                                // kernel, stride, dilation, padding
constexpr int max_channels = 1 << 16;
constexpr std::int64_t max_activation = std::int64_t{1} << 30;  // values of one node's output

// Output shape of `n` given the shapes of its inputs; throws naming the node on any mismatch.
Shape node_shape(const Node& n, const std::vector<const Shape*>& in)
{
    const auto where = node_label(n) + ": ";
    auto need_inputs = [&](std::size_t count) {
        if (in.size() != count)
            fail(where + "expects " + std::to_string(count) + " input(s), has " + std::to_string(in.size()));
    };
    auto need_map = [&] {
        if (in[0]->size() != 3)
            fail(where + "needs a [C,H,W] feature map, got " + shape_string(*in[0]));
    };
    auto spatial = [&](const Shape& s, int kernel, int stride, int padding, int dilation, int channels) {
        if (kernel < 1 || stride < 1 || dilation < 1 || padding < 0)
            fail(where + "kernel, stride and dilation must be >= 1 and padding >= 0");
        if (kernel > max_window || stride > max_window || dilation > max_window || padding > max_window)
            fail(where + "kernel, stride, dilation and padding must be <= " + std::to_string(max_window));
        if (2 * padding > kernel && (n.op == OpType::max_pool || n.op == OpType::avg_pool))
            fail(where + "padding " + std::to_string(padding) + " is too large for kernel " + std::to_string(kernel));
        Shape out{channels, window_out(s[1], kernel, stride, padding, dilation), window_out(s[2], kernel, stride, padding, dilation)};
        if (out[1] < 1 || out[2] < 1)
            fail(where + "input " + shape_string(s) + " is too small for kernel " + std::to_string(kernel) +
                 " and stride " + std::to_string(stride));
        return out;
    };
    switch (n.op) {
    case OpType::input:
        fail(where + "only node 0 may be the input");
    case OpType::conv:
    case OpType::sep_conv: {
        need_inputs(1);
        need_map();
        if (n.channels < 1 || n.channels > max_channels)
            fail(where + "channels must be in [1, " + std::to_string(max_channels) + "], got " + std::to_string(n.channels));
        const int groups = n.op == OpType::conv ? n.groups : 1;
        if (groups < 1 || (*in[0])[0] % groups != 0 || n.channels % groups != 0)
            fail(where + "groups " + std::to_string(groups) + " must divide input channels " +
                 std::to_string((*in[0])[0]) + " and output channels " + std::to_string(n.channels));
        return spatial(*in[0], n.kernel, n.stride, n.effective_padding(), n.dilation, n.channels);
    }
    case OpType::max_pool:
    case OpType::avg_pool:
        need_inputs(1);
        need_map();
        return spatial(*in[0], n.kernel, n.stride, n.pool_padding(), 1, static_cast<int>((*in[0])[0]));
    case OpType::global_avg_pool:
        need_inputs(1);
        need_map();
        return {(*in[0])[0]};
    case OpType::flatten: {
        need_inputs(1);
        std::int64_t total = 1;
        for (auto d : *in[0]) total *= d;
        return {total};
    }
    case OpType::linear:
        need_inputs(1);
        if (in[0]->size() != 1)
            fail(where + "needs a vector input (add global_avg_pool or flatten first), got " + shape_string(*in[0]));
        if (n.channels < 1 || n.channels > max_channels)
            fail(where + "features must be in [1, " + std::to_string(max_channels) + "], got " + std::to_string(n.channels));
        return {n.channels};
    case OpType::batch_norm:
    case OpType::relu:
    case OpType::identity:
    case OpType::dropout:
        need_inputs(1);
        if (n.op == OpType::dropout && !(n.rate >= 0.0 && n.rate < 1.0))
            fail(where + "rate must be in [0, 1), got " + std::to_string(n.rate));
        return *in[0];
    case OpType::add:
        if (in.size() < 2) fail(where + "needs at least 2 inputs, has " + std::to_string(in.size()));
        for (std::size_t i = 1; i < in.size(); ++i) {
            if (in[i]->size() == in[0]->size() && (*in[i])[0] != (*in[0])[0])
                fail(where + "channel mismatch: " + std::to_string((*in[0])[0]) + " vs " + std::to_string((*in[i])[0]));
            if (*in[i] != *in[0])
                fail(where + "shape mismatch: " + shape_string(*in[0]) + " vs " + shape_string(*in[i]));
        }
        return *in[0];
    case OpType::gated_sum:
        if (in.empty()) fail(where + "needs at least 1 input, has 0");
        for (std::size_t i = 1; i < in.size(); ++i)
            if (*in[i] != *in[0]) fail(where + "shape mismatch: " + shape_string(*in[0]) + " vs " + shape_string(*in[i]));
        return *in[0];
    case OpType::concat: {
        if (in.size() < 2) fail(where + "needs at least 2 inputs, has " + std::to_string(in.size()));
        Shape out = *in[0];
        for (std::size_t i = 1; i < in.size(); ++i) {
            if (in[i]->size() != out.size())
                fail(where + "rank mismatch: " + shape_string(out) + " vs " + shape_string(*in[i]));
            if (!std::equal(out.begin() + 1, out.end(), in[i]->begin() + 1))
                fail(where + "spatial mismatch: " + shape_string(*in[0]) + " vs " + shape_string(*in[i]));
            out[0] += (*in[i])[0];
        }
        return out;
    }
    }
    fail(where + "unknown op");
}

} // namespace

const char* op_name(OpType op)
{
    for (const auto& info : op_table)
        if (info.op == op) return info.name;
    return "?";
}

OpType op_from_name(const std::string& name)
{
    for (const auto& info : op_table)
        if (name == info.name) return info.op;
    std::string known;
    for (const auto& info : op_table) known += std::string(known.empty() ? "" : ", ") + info.name;
    fail("unknown op '" + quoted_excerpt(name) + "' (known: " + known + ")");
}

bool has_parameters(OpType op)
{
    return op == OpType::conv || op == OpType::sep_conv || op == OpType::batch_norm || op == OpType::linear ||
           op == OpType::gated_sum;
}

bool Node::operator==(const Node& o) const
{
    return id == o.id && op == o.op && inputs == o.inputs && channels == o.channels && kernel == o.kernel &&
           stride == o.stride && padding == o.padding && groups == o.groups && dilation == o.dilation &&
           bias == o.bias && rate == o.rate;
}

std::string shape_string(const Shape& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

Architecture::Architecture(Shape input_shape, int num_classes) : m_num_classes(num_classes)
{
    set_input_shape(std::move(input_shape));
    if (num_classes < 1) fail("num_classes must be >= 1, got " + std::to_string(num_classes));
    Node input;
    input.id = 0;
    input.op = OpType::input;
    m_nodes.push_back(input);
}

void Architecture::set_input_shape(Shape shape)
{
    constexpr std::int64_t max_side = 1 << 16, max_values = std::int64_t{1} << 28;
    if (shape.size() != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1 || shape[0] > max_channels ||
        shape[1] > max_side || shape[2] > max_side || shape[0] * shape[1] * shape[2] > max_values)
        fail("input shape must be [C,H,W] with positive sizes and at most 2^28 values, got " + shape_string(shape));
    m_input_shape = std::move(shape);
}

int Architecture::add_node(Node node)
{
    if (node.op == OpType::input) fail("an architecture has exactly one input node (id 0)");
    node.id = m_next_id++;
    m_nodes.push_back(std::move(node));
    return m_nodes.back().id;
}

int Architecture::append(Node node, int input)
{
    node.inputs = {input};
    const int id = add_node(std::move(node));
    m_output = id;
    return id;
}

std::size_t Architecture::index_of(int id) const
{
    auto it = std::lower_bound(m_nodes.begin(), m_nodes.end(), id, [](const Node& n, int v) { return n.id < v; });
    if (it == m_nodes.end() || it->id != id) fail("no node with id " + std::to_string(id));
    return static_cast<std::size_t>(it - m_nodes.begin());
}

bool Architecture::contains(int id) const
{
    auto it = std::lower_bound(m_nodes.begin(), m_nodes.end(), id, [](const Node& n, int v) { return n.id < v; });
    return it != m_nodes.end() && it->id == id;
}

Node& Architecture::node(int id) { return m_nodes[index_of(id)]; }
const Node& Architecture::node(int id) const { return m_nodes[index_of(id)]; }

void Architecture::remove_node(int id)
{
    if (id == 0) fail("cannot remove the input node");
    m_nodes.erase(m_nodes.begin() + static_cast<std::ptrdiff_t>(index_of(id)));
}

std::vector<int> Architecture::consumers(int id) const
{
    std::vector<int> out;
    for (const auto& n : m_nodes)
        if (std::find(n.inputs.begin(), n.inputs.end(), id) != n.inputs.end()) out.push_back(n.id);
    return out;
}

void Architecture::redirect(int from, int to, int except_consumer)
{
    for (auto& n : m_nodes) {
        if (n.id == except_consumer) continue;
        std::replace(n.inputs.begin(), n.inputs.end(), from, to);
    }
    if (m_output == from) m_output = to;
}

void Architecture::set_output(int id)
{
    index_of(id);
    m_output = id;
}

std::vector<int> Architecture::topological_order() const
{
    std::vector<int> pending(m_nodes.size(), 0);
    std::vector<std::vector<std::size_t>> readers(m_nodes.size());
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
        for (int in : m_nodes[i].inputs) {
            if (!contains(in))
                fail(node_label(m_nodes[i]) + ": input " + std::to_string(in) + " does not exist");
            readers[index_of(in)].push_back(i);
            ++pending[i];
        }
    }
    std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
    for (std::size_t i = 0; i < m_nodes.size(); ++i)
        if (pending[i] == 0) ready.push(i);
    std::vector<int> order;
    while (!ready.empty()) {
        const auto i = ready.top();
        ready.pop();
        order.push_back(m_nodes[i].id);
        for (auto r : readers[i])
            if (--pending[r] == 0) ready.push(r);
    }
    if (order.size() != m_nodes.size()) {
        for (std::size_t i = 0; i < m_nodes.size(); ++i)
            if (pending[i] > 0) fail("cycle in architecture through " + node_label(m_nodes[i]));
    }
    return order;
}

std::vector<Shape> Architecture::infer_shapes() const
{
    const auto order = topological_order();
    std::vector<Shape> shapes(m_nodes.size());
    std::vector<bool> used(m_nodes.size(), false);
    for (int id : order) {
        const auto i = index_of(id);
        const Node& n = m_nodes[i];
        if (i == 0) {
            if (n.op != OpType::input || !n.inputs.empty()) fail("node 0 must be the input node with no inputs");
            shapes[i] = m_input_shape;
            continue;
        }
        if (n.inputs.empty()) fail(node_label(n) + ": has no inputs");
        std::vector<const Shape*> in;
        for (int src : n.inputs) {
            const auto j = index_of(src);
            used[j] = true;
            in.push_back(&shapes[j]);
        }
        shapes[i] = node_shape(n, in);
        std::int64_t values = 1;
        for (auto d : shapes[i]) values *= d;
        if (values > max_activation)
            fail(node_label(n) + ": output " + shape_string(shapes[i]) + " has more than 2^30 values per image");
    }
    for (std::size_t i = 0; i < m_nodes.size(); ++i)
        if (!used[i] && m_nodes[i].id != m_output)
            fail("dangling " + node_label(m_nodes[i]) + ": its output is never used");
    const Shape& out = shapes[index_of(m_output)];
    if (out != Shape{m_num_classes})
        fail("output node " + std::to_string(m_output) + " has shape " + shape_string(out) + ", expected [" +
             std::to_string(m_num_classes) + "] class scores");
    return shapes;
}

Shape Architecture::shape_of(int id) const { return infer_shapes()[index_of(id)]; }

bool Architecture::operator==(const Architecture& o) const
{
    return m_input_shape == o.m_input_shape && m_num_classes == o.m_num_classes && m_nodes == o.m_nodes &&
           m_output == o.m_output;
}

std::ostream& operator<<(std::ostream& os, const Architecture& arch)
{
    const auto shapes = arch.infer_shapes();
    for (std::size_t i = 0; i < arch.nodes().size(); ++i) {
        const Node& n = arch.nodes()[i];
        os << n.id << ' ' << op_name(n.op);
        if (n.op == OpType::conv || n.op == OpType::sep_conv) os << ' ' << n.kernel << 'x' << n.kernel << '/' << n.stride;
        os << " <-";
        for (int in : n.inputs) os << ' ' << in;
        os << " : " << shape_string(shapes[i]) << '\n';
    }
    return os;
}

} // namespace paretonas
