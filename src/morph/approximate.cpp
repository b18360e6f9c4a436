// Approximate morphisms: remove a layer, remove a skip, prune filters, separable conv.
#include <paretonas/morph/approximate.hpp>

#include "edit.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace paretonas {

namespace {

using detail::succeeds;

MorphResult start(const Architecture& parent, MorphOp op, int node, int size = 0)
{
    return detail::start_edit(parent, op, node, -1, size, false);
}

// Nodes that no longer lead to the output (a dropped branch) would be dangling.
void remove_unreachable(Architecture& arch)
{
    std::set<int> live{arch.input_id()};
    std::vector<int> todo{arch.output_id()};
    while (!todo.empty()) {
        const int id = todo.back();
        todo.pop_back();
        if (!live.insert(id).second) continue;
        for (int in : arch.node(id).inputs) todo.push_back(in);
    }
    std::vector<int> dead;
    for (const auto& n : arch.nodes())
        if (!live.count(n.id)) dead.push_back(n.id);
    for (int id : dead) arch.remove_node(id);
}

// The nodes of the block that starts at `node`: the layer, then a batch_norm and a relu when
// they are its only reader in turn.
std::vector<int> block_of(const Architecture& arch, int node)
{
    std::vector<int> block{node};
    for (OpType next : {OpType::batch_norm, OpType::relu}) {
        const auto readers = arch.consumers(block.back());
        if (readers.size() != 1 || arch.node(readers.front()).op != next) break;
        block.push_back(readers.front());
    }
    return block;
}

bool is_layer(const Node& n) { return n.op == OpType::conv || n.op == OpType::sep_conv || n.op == OpType::linear; }

} // namespace

std::vector<int> remove_layer_sites(const Architecture& parent)
{
    std::vector<int> sites;
    for (const auto& n : parent.nodes())
        if (is_layer(n) && succeeds([&] { remove_layer(parent, n.id); })) sites.push_back(n.id);
    return sites;
}

MorphResult remove_layer(const Architecture& parent, int node)
{
    auto r = start(parent, MorphOp::remove_layer, node);
    const Node& layer = parent.node(node);
    const std::string name = "remove_layer: node " + std::to_string(node);
    if (!is_layer(layer)) fail(name + " is a " + op_name(layer.op) + ", not a conv or linear layer");
    const auto block = block_of(parent, node);
    for (std::size_t i = 0; i + 1 < block.size(); ++i)
        if (parent.consumers(block[i]).size() != 1) fail(name + ": node " + std::to_string(block[i]) + " feeds other nodes too");
    if (block.back() == parent.output_id() || node == parent.output_id()) fail(name + " is the classifier");
    const int input = layer.inputs.front();
    if (parent.shape_of(input) != parent.shape_of(block.back()))
        fail(name + " changes the shape " + shape_string(parent.shape_of(input)) + " -> " +
             shape_string(parent.shape_of(block.back())) + "; only shape-preserving layers can be removed");
    r.child.redirect(block.back(), input);
    for (int id : block) r.child.remove_node(id);
    // Readers keep their weights position by position: channel c of the block's output becomes
    // channel c of its input, which is the approximation.
    return detail::finish_edit(parent, std::move(r), name + " cannot be removed");
}

std::vector<int> remove_skip_sites(const Architecture& parent)
{
    std::vector<int> sites;
    for (const auto& n : parent.nodes())
        if ((n.op == OpType::add || n.op == OpType::concat) && succeeds([&] { remove_skip(parent, n.id); })) sites.push_back(n.id);
    return sites;
}

MorphResult remove_skip(const Architecture& parent, int merge)
{
    auto r = start(parent, MorphOp::remove_skip, merge);
    const Node& n = parent.node(merge);
    const std::string name = "remove_skip: node " + std::to_string(merge);
    if (n.op != OpType::add && n.op != OpType::concat) fail(name + " is a " + op_name(n.op) + ", not an add or concat");
    if (n.inputs.size() != 2) fail(name + " merges " + std::to_string(n.inputs.size()) + " inputs; only two-input merges are removed");
    // The first input stays: it is where the morphisms put the main path. A concat's readers
    // keep the weights of its first channels, which are exactly the first input's.
    r.child.redirect(merge, n.inputs.front());
    r.child.remove_node(merge);
    remove_unreachable(r.child);
    return detail::finish_edit(parent, std::move(r), name + " cannot be removed");
}

