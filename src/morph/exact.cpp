// Exact (function-preserving) network morphisms: deepen, widen, additive and concatenation skips.
#include <paretonas/core/error.hpp>
#include <paretonas/morph/morphism.hpp>

#include "edit.hpp"

#include <algorithm>
#include <numeric>

namespace paretonas {

namespace {

using detail::is_feature_map;
using detail::succeeds;

// An identity linear costs width^2 parameters: after a wide flatten it would dwarf the network.
constexpr std::int64_t kMaxHeadDeepenWidth = 2048;

// Nodes whose output is never negative: what a ReLU produces, and pools, concats and
// identities of such values. Inserting conv-BN-ReLU after these is exact (ReLU is idempotent).
std::vector<bool> non_negative(const Architecture& arch)
{
    std::vector<bool> nonneg(arch.nodes().size(), false);
    for (int id : arch.topological_order()) {
        const Node& n = arch.node(id);
        bool all_inputs = !n.inputs.empty();
        for (int in : n.inputs) all_inputs = all_inputs && nonneg[arch.index_of(in)];
        switch (n.op) {
        case OpType::relu: nonneg[arch.index_of(id)] = true; break;
        case OpType::max_pool:
        case OpType::avg_pool:
        case OpType::concat:
        case OpType::global_avg_pool:
        case OpType::flatten:
        case OpType::identity:
        case OpType::dropout: nonneg[arch.index_of(id)] = all_inputs; break;
        default: break;
        }
    }
    return nonneg;
}

MorphResult start(const Architecture& parent, MorphOp op, int node, int other = -1, int size = 0)
{
    return detail::start_edit(parent, op, node, other, size);
}

MorphResult finish(const Architecture& parent, MorphResult r) { return detail::finish_edit(parent, std::move(r)); }

// Max pools that bring `from`'s map down to `to`'s size; returns the node to read, and records
// the pools as carrying `from`'s channels.
int bridge_spatial(MorphResult& r, int from, int to)
{
    const Shape a = r.child.shape_of(from), b = r.child.shape_of(to);
    int source = from;
    for (std::int64_t h = a[1], w = a[2]; h > b[1] || w > b[2]; h /= 2, w /= 2) {
        Node pool = pool_node(OpType::max_pool, 2, 2);
        pool.inputs = {source};
        source = r.child.add_node(pool);
        r.origin[source] = {from, identity_channels(a[0])};
    }
    return source;
}

bool spatially_bridgeable(const Shape& from, const Shape& to)
{
    for (std::int64_t ratio = 1; ratio <= 8; ratio *= 2) {
        // Floor division matches what a chain of 2x2/2 max pools produces.
        std::int64_t h = from[1], w = from[2];
        for (std::int64_t k = 1; k < ratio; k *= 2) h /= 2, w /= 2;
        if (h == to[1] && w == to[2]) return true;
    }
    return false;
}

void require_skip_site(const Architecture& parent, int from, int to, const std::string& op)
{
    const auto sites = skip_sites(parent);
    if (std::find(sites.begin(), sites.end(), std::make_pair(from, to)) == sites.end())
        fail(op + ": no skip from node " + std::to_string(from) + " to node " + std::to_string(to) +
             " (it must run forward between feature maps whose sizes max pools can match)");
}

} // namespace

std::vector<int> deepen_sites(const Architecture& arch)
{
    const auto shapes = arch.infer_shapes();
    const auto nonneg = non_negative(arch);
    std::vector<int> sites;
    for (std::size_t i = 0; i < arch.nodes().size(); ++i)
        if (nonneg[i] && arch.nodes()[i].id != arch.output_id() && (is_feature_map(shapes[i]) || shapes[i][0] <= kMaxHeadDeepenWidth))
            sites.push_back(arch.nodes()[i].id);
    return sites;
}

MorphResult deepen(const Architecture& parent, int after, int kernel)
{
    auto r = start(parent, MorphOp::deepen, after, -1, kernel);
    if (kernel < 1 || kernel % 2 == 0 || kernel > 7) fail("deepen: kernel must be 1, 3, 5 or 7, got " + std::to_string(kernel));
    const auto sites = deepen_sites(parent);
    if (std::find(sites.begin(), sites.end(), after) == sites.end())
        fail("deepen: node " + std::to_string(after) + " is not a valid site (its output may be negative, or it is the output)");
    const Shape shape = parent.shape_of(after);
    const auto channels = shape[0];
    if (!is_feature_map(shape)) {
        // In the head: linear(identity) + relu, which ReLU's idempotence on non-negative inputs
        // makes exact in training mode too.
        r.applied.size = 0;
        const int linear = r.child.add_node([&] { Node n = linear_node(static_cast<int>(channels)); n.inputs = {after}; return n; }());
        const int relu = r.child.add_node([&] { Node n = op_node(OpType::relu); n.inputs = {linear}; return n; }());
        r.child.redirect(after, relu, linear);
        for (int id : {linear, relu}) r.origin[id] = {after, identity_channels(channels)};
        r.new_nodes[linear] = NewNodeInit::identity;
        return finish(parent, std::move(r));
    }
    const int conv = r.child.add_node([&] { Node n = conv_node(static_cast<int>(channels), kernel); n.inputs = {after}; return n; }());
    const int bn = r.child.add_node([&] { Node n = op_node(OpType::batch_norm); n.inputs = {conv}; return n; }());
    const int relu = r.child.add_node([&] { Node n = op_node(OpType::relu); n.inputs = {bn}; return n; }());
    r.child.redirect(after, relu, conv);
    for (int id : {conv, bn, relu}) r.origin[id] = {after, identity_channels(channels)};
    r.new_nodes[conv] = NewNodeInit::identity;
    r.new_nodes[bn] = NewNodeInit::identity;
    return finish(parent, std::move(r));
}

std::vector<int> widen_sites(const Architecture& parent)
{
    std::vector<int> sites;
    for (const auto& n : parent.nodes()) {
        const bool widenable = (n.op == OpType::conv && n.groups == 1) || n.op == OpType::sep_conv || n.op == OpType::linear;
        if (widenable && succeeds([&] { widen(parent, n.id, n.channels + 1); })) sites.push_back(n.id);
    }
    return sites;
}

MorphResult widen(const Architecture& parent, int node, int width)
{
    auto r = start(parent, MorphOp::widen, node, -1, width);
    Node& n = r.child.node(node);
    if (n.op != OpType::conv && n.op != OpType::sep_conv && n.op != OpType::linear)
        fail("widen: node " + std::to_string(node) + " is a " + op_name(n.op) + ", not a conv or linear layer");
    if (n.op == OpType::conv && n.groups != 1) fail("widen: node " + std::to_string(node) + " is a grouped conv");
    if (width <= n.channels)
        fail("widen: node " + std::to_string(node) + " has " + std::to_string(n.channels) + " channels; new width " +
             std::to_string(width) + " must be larger");
    n.channels = width;
    return detail::finish_edit(parent, std::move(r), "widen: node " + std::to_string(node) + " cannot grow");
}

std::vector<std::pair<int, int>> skip_sites(const Architecture& parent)
{
    const auto shapes = parent.infer_shapes();
    const auto order = parent.topological_order();
    std::vector<std::pair<int, int>> sites;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const Shape& from = shapes[parent.index_of(order[i])];
        if (!is_feature_map(from)) continue;
        for (std::size_t j = i + 1; j < order.size(); ++j) {
            const Shape& to = shapes[parent.index_of(order[j])];
            if (order[j] != parent.output_id() && is_feature_map(to) && spatially_bridgeable(from, to))
                sites.emplace_back(order[i], order[j]);
        }
    }
    return sites;
}

