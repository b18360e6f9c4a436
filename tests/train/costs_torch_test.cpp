#include "test_architectures.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/train/latency.hpp>
#include <paretonas/train/network.hpp>

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace paretonas;

TEST(CostsAgainstTorch, ParameterCountEqualsNumelSum)
{
    auto archs = fixtures::sample_architectures();
    archs.push_back(fixtures::gated_sum_network());
    for (const auto& arch : archs) {
        Network net(arch);
        std::int64_t numel = 0;
        for (const auto& p : net->parameters()) numel += p.numel();
        EXPECT_EQ(parameter_count(arch), numel) << arch;
    }
}

TEST(Latency, SummaryStatistics)
{
    const auto s = summarize_timings({5, 1, 3, 2, 4}, 1);
    EXPECT_DOUBLE_EQ(s.median_ms, 3);
    EXPECT_DOUBLE_EQ(s.p25_ms, 2);
    EXPECT_DOUBLE_EQ(s.p75_ms, 4);
    EXPECT_DOUBLE_EQ(s.min_ms, 1);
    EXPECT_DOUBLE_EQ(s.max_ms, 5);
    EXPECT_DOUBLE_EQ(s.relative_iqr(), 2.0 / 3.0);
}

TEST(Latency, BiggerNetworkIsSlower)
{
    torch::set_num_threads(1);
    const auto small = conv_chain({1, 28, 28}, 10, {4}, {0});
    const auto big = conv_chain({1, 28, 28}, 10, {64, 128, 128}, {});
    LatencyOptions options;
    options.batch_size = 8;
    options.repeats = 7;
    const auto t_small = measure_latency(small, torch::kCPU, options);
    const auto t_big = measure_latency(big, torch::kCPU, options);
    EXPECT_GT(t_small.median_ms, 0.0);
    EXPECT_EQ(t_big.repeats, 7);
    EXPECT_GT(t_big.median_ms, 2 * t_small.median_ms);  // ~400x the multiply-adds: safe on a loaded machine
}
