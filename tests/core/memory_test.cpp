#include "common/test_support.hpp"

#include <paretonas/core/memory.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace paretonas;

// The same network as Costs.ConvLinearHandCount: 634 parameters.
// Node outputs per image: input 3*32*32 = 3072, conv 16*32*32 = 16384, BN 16384, GAP 16, linear 10
// -> total 35866, largest 16384. The conv unfolds 3*9 values for each of 32*32 pixels: 27648.
TEST(MemoryGuard, TrainingAndInferenceEstimatesByHand)
{
    Architecture arch({3, 32, 32}, 10);
    const int c = arch.append(conv_node(16, 3), 0);
    const int b = arch.append(op_node(OpType::batch_norm), c);
    const int g = arch.append(op_node(OpType::global_avg_pool), b);
    arch.append(linear_node(10), g);
    EXPECT_EQ(training_memory_bytes(arch, 1), 4 * (4 * 634 + (35866 + 2 * 16384) + 27648));
    EXPECT_EQ(training_memory_bytes(arch, 128), 4 * (4 * 634 + 128 * (35866 + 2 * 16384) + 27648));
    EXPECT_EQ(inference_memory_bytes(arch, 100), 4 * (634 + 100 * 2 * 16384 + 27648));
}

TEST(MemoryGuard, TheReadmesWideNetworkIsRefusedWithItsFigure)
{
    // "channels": 16384 at 28x28: each feature map is 16384*784 floats per image, 6.1 GiB at batch 128.
    const auto wide = conv_chain({1, 28, 28}, 10, {16384}, {});
    EXPECT_GT(training_memory_bytes(wide, 128), std::int64_t{20} << 30);
    EXPECT_EQ(test::error_message([&] { require_training_memory(wide, 128, std::int64_t{8} << 30, "architecture wide.json"); }),
              "architecture wide.json needs about " + format_bytes(training_memory_bytes(wide, 128)) +
                  " to train at batch 128, more than the memory limit 8.0 GiB (--max-memory)");
    EXPECT_NO_THROW(require_training_memory(wide, 128, 0, "no limit"));
    const auto small = conv_chain({1, 28, 28}, 10, {16, 32}, {0});
    EXPECT_NO_THROW(require_training_memory(small, 128, std::int64_t{1} << 30, "small"));
}

TEST(MemoryGuard, BytesReadAsPeopleWriteThem)
{
    EXPECT_EQ(format_bytes(12), "12 bytes");
    EXPECT_EQ(format_bytes(640LL << 20), "640.0 MiB");
    EXPECT_EQ(format_bytes(3LL << 29), "1.5 GiB");
}

TEST(MemoryGuard, ThisMachineReportsAvailableMemory)
{
    const auto available = available_memory_bytes();
    EXPECT_GT(available, std::int64_t{64} << 20);  // Linux: /proc/meminfo
    EXPECT_LT(available, std::int64_t{1} << 50);
}
