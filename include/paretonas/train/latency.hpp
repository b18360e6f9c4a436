/// @file train/latency.hpp
/// Measured inference latency of a network on a device.
#ifndef PARETONAS_TRAIN_LATENCY_HPP
#define PARETONAS_TRAIN_LATENCY_HPP

#include <paretonas/train/config.hpp>
#include <paretonas/train/network.hpp>

#include <c10/core/Device.h>

namespace paretonas {

/// Wall-clock time of one forward pass in eval mode, over `repeats` timed runs after `warmup`
/// untimed ones. The median is the figure to compare; the quartiles and extremes show the spread.
struct LatencyStats {
    double median_ms = 0, p25_ms = 0, p75_ms = 0, min_ms = 0, max_ms = 0;
    int batch_size = 1, repeats = 0;
    /// Relative spread (p75 - p25) / median, so callers can tell a noisy measurement.
    double relative_iqr() const { return median_ms > 0 ? (p75_ms - p25_ms) / median_ms : 0.0; }
};

LatencyStats measure_latency(NetworkImpl& net, c10::Device device, const LatencyOptions& options = {});
/// Builds the network with fresh weights (latency does not depend on their values).
LatencyStats measure_latency(const Architecture& arch, c10::Device device, const LatencyOptions& options = {});

/// Summary statistics of a sample of timings (exposed for tests).
LatencyStats summarize_timings(std::vector<double> milliseconds, int batch_size);

} // namespace paretonas

#endif
