#include "common/test_support.hpp"
#include "morph/morph_support.hpp"
#include "train/test_architectures.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/morph/inherit.hpp>
#include <paretonas/train/runtime.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

using namespace paretonas;
using ::testing::HasSubstr;

namespace {

using test::max_output_gap;
using test::numel;
using test::trained_like;

// The sample networks plus one with every op, so that each operator meets pools, concats,
// adds, separable and grouped convs.
std::vector<Architecture> networks() { return fixtures::sample_architectures(); }

// Every k-th site, at most ~25, so the suite stays fast while covering every kind of pair.
template <class T>
std::vector<T> sample(const std::vector<T>& sites)
{
    const std::size_t step = std::max<std::size_t>(1, sites.size() / 25);
    std::vector<T> out;
    for (std::size_t i = 0; i < sites.size(); i += step) out.push_back(sites[i]);
    return out;
}

void expect_exact(const Architecture& arch, const MorphResult& m, std::uint64_t seed)
{
    auto parent = trained_like(arch, seed);
    auto child = inherit(*parent, m);
    EXPECT_LE(max_output_gap(parent, child), 1e-5) << m.applied.to_string() << "\n" << m.child;
    EXPECT_EQ(numel(child), parameter_count(m.child)) << m.applied.to_string();
}

} // namespace

TEST(ExactMorphisms, DeepenAtEverySiteKeepsTheFunction)
{
    for (const auto& arch : networks()) {
        ASSERT_FALSE(deepen_sites(arch).empty());
        for (int site : deepen_sites(arch))
            for (int kernel : {1, 3, 5}) expect_exact(arch, deepen(arch, site, kernel), 10 + site);
    }
}

TEST(ExactMorphisms, DeepenInTheHeadAddsAnIdentityLinearExactInTrainingToo)
{
    const auto arch = default_architecture({1, 28, 28}, 10);
    int pooled = -1;
    for (const auto& n : arch.nodes())
        if (n.op == OpType::global_avg_pool) pooled = n.id;
    const auto sites = deepen_sites(arch);
    ASSERT_NE(std::find(sites.begin(), sites.end(), pooled), sites.end());
    const auto m = deepen(arch, pooled, 3);
    const auto& added = m.child.node(m.child.consumers(pooled).front());
    EXPECT_EQ(added.op, OpType::linear);
    EXPECT_EQ(added.channels, 128);
    auto parent = trained_like(arch, 9);
    auto child = inherit(*parent, m);
    torch::NoGradGuard no_grad;
    parent->eval();
    child->eval();
    const auto x = torch::randn({4, 1, 28, 28});
    // The head has no batch norm after the pool: the new layers are exact in either mode.
    const auto features = [&](Network& net) {
        net->train();
        auto out = net->forward(x);
        net->eval();
        return out;
    };
    EXPECT_LE((features(parent) - features(child)).abs().max().item<double>(), 1e-5);
}

TEST(ExactMorphisms, WidenAtEverySiteKeepsTheFunction)
{
    for (const auto& arch : networks()) {
        ASSERT_FALSE(widen_sites(arch).empty());
        for (int site : widen_sites(arch)) {
            const int width = arch.node(site).channels;
            expect_exact(arch, widen(arch, site, 2 * width), 20 + site);
            expect_exact(arch, widen(arch, site, width + 1), 30 + site);
        }
    }
}

TEST(ExactMorphisms, SkipsAtEverySiteKeepTheFunction)
{
    for (const auto& arch : networks()) {
        ASSERT_FALSE(skip_sites(arch).empty());
        for (const auto& [from, to] : sample(skip_sites(arch))) expect_exact(arch, add_skip(arch, from, to), 40 + to);
    }
}

TEST(ExactMorphisms, ConcatSkipWhereAllowedKeepsTheFunction)
{
    int applied = 0;
    for (const auto& arch : networks())
        for (const auto& [from, to] : sample(skip_sites(arch))) {
            try {
                const auto m = concat_skip(arch, from, to);
                expect_exact(arch, m, 50 + to);
                ++applied;
            } catch (const InputError& e) {
                // Refused where the extra channels would reach an add or a grouped conv.
                EXPECT_THAT(e.what(), HasSubstr("readers cannot take extra channels"));
            }
        }
    EXPECT_GT(applied, 10);
}

