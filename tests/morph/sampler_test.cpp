#include "common/test_support.hpp"
#include "train/test_architectures.hpp"

#include <paretonas/morph/sampler.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

using namespace paretonas;

TEST(MorphismSampler, DrawsOperatorsByWeightAndOnlyValidChildren)
{
    const MorphismSampler sampler({{MorphOp::deepen, 3.0}, {MorphOp::widen, 1.0}});
    std::mt19937_64 rng(1);
    std::map<std::string, int> counts;
    const auto arch = default_architecture({1, 28, 28}, 10);
    for (int i = 0; i < 400; ++i) {
        const auto m = sampler.sample(arch, rng);
        ++counts[morph_op_name(m.applied.op)];
        EXPECT_NO_THROW(m.child.infer_shapes());
    }
    EXPECT_EQ(counts.size(), 2u);
    EXPECT_NEAR(counts["deepen"] / 400.0, 0.75, 0.07);
}

TEST(MorphismSampler, SkipsOperatorsWithoutSites)
{
    // A network without any conv: no deepen site (no non-negative map) and nothing to widen but
    // the classifier; skips between the input and a pool still apply.
    Architecture arch({1, 8, 8}, 3);
    const int p = arch.append(pool_node(OpType::avg_pool, 2, 2), 0);
    const int g = arch.append(op_node(OpType::global_avg_pool), p);
    arch.append(linear_node(3), g);
    const MorphismSampler sampler;
    std::mt19937_64 rng(2);
    for (int i = 0; i < 20; ++i) EXPECT_THAT(morph_op_name(sampler.sample(arch, rng).applied.op), ::testing::EndsWith("skip"));
}

TEST(MorphismSampler, SameSeedSameDraws)
{
    const MorphismSampler sampler;
    const auto arch = fixtures::every_op_network();
    std::mt19937_64 a(9), b(9);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(sampler.sample(arch, a).applied.to_string(), sampler.sample(arch, b).applied.to_string());
}

TEST(MorphismSampler, BadSettingsAreNamed)
{
    EXPECT_EQ(test::error_message([] { morph_op_from_name("shrink"); }),
              "unknown morphism operator 'shrink' (known: deepen, widen, add_skip, concat_skip, remove_layer, remove_skip, prune, sep_conv)");
    EXPECT_THAT(test::error_message([] { MorphismSampler({{MorphOp::widen, 0.0}}); }), ::testing::HasSubstr("positive total weight"));
    EXPECT_THAT(test::error_message([] { MorphismSampler(MorphismSampler::default_operators(), 0.5); }),
                ::testing::HasSubstr("widen_factor must be in"));
}

TEST(MorphismRecord, NamesRoundTripAndRecordsReadBack)
{
    for (auto op : all_morph_ops()) EXPECT_EQ(morph_op_from_name(morph_op_name(op)), op);
    EXPECT_STREQ(morph_op_name(MorphOp::sep_conv), "sep_conv");
    const std::vector<Morphism> ms = {{MorphOp::prune, 4, -1, 2, false, {0, 3}}, {MorphOp::add_skip, 7, 2, 0, true, {}}};
    EXPECT_EQ(morphisms_from_json(morphisms_to_json(ms)), ms);
    EXPECT_EQ(ms[0].to_string(), "prune@4/2");
    EXPECT_EQ(ms[1].to_string(), "add_skip@7<-2");
    // The report's words: the separable conv is named as such (it once said "sep_conv node N").
    EXPECT_EQ((Morphism{MorphOp::sep_conv, 5, -1, 0, false, {}}.describe()), "separable conv at node 5");
    EXPECT_EQ(ms[1].describe(), "add skip 2 -> 7");
    EXPECT_EQ(test::error_message([] { morphisms_from_json(nlohmann::json::parse(R"([{"op": "shrink", "node": 1, "exact": true}])")); }),
              "unknown morphism operator 'shrink' (known: deepen, widen, add_skip, concat_skip, remove_layer, remove_skip, prune, sep_conv)");
}
