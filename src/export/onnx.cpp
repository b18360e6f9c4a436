#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/export/onnx.hpp>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>

namespace paretonas {

namespace {

// The checker's messages span lines; paretonas errors are one line.
std::string one_line(std::string text)
{
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

constexpr double kBatchNormEps = 1e-5;  // LibTorch's default, used by every Network batch norm

class GraphWriter {
public:
    GraphWriter(const NetworkImpl& net, const OnnxOptions& options)
        : m_arch(net.architecture()), m_options(options), m_params(net.named_parameters()),
          m_buffers(net.named_buffers()), m_shapes(m_arch.infer_shapes())
    {
    }

    onnx::ModelProto model();

private:
    torch::Tensor tensor(int id, const std::string& local) const
    {
        const std::string name = NetworkImpl::module_name(id) + "." + local;
        const auto* t = m_params.find(name);
        if (!t) t = m_buffers.find(name);
        if (!t) fail("onnx export: the network has no tensor '" + name + "'");
        return t->detach().to(torch::kCPU, torch::kFloat32).contiguous();
    }
    std::string initializer(const std::string& name, const torch::Tensor& t)
    {
        auto* init = m_graph->add_initializer();
        init->set_name(name);
        init->set_data_type(onnx::TensorProto::FLOAT);
        for (auto d : t.sizes()) init->add_dims(d);
        const auto c = t.contiguous();
        init->set_raw_data(std::string(reinterpret_cast<const char*>(c.data_ptr<float>()), static_cast<std::size_t>(c.numel()) * sizeof(float)));
        return name;
    }
    onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output)
    {
        auto* n = m_graph->add_node();
        n->set_op_type(op);
        n->set_name(output);
        for (const auto& in : inputs) n->add_input(in);
        n->add_output(output);
        return n;
    }
    static void ints(onnx::NodeProto* n, const std::string& name, const std::vector<std::int64_t>& values)
    {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (auto v : values) a->add_ints(v);
    }
    static void integer(onnx::NodeProto* n, const std::string& name, std::int64_t value)
    {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(value);
    }
    // The batch norm that may be folded into layer `id`: its only reader, not the output.
    const Node* foldable_batch_norm(const Node& layer) const
    {
        if (!m_options.fold_batch_norm || layer.id == m_arch.output_id()) return nullptr;
        const auto readers = m_arch.consumers(layer.id);
        if (readers.size() != 1) return nullptr;
        const Node& bn = m_arch.node(readers.front());
        return bn.op == OpType::batch_norm ? &bn : nullptr;
    }
    void conv(const std::string& name, const std::string& input, const Node& n, torch::Tensor weight, torch::Tensor bias,
              std::int64_t groups, bool pointwise);
    void emit(const Node& n);

    const Architecture& m_arch;
    OnnxOptions m_options;
    torch::OrderedDict<std::string, torch::Tensor> m_params, m_buffers;
    std::vector<Shape> m_shapes;
    onnx::GraphProto* m_graph = nullptr;
    std::map<int, std::string> m_value;  // node id -> name of the value it produces
    std::map<int, int> m_folded;         // batch norm id -> layer it was folded into
};

// Scale and shift of an eval-mode batch norm, to fold into the layer before it.
std::pair<torch::Tensor, torch::Tensor> batch_norm_affine(const torch::Tensor& gamma, const torch::Tensor& beta,
                                                          const torch::Tensor& mean, const torch::Tensor& var)
{
    const auto scale = gamma / torch::sqrt(var + kBatchNormEps);
    return {scale, beta - mean * scale};
}

void GraphWriter::conv(const std::string& name, const std::string& input, const Node& n, torch::Tensor weight, torch::Tensor bias,
                       std::int64_t groups, bool pointwise)
{
    std::vector<std::string> inputs = {input, initializer(name + ".weight", weight)};
    if (bias.defined()) inputs.push_back(initializer(name + ".bias", bias));
    auto* c = node("Conv", inputs, name);
    const std::int64_t k = pointwise ? 1 : n.kernel, s = pointwise ? 1 : n.stride, d = pointwise ? 1 : n.dilation;
    const std::int64_t p = pointwise ? 0 : n.effective_padding();
    ints(c, "kernel_shape", {k, k});
    ints(c, "strides", {s, s});
    ints(c, "dilations", {d, d});
    ints(c, "pads", {p, p, p, p});
    integer(c, "group", groups);
}

void GraphWriter::emit(const Node& n)
{
    if (n.op == OpType::input) return;  // "input", named in model()
    const std::string out = "n" + std::to_string(n.id);
    std::vector<std::string> in;
    for (int i : n.inputs) in.push_back(m_value.at(i));
    m_value[n.id] = out;
    const Node* bn = (n.op == OpType::conv || n.op == OpType::sep_conv || n.op == OpType::linear) ? foldable_batch_norm(n) : nullptr;
    // Output-channel scale and shift of a folded batch norm, applied to the layer's last part.
    const auto fold = [&](torch::Tensor weight, torch::Tensor bias) {
        if (!bn) return std::make_pair(weight, bias);
        const auto [scale, shift] = batch_norm_affine(tensor(bn->id, "weight"), tensor(bn->id, "bias"), tensor(bn->id, "running_mean"),
                                                      tensor(bn->id, "running_var"));
        auto shape = std::vector<std::int64_t>(static_cast<std::size_t>(weight.dim()), 1);
        shape[0] = -1;
        weight = weight * scale.reshape(shape);
        bias = (bias.defined() ? bias * scale : torch::zeros_like(shift)) + shift;
        m_folded[bn->id] = n.id;
        return std::make_pair(weight, bias);
    };
    switch (n.op) {
    case OpType::conv: {
        auto [w, b] = fold(tensor(n.id, "weight"), n.bias ? tensor(n.id, "bias") : torch::Tensor());
        conv(out, in[0], n, w, b, n.groups, false);
        break;
    }
    case OpType::sep_conv: {
        const auto channels = m_shapes[m_arch.index_of(n.inputs[0])][0];
        conv(out + ".dw", in[0], n, tensor(n.id, "dw.weight"), n.bias ? tensor(n.id, "dw.bias") : torch::Tensor(), channels, false);
        auto [w, b] = fold(tensor(n.id, "pw.weight"), n.bias ? tensor(n.id, "pw.bias") : torch::Tensor());
        conv(out, out + ".dw", n, w, b, 1, true);
        break;
    }
    case OpType::linear: {
        auto [w, b] = fold(tensor(n.id, "weight"), tensor(n.id, "bias"));
        integer(node("Gemm", {in[0], initializer(out + ".weight", w), initializer(out + ".bias", b)}, out), "transB", 1);
        break;
    }
    case OpType::batch_norm: {
        const auto folded = m_folded.find(n.id);
        if (folded != m_folded.end()) {
            m_value[n.id] = m_value.at(folded->second);  // computed by the layer already
            break;
        }
        auto* b = node("BatchNormalization",
                       {in[0], initializer(out + ".scale", tensor(n.id, "weight")), initializer(out + ".bias", tensor(n.id, "bias")),
                        initializer(out + ".mean", tensor(n.id, "running_mean")), initializer(out + ".var", tensor(n.id, "running_var"))},
                       out);
        auto* eps = b->add_attribute();
        eps->set_name("epsilon");
        eps->set_type(onnx::AttributeProto::FLOAT);
        eps->set_f(static_cast<float>(kBatchNormEps));
        break;
    }
    case OpType::relu: node("Relu", in, out); break;
    case OpType::max_pool:
    case OpType::avg_pool: {
        auto* p = node(n.op == OpType::max_pool ? "MaxPool" : "AveragePool", in, out);
        const std::int64_t k = n.kernel, s = n.stride, pad = n.pool_padding();
        ints(p, "kernel_shape", {k, k});
        ints(p, "strides", {s, s});
        ints(p, "pads", {pad, pad, pad, pad});
        if (n.op == OpType::avg_pool) integer(p, "count_include_pad", 1);  // as LibTorch's avg_pool2d
        break;
    }
    case OpType::global_avg_pool:
        node("GlobalAveragePool", in, out + ".pooled");
        integer(node("Flatten", {out + ".pooled"}, out), "axis", 1);
        break;
    case OpType::flatten: integer(node("Flatten", in, out), "axis", 1); break;
    case OpType::add: node("Sum", in, out); break;
    case OpType::concat: integer(node("Concat", in, out), "axis", 1); break;
    case OpType::gated_sum: {  // the trained gates are constants at inference: Mul by sigmoid(gate), then Sum
        const torch::Tensor weights = torch::sigmoid(tensor(n.id, "gate"));
        std::vector<std::string> scaled;
        for (std::size_t i = 0; i < in.size(); ++i) {
            const std::string name = out + ".in" + std::to_string(i);
            node("Mul", {in[i], initializer(name + ".scale", weights.slice(0, static_cast<std::int64_t>(i), static_cast<std::int64_t>(i) + 1))}, name);
            scaled.push_back(name);
        }
        node("Sum", scaled, out);
        break;
    }
    case OpType::identity:
    case OpType::dropout: node("Identity", in, out); break;  // dropout is the identity at inference
    case OpType::input: break;  // handled above
    }
}

onnx::ModelProto GraphWriter::model()
{
    onnx::ModelProto model;
    model.set_ir_version(7);
    model.set_producer_name("paretonas");
    model.set_producer_version(PARETONAS_VERSION);
    auto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(m_options.opset);
    m_graph = model.mutable_graph();
    m_graph->set_name("paretonas");
    const auto value_info = [](onnx::ValueInfoProto* v, const std::string& name, const Shape& shape) {
        v->set_name(name);
        auto* t = v->mutable_type()->mutable_tensor_type();
        t->set_elem_type(onnx::TensorProto::FLOAT);
        auto* s = t->mutable_shape();
        s->add_dim()->set_dim_param("batch");
        for (auto d : shape) s->add_dim()->set_dim_value(d);
    };
    value_info(m_graph->add_input(), "input", m_arch.input_shape());
    m_value[m_arch.input_id()] = "input";
    if (!m_options.mean.empty()) {
        const auto channels = m_arch.input_shape()[0];
        if (static_cast<std::int64_t>(m_options.mean.size()) != channels || m_options.std.size() != m_options.mean.size())
            fail("onnx export: normalisation has " + std::to_string(m_options.mean.size()) + " means and " +
                 std::to_string(m_options.std.size()) + " stds for " + std::to_string(channels) + " input channels");
        const auto per_channel = [&](const std::vector<float>& v) { return torch::tensor(v).reshape({1, channels, 1, 1}); };
        node("Sub", {"input", initializer("input.mean", per_channel(m_options.mean))}, "input.centred");
        node("Div", {"input.centred", initializer("input.std", per_channel(m_options.std))}, "input.normalised");
        m_value[m_arch.input_id()] = "input.normalised";
    }
    for (int id : m_arch.topological_order()) emit(m_arch.node(id));
    node("Identity", {m_value.at(m_arch.output_id())}, "logits");
    value_info(m_graph->add_output(), "logits", {m_arch.num_classes()});
    return model;
}

} // namespace

std::string onnx_model(const NetworkImpl& net, const OnnxOptions& options)
{
    require_in_range("ONNX opset", options.opset, 13, 21);
    torch::NoGradGuard no_grad;
    const auto model = GraphWriter(net, options).model();
    std::string bytes;
    if (!model.SerializeToString(&bytes)) fail("onnx export: the model could not be serialised");
    try {
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        fail("onnx export produced a model the ONNX checker rejects (a paretonas bug): " + one_line(e.what()));
    }
    return bytes;
}

void export_onnx(const NetworkImpl& net, const std::string& path, const OnnxOptions& options)
{
    const auto bytes = onnx_model(net, options);
    write_file_atomically(path, bytes);
}

void check_onnx(const std::string& bytes)
{
    onnx::ModelProto model;
    if (!model.ParseFromString(bytes)) fail("not an ONNX model (the bytes do not parse as a ModelProto)");
    try {
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        fail("ONNX checker: " + one_line(e.what()));
    }
}

} // namespace paretonas
