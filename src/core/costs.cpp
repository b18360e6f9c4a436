#include <paretonas/core/costs.hpp>

namespace paretonas {

std::vector<NodeCost> node_costs(const Architecture& arch)
{
    const auto shapes = arch.infer_shapes();
    std::vector<NodeCost> costs;
    costs.reserve(arch.nodes().size());
    for (std::size_t i = 0; i < arch.nodes().size(); ++i) {
        const Node& n = arch.nodes()[i];
        const Shape& out = shapes[i];
        const Shape& in = n.inputs.empty() ? out : shapes[arch.index_of(n.inputs.front())];
        const std::int64_t k2 = static_cast<std::int64_t>(n.kernel) * n.kernel;
        const std::int64_t out_pixels = out.size() == 3 ? out[1] * out[2] : 1;
        NodeCost c{n.id, 0, 0};
        switch (n.op) {
        case OpType::conv: {
            const std::int64_t per_output = in[0] / n.groups * k2;
            c.parameters = out[0] * per_output + (n.bias ? out[0] : 0);
            c.multiply_adds = out_pixels * out[0] * per_output;
            break;
        }
        case OpType::sep_conv:
            c.parameters = in[0] * k2 + in[0] * out[0] + (n.bias ? in[0] + out[0] : 0);
            c.multiply_adds = out_pixels * (in[0] * k2 + in[0] * out[0]);
            break;
        case OpType::batch_norm:
            c.parameters = 2 * in[0];
            break;
        case OpType::linear:
            c.parameters = in[0] * out[0] + out[0];
            c.multiply_adds = in[0] * out[0];
            break;
        case OpType::gated_sum: {  // one gate per input; each input value scaled and added once
            std::int64_t values = 1;
            for (auto d : out) values *= d;
            c.parameters = static_cast<std::int64_t>(n.inputs.size());
            c.multiply_adds = c.parameters * values;
            break;
        }
        default:
            break;
        }
        costs.push_back(c);
    }
    return costs;
}

std::int64_t parameter_count(const Architecture& arch)
{
    std::int64_t total = 0;
    for (const auto& c : node_costs(arch)) total += c.parameters;
    return total;
}

std::int64_t multiply_adds(const Architecture& arch)
{
    std::int64_t total = 0;
    for (const auto& c : node_costs(arch)) total += c.multiply_adds;
    return total;
}

} // namespace paretonas
