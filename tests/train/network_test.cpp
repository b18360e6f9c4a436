#include "common/test_support.hpp"
#include "test_architectures.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/train/network.hpp>
#include <paretonas/train/runtime.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace paretonas;

namespace {

torch::Tensor random_batch(const Architecture& arch, int n = 4)
{
    const auto& s = arch.input_shape();
    return torch::randn({n, s[0], s[1], s[2]});
}

// Puts non-trivial running statistics into every batch norm.
void warm_batch_norms(Network& net, int steps = 3)
{
    torch::NoGradGuard no_grad;
    net->train();
    for (int i = 0; i < steps; ++i) net->forward(random_batch(net->architecture(), 8) * 2 + 0.5);
    net->eval();
}

} // namespace

TEST(Network, ForwardGivesClassScoresForEveryArchitecture)
{
    for (const auto& arch : fixtures::sample_architectures()) {
        Network net(arch);
        const auto out = net->forward(random_batch(arch));
        EXPECT_EQ(out.sizes().vec(), (std::vector<std::int64_t>{4, static_cast<std::int64_t>(arch.num_classes())}));
        EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
    }
}

TEST(Network, ParametersAreNamedByNodeId)
{
    const auto arch = fixtures::every_op_network();
    Network net(arch);
    const auto params = net->named_parameters();
    EXPECT_NE(params.find("n1.weight"), nullptr);
    EXPECT_NE(params.find("n4.dw.weight"), nullptr);
    EXPECT_NE(params.find("n4.pw.weight"), nullptr);
    EXPECT_NE(params.find("n5.bias"), nullptr);        // grouped conv with bias
    EXPECT_EQ(params.find("n1.bias"), nullptr);        // plain conv has none
    EXPECT_EQ(params["n5.weight"].sizes().vec(), (std::vector<std::int64_t>{8, 2, 3, 3}));
}

TEST(Network, WeightCopyByNodeIdLeavesOutputsEqual)
{
    for (const auto& arch : fixtures::sample_architectures()) {
        seed_everything(1);
        Network a(arch);
        warm_batch_norms(a);
        seed_everything(2);
        Network b(arch);
        b->eval();
        const auto x = random_batch(arch, 5);
        torch::NoGradGuard no_grad;
        ASSERT_GT((a->forward(x) - b->forward(x)).abs().max().item<float>(), 1e-3);
        const auto copied = copy_weights(*a, *b);
        EXPECT_EQ(copied, a->parameters().size() + a->buffers().size());
        EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x)));
    }
}

TEST(Network, WeightCopySkipsNodesThatDiffer)
{
    const auto arch = conv_chain({1, 8, 8}, 3, {4, 4}, {});
    auto wider = arch;
    wider.node(4).channels = 6;   // second conv wider: its weights, its BN and the classifier differ
    Network a(arch), b(wider);
    const auto copied = copy_weights(*a, *b);
    const auto a_params = a->named_parameters();
    const auto b_params = b->named_parameters();
    EXPECT_TRUE(torch::equal(a_params["n1.weight"], b_params["n1.weight"]));
    EXPECT_FALSE(b_params["n4.weight"].sizes() == a_params["n4.weight"].sizes());
    EXPECT_LT(copied, a->parameters().size() + a->buffers().size());
}

TEST(Network, InPlaceReluGivesTheSameOutputsAndGradients)
{
    // Reference: the same network with an identity before every ReLU. Identity may alias, so
    // those ReLUs run out of place; node ids are kept, so the weights copy over.
    const auto arch = fixtures::every_op_network();
    auto reference = arch;
    for (const auto& n : arch.nodes()) {
        if (n.op != OpType::relu) continue;
        Node identity = op_node(OpType::identity);
        identity.inputs = n.inputs;
        reference.node(n.id).inputs = {reference.add_node(identity)};
    }
    seed_everything(3);
    Network fast(arch), slow(reference);
    copy_weights(*fast, *slow);
    const auto x = random_batch(arch, 6);
    fast->train();
    slow->train();
    seed_everything(4);  // same dropout masks on both sides
    const auto out_fast = fast->forward(x);
    seed_everything(4);
    const auto out_slow = slow->forward(x);
    ASSERT_TRUE(torch::allclose(out_fast, out_slow, 1e-5, 1e-6));
    (out_fast * out_fast).sum().backward();
    (out_slow * out_slow).sum().backward();
    const auto slow_params = slow->named_parameters();
    for (const auto& p : fast->named_parameters())
        EXPECT_TRUE(torch::allclose(p.value().grad(), slow_params[p.key()].grad(), 1e-4, 1e-6)) << p.key();
}

