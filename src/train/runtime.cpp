#include <paretonas/core/error.hpp>
#include <paretonas/train/runtime.hpp>

#include <torch/torch.h>

#include <malloc.h>

#include <algorithm>
#include <thread>

namespace paretonas {

void configure_runtime(const RuntimeOptions& options)
{
#if defined(__GLIBC__)
    if (options.tune_allocator) {
        // 32 MiB is glibc's ceiling for the mmap threshold on 64-bit (HEAP_MAX_SIZE / 2).
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
        // Above that ceiling every buffer is still a fresh mmap whose pages fault in on first
        // touch: activations of a wide layer at batch 500 are 100 MB. With mmap off,
        // they come from the heap and are reused (see docs/performance.md).
        if (!options.allow_mmap) mallopt(M_MMAP_MAX, 0);
    }
#endif
    // LibTorch's OpenMP default can be a single thread (libgomp honours the cgroup quota and
    // affinity differently from nproc), so the default is stated explicitly: one per core.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    torch::set_num_threads(options.threads > 0 ? options.threads : static_cast<int>(cores));
}

c10::Device parse_device(const std::string& name)
{
    c10::optional<c10::Device> device;
    try {
        device = c10::Device(name);
    } catch (const std::exception&) {
        fail("unknown device '" + name + "' (use cpu, cuda or cuda:N)");
    }
    if (device->is_cuda() && !torch::cuda::is_available())
        fail("device '" + name + "' asked for, but this LibTorch has no CUDA or no GPU is visible");
    if (device->is_cuda() && device->has_index() &&
        device->index() >= static_cast<int>(torch::cuda::device_count()))
        fail("device '" + name + "' asked for, but only " + std::to_string(torch::cuda::device_count()) + " GPU(s) exist");
    if (!device->is_cpu() && !device->is_cuda()) fail("unsupported device '" + name + "' (use cpu or cuda)");
    return *device;
}

void seed_everything(std::uint64_t seed)
{
    torch::manual_seed(seed);
    if (torch::cuda::is_available()) torch::cuda::manual_seed_all(seed);
}

} // namespace paretonas