MorphResult add_skip(const Architecture& parent, int from, int to)
{
    auto r = start(parent, MorphOp::add_skip, to, from);
    require_skip_site(parent, from, to, "add_skip");
    const auto channels = parent.shape_of(to)[0];
    const int source = bridge_spatial(r, from, to);
    Node project = conv_node(static_cast<int>(channels), 1);
    project.inputs = {source};
    const int conv = r.child.add_node(project);
    Node add = op_node(OpType::add);
    add.inputs = {to, conv};
    const int merged = r.child.add_node(add);
    r.child.redirect(to, merged, merged);
    r.origin[conv] = {to, identity_channels(channels)};
    r.origin[merged] = {to, identity_channels(channels)};
    r.new_nodes[conv] = NewNodeInit::zero;
    return finish(parent, std::move(r));
}

MorphResult concat_skip(const Architecture& parent, int from, int to)
{
    auto r = start(parent, MorphOp::concat_skip, to, from);
    require_skip_site(parent, from, to, "concat_skip");
    const int source = bridge_spatial(r, from, to);
    Node cat = op_node(OpType::concat);
    // Shapes are checked in finish(), where a refusal gets this operator's name.
    cat.inputs = {to, source};
    const int joined = r.child.add_node(cat);
    r.child.redirect(to, joined, joined);
    auto channels = identity_channels(parent.shape_of(to)[0]);
    channels.resize(channels.size() + static_cast<std::size_t>(parent.shape_of(from)[0]), -1);
    r.origin[joined] = {to, channels};
    return detail::finish_edit(parent, std::move(r), "concat_skip: node " + std::to_string(to) + "'s readers cannot take extra channels");
}

} // namespace paretonas
