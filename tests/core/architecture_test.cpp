#include <paretonas/core/architecture.hpp>
#include <paretonas/core/error.hpp>

#include "common/test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace paretonas;
using ::testing::HasSubstr;

namespace {

// input -> conv a -> relu -> {conv b, identity} -> merge -> gap -> linear
Architecture two_branch(OpType merge, int channels_a, int channels_b, int stride_b = 1)
{
    Architecture arch({3, 8, 8}, 5);
    const int a = arch.append(conv_node(channels_a), arch.input_id());
    const int r = arch.append(op_node(OpType::relu), a);
    const int b = arch.append(conv_node(channels_b, 3, stride_b), r);
    Node m = op_node(merge);
    m.inputs = {r, b};
    const int mid = arch.add_node(m);
    const int g = arch.append(op_node(OpType::global_avg_pool), mid);
    arch.append(linear_node(5), g);
    return arch;
}

} // namespace

TEST(Architecture, ShapeInferenceThroughConvPoolAndHead)
{
    const auto arch = conv_chain({1, 28, 28}, 10, {8, 16}, {0});
    const auto shapes = arch.infer_shapes();
    EXPECT_EQ(shapes[arch.index_of(1)], (Shape{8, 28, 28}));   // conv, same padding
    EXPECT_EQ(shapes[arch.index_of(4)], (Shape{8, 14, 14}));   // max pool 2/2
    EXPECT_EQ(shapes[arch.index_of(5)], (Shape{16, 14, 14}));
    EXPECT_EQ(arch.shape_of(arch.output_id()), (Shape{10}));
}

TEST(Architecture, StridedAndDilatedConvShapes)
{
    Architecture arch({3, 32, 32}, 10);
    Node c = conv_node(6, 5, 2);
    c.padding = 0;
    const int a = arch.append(c, 0);
    Node d = conv_node(6, 3, 1);
    d.dilation = 2;
    const int b = arch.append(d, a);
    const int g = arch.append(op_node(OpType::flatten), b);
    arch.append(linear_node(10), g);
    EXPECT_EQ(arch.shape_of(a), (Shape{6, 14, 14}));   // (32 - 5) / 2 + 1
    EXPECT_EQ(arch.shape_of(b), (Shape{6, 14, 14}));   // padding 2 keeps size at dilation 2
    EXPECT_EQ(arch.shape_of(g), (Shape{6 * 14 * 14}));
}

TEST(Architecture, ConcatAddsChannels)
{
    const auto arch = two_branch(OpType::concat, 4, 6);
    EXPECT_EQ(arch.shape_of(4), (Shape{10, 8, 8}));
}

TEST(Architecture, AddChannelMismatchIsNamed)
{
    const auto arch = two_branch(OpType::add, 4, 6);
    EXPECT_THAT(test::error_message([&] { arch.infer_shapes(); }), HasSubstr("node 4 (add): channel mismatch: 4 vs 6"));
}

TEST(Architecture, GatedSumKeepsItsInputsShapeAndNamesAMismatch)
{
    EXPECT_EQ(two_branch(OpType::gated_sum, 4, 4).shape_of(4), (Shape{4, 8, 8}));
    EXPECT_THAT(test::error_message([] { two_branch(OpType::gated_sum, 4, 6).infer_shapes(); }),
                HasSubstr("node 4 (gated_sum): shape mismatch: [4,8,8] vs [6,8,8]"));
    EXPECT_EQ(op_from_name("gated_sum"), OpType::gated_sum);
    EXPECT_TRUE(has_parameters(OpType::gated_sum));
    const auto arch = two_branch(OpType::gated_sum, 4, 4);
    EXPECT_EQ(Architecture::from_json(arch.to_json()), arch);
}

TEST(Architecture, ConcatSpatialMismatchIsNamed)
{
    const auto arch = two_branch(OpType::concat, 4, 4, 2);
    EXPECT_THAT(test::error_message([&] { arch.infer_shapes(); }), HasSubstr("node 4 (concat): spatial mismatch: [4,8,8] vs [4,4,4]"));
}

TEST(Architecture, CycleIsNamed)
{
    auto arch = conv_chain({1, 8, 8}, 3, {4}, {});
    arch.node(1).inputs = {3};  // conv reads the relu that follows it
    EXPECT_THAT(test::error_message([&] { arch.infer_shapes(); }), HasSubstr("cycle in architecture"));
}

