/// @file core/memory.hpp
/// The memory guard: what training or evaluating an Architecture needs at most, estimated from
/// its shapes before anything is allocated, and what this machine can give. Free functions, no
/// LibTorch, so that a search can refuse (or price) a network without building it.
#ifndef PARETONAS_CORE_MEMORY_HPP
#define PARETONAS_CORE_MEMORY_HPP

#include <paretonas/core/architecture.hpp>

#include <cstdint>
#include <string>

namespace paretonas {

/// Peak bytes of one training step of `arch` at `batch_size` with SGD and momentum, float32:
/// weights, gradients, momentum and a distillation teacher (4 x parameters); every node's
/// output kept for the backward pass plus two of the largest in flight as gradients (per
/// image); and the largest convolution's unfolded input (im2col) for one image. An estimate from
/// shapes, meant to err high: it guards against the network that cannot fit, not the last 10%.
std::int64_t training_memory_bytes(const Architecture& arch, std::int64_t batch_size);

/// Peak bytes of a forward pass without gradients at `batch_size`: the weights, the two
/// largest node outputs per image (a pass frees each output once its consumers ran; an
/// approximation for graphs with long skips) and the largest convolution's unfolded input.
std::int64_t inference_memory_bytes(const Architecture& arch, std::int64_t batch_size);

/// Bytes this process may still allocate: MemAvailable of /proc/meminfo, capped by the
/// cgroup's memory.max less its memory.current where a container sets one. 0 if unknown.
std::int64_t available_memory_bytes();

/// "1.5 GiB", "640.0 MiB", "12 bytes".
std::string format_bytes(std::int64_t bytes);

/// Throws InputError "<what> needs about <X> to train at batch <B>, more than the memory limit
/// <L> (--max-memory)" when training_memory_bytes exceeds `limit_bytes` (0: no limit).
void require_training_memory(const Architecture& arch, std::int64_t batch_size, std::int64_t limit_bytes, const std::string& what);

} // namespace paretonas

#endif
