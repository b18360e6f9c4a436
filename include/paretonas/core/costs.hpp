/// @file core/costs.hpp
/// Analytic costs of an Architecture: free functions, no LibTorch (measured latency is in
/// train/latency.hpp).
#ifndef PARETONAS_CORE_COSTS_HPP
#define PARETONAS_CORE_COSTS_HPP

#include <paretonas/core/architecture.hpp>

#include <cstdint>

namespace paretonas {

/// Trainable parameters: conv weights (+bias), depthwise + pointwise weights (+biases), batch
/// norm scale and shift, linear weights and biases. Running statistics are buffers, not counted.
std::int64_t parameter_count(const Architecture& arch);

/// Multiply-accumulates of one forward pass for one image, counting convolutions and linear
/// layers only (the convention of the NAS literature; BN, activations, pools and adds are
/// cheap elementwise work and ignored).
std::int64_t multiply_adds(const Architecture& arch);

struct NodeCost {
    int id;
    std::int64_t parameters;
    std::int64_t multiply_adds;
};
/// The same two costs per node, indexed like arch.nodes().
std::vector<NodeCost> node_costs(const Architecture& arch);

} // namespace paretonas

#endif
