#include "common/test_support.hpp"
#include "morph/morph_support.hpp"
#include "train/test_architectures.hpp"

#include <paretonas/export/onnx.hpp>
#include <paretonas/morph/approximate.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <fstream>

using namespace paretonas;
using ::testing::HasSubstr;

namespace {

void write_floats(const std::string& path, const torch::Tensor& t)
{
    const auto c = t.to(torch::kFloat32).contiguous();
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(c.data_ptr<float>()), c.numel() * sizeof(float));
}

// Largest |ONNX Runtime - paretonas| on random inputs, via tests/export/run_onnx.js.
double runtime_gap(Network& net, const OnnxOptions& options, const test::TempDir& dir)
{
    net->eval();
    const auto& s = net->architecture().input_shape();
    const auto x = torch::randn({3, s[0], s[1], s[2]});
    torch::Tensor expected;
    {
        torch::NoGradGuard no_grad;
        expected = net->forward(x);
    }
    export_onnx(*net, dir.file("model.onnx"), options);
    // With the normalisation inside the model, it takes the pixels that normalise to x.
    const auto per_channel = [&](const std::vector<float>& v) { return torch::tensor(v).reshape({1, s[0], 1, 1}); };
    write_floats(dir.file("input.f32"), options.mean.empty() ? x : x * per_channel(options.std) + per_channel(options.mean));
    write_floats(dir.file("expected.f32"), expected);
    const std::string command = "node " PARETONAS_SOURCE_DIR "/tests/export/run_onnx.js " + dir.file("model.onnx") + " " +
                                dir.file("input.f32") + " 3," + std::to_string(s[0]) + "," + std::to_string(s[1]) + "," +
                                std::to_string(s[2]) + " " + dir.file("expected.f32");
    const auto [status, output] = test::run_command(command);
    EXPECT_EQ(status, 0) << output;
    try {
        return std::stod(output);
    } catch (const std::exception&) {
        ADD_FAILURE() << "ONNX Runtime did not run the model: " << output;
        return 1e9;
    }
}

// Every op, skips, concat, separable and grouped convs, pooled heads, a folded batch norm read
// by two nodes, and a padded average pool.
std::vector<Architecture> export_architectures()
{
    auto archs = fixtures::sample_architectures();
    auto skipped = default_architecture({1, 28, 28}, 10);
    skipped = add_skip(skipped, 3, 6).child;
    skipped = concat_skip(skipped, 0, 10).child;
    skipped = to_sep_conv(skipped, 4).child;
    archs.push_back(skipped);
    Architecture shared({2, 9, 9}, 4);
    const int c = shared.append(conv_node(6, 3, 2), 0);
    const int b = shared.append(op_node(OpType::batch_norm), c);
    const int r = shared.append(op_node(OpType::relu), b);
    Node add = op_node(OpType::add);
    add.inputs = {b, r};
    const int a = shared.add_node(add);
    Node avg = pool_node(OpType::avg_pool, 3, 2);
    avg.padding = 1;
    const int p = shared.append(avg, a);
    const int g = shared.append(op_node(OpType::global_avg_pool), p);
    shared.append(linear_node(4), g);
    archs.push_back(shared);
    archs.push_back(fixtures::gated_sum_network());
    return archs;
}

} // namespace

TEST(OnnxExport, OnnxRuntimeMatchesParetonasOnEveryOp)
{
    const test::TempDir dir;
    int k = 0;
    for (const auto& arch : export_architectures()) {
        auto net = test::trained_like(arch, 100 + static_cast<std::uint64_t>(k++));
        for (bool fold : {true, false}) {
            OnnxOptions options;
            options.fold_batch_norm = fold;
            EXPECT_LE(runtime_gap(net, options, dir), 1e-4) << "fold " << fold << "\n" << arch;
        }
    }
}

TEST(OnnxExport, NormalisationInsideTheModelTakesPixels)
{
    const test::TempDir dir;
    auto net = test::trained_like(fixtures::every_op_network(), 7);
    OnnxOptions options;
    options.mean = {0.2f, 0.5f, 0.7f};
    options.std = {0.3f, 0.25f, 0.2f};
    EXPECT_LE(runtime_gap(net, options, dir), 1e-4);
    options.std.pop_back();
    EXPECT_THAT(test::error_message([&] { onnx_model(*net, options); }), HasSubstr("3 means and 2 stds for 3 input channels"));
}

TEST(OnnxExport, PassesTheCheckerAndFoldsBatchNorms)
{
    const auto arch = default_architecture({1, 28, 28}, 10);
    auto net = test::trained_like(arch, 3);
    const auto folded = onnx_model(*net);
    OnnxOptions unfolded_options;
    unfolded_options.fold_batch_norm = false;
    const auto unfolded = onnx_model(*net, unfolded_options);
    EXPECT_NO_THROW(check_onnx(folded));
    EXPECT_NO_THROW(check_onnx(unfolded));
    // Folding removes every BatchNormalization node of the default network.
    EXPECT_EQ(unfolded.find("BatchNormalization") == std::string::npos, false);
    EXPECT_EQ(folded.find("BatchNormalization"), std::string::npos);
    EXPECT_LT(folded.size(), unfolded.size());
    EXPECT_THAT(test::error_message([] { check_onnx("not a model at all"); }), HasSubstr("not an ONNX model"));
    OnnxOptions old;
    old.opset = 9;
    EXPECT_THAT(test::error_message([&] { onnx_model(*net, old); }), HasSubstr("ONNX opset must be in [13, 21], got 9"));
}
