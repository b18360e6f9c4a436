#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/train/network.hpp>

#include <torch/torch.h>

#include <sstream>
#include <unordered_map>

namespace paretonas {

namespace {

torch::nn::Conv2dOptions conv_options(std::int64_t in, std::int64_t out, const Node& n, std::int64_t groups)
{
    return torch::nn::Conv2dOptions(in, out, n.kernel)
        .stride(n.stride)
        .padding(n.effective_padding())
        .dilation(n.dilation)
        .groups(groups)
        .bias(n.bias);
}

// Keeps the module for node_module() and a typed call for forward(): Module is a virtual base,
// so a cast back from it on every step would need dynamic_cast.
template <class Impl>
void bind(NetworkImpl::Step& step, std::shared_ptr<Impl> impl)
{
    step.module = impl;
    step.call = [impl](const torch::Tensor& x) { return impl->forward(x); };
}

} // namespace

SepConvImpl::SepConvImpl(std::int64_t in_channels, const Node& node)
{
    dw = register_module("dw", torch::nn::Conv2d(conv_options(in_channels, in_channels, node, in_channels)));
    Node pointwise = node;
    pointwise.kernel = 1;
    pointwise.stride = 1;
    pointwise.padding = 0;
    pointwise.dilation = 1;
    pw = register_module("pw", torch::nn::Conv2d(conv_options(in_channels, node.channels, pointwise, 1)));
}

torch::Tensor SepConvImpl::forward(const torch::Tensor& x) { return pw->forward(dw->forward(x)); }

GatedSumImpl::GatedSumImpl(std::int64_t inputs) { gate = register_parameter("gate", torch::ones({inputs})); }

NetworkImpl::NetworkImpl(Architecture arch) : m_arch(std::move(arch))
{
    const auto shapes = m_arch.infer_shapes();
    // 2^31 float parameters are 8 GiB: beyond that the build would only end in bad_alloc.
    const auto params = parameter_count(m_arch);
    if (params > (std::int64_t{1} << 31))
        fail("architecture has " + std::to_string(params) + " parameters; paretonas builds networks of up to 2^31");
    const auto order = m_arch.topological_order();
    std::unordered_map<int, std::size_t> slot_of;  // node id -> step index
    std::vector<std::size_t> last_reader(order.size(), 0);
    m_steps.reserve(order.size());
    for (int id : order) {
        const std::size_t index = m_arch.index_of(id);
        const Node& n = m_arch.nodes()[index];
        Step step;
        step.node = &n;
        for (int src : n.inputs) {
            step.inputs.push_back(slot_of.at(src));
            last_reader[slot_of.at(src)] = m_steps.size();
        }
        const std::int64_t in_channels = n.inputs.empty() ? 0 : shapes[m_arch.index_of(n.inputs.front())][0];
        const bool is_map = !n.inputs.empty() && shapes[m_arch.index_of(n.inputs.front())].size() == 3;
        switch (n.op) {
        case OpType::conv:
            bind(step, register_module(module_name(id), torch::nn::Conv2d(conv_options(in_channels, n.channels, n, n.groups))));
            break;
        case OpType::sep_conv:
            bind(step, register_module(module_name(id), SepConv(in_channels, n)));
            break;
        case OpType::batch_norm:
            if (is_map)
                bind(step, register_module(module_name(id), torch::nn::BatchNorm2d(in_channels)));
            else
                bind(step, register_module(module_name(id), torch::nn::BatchNorm1d(in_channels)));
            break;
        case OpType::linear:
            bind(step, register_module(module_name(id), torch::nn::Linear(in_channels, n.channels)));
            break;
        case OpType::gated_sum:
            step.gated = register_module(module_name(id), GatedSum(static_cast<std::int64_t>(n.inputs.size())));
            step.module = step.gated;
            break;
        default:
            break;
        }
        slot_of[id] = m_steps.size();
        m_steps.push_back(std::move(step));
    }
    for (std::size_t s = 0; s < m_steps.size(); ++s) {
        if (m_steps[s].node->id != m_arch.output_id() && s > 0) m_steps[last_reader[s]].release.push_back(s);
    }
    // A ReLU may overwrite its input when it is that value's only reader; autograd's version
    // check turns any misuse into an error, never a wrong gradient.
    // Only values that a step created afresh qualify: identity, dropout and flatten may hand
    // back an alias of a tensor that other nodes still read.
    auto creates_fresh = [](OpType op) {
        return op == OpType::conv || op == OpType::sep_conv || op == OpType::batch_norm || op == OpType::linear ||
               op == OpType::add || op == OpType::concat || op == OpType::max_pool || op == OpType::avg_pool ||
               op == OpType::gated_sum;
    };
    for (auto& step : m_steps) {
        if (step.node->op != OpType::relu) continue;
        const Node& producer = *m_steps[step.inputs.front()].node;
        step.relu_in_place = creates_fresh(producer.op) && m_arch.consumers(producer.id).size() == 1 &&
                             producer.id != m_arch.output_id();
    }
    m_output_slot = slot_of.at(m_arch.output_id());
}

torch::Tensor NetworkImpl::run_step(const Step& step, std::vector<torch::Tensor>& values) const
{
    const Node& n = *step.node;
    const torch::Tensor& x = values[step.inputs.front()];
    switch (n.op) {
    case OpType::conv:
    case OpType::sep_conv:
    case OpType::batch_norm:
    case OpType::linear:
        return step.call(x);
    case OpType::relu:
        return step.relu_in_place ? torch::relu_(values[step.inputs.front()]) : torch::relu(x);
    case OpType::max_pool:
        return torch::max_pool2d(x, n.kernel, n.stride, n.pool_padding());
    case OpType::avg_pool:
        return torch::avg_pool2d(x, n.kernel, n.stride, n.pool_padding());
    case OpType::global_avg_pool:
        return torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    case OpType::flatten:
        return x.flatten(1);
    case OpType::add: {
        torch::Tensor sum = x + values[step.inputs[1]];
        for (std::size_t i = 2; i < step.inputs.size(); ++i) sum.add_(values[step.inputs[i]]);
        return sum;
    }
    case OpType::gated_sum: {
        // One fused multiply-add per further input; the first product is a fresh tensor, so
        // accumulating into it in place leaves every value autograd saved untouched.
        const torch::Tensor weights = torch::sigmoid(step.gated->gate);
        torch::Tensor sum = x * weights[0];
        for (std::size_t i = 1; i < step.inputs.size(); ++i) sum.addcmul_(values[step.inputs[i]], weights[i]);
        return sum;
    }
    case OpType::concat: {
        std::vector<torch::Tensor> parts;
        for (auto slot : step.inputs) parts.push_back(values[slot]);
        return torch::cat(parts, 1);
    }
    case OpType::identity:
        return x;
    case OpType::dropout:
        return torch::dropout(x, n.rate, is_training());
    case OpType::input:
        break;
    }
    fail("node " + std::to_string(n.id) + ": cannot run op " + op_name(n.op));
}

torch::Tensor NetworkImpl::forward(const torch::Tensor& x)
{
    const Shape& expected = m_arch.input_shape();
    if (x.dim() != 4 || x.size(1) != expected[0] || x.size(2) != expected[1] || x.size(3) != expected[2])
        fail("network input must be [N," + std::to_string(expected[0]) + "," + std::to_string(expected[1]) + "," +
             std::to_string(expected[2]) + "], got " + shape_string(x.sizes().vec()));
    std::vector<torch::Tensor> values(m_steps.size());
    values[0] = x;
    for (std::size_t s = 1; s < m_steps.size(); ++s) {
        values[s] = run_step(m_steps[s], values);
        for (auto slot : m_steps[s].release) values[slot].reset();
    }
    return values[m_output_slot];
}

std::shared_ptr<torch::nn::Module> NetworkImpl::node_module(int id) const
{
    for (const auto& step : m_steps)
        if (step.node->id == id && step.module) return step.module;
    fail("node " + std::to_string(id) + " has no parameters");
}

std::size_t copy_weights(const NetworkImpl& from, NetworkImpl& to)
{
    torch::NoGradGuard no_grad;
    std::size_t copied = 0;
    auto copy_matching = [&copied](const auto& source, const auto& target) {
        for (const auto& item : target) {
            const torch::Tensor* src = source.find(item.key());
            if (src && src->sizes() == item.value().sizes()) {
                item.value().copy_(*src);
                ++copied;
            }
        }
    };
    copy_matching(from.named_parameters(), to.named_parameters());
    copy_matching(from.named_buffers(), to.named_buffers());
    return copied;
}

Network clone_network(const NetworkImpl& net)
{
    Network copy(net.architecture());
    const auto params = net.parameters();
    if (!params.empty()) copy->to(params.front().device());
    copy_weights(net, *copy);
    copy->train(net.is_training());
    return copy;
}

void save_weights(Network& net, const std::string& path)
{
    // Serialised in memory first: LibTorch's file writer aborts the process when the disk fills
    // (its destructor throws), and our writer reports that as one line and leaves no file.
    std::ostringstream bytes;
    torch::save(net, bytes);
    write_file_atomically(path, bytes.str());
}

Network load_network(const Architecture& arch, const std::string& path, c10::Device device)
{
    Network net(arch);
    try {
        // Onto the CPU first: a file saved from a CUDA run records CUDA storages, which a
        // CPU-only LibTorch (export, report, predict on another machine) could not restore.
        torch::load(net, path, torch::Device(torch::kCPU));
    } catch (const c10::Error& e) {
        const std::string what = e.what_without_backtrace();
        fail("weights " + path + " cannot be loaded into this architecture: " + what.substr(0, what.find('\n')));
    }
    net->to(device);
    return net;
}

} // namespace paretonas
