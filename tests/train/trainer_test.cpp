#include "common/test_support.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/train/runtime.hpp>
#include <paretonas/train/trainer.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>


using namespace paretonas;

namespace {

using test::bar_images;

TrainConfig quick_config(int epochs)
{
    TrainConfig config;
    config.epochs = epochs;
    config.batch_size = 32;
    config.lr.lr_max = 0.05;
    config.seed = 7;
    return config;
}

Architecture tiny_net() { return conv_chain({1, 12, 12}, 3, {4, 8}, {0}); }

} // namespace

TEST(Trainer, LossFallsAndValidationErrorIsLow)
{
    torch::set_num_threads(1);
    const auto data = DataView::all(bar_images(600, 1));
    const auto split = split_train_validation(data, 0.2, 3);
    const auto norm = channel_statistics(split.train);
    seed_everything(5);
    Network net(tiny_net());
    const auto before = evaluate(net, split.validation, norm, torch::kCPU);
    const auto result = train(net, split.train, &split.validation, norm, quick_config(4), torch::kCPU);
    ASSERT_EQ(result.history.size(), 4u);
    EXPECT_LT(result.history.back().train_loss, 0.5 * before.loss);
    EXPECT_LT(result.history.back().val_error, 0.1);
    EXPECT_LT(result.history.back().val_error, before.error);
    EXPECT_GT(result.history.back().images_per_second, 0.0);
}

TEST(Trainer, SameSeedGivesIdenticalHistoryOnCpu)
{
    torch::set_num_threads(1);
    const auto data = DataView::all(bar_images(300, 2));
    const auto norm = channel_statistics(data);
    auto run = [&] {
        seed_everything(11);
        Network net(tiny_net());
        auto config = quick_config(2);
        config.augment.crop_padding = 2;
        config.augment.horizontal_flip = true;
        return train(net, data, nullptr, norm, config, torch::kCPU).history;
    };
    const auto a = run(), b = run();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].train_loss, b[i].train_loss);
        EXPECT_EQ(a[i].train_error, b[i].train_error);
    }
}

TEST(Trainer, CallbacksReportProgressAndCanStopEarly)
{
    const auto data = DataView::all(bar_images(300, 3));
    const auto norm = channel_statistics(data);
    Network net(tiny_net());
    auto config = quick_config(5);
    config.progress_every = 2;
    int batch_calls = 0, epoch_calls = 0;
    TrainCallbacks callbacks;
    callbacks.on_batch = [&](const BatchProgress& p) {
        ++batch_calls;
        EXPECT_EQ(p.epochs, 5);
        EXPECT_GE(p.eta_seconds, 0.0);
        EXPECT_LE(p.batch, p.batches);
    };
    callbacks.on_epoch = [&](const EpochStats& s) { return ++epoch_calls, s.epoch < 2; };
    const auto result = train(net, data, nullptr, norm, config, torch::kCPU, callbacks);
    EXPECT_EQ(epoch_calls, 2);
    EXPECT_TRUE(result.stopped_early);
    EXPECT_EQ(result.history.size(), 2u);
    EXPECT_EQ(batch_calls, 2 * 5);  // 9 batches an epoch (300 / 32, last dropped): calls at 2,4,6,8,9
}

TEST(Trainer, DistillationPullsStudentTowardsTeacher)
{
    torch::set_num_threads(1);
    const auto data = DataView::all(bar_images(300, 4));
    const auto norm = channel_statistics(data);
    seed_everything(1);
    Network teacher(conv_chain({1, 12, 12}, 3, {8, 8}, {0}));
    train(teacher, data, nullptr, norm, quick_config(3), torch::kCPU);
    seed_everything(2);
    Network student(tiny_net());
    auto gap = [&] {
        const auto p = predict_probabilities(teacher, data, norm, torch::kCPU);
        const auto q = predict_probabilities(student, data, norm, torch::kCPU);
        return (p - q).abs().mean().item<double>();
    };
    const double before = gap();
    auto config = quick_config(6);
    config.distill_weight = 1.0;  // no label term: any progress comes from the teacher
    config.distill_temperature = 2.0;
    train(student, data, nullptr, norm, config, torch::kCPU, {}, &teacher);
    EXPECT_LT(gap(), 0.5 * before);
    EXPECT_LT(evaluate(student, data, norm, torch::kCPU).error, 0.2);  // it learned the task from soft targets alone
}