TEST(Network, GatedSumScalesEachInputBySigmoidOfItsGate)
{
    // out = flatten(sigmoid(g0) x + sigmoid(g1) 2x) through an identity classifier.
    Architecture arch({1, 2, 2}, 4);
    const int c = arch.append(conv_node(1, 1), 0);
    Node gated = op_node(OpType::gated_sum);
    gated.inputs = {0, c};
    const int g = arch.add_node(gated);
    const int f = arch.append(op_node(OpType::flatten), g);
    arch.append(linear_node(4), f);
    Network net(arch);
    {
        torch::NoGradGuard no_grad;
        auto params = net->named_parameters();
        EXPECT_TRUE(torch::equal(params["n" + std::to_string(g) + ".gate"], torch::ones({2})));  // NAGO's initial gates
        params["n" + std::to_string(c) + ".weight"].fill_(2.0);
        params["n" + std::to_string(g) + ".gate"].copy_(torch::tensor({0.5, -1.0}));
        params["n4.weight"].copy_(torch::eye(4));
        params["n4.bias"].zero_();
    }
    const auto x = torch::randn({3, 1, 2, 2});
    const auto out = net->forward(x);
    const double scale = 1 / (1 + std::exp(-0.5)) + 2 / (1 + std::exp(1.0));
    EXPECT_TRUE(torch::allclose(out, x.flatten(1) * scale, 1e-6, 1e-6));
    out.sum().backward();
    const auto gate_grad = net->named_parameters()["n" + std::to_string(g) + ".gate"].grad();
    const double s0 = 1 / (1 + std::exp(-0.5)), s1 = 1 / (1 + std::exp(1.0));
    EXPECT_NEAR(gate_grad[0].item<double>(), s0 * (1 - s0) * x.sum().item<double>(), 1e-4);
    EXPECT_NEAR(gate_grad[1].item<double>(), s1 * (1 - s1) * 2 * x.sum().item<double>(), 1e-4);
}

TEST(Network, GatedSumNetworksCopyWeightsByNodeId)
{
    const auto arch = fixtures::gated_sum_network();
    seed_everything(3);
    Network a(arch), b(arch);
    {
        torch::NoGradGuard no_grad;
        a->named_parameters()["n5.gate"].copy_(torch::tensor({0.1, 0.2, -0.3}));
    }
    copy_weights(*a, *b);
    a->eval();
    b->eval();
    const auto x = random_batch(arch);
    EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x)));
}

TEST(Network, WrongInputShapeIsNamed)
{
    Network net(default_architecture({1, 28, 28}, 10));
    EXPECT_THAT(test::error_message([&] { net->forward(torch::randn({2, 3, 28, 28})); }),
                ::testing::HasSubstr("network input must be [N,1,28,28], got [2,3,28,28]"));
    auto huge = conv_chain({1, 8, 8}, 3, {65536, 65536}, {});
    EXPECT_THAT(test::error_message([&] { Network too_big(huge); }), ::testing::HasSubstr("parameters; paretonas builds"));
}

TEST(Runtime, DeviceParsing)
{
    EXPECT_TRUE(parse_device("cpu").is_cpu());
    EXPECT_THROW(parse_device("tpu"), InputError);
    if (!torch::cuda::is_available())
        EXPECT_THAT(test::error_message([] { parse_device("cuda"); }), ::testing::HasSubstr("no CUDA"));
}
