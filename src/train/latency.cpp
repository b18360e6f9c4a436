#include <paretonas/core/error.hpp>
#include <paretonas/train/latency.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace paretonas {

namespace {
double quantile(const std::vector<double>& sorted, double q)
{
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const auto hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

void wait_for(c10::Device device)
{
    if (device.is_cuda()) torch::cuda::synchronize(device.has_index() ? device.index() : -1);
}
} // namespace

LatencyStats summarize_timings(std::vector<double> ms, int batch_size)
{
    if (ms.empty()) fail("no timings to summarise");
    std::sort(ms.begin(), ms.end());
    LatencyStats s;
    s.batch_size = batch_size;
    s.repeats = static_cast<int>(ms.size());
    s.min_ms = ms.front();
    s.max_ms = ms.back();
    s.median_ms = quantile(ms, 0.5);
    s.p25_ms = quantile(ms, 0.25);
    s.p75_ms = quantile(ms, 0.75);
    return s;
}

LatencyStats measure_latency(NetworkImpl& net, c10::Device device, const LatencyOptions& options)
{
    options.validate();
    torch::NoGradGuard no_grad;
    const bool was_training = net.is_training();
    net.to(device);
    net.eval();
    Shape shape = net.architecture().input_shape();
    const auto input = torch::randn({options.batch_size, shape[0], shape[1], shape[2]}, torch::TensorOptions().device(device));
    for (int i = 0; i < options.warmup; ++i) net.forward(input);
    wait_for(device);
    std::vector<double> ms;
    ms.reserve(options.repeats);
    for (int i = 0; i < options.repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        net.forward(input);
        wait_for(device);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    net.train(was_training);
    return summarize_timings(std::move(ms), options.batch_size);
}

LatencyStats measure_latency(const Architecture& arch, c10::Device device, const LatencyOptions& options)
{
    Network net(arch);
    return measure_latency(*net, device, options);
}

} // namespace paretonas
