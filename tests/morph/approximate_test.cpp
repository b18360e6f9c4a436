#include "common/test_support.hpp"
#include "morph/morph_support.hpp"
#include "train/test_architectures.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/morph/approximate.hpp>
#include <paretonas/morph/inherit.hpp>
#include <paretonas/morph/sampler.hpp>
#include <paretonas/train/trainer.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace paretonas;
using ::testing::HasSubstr;
using test::max_output_gap;
using test::numel;
using test::trained_like;

namespace {

std::vector<Architecture> networks() { return fixtures::sample_architectures(); }

// The child is a valid network that inherits its parent's tensors, is marked for distillation,
// and is cheaper than its parent.
void expect_smaller_child(const Architecture& parent, const MorphResult& m, std::uint64_t seed)
{
    SCOPED_TRACE(m.applied.to_string());
    EXPECT_NO_THROW(m.child.infer_shapes());
    EXPECT_TRUE(m.needs_distillation());
    EXPECT_LT(parameter_count(m.child), parameter_count(parent));
    EXPECT_LT(multiply_adds(m.child), multiply_adds(parent));
    auto net = trained_like(parent, seed);
    auto child = inherit(*net, m);
    EXPECT_EQ(numel(child), parameter_count(m.child));
    const auto& s = parent.input_shape();
    EXPECT_TRUE(torch::isfinite(child->forward(torch::randn({2, s[0], s[1], s[2]}))).all().item<bool>());
}

// A conv whose kernel is rank one per input channel: W[o, i] = a[o, i] * K[i].
void make_separable(Network& net, int node)
{
    torch::NoGradGuard no_grad;
    auto w = net->named_parameters()[NetworkImpl::module_name(node) + ".weight"];
    const auto a = torch::randn({w.size(0), w.size(1), 1, 1});
    const auto k = torch::randn({1, w.size(1), w.size(2), w.size(3)});
    w.copy_(a * k * 0.3);
}

} // namespace

TEST(ApproximateMorphisms, RemoveLayerAtEverySiteShrinksTheNetwork)
{
    int applied = 0;
    for (const auto& arch : networks())
        for (int site : remove_layer_sites(arch)) {
            expect_smaller_child(arch, remove_layer(arch, site), 100 + site);
            ++applied;
        }
    EXPECT_GE(applied, 4);
}

TEST(ApproximateMorphisms, RemovingAnIdentityBlockIsExact)
{
    // deepen inserts an identity conv-BN-ReLU; removing it again must give the parent's function.
    const auto arch = default_architecture({1, 28, 28}, 10);
    auto parent = trained_like(arch, 3);
    const auto deeper = deepen(arch, deepen_sites(arch).front(), 3);
    auto middle = inherit(*parent, deeper);
    const int inserted = deeper.child.nodes().back().id - 2;  // conv of the conv-BN-ReLU block
    ASSERT_EQ(deeper.child.node(inserted).op, OpType::conv);
    const auto removed = remove_layer(deeper.child, inserted);
    auto child = inherit(*middle, removed);
    EXPECT_EQ(removed.child.canonical_hash(), arch.canonical_hash());
    EXPECT_LE(max_output_gap(parent, child), 1e-5);
}

TEST(ApproximateMorphisms, RemoveSkipUndoesAnAddedSkip)
{
    const auto arch = default_architecture({1, 28, 28}, 10);
    auto parent = trained_like(arch, 4);
    for (const auto& [from, to] : std::vector<std::pair<int, int>>{skip_sites(arch).front(), skip_sites(arch).back()}) {
        for (bool concat : {false, true}) {
            const auto skipped = concat ? concat_skip(arch, from, to) : add_skip(arch, from, to);
            auto middle = inherit(*parent, skipped);
            const int merge = middle->architecture().consumers(to).back();
            const auto sites = remove_skip_sites(skipped.child);
            ASSERT_NE(std::find(sites.begin(), sites.end(), merge), sites.end()) << skipped.applied.to_string();
            const auto removed = remove_skip(skipped.child, merge);
            auto child = inherit(*middle, removed);
            EXPECT_EQ(removed.child.canonical_hash(), arch.canonical_hash()) << skipped.applied.to_string();
            EXPECT_LE(max_output_gap(parent, child), 1e-5) << skipped.applied.to_string();
        }
    }
}

TEST(ApproximateMorphisms, RemoveSkipAtEverySiteDropsTheBranch)
{
    const auto every = fixtures::every_op_network();
    const auto sites = remove_skip_sites(every);
    ASSERT_EQ(sites.size(), 1u);  // the 2-input concat; the 3-input add is not a skip
    const auto m = remove_skip(every, sites.front());
    expect_smaller_child(every, m, 7);
    EXPECT_LT(m.child.nodes().size(), every.nodes().size() - 2);  // concat, dilated conv, its pool
}

