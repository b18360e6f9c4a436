// Node builders and the stock networks.
#include <paretonas/core/architecture.hpp>
#include <paretonas/core/error.hpp>

#include <algorithm>

namespace paretonas {

Node op_node(OpType op)
{
    Node n;
    n.op = op;
    return n;
}

Node conv_node(int channels, int kernel, int stride)
{
    Node n = op_node(OpType::conv);
    n.channels = channels;
    n.kernel = kernel;
    n.stride = stride;
    return n;
}

Node sep_conv_node(int channels, int kernel, int stride)
{
    Node n = conv_node(channels, kernel, stride);
    n.op = OpType::sep_conv;
    return n;
}

Node pool_node(OpType op, int kernel, int stride)
{
    if (op != OpType::max_pool && op != OpType::avg_pool) fail("pool_node: op must be max_pool or avg_pool");
    Node n = op_node(op);
    n.kernel = kernel;
    n.stride = stride;
    return n;
}

Node linear_node(int features)
{
    Node n = op_node(OpType::linear);
    n.channels = features;
    return n;
}

Architecture conv_chain(const Shape& input_shape, int num_classes, const std::vector<int>& widths,
                        const std::vector<int>& pool_after, int kernel)
{
    Architecture arch(input_shape, num_classes);
    int last = arch.input_id();
    for (std::size_t i = 0; i < widths.size(); ++i) {
        last = arch.append(conv_node(widths[i], kernel), last);
        last = arch.append(op_node(OpType::batch_norm), last);
        last = arch.append(op_node(OpType::relu), last);
        if (std::find(pool_after.begin(), pool_after.end(), static_cast<int>(i)) != pool_after.end())
            last = arch.append(pool_node(OpType::max_pool), last);
    }
    last = arch.append(op_node(OpType::global_avg_pool), last);
    arch.append(linear_node(num_classes), last);
    arch.infer_shapes();
    return arch;
}

Architecture default_architecture(const Shape& input_shape, int num_classes)
{
    return conv_chain(input_shape, num_classes, {32, 32, 64, 64, 128}, {1, 3});
}

} // namespace paretonas
