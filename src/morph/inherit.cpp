#include <paretonas/core/error.hpp>
#include <paretonas/morph/inherit.hpp>

#include <torch/torch.h>

namespace paretonas {

namespace {

struct Split {
    torch::Tensor child_index, parent_index;  // positions that have a parent counterpart
};

Split split_map(const std::vector<int>& map)
{
    std::vector<std::int64_t> c, p;
    for (std::size_t i = 0; i < map.size(); ++i)
        if (map[i] >= 0) {
            c.push_back(static_cast<std::int64_t>(i));
            p.push_back(map[i]);
        }
    return {torch::tensor(c, torch::kLong), torch::tensor(p, torch::kLong)};
}

// child[out, in, ...] = parent[out_map[out], in_map[in], ...]; rows with a new output keep
// their fresh values; columns that read a new input are zero.
void copy_matrix(torch::Tensor child, const torch::Tensor& parent, const std::vector<int>& out_map,
                 const std::vector<int>& in_map)
{
    const auto rows = split_map(out_map), cols = split_map(in_map);
    const auto device = child.device();
    auto block = parent.index_select(0, rows.parent_index.to(device)).index_select(1, cols.parent_index.to(device));
    auto sizes = block.sizes().vec();
    sizes[1] = child.size(1);
    auto full = torch::zeros(sizes, child.options());
    full.index_copy_(1, cols.child_index.to(device), block);
    child.index_copy_(0, rows.child_index.to(device), full);
}

// child[c] = parent[map[c]]; new entries get `fill` (or keep their fresh value when undefined).
void copy_vector(torch::Tensor child, const torch::Tensor& parent, const std::vector<int>& map, c10::optional<double> fill)
{
    const auto s = split_map(map);
    const auto device = child.device();
    if (fill) child.fill_(*fill);
    child.index_copy_(0, s.child_index.to(device), parent.index_select(0, s.parent_index.to(device)));
}

const torch::Tensor& tensor_of(const torch::OrderedDict<std::string, torch::Tensor>& dict, const std::string& name)
{
    const auto* t = dict.find(name);
    if (!t) fail("inherit: parent has no tensor '" + name + "'");
    return *t;
}

// Depthwise D and pointwise P with P[o, i] * D[i] the best rank-1 fit (in L2) of the parent's
// W[o, i] for every input channel i: the SVD of W[:, i] as a C_out x k^2 matrix.
void fit_separable(NetworkImpl& child, const Node& n, const torch::Tensor& conv_weight, const torch::Tensor* conv_bias)
{
    const auto out = conv_weight.size(0), in = conv_weight.size(1), k = conv_weight.size(2);
    const auto per_input = conv_weight.permute({1, 0, 2, 3}).reshape({in, out, k * k}).to(torch::kFloat64);
    const auto [u, s, vh] = torch::linalg_svd(per_input, false);
    auto module = child.node_module(n.id);
    auto params = module->named_parameters(true);
    const auto depthwise = (s.select(1, 0).unsqueeze(1) * vh.select(1, 0)).reshape({in, 1, k, k});
    const auto pointwise = u.select(2, 0).transpose(0, 1).reshape({out, in, 1, 1});
    params["dw.weight"].copy_(depthwise);
    params["pw.weight"].copy_(pointwise);
    if (n.bias && conv_bias) {
        params["dw.bias"].zero_();
        params["pw.bias"].copy_(*conv_bias);
    }
}

void init_new_node(NetworkImpl& child, const Node& n, NewNodeInit init)
{
    if (init == NewNodeInit::low_rank) fail("inherit: node " + std::to_string(n.id) + " is low-rank but names no parent conv");
    auto module = child.node_module(n.id);
    for (auto& p : module->named_parameters(true)) {
        const auto& name = p.key();
        auto& t = p.value();
        const bool weight = name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0;
        if (!weight || init == NewNodeInit::zero) {
            t.zero_();
            continue;
        }
        if (n.op == OpType::conv) torch::nn::init::dirac_(t);
        else if (n.op == OpType::linear) t.copy_(torch::eye(t.size(0), t.size(1), t.options()));
        else if (n.op != OpType::batch_norm) fail("inherit: no identity initialisation for op " + std::string(op_name(n.op)));
    }
    if (n.op == OpType::batch_norm && init == NewNodeInit::identity) {
        // Eval-mode identity: running mean 0 and variance 1, so scale sqrt(1 + eps) undoes the
        // normalisation exactly.
        auto buffers = module->named_buffers(true);
        buffers["running_mean"].zero_();
        buffers["running_var"].fill_(1.0);
        auto params = module->named_parameters(true);
        params["weight"].fill_(std::sqrt(1.0 + 1e-5));
        params["bias"].zero_();
    }
}

} // namespace

Network inherit(const NetworkImpl& parent, const MorphResult& result)
{
    Network child(result.child);
    const auto parent_params = parent.named_parameters();
    const auto parent_buffers = parent.named_buffers();
    torch::Device device = torch::kCPU;
    if (!parent_params.is_empty()) device = parent_params.begin()->value().device();
    child->to(device);
    torch::NoGradGuard no_grad;
    const auto& parent_arch = parent.architecture();
    for (const auto& n : result.child.nodes()) {
        if (!has_parameters(n.op)) continue;
        auto fresh = result.new_nodes.find(n.id);
        const auto fitted = result.fitted_from.find(n.id);
        if (fresh != result.new_nodes.end() && fresh->second == NewNodeInit::low_rank && fitted != result.fitted_from.end()) {
            const std::string source = NetworkImpl::module_name(fitted->second) + ".";
            const auto* bias = parent_params.find(source + "bias");
            fit_separable(*child, n, tensor_of(parent_params, source + "weight"), bias);
            continue;
        }
        if (fresh != result.new_nodes.end()) {
            init_new_node(*child, n, fresh->second);
            continue;
        }
        if (!parent_arch.contains(n.id) || parent_arch.node(n.id).op != n.op)
            fail("inherit: node " + std::to_string(n.id) + " is neither in the parent nor initialised as new");
        const auto& out_map = result.origin.at(n.id).channels;
        const auto& in_map = result.origin.at(n.inputs.front()).channels;
        const std::string prefix = NetworkImpl::module_name(n.id) + ".";
        auto child_params = child->named_parameters();
        auto child_buffers = child->named_buffers();
        auto param = [&](const std::string& local) { return child_params[prefix + local]; };
        auto from_parent = [&](const std::string& local) -> const torch::Tensor& { return tensor_of(parent_params, prefix + local); };
        switch (n.op) {
        case OpType::conv:
            if (n.groups == 1) {
                copy_matrix(param("weight"), from_parent("weight"), out_map, in_map);
            } else {  // grouped: widen refuses changed inputs, so channels map one to one
                copy_vector(param("weight"), from_parent("weight"), out_map, c10::nullopt);
            }
            if (n.bias) copy_vector(param("bias"), from_parent("bias"), out_map, 0.0);
            break;
        case OpType::sep_conv:
            copy_vector(param("dw.weight"), from_parent("dw.weight"), in_map, c10::nullopt);
            copy_matrix(param("pw.weight"), from_parent("pw.weight"), out_map, in_map);
            if (n.bias) {
                copy_vector(param("dw.bias"), from_parent("dw.bias"), in_map, 0.0);
                copy_vector(param("pw.bias"), from_parent("pw.bias"), out_map, 0.0);
            }
            break;
        case OpType::linear:
            copy_matrix(param("weight"), from_parent("weight"), out_map, in_map);
            copy_vector(param("bias"), from_parent("bias"), out_map, 0.0);
            break;
        case OpType::batch_norm:
            copy_vector(param("weight"), from_parent("weight"), out_map, 1.0);
            copy_vector(param("bias"), from_parent("bias"), out_map, 0.0);
            copy_vector(child_buffers[prefix + "running_mean"], tensor_of(parent_buffers, prefix + "running_mean"), out_map, 0.0);
            copy_vector(child_buffers[prefix + "running_var"], tensor_of(parent_buffers, prefix + "running_var"), out_map, 1.0);
            child_buffers[prefix + "num_batches_tracked"].copy_(tensor_of(parent_buffers, prefix + "num_batches_tracked"));
            break;
        default:
            break;
        }
    }
    child->train(parent.is_training());
    return child;
}

std::vector<double> filter_l1_norms(const NetworkImpl& net, int node)
{
    const auto& arch = net.architecture();
    if (!arch.contains(node)) fail("filter norms: no node with id " + std::to_string(node));
    const Node& n = arch.node(node);
    const std::string prefix = NetworkImpl::module_name(node) + ".";
    std::string name;
    if (n.op == OpType::conv || n.op == OpType::linear) name = prefix + "weight";
    else if (n.op == OpType::sep_conv) name = prefix + "pw.weight";
    else fail("filter norms: node " + std::to_string(node) + " is a " + op_name(n.op) + ", not a conv or linear layer");
    torch::NoGradGuard no_grad;
    const auto w = tensor_of(net.named_parameters(), name);
    const auto norms = w.abs().reshape({w.size(0), -1}).sum(1).to(torch::kCPU, torch::kFloat64).contiguous();
    return {norms.data_ptr<double>(), norms.data_ptr<double>() + norms.numel()};
}

} // namespace paretonas