TEST(ApproximateMorphisms, PruneAtEverySiteShrinksTheNetwork)
{
    int applied = 0;
    for (const auto& arch : networks())
        for (int site : prune_sites(arch)) {
            const int width = arch.node(site).channels;
            std::vector<int> keep;
            for (int c = 0; c < width; c += 2) keep.push_back(c);
            expect_smaller_child(arch, prune(arch, site, keep), 200 + site);
            ++applied;
        }
    EXPECT_GE(applied, 6);
}

TEST(ApproximateMorphisms, PruneKeepsTheFiltersWithTheLargestL1Norm)
{
    // Filters 1, 3, 5, ... of the first conv are tiny and the next conv ignores them: pruning
    // half by L1 must drop exactly those, leaving the function unchanged.
    const auto arch = default_architecture({1, 28, 28}, 10);
    auto parent = trained_like(arch, 5);
    const int first = 1, second = arch.consumers(arch.consumers(arch.consumers(first).front()).front()).front();
    ASSERT_EQ(arch.node(second).op, OpType::conv);
    {
        torch::NoGradGuard no_grad;
        auto params = parent->named_parameters();
        auto w1 = params[NetworkImpl::module_name(first) + ".weight"];
        auto w2 = params[NetworkImpl::module_name(second) + ".weight"];
        for (int c = 1; c < w1.size(0); c += 2) {
            w1[c].mul_(1e-3);
            w2.select(1, c).zero_();
        }
    }
    const auto keep = keep_largest(filter_l1_norms(*parent, first), 0.5);
    ASSERT_EQ(keep.size(), 16u);
    for (std::size_t i = 0; i < keep.size(); ++i) EXPECT_EQ(keep[i], static_cast<int>(2 * i));
    const auto m = prune(arch, first, keep);
    auto child = inherit(*parent, m);
    EXPECT_EQ(m.child.node(first).channels, 16);
    EXPECT_LE(max_output_gap(parent, child), 1e-5);
}

TEST(ApproximateMorphisms, SeparableConvAtEverySiteShrinksTheNetwork)
{
    for (const auto& arch : networks()) {
        ASSERT_FALSE(sep_conv_sites(arch).empty());
        for (int site : sep_conv_sites(arch)) expect_smaller_child(arch, to_sep_conv(arch, site), 300 + site);
    }
}

TEST(ApproximateMorphisms, SeparableFitIsExactForRankOneKernelsAndOptimalOtherwise)
{
    const auto arch = default_architecture({1, 28, 28}, 10);
    const int site = sep_conv_sites(arch)[1];  // 32 -> 32, 3x3
    auto parent = trained_like(arch, 6);
    make_separable(parent, site);
    const auto m = to_sep_conv(arch, site);
    auto child = inherit(*parent, m);
    EXPECT_LE(max_output_gap(parent, child), 1e-4);

    // On a general kernel the fit is the best rank-1 one per input channel: its residual is
    // what the singular values beyond the first leave.
    auto general = trained_like(arch, 7);
    auto fitted = inherit(*general, m);
    torch::NoGradGuard no_grad;
    const auto w = general->named_parameters()[NetworkImpl::module_name(site) + ".weight"];
    auto sep = fitted->node_module(m.child.nodes().back().id)->named_parameters(true);
    const auto dw = sep["dw.weight"].squeeze(1);                // [in, k, k]
    const auto pw = sep["pw.weight"].flatten(1);                // [out, in]
    const auto rebuilt = pw.unsqueeze(2).unsqueeze(3) * dw.unsqueeze(0);  // [out, in, k, k]
    const auto per_input = w.permute({1, 0, 2, 3}).flatten(2);  // [in, out, k*k]
    const auto sigma = torch::linalg_svdvals(per_input.to(torch::kFloat64));
    const double optimum = sigma.slice(1, 1).pow(2).sum().item<double>();
    const double residual = (w - rebuilt).pow(2).sum().item<double>();
    EXPECT_NEAR(residual, optimum, 1e-4 * w.pow(2).sum().item<double>());
    EXPECT_LT(residual, 0.9 * w.pow(2).sum().item<double>());
}

