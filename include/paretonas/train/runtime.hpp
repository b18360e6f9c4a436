/// @file train/runtime.hpp
/// Process-wide settings that every entry point (CLI, benchmarks) applies once at start-up.
#ifndef PARETONAS_TRAIN_RUNTIME_HPP
#define PARETONAS_TRAIN_RUNTIME_HPP

#include <c10/core/Device.h>

#include <cstdint>
#include <string>

namespace paretonas {

struct RuntimeOptions {
    int threads = 0;            // 0: LibTorch's default (one per core)
    bool tune_allocator = true; // see configure_runtime
    bool allow_mmap = false;    // with tune_allocator: keep glibc mmap for buffers above 32 MiB
};

/// Sets the intra-op thread count and, unless disabled, raises glibc's mmap and trim
/// thresholds: by default every tensor buffer over 128 KiB is a fresh mmap that page-faults on
/// first touch and is unmapped on free, which measured 1.1-2.9x slower LibTorch training.
void configure_runtime(const RuntimeOptions& options);

/// "cpu", "cuda" or "cuda:N"; throws InputError when CUDA is asked for and not available.
c10::Device parse_device(const std::string& name);

/// Seeds LibTorch's generators (CPU and CUDA) so that weight init and dropout repeat.
void seed_everything(std::uint64_t seed);

} // namespace paretonas

#endif