std::vector<int> prune_sites(const Architecture& parent)
{
    std::vector<int> sites;
    for (const auto& n : parent.nodes())
        if (n.channels >= 2 && succeeds([&] { prune(parent, n.id, {0}); })) sites.push_back(n.id);
    return sites;
}

MorphResult prune(const Architecture& parent, int node, std::vector<int> keep)
{
    auto r = start(parent, MorphOp::prune, node, static_cast<int>(keep.size()));
    Node& n = r.child.node(node);
    const std::string name = "prune: node " + std::to_string(node);
    if (!is_layer(n)) fail(name + " is a " + op_name(n.op) + ", not a conv or linear layer");
    if (n.op == OpType::conv && n.groups != 1) fail(name + " is a grouped conv");
    if (keep.empty() || static_cast<int>(keep.size()) >= n.channels)
        fail(name + " has " + std::to_string(n.channels) + " channels; it must keep between 1 and " + std::to_string(n.channels - 1) +
             ", got " + std::to_string(keep.size()));
    for (std::size_t i = 0; i < keep.size(); ++i)
        if (keep[i] < 0 || keep[i] >= n.channels || (i > 0 && keep[i] <= keep[i - 1]))
            fail(name + ": kept channels must be ascending indices below " + std::to_string(n.channels));
    n.channels = static_cast<int>(keep.size());
    r.applied.channels = keep;
    r.origin[node] = {node, std::move(keep)};
    return detail::finish_edit(parent, std::move(r), name + " cannot shrink");
}

std::vector<int> keep_largest(const std::vector<double>& scores, double fraction)
{
    const auto channels = static_cast<long>(scores.size());
    if (channels < 2) fail("prune: a layer needs at least 2 channels to lose some");
    require_in_range("prune fraction", fraction, 1e-9, 1.0 - 1e-9);
    const long removed = std::clamp(std::lround(fraction * static_cast<double>(channels)), 1L, channels - 1);
    std::vector<int> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    // Stable, so that equal scores keep the lower index: the same parent prunes the same way.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[static_cast<std::size_t>(a)] > scores[static_cast<std::size_t>(b)]; });
    order.resize(static_cast<std::size_t>(channels - removed));
    std::sort(order.begin(), order.end());
    return order;
}

std::vector<int> sep_conv_sites(const Architecture& parent)
{
    std::vector<int> sites;
    for (const auto& n : parent.nodes())
        if (n.op == OpType::conv && n.groups == 1 && n.kernel >= 3) sites.push_back(n.id);
    return sites;
}

MorphResult to_sep_conv(const Architecture& parent, int node)
{
    auto r = start(parent, MorphOp::sep_conv, node);
    const Node& conv = parent.node(node);
    const std::string name = "sep_conv: node " + std::to_string(node);
    if (conv.op != OpType::conv) fail(name + " is a " + op_name(conv.op) + ", not a conv");
    if (conv.groups != 1) fail(name + " is a grouped conv");
    if (conv.kernel < 3) fail(name + " has a " + std::to_string(conv.kernel) + "x" + std::to_string(conv.kernel) + " kernel; a separable conv saves nothing below 3x3");
    Node sep = sep_conv_node(conv.channels, conv.kernel, conv.stride);
    sep.padding = conv.padding;
    sep.dilation = conv.dilation;
    sep.bias = conv.bias;
    sep.inputs = conv.inputs;
    const int id = r.child.add_node(sep);
    r.child.redirect(node, id);
    r.child.remove_node(node);
    r.origin[id] = {node, identity_channels(conv.channels)};
    r.new_nodes[id] = NewNodeInit::low_rank;
    r.fitted_from[id] = node;
    return detail::finish_edit(parent, std::move(r));
}

} // namespace paretonas
