/// @file train/trainer.hpp
/// SGD training of a Network with SGDR/cosine schedules, label smoothing and distillation.
#ifndef PARETONAS_TRAIN_TRAINER_HPP
#define PARETONAS_TRAIN_TRAINER_HPP

#include <paretonas/data/batcher.hpp>
#include <paretonas/train/config.hpp>
#include <paretonas/train/network.hpp>
#include <paretonas/train/schedule.hpp>

#include <functional>
#include <vector>

namespace paretonas {

/// Multiply-adds per convolution (per image) from which `automatic` picks NHWC on the CPU.
inline constexpr double channels_last_min_madds_per_conv = 2e6;

/// nhwc / nchw as asked; automatic -> nhwc on the CPU for networks whose convolutions average
/// at least `channels_last_min_madds_per_conv`, nchw otherwise and on every other device.
bool use_channels_last(MemoryLayout layout, c10::Device device, const Architecture& arch);

struct TrainResult {
    std::vector<EpochStats> history;
    double seconds = 0.0;
    bool stopped_early = false;
};

struct Evaluation {
    double loss = 0.0;
    double error = 0.0;
    std::int64_t count = 0;
};

/// Trains `net` (moved to `device`) on `train_data`; evaluates on `validation` after every epoch
/// when given. With a `teacher`, the loss mixes cross-entropy with the KL divergence to the
/// teacher's softened outputs (Hinton et al. 2015); the teacher runs in eval mode.
TrainResult train(Network& net, const DataView& train_data, const DataView* validation, const Normalization& norm,
                  const TrainConfig& config, c10::Device device, const TrainCallbacks& callbacks = {},
                  Network* teacher = nullptr);

/// Mean cross-entropy and error of `net` in eval mode.
Evaluation evaluate(Network& net, const DataView& data, const Normalization& norm, c10::Device device,
                    int batch_size = default_eval_batch_size);

/// Softmax probabilities of `net` on every image of `data`, [N, classes] on the CPU, in order.
torch::Tensor predict_probabilities(Network& net, const DataView& data, const Normalization& norm,
                                    c10::Device device, int batch_size = default_eval_batch_size);

} // namespace paretonas

#endif