TEST(Trainer, BadConfigIsNamed)
{
    const auto data = DataView::all(bar_images(30, 5));
    Network net(tiny_net());
    auto config = quick_config(1);
    config.momentum = 1.5;
    const auto norm = channel_statistics(data);
    EXPECT_EQ(test::error_message([&] { train(net, data, nullptr, norm, config, torch::kCPU); }),
              "momentum must be in [0, 0.999], got 1.5");
    config = quick_config(1);
    config.label_smoothing = -0.1;
    EXPECT_THAT(test::error_message([&] { train(net, data, nullptr, norm, config, torch::kCPU); }),
                ::testing::HasSubstr("label_smoothing must be in [0, 0.99]"));
    EXPECT_THAT(test::error_message([&] { train(net, data.head(1), nullptr, norm, quick_config(1), torch::kCPU); }),
                ::testing::HasSubstr("fewer than 2 images"));
    Network other_classes(conv_chain({1, 12, 12}, 4, {4}, {}));
    EXPECT_THAT(test::error_message([&] { train(net, data, nullptr, norm, quick_config(1), torch::kCPU, {}, &other_classes); }),
                ::testing::HasSubstr("teacher network (input [1,12,12], 4 classes) does not match the student"));
    EXPECT_THAT(test::error_message([&] { predict_probabilities(net, data.head(0), norm, torch::kCPU); }),
                ::testing::HasSubstr("empty data set"));
    EXPECT_THAT(test::error_message([] { memory_layout_from_name("nhcw"); }), ::testing::HasSubstr("unknown memory layout 'nhcw'"));
}

TEST(Trainer, AutomaticLayoutIsNhwcOnlyForWideConvolutionsOnTheCpu)
{
    // The default Fashion-MNIST network averages 4.4 M multiply-adds per convolution (NHWC 1.2x
    // faster there); a chain of narrow convolutions averages far under 2 M (NCHW level or faster).
    const auto wide = default_architecture({1, 28, 28}, 10);
    const auto narrow = conv_chain({1, 28, 28}, 10, {8, 8, 8, 8}, {});
    EXPECT_GE(static_cast<double>(multiply_adds(wide)) / 5, channels_last_min_madds_per_conv);
    EXPECT_TRUE(use_channels_last(MemoryLayout::automatic, torch::kCPU, wide));
    EXPECT_FALSE(use_channels_last(MemoryLayout::automatic, torch::kCPU, narrow));
    EXPECT_FALSE(use_channels_last(MemoryLayout::automatic, c10::Device("cuda:0"), wide));
    EXPECT_TRUE(use_channels_last(MemoryLayout::nhwc, torch::kCPU, narrow));
    EXPECT_FALSE(use_channels_last(MemoryLayout::nchw, torch::kCPU, wide));
    // A network without convolutions has nothing to gain from channels-last.
    Architecture linear_only({1, 4, 4}, 10);
    linear_only.append(op_node(OpType::global_avg_pool), linear_only.input_id());
    linear_only.append(linear_node(10), linear_only.output_id());
    EXPECT_FALSE(use_channels_last(MemoryLayout::automatic, torch::kCPU, linear_only));
}

TEST(Trainer, ChannelsLastComputesTheSameStep)
{
    // One epoch on the same data from the same weights gives the same loss in both layouts, up
    // to the rounding of different convolution kernels.
    EXPECT_EQ(memory_layout_from_name("nhwc"), MemoryLayout::nhwc);
    const auto data = DataView::all(bar_images(64, 6));
    const auto norm = channel_statistics(data);
    auto run = [&](MemoryLayout layout) {
        seed_everything(12);
        Network net(tiny_net());
        auto config = quick_config(1);
        config.layout = layout;
        const double loss = train(net, data, nullptr, norm, config, torch::kCPU).history.at(0).train_loss;
        return std::make_pair(loss, predict_probabilities(net, data, norm, torch::kCPU));
    };
    const auto nchw = run(MemoryLayout::nchw);
    const auto nhwc = run(MemoryLayout::nhwc);
    EXPECT_NEAR(nchw.first, nhwc.first, 1e-4);
    EXPECT_TRUE(torch::allclose(nchw.second, nhwc.second, 1e-3, 1e-4));
}
