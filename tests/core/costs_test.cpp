#include <paretonas/core/costs.hpp>

#include <gtest/gtest.h>

using namespace paretonas;

// Hand counts: every number below is worked out in the comment beside it.
TEST(Costs, ConvLinearHandCount)
{
    Architecture arch({3, 32, 32}, 10);
    const int c = arch.append(conv_node(16, 3), 0);          // 16*3*9 = 432 params, 32*32*432 = 442368 MAdds
    const int b = arch.append(op_node(OpType::batch_norm), c);  // 32 params
    const int g = arch.append(op_node(OpType::global_avg_pool), b);
    arch.append(linear_node(10), g);                          // 160 + 10 params, 160 MAdds
    EXPECT_EQ(parameter_count(arch), 432 + 32 + 170);
    EXPECT_EQ(multiply_adds(arch), 442368 + 160);
}

TEST(Costs, GatedSumHasAGatePerInputAndAMultiplyAddPerInputValue)
{
    Architecture arch({2, 5, 5}, 3);
    const int c = arch.append(conv_node(2, 1), 0);  // 4 params, 25 * 4 = 100 MAdds
    Node gated = op_node(OpType::gated_sum);
    gated.inputs = {0, c, 0};                       // 3 gates, 3 * 50 = 150 MAdds
    const int g = arch.add_node(gated);
    const int a = arch.append(op_node(OpType::global_avg_pool), g);
    arch.append(linear_node(3), a);                 // 6 + 3 params, 6 MAdds
    EXPECT_EQ(parameter_count(arch), 4 + 3 + 9);
    EXPECT_EQ(multiply_adds(arch), 100 + 150 + 6);
}

TEST(Costs, StridedBiasConvHandCount)
{
    Architecture arch({4, 9, 9}, 2);
    Node c = conv_node(6, 5, 2);                               // out 5x5 (pad 2)
    c.bias = true;                                             // 6*4*25 + 6 = 606 params
    const int a = arch.append(c, 0);                           // 25 * 6 * 100 = 15000 MAdds
    const int f = arch.append(op_node(OpType::flatten), a);    // 150 features
    arch.append(linear_node(2), f);                            // 302 params, 300 MAdds
    EXPECT_EQ(parameter_count(arch), 606 + 302);
    EXPECT_EQ(multiply_adds(arch), 15000 + 300);
}

TEST(Costs, DepthwiseAndGroupedHandCount)
{
    Architecture arch({8, 10, 10}, 4);
    const int s = arch.append(sep_conv_node(16, 3), 0);  // dw 8*9=72 + pw 8*16=128 -> 200 params
                                                         // MAdds 100*(72 + 128) = 20000
    Node g = conv_node(16, 3);
    g.groups = 4;                                        // 16 * (16/4) * 9 = 576 params, 100*576 = 57600
    const int gc = arch.append(g, s);
    Node dw = conv_node(16, 3, 2);
    dw.groups = 16;                                      // depthwise: 16*1*9 = 144, out 5x5: 25*144 = 3600
    const int d = arch.append(dw, gc);
    const int p = arch.append(op_node(OpType::global_avg_pool), d);
    arch.append(linear_node(4), p);                      // 68 params, 64 MAdds
    EXPECT_EQ(parameter_count(arch), 200 + 576 + 144 + 68);
    EXPECT_EQ(multiply_adds(arch), 20000 + 57600 + 3600 + 64);
}

TEST(Costs, PerNodeCostsSumToTotals)
{
    const auto arch = default_architecture({1, 28, 28}, 10);
    std::int64_t p = 0, m = 0;
    for (const auto& c : node_costs(arch)) {
        p += c.parameters;
        m += c.multiply_adds;
    }
    EXPECT_EQ(p, parameter_count(arch));
    EXPECT_EQ(m, multiply_adds(arch));
    EXPECT_GT(m, 0);
}