TEST(ExactMorphisms, ChainOfTwentyStaysWithinTolerance)
{
    std::mt19937_64 rng(5);
    for (const auto& start : networks()) {
        auto original = trained_like(start, 77);
        Network current = original;
        for (int step = 0; step < 20; ++step) {
            const auto& arch = current->architecture();
            MorphResult m{arch, {}, {}, {}};
            for (bool done = false; !done;) {
                try {
                    switch (rng() % 4) {
                    case 0: {
                        const auto sites = deepen_sites(arch);
                        m = deepen(arch, sites[rng() % sites.size()], 1 + 2 * static_cast<int>(rng() % 2));
                        break;
                    }
                    case 1: {
                        const auto sites = widen_sites(arch);
                        const int site = sites[rng() % sites.size()];
                        m = widen(arch, site, arch.node(site).channels + 1 + static_cast<int>(rng() % 4));
                        break;
                    }
                    default: {
                        const auto sites = skip_sites(arch);
                        const auto [from, to] = sites[rng() % sites.size()];
                        m = rng() % 2 ? add_skip(arch, from, to) : concat_skip(arch, from, to);
                    }
                    }
                    done = true;
                } catch (const InputError&) {  // refused site: draw again
                }
            }
            current = inherit(*current, m);
            EXPECT_EQ(numel(current), parameter_count(m.child));
        }
        EXPECT_GE(current->architecture().nodes().size(), start.nodes().size() + 10);  // the chain really grew
        EXPECT_LE(max_output_gap(original, current), 1e-4) << current->architecture();
    }
}

TEST(ExactMorphisms, GroupedConvsRefuseChangedInputs)
{
    // conv -> relu -> depthwise conv: widening the first conv or concatenating onto the relu
    // would regroup the depthwise conv's inputs.
    Architecture arch({4, 8, 8}, 3);  // 4 input channels: a concat onto the relu keeps groups dividing
    const int c = arch.append(conv_node(4), 0);
    const int r = arch.append(op_node(OpType::relu), c);
    Node depthwise = conv_node(4);
    depthwise.groups = 4;
    const int d = arch.append(depthwise, r);
    const int g = arch.append(op_node(OpType::global_avg_pool), d);
    arch.append(linear_node(3), g);
    EXPECT_THAT(test::error_message([&] { widen(arch, c, 8); }), HasSubstr("grouped conv node 3 cannot take changed input channels"));
    EXPECT_THAT(test::error_message([&] { concat_skip(arch, 0, r); }), HasSubstr("grouped conv node 3 cannot take changed input channels"));
    expect_exact(arch, add_skip(arch, 0, r), 60);  // an add keeps the channels
}

TEST(ExactMorphisms, InvalidRequestsAreNamed)
{
    const auto arch = default_architecture({1, 28, 28}, 10);
    EXPECT_THAT(test::error_message([&] { deepen(arch, 99, 3); }), HasSubstr("deepen: no node with id 99"));
    EXPECT_THAT(test::error_message([&] { deepen(arch, 1, 3); }), HasSubstr("node 1 is not a valid site"));
    EXPECT_THAT(test::error_message([&] { deepen(arch, 3, 4); }), HasSubstr("kernel must be 1, 3, 5 or 7"));
    EXPECT_THAT(test::error_message([&] { widen(arch, 1, 8); }), HasSubstr("new width 8 must be larger"));
    EXPECT_THAT(test::error_message([&] { widen(arch, 2, 64); }), HasSubstr("is a batch_norm, not a conv"));
    EXPECT_THAT(test::error_message([&] { widen(arch, arch.output_id(), 12); }), HasSubstr("widen: node 19 cannot grow (output node 19 has shape [12]"));
    EXPECT_THAT(test::error_message([&] { add_skip(arch, 6, 3); }), HasSubstr("no skip from node 6 to node 3"));
    // Widening one side of an add is refused.
    const auto every = fixtures::every_op_network();
    EXPECT_THAT(test::error_message([&] { widen(every, 4, 16); }), HasSubstr("node 6 (add): channel mismatch: 16 vs 8"));
}

TEST(ExactMorphisms, NetworksWithGatedSumsAreRefusedByName)
{
    // A generator's networks (NAGO) are not edited by morphisms: the gates have no
    // function-preserving rule here yet, so an edit must fail with the op named, not go wrong.
    const auto arch = fixtures::gated_sum_network();
    EXPECT_THAT(test::error_message([&] { widen(arch, 1, 12); }), HasSubstr("(gated_sum): shape mismatch"));
    EXPECT_THAT(test::error_message([&] { deepen(arch, 3, 3); }), HasSubstr("cannot map channels through op gated_sum"));
}
