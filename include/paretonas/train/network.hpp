/// @file train/network.hpp
/// Network: a torch::nn::Module built from an Architecture, with parameters named by node id.
#ifndef PARETONAS_TRAIN_NETWORK_HPP
#define PARETONAS_TRAIN_NETWORK_HPP

#include <paretonas/core/architecture.hpp>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <functional>
#include <string>
#include <vector>

namespace paretonas {

/// Depthwise k x k then pointwise 1 x 1 convolution, as one node.
class SepConvImpl : public torch::nn::Module {
public:
    SepConvImpl(std::int64_t in_channels, const Node& node);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Conv2d dw{nullptr}, pw{nullptr};
};
TORCH_MODULE(SepConv);

/// The gates of a gated_sum node: input i is scaled by sigmoid(gate[i]). They start at 1, as in
/// the NAGO code (sigmoid(1) = 0.73 for every input).
class GatedSumImpl : public torch::nn::Module {
public:
    explicit GatedSumImpl(std::int64_t inputs);
    torch::Tensor gate;
};
TORCH_MODULE(GatedSum);

/// Parameters of node `id` are registered under "n<id>" ("n7.weight", "n3.dw.weight"), so two
/// networks whose architectures share a node id can exchange that node's weights by name.
class NetworkImpl : public torch::nn::Module {
public:
    explicit NetworkImpl(Architecture arch);
    // Steps point into m_arch: a copy would point into the original.
    NetworkImpl(const NetworkImpl&) = delete;
    NetworkImpl& operator=(const NetworkImpl&) = delete;
    torch::Tensor forward(const torch::Tensor& x);
    const Architecture& architecture() const { return m_arch; }
    /// The submodule of node `id` (conv, sep_conv, batch_norm, linear, gated_sum); throws for other ops.
    std::shared_ptr<torch::nn::Module> node_module(int id) const;
    /// Module name of node `id`: "n<id>".
    static std::string module_name(int id) { return "n" + std::to_string(id); }

    struct Step {
        const Node* node;
        std::vector<std::size_t> inputs;   // slots of the input values
        std::vector<std::size_t> release;  // slots whose last reader is this step
        std::shared_ptr<torch::nn::Module> module;
        std::function<torch::Tensor(const torch::Tensor&)> call;  // the module's forward
        std::shared_ptr<GatedSumImpl> gated;                       // a gated_sum's gates
        bool relu_in_place = false;
    };

private:
    torch::Tensor run_step(const Step& step, std::vector<torch::Tensor>& values) const;

    Architecture m_arch;
    std::vector<Step> m_steps;
    std::size_t m_output_slot = 0;
};
TORCH_MODULE(Network);

/// Copies every parameter and buffer that both networks name alike (same node id and local
/// name) and whose shapes are equal. Returns the number of tensors copied.
std::size_t copy_weights(const NetworkImpl& from, NetworkImpl& to);

/// A deep copy of `net` (architecture, parameters, buffers, mode) on the same device.
Network clone_network(const NetworkImpl& net);

/// Writes `net`'s parameters and buffers to `path` atomically (temporary file, then rename), so
/// a killed process never leaves a half-written weights file.
void save_weights(Network& net, const std::string& path);
/// A network of `arch` with the weights saved at `path`, on `device`. Throws InputError for a
/// missing or unreadable file, or weights that do not fit `arch`.
Network load_network(const Architecture& arch, const std::string& path, c10::Device device);

} // namespace paretonas

#endif
