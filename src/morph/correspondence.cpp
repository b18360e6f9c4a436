// Channel correspondence between a child architecture and its parent.
#include <paretonas/core/error.hpp>
#include <paretonas/morph/morphism.hpp>

#include <numeric>
#include <sstream>

namespace paretonas {

namespace {

bool is_identity(const std::vector<int>& map)
{
    for (std::size_t i = 0; i < map.size(); ++i)
        if (map[i] != static_cast<int>(i)) return false;
    return true;
}

bool passes_channels_through(OpType op)
{
    return op == OpType::batch_norm || op == OpType::relu || op == OpType::max_pool || op == OpType::avg_pool ||
           op == OpType::global_avg_pool || op == OpType::identity || op == OpType::dropout;
}

} // namespace

std::vector<int> identity_channels(std::int64_t channels)
{
    std::vector<int> map(static_cast<std::size_t>(channels));
    std::iota(map.begin(), map.end(), 0);
    return map;
}

Correspondence propagate_origin(const Architecture& parent, const Architecture& child, Correspondence known)
{
    const auto shapes = child.infer_shapes();
    const auto parent_shapes = parent.infer_shapes();
    for (int id : child.topological_order()) {
        if (known.count(id)) continue;
        const Node& n = child.node(id);
        const Shape& shape = shapes[child.index_of(id)];
        ChannelOrigin origin;
        origin.parent_node = id;
        if (id == child.input_id()) {
            origin.channels = identity_channels(shape[0]);
            known[id] = origin;
            continue;
        }
        if (!parent.contains(id) || parent.node(id).op != n.op)
            fail("morphism: node " + std::to_string(id) + " is new but its channel origin was not given");
        const auto& input_map = known.at(n.inputs.front()).channels;
        switch (n.op) {
        case OpType::conv:
        case OpType::sep_conv:
        case OpType::linear: {
            // A grouped conv assigns input channels to groups by position: any change to its
            // inputs would regroup them.
            if (n.op == OpType::conv && n.groups != 1 &&
                (!is_identity(input_map) ||
                 static_cast<std::int64_t>(input_map.size()) != parent_shapes[parent.index_of(parent.node(id).inputs.front())][0]))
                fail("morphism: grouped conv node " + std::to_string(id) + " cannot take changed input channels");
            // Own outputs: the parent's, then new ones (a widened layer).
            const auto parent_channels = parent_shapes[parent.index_of(id)][0];
            origin.channels = identity_channels(shape[0]);
            for (auto& c : origin.channels)
                if (c >= parent_channels) c = -1;
            break;
        }
        case OpType::flatten: {
            const Shape& in = shapes[child.index_of(n.inputs.front())];
            const std::int64_t per_channel = in.size() == 3 ? in[1] * in[2] : 1;
            for (int c : input_map)
                for (std::int64_t p = 0; p < per_channel; ++p)
                    origin.channels.push_back(c < 0 ? -1 : static_cast<int>(c * per_channel + p));
            break;
        }
        case OpType::concat: {
            const Node& parent_concat = parent.node(id);
            if (parent_concat.inputs.size() != n.inputs.size())
                fail("morphism: concat node " + std::to_string(id) + " changed its number of inputs");
            std::int64_t offset = 0;
            for (std::size_t k = 0; k < n.inputs.size(); ++k) {
                for (int c : known.at(n.inputs[k]).channels)
                    origin.channels.push_back(c < 0 ? -1 : static_cast<int>(offset + c));
                offset += parent_shapes[parent.index_of(parent_concat.inputs[k])][0];
            }
            break;
        }
        case OpType::add:
            for (int in : n.inputs)
                if (!is_identity(known.at(in).channels) ||
                    static_cast<std::int64_t>(known.at(in).channels.size()) != parent_shapes[parent.index_of(id)][0])
                    fail("morphism: the channels of node " + std::to_string(in) + " change, but add node " +
                         std::to_string(id) + " needs all its inputs alike");
            origin.channels = identity_channels(shape[0]);
            break;
        default:
            if (!passes_channels_through(n.op)) fail("morphism: cannot map channels through op " + std::string(op_name(n.op)));
            origin.channels = input_map;
            break;
        }
        known[id] = origin;
    }
    const auto& out = known.at(child.output_id()).channels;
    if (!is_identity(out) || static_cast<int>(out.size()) != child.num_classes())
        fail("morphism: the network output would change its classes");
    return known;
}

} // namespace paretonas
