#include "common/test_support.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/search/chain_space.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>
#include <set>

using namespace paretonas;

TEST(ChainSpace, EveryDrawDecodesToAValidNetworkAndTheSpaceIsCovered)
{
    const ChainSpace space(ChainSpaceConfig{}, {1, 28, 28}, 10);
    ASSERT_EQ(space.size(), 4u + 2 * 3);
    std::mt19937_64 rng(3);
    std::set<std::string> hashes;
    std::set<int> stage_counts, kernels;
    bool saw_skip = false, saw_sep = false;
    std::int64_t smallest = 1LL << 40, largest = 0;
    for (int i = 0; i < 2000; ++i) {
        const auto g = space.sample(rng);
        for (std::size_t k = 0; k < g.size(); ++k) ASSERT_TRUE(g[k] >= 0 && g[k] <= space.upper(k));
        const auto arch = space.decode(g);
        ASSERT_NO_THROW(arch.infer_shapes());
        EXPECT_EQ(arch.shape_of(arch.output_id()), (Shape{10}));
        // Equal canonical genomes are the same network; the canonical form decodes alike.
        EXPECT_EQ(space.decode(space.canonical(g)).canonical_hash(), arch.canonical_hash());
        hashes.insert(arch.canonical_hash());
        int convs = 0, pools = 0;
        for (const auto& n : arch.nodes()) {
            convs += n.op == OpType::conv || n.op == OpType::sep_conv;
            pools += n.op == OpType::max_pool;
            saw_skip |= n.op == OpType::add;
            saw_sep |= n.op == OpType::sep_conv;
            if (n.op == OpType::conv) kernels.insert(n.kernel);
        }
        stage_counts.insert(pools + 1);
        EXPECT_GE(convs, 1);
        EXPECT_LE(convs, 9);
        smallest = std::min(smallest, parameter_count(arch));
        largest = std::max(largest, parameter_count(arch));
    }
    EXPECT_EQ(stage_counts, (std::set<int>{1, 2, 3}));
    EXPECT_EQ(kernels, (std::set<int>{3, 5}));
    EXPECT_TRUE(saw_skip);
    EXPECT_TRUE(saw_sep);
    EXPECT_GT(hashes.size(), 1000u);  // one-stage networks (a third of draws) come in ~150 kinds
    EXPECT_LT(smallest, 1000);             // from a few hundred parameters ...
    EXPECT_GT(largest, 300000);            // ... to hundreds of thousands
}

TEST(ChainSpace, DecodesTheDocumentedNetwork)
{
    ChainSpaceConfig c;
    c.widths = {8, 16};
    c.kernels = {3};
    const ChainSpace space(c, {1, 12, 12}, 3);
    // 2 stages, kernel 3, skip on, separable on; stage 1: 8 wide x 2 blocks, stage 2: 16 x 1.
    const auto arch = space.decode({1, 0, 1, 1, 0, 1, 1, 0, 0, 0});
    std::vector<std::string> ops;
    for (int id : arch.topological_order()) ops.push_back(op_name(arch.node(id).op));
    EXPECT_EQ(ops, (std::vector<std::string>{"input", "conv", "batch_norm", "relu", "sep_conv", "batch_norm", "add", "relu", "max_pool",
                                             "sep_conv", "batch_norm", "relu", "global_avg_pool", "linear"}));
    // The unused third stage and, with one block per stage, the skip gene do not matter.
    EXPECT_EQ(space.canonical({1, 0, 1, 1, 0, 1, 1, 0, 1, 2}), (Genome{1, 0, 1, 1, 0, 1, 1, 0, 0, 0}));
    EXPECT_EQ(space.canonical({0, 0, 1, 0, 1, 0, 0, 0, 0, 0}), (Genome{0, 0, 0, 0, 1, 0, 0, 0, 0, 0}));
}

TEST(ChainSpace, NamesBadGenomesAndSettings)
{
    const ChainSpace space(ChainSpaceConfig{}, {1, 28, 28}, 10);
    EXPECT_EQ(test::error_message([&] { space.decode({0, 0}); }), "chain genome has 2 genes, the space has 10");
    EXPECT_EQ(test::error_message([&] { space.decode({0, 0, 0, 0, 9, 0, 0, 0, 0, 0}); }), "chain genome gene 4 is 9, outside [0, 7]");
    ChainSpaceConfig c;
    c.kernels = {4};
    EXPECT_EQ(test::error_message([&] { ChainSpace(c, {1, 28, 28}, 10); }), "chain space kernel sizes must be odd, got 4");
    c = {};
    c.max_stages = 0;
    EXPECT_THAT(test::error_message([&] { ChainSpace(c, {1, 28, 28}, 10); }), ::testing::HasSubstr("chain space max_stages"));
}

TEST(ChainSpace, EncodesTheCanonicalGenomeScaledOrOneHot)
{
    // Default space: stages 1-3 (upper 2), kernels {3,5} (1), skip (1), separable (1), then
    // (width of 8 choices: 7, blocks 1-3: 2) per stage.
    const ChainSpace space(ChainSpaceConfig{}, {1, 28, 28}, 10);
    // One stage of one block: the unused stage genes and the skip (no site) are zeroed first.
    const Genome genome = {0, 1, 1, 0, 7, 0, 3, 2, 5, 1};
    EXPECT_EQ(space.encode(genome), (std::vector<double>{0, 1, 0, 0, 1, 0, 0, 0, 0, 0}));
    EXPECT_EQ(space.encode(genome), space.encode(space.canonical(genome)));
    const Genome two_stages = {1, 0, 1, 1, 7, 2, 0, 1, 0, 0};
    const auto scaled = space.encode(two_stages);
    EXPECT_EQ(scaled, (std::vector<double>{0.5, 0, 1, 1, 1, 1, 0, 0.5, 0, 0}));
    const auto one_hot = space.encode(two_stages, true);
    ASSERT_EQ(one_hot.size(), 3u + 2 + 2 + 2 + 3 * (8 + 3));
    EXPECT_EQ(std::vector<double>(one_hot.begin(), one_hot.begin() + 3), (std::vector<double>{0, 1, 0}));  // stages = 2nd value
    EXPECT_DOUBLE_EQ(std::accumulate(one_hot.begin(), one_hot.end(), 0.0), 10.0);  // one indicator per gene
    EXPECT_THAT(test::error_message([&] { space.encode({0, 1}); }), ::testing::HasSubstr("chain genome has 2 genes"));
}
