/// @file core/architecture.hpp
/// Architecture: the value type that describes one network as a DAG of ops. No LibTorch here, so
/// everything that only reasons about architectures (costs, search, JSON) compiles fast.
#ifndef PARETONAS_CORE_ARCHITECTURE_HPP
#define PARETONAS_CORE_ARCHITECTURE_HPP

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace paretonas {

enum class OpType {
    input,
    conv,            // k x k convolution, with stride, groups, dilation
    sep_conv,        // depthwise k x k followed by pointwise 1 x 1 (no non-linearity between)
    batch_norm,
    relu,
    max_pool,
    avg_pool,
    global_avg_pool, // [C,H,W] -> [C]
    flatten,         // [C,H,W] -> [C*H*W]
    linear,
    add,
    concat,          // along channels
    identity,
    dropout,
    gated_sum,       // sum of the inputs, input i scaled by sigmoid(g_i) of a learnable gate g_i
                     // (RandWire's and NAGO's node aggregation); inputs of one shape
};

/// Short lower-case name used in JSON ("conv", "batch_norm", ...).
const char* op_name(OpType op);
/// Inverse of op_name; throws InputError naming the unknown op.
OpType op_from_name(const std::string& name);
/// True for ops that own trainable tensors (conv, sep_conv, batch_norm, linear, gated_sum).
bool has_parameters(OpType op);

/// One node of the graph. Attributes that an op does not use keep their defaults and are not
/// written to JSON, so equal architectures serialise to equal bytes.
struct Node {
    int id = -1;
    OpType op = OpType::identity;
    std::vector<int> inputs;
    int channels = 0;   // output channels (conv, sep_conv) or features (linear)
    int kernel = 1;     // conv, sep_conv, pools
    int stride = 1;     // conv, sep_conv, pools
    int padding = -1;   // -1: "same" padding, dilation * (kernel - 1) / 2
    int groups = 1;     // conv
    int dilation = 1;   // conv, sep_conv
    bool bias = false;  // conv, sep_conv; linear always has a bias
    double rate = 0.0;  // dropout probability

    /// Convolutions: -1 means "same" padding.
    int effective_padding() const { return padding >= 0 ? padding : dilation * (kernel - 1) / 2; }
    /// Pools: -1 means no padding.
    int pool_padding() const { return padding >= 0 ? padding : 0; }
    bool operator==(const Node& other) const;
    bool operator!=(const Node& other) const { return !(*this == other); }
};

/// Shape of one sample (no batch dimension): {C, H, W} for feature maps, {F} for vectors.
using Shape = std::vector<std::int64_t>;
std::string shape_string(const Shape& shape);

/// A network as a DAG. Node ids are stable: removing a node never renumbers the others, and new
/// nodes get ids never used before, so morphisms can address a node and its weights by id.
class Architecture {
public:
    /// An architecture with a single input node (id 0) of the given sample shape.
    explicit Architecture(Shape input_shape = {1, 28, 28}, int num_classes = 10);

    /// Appends a node; assigns and returns a fresh id (the id field of `node` is ignored).
    int add_node(Node node);
    /// Convenience: appends `node` fed by `input` and makes it the output.
    int append(Node node, int input);
    void remove_node(int id);
    Node& node(int id);
    const Node& node(int id) const;
    bool contains(int id) const;
    /// Ids of nodes that read `id`'s output.
    std::vector<int> consumers(int id) const;
    /// Rewires every use of `from` as an input (and the output) to `to`.
    void redirect(int from, int to, int except_consumer = -1);

    const std::vector<Node>& nodes() const { return m_nodes; }
    int input_id() const { return 0; }
    int output_id() const { return m_output; }
    void set_output(int id);
    const Shape& input_shape() const { return m_input_shape; }
    void set_input_shape(Shape shape);
    int num_classes() const { return m_num_classes; }
    int next_id() const { return m_next_id; }

    /// Node ids in an order where every node follows its inputs (ties broken by id, so the
    /// order is deterministic). Throws InputError on a cycle or an unknown input id.
    std::vector<int> topological_order() const;
    /// Validates the graph and returns the output shape of every node, indexed like nodes().
    /// Throws InputError naming the node and the problem (cycle, dangling node, unknown op
    /// input, channel mismatch at add, spatial mismatch at concat, non-positive size, ...).
    std::vector<Shape> infer_shapes() const;
    /// Output shape of node `id` (runs infer_shapes()).
    Shape shape_of(int id) const;

    /// Stable JSON text: same architecture -> same bytes.
    std::string to_json() const;
    static Architecture from_json(const std::string& text);
    static Architecture load(const std::string& path);
    void save(const std::string& path) const;

    /// Hash of the computed function's structure: independent of node ids and of the order in
    /// which nodes were added, so two ways of building the same network hash the same.
    std::string canonical_hash() const;

    /// Index of node `id` in nodes(); throws if absent.
    std::size_t index_of(int id) const;

    bool operator==(const Architecture& other) const;
    bool operator!=(const Architecture& other) const { return !(*this == other); }

private:
    Shape m_input_shape;
    int m_num_classes;
    std::vector<Node> m_nodes;  // sorted by id
    int m_output = 0;
    int m_next_id = 1;
};

std::ostream& operator<<(std::ostream& os, const Architecture& arch);

/// Builders for the common ops, so that tests and default networks read like layer lists.
Node conv_node(int channels, int kernel = 3, int stride = 1);
Node sep_conv_node(int channels, int kernel = 3, int stride = 1);
Node op_node(OpType op);
Node pool_node(OpType op, int kernel = 2, int stride = 2);
Node linear_node(int features);

/// A plain chain of conv-BN-ReLU blocks; `widths` per conv, a 2x2 max pool after each index in
/// `pool_after`, then global average pooling and a linear classifier.
Architecture conv_chain(const Shape& input_shape, int num_classes, const std::vector<int>& widths,
                        const std::vector<int>& pool_after, int kernel = 3);

/// The network that `paretonas train` uses when no --arch is given and that searches start from.
Architecture default_architecture(const Shape& input_shape, int num_classes);

} // namespace paretonas

#endif