TEST(ApproximateMorphisms, ShortDistillationNarrowsTheGapToTheParent)
{
    torch::set_num_threads(1);
    const auto data = DataView::all(test::bar_images(240, 9));
    const auto norm = channel_statistics(data);
    const auto arch = conv_chain({1, 12, 12}, 3, {8, 8}, {0});
    seed_everything(11);
    Network parent(arch);
    TrainConfig t;
    t.epochs = 2;
    t.batch_size = 32;
    paretonas::train(parent, data, nullptr, norm, t, torch::kCPU);

    const auto logits_gap = [&](Network& child) {
        const auto p = predict_probabilities(parent, data, norm, torch::kCPU);
        const auto c = predict_probabilities(child, data, norm, torch::kCPU);
        return (p - c).abs().sum(1).mean().item<double>();  // mean total-variation x 2
    };
    const std::vector<MorphResult> children = {
        remove_layer(arch, remove_layer_sites(arch).front()),
        prune(arch, prune_sites(arch).front(), keep_largest(filter_l1_norms(*parent, prune_sites(arch).front()), 0.5)),
        to_sep_conv(arch, sep_conv_sites(arch).front()),
    };
    for (const auto& m : children) {
        SCOPED_TRACE(m.applied.to_string());
        auto child = inherit(*parent, m);
        const double before = logits_gap(child);
        TrainConfig distill;
        distill.epochs = 2;
        distill.batch_size = 32;
        distill.distill_weight = 1.0;
        distill.distill_temperature = 1.0;
        distill.lr.lr_max = 0.02;
        paretonas::train(child, data, nullptr, norm, distill, torch::kCPU, {}, &parent);
        const double after = logits_gap(child);
        EXPECT_LT(after, 0.7 * before) << before << " -> " << after;
    }
}

TEST(ApproximateMorphisms, SamplerDrawsEveryOperator)
{
    const auto arch = default_architecture({1, 28, 28}, 10);
    auto net = trained_like(arch, 8);
    const MorphismSampler sampler(MorphismSampler::all_operators());
    const ChannelScorer scores = [&](int node) { return filter_l1_norms(*net, node); };
    std::map<std::string, int> seen, seen_without_scores;
    std::mt19937_64 rng(1);
    for (int i = 0; i < 200; ++i) {
        const auto m = sampler.sample(arch, rng, scores);
        ++seen[morph_op_name(m.applied.op)];
        // The record is enough to make the same child again (a resumed search relies on it).
        EXPECT_EQ(apply_morphism(arch, m.applied).child, m.child) << m.applied.to_string();
        ++seen_without_scores[morph_op_name(sampler.sample(arch, rng).applied.op)];
    }
    for (const auto& op : {"deepen", "widen", "add_skip", "concat_skip", "remove_layer", "prune", "sep_conv"})
        EXPECT_GT(seen[op], 10) << op;
    EXPECT_EQ(seen["remove_skip"], 0);  // the default network has no skip yet
    EXPECT_EQ(seen_without_scores["prune"], 0);
}

TEST(ApproximateMorphisms, InvalidRequestsAreNamed)
{
    const auto arch = default_architecture({1, 28, 28}, 10);
    EXPECT_THAT(test::error_message([&] { remove_layer(arch, 2); }), HasSubstr("remove_layer: node 2 is a batch_norm, not a conv"));
    EXPECT_THAT(test::error_message([&] { remove_layer(arch, 1); }), HasSubstr("changes the shape [1,28,28] -> [32,28,28]"));
    EXPECT_THAT(test::error_message([&] { remove_layer(arch, arch.output_id()); }), HasSubstr("is the classifier"));
    EXPECT_THAT(test::error_message([&] { remove_skip(arch, 3); }), HasSubstr("remove_skip: node 3 is a relu, not an add or concat"));
    EXPECT_THAT(test::error_message([&] { prune(arch, 1, {}); }), HasSubstr("it must keep between 1 and 31, got 0"));
    EXPECT_THAT(test::error_message([&] { prune(arch, 1, {3, 2}); }), HasSubstr("kept channels must be ascending"));
    EXPECT_THAT(test::error_message([&] { prune(arch, arch.output_id(), {0, 1}); }), HasSubstr("cannot shrink"));
    EXPECT_THAT(test::error_message([&] { prune(arch, 99, {0}); }), HasSubstr("prune: no node with id 99"));
    EXPECT_THAT(test::error_message([&] { to_sep_conv(arch, 2); }), HasSubstr("sep_conv: node 2 is a batch_norm, not a conv"));
    EXPECT_THAT(test::error_message([&] { keep_largest({1.0}, 0.5); }), HasSubstr("at least 2 channels"));
    EXPECT_THAT(test::error_message([&] { keep_largest({1.0, 2.0}, 1.5); }), HasSubstr("prune fraction"));
    auto net = trained_like(arch, 1);
    EXPECT_THAT(test::error_message([&] { filter_l1_norms(*net, 2); }), HasSubstr("node 2 is a batch_norm"));
}