TEST(Architecture, DanglingNodeIsNamed)
{
    auto arch = conv_chain({1, 8, 8}, 3, {4}, {});
    Node extra = conv_node(2);
    extra.inputs = {1};
    const int id = arch.add_node(extra);
    EXPECT_THAT(test::error_message([&] { arch.infer_shapes(); }),
                HasSubstr("dangling node " + std::to_string(id) + " (conv): its output is never used"));
}

TEST(Architecture, UnknownInputIsNamed)
{
    auto arch = conv_chain({1, 8, 8}, 3, {4}, {});
    arch.node(2).inputs = {42};
    EXPECT_THAT(test::error_message([&] { arch.infer_shapes(); }), HasSubstr("node 2 (batch_norm): input 42 does not exist"));
}

TEST(Architecture, UnknownOpIsNamed)
{
    EXPECT_THAT(test::error_message([] { op_from_name("conv3d"); }), HasSubstr("unknown op 'conv3d'"));
}

TEST(Architecture, ImpossibleShapesAreNamed)
{
    Architecture arch({1, 4, 4}, 2);
    Node big = conv_node(3, 7, 1);
    big.padding = 0;
    const int a = arch.append(big, 0);
    const int g = arch.append(op_node(OpType::global_avg_pool), a);
    arch.append(linear_node(2), g);
    EXPECT_THAT(test::error_message([&] { arch.infer_shapes(); }), HasSubstr("too small for kernel 7"));

    // A 2x2 pool on a 1x1 map: the span is negative, which integer division would round to a
    // 1x1 output that LibTorch then rejects.
    EXPECT_THAT(test::error_message([] { conv_chain({1, 1, 1}, 3, {4}, {0}); }),
                HasSubstr("node 4 (max_pool): input [4,1,1] is too small for kernel 2 and stride 2"));
    Architecture strided({1, 1, 1}, 2);
    Node even = conv_node(2, 4, 2);
    even.padding = 1;  // 1 + 2 - 3 - 1 < 0
    strided.append(even, 0);
    EXPECT_THAT(test::error_message([&] { strided.infer_shapes(); }), HasSubstr("too small for kernel 4"));
    EXPECT_THAT(test::error_message([] { Architecture({1, 100000, 100000}, 2); }), HasSubstr("at most 2^28 values"));

    Architecture no_head({1, 4, 4}, 2);
    no_head.append(linear_node(2), 0);
    EXPECT_THAT(test::error_message([&] { no_head.infer_shapes(); }), HasSubstr("needs a vector input"));

    auto wrong_classes = conv_chain({1, 8, 8}, 3, {4}, {});
    wrong_classes.node(wrong_classes.output_id()).channels = 4;
    EXPECT_THAT(test::error_message([&] { wrong_classes.infer_shapes(); }), HasSubstr("expected [3] class scores"));

    auto bad_groups = conv_chain({3, 8, 8}, 3, {4}, {});
    bad_groups.node(1).groups = 2;
    EXPECT_THAT(test::error_message([&] { bad_groups.infer_shapes(); }), HasSubstr("groups 2 must divide input channels 3"));
}

TEST(Architecture, IdsStayStableAcrossRemoval)
{
    auto arch = conv_chain({1, 8, 8}, 3, {4, 4}, {});
    const auto before = arch.nodes().size();
    // Splice out the second block (conv 4, bn 5, relu 6) by rewiring its reader to relu 3.
    arch.redirect(6, 3);
    for (int id : {6, 5, 4}) arch.remove_node(id);
    EXPECT_EQ(arch.nodes().size(), before - 3);
    EXPECT_TRUE(arch.contains(7));
    EXPECT_EQ(arch.node(7).inputs, std::vector<int>{3});
    const int fresh = arch.add_node(op_node(OpType::identity));
    EXPECT_EQ(fresh, 9);  // ids 1..8 were used; removed ids 4..6 are never handed out again
}

TEST(Architecture, DefaultArchitectureIsValid)
{
    const auto arch = default_architecture({1, 28, 28}, 10);
    EXPECT_EQ(arch.shape_of(arch.output_id()), (Shape{10}));
}
