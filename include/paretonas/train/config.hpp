/// @file train/config.hpp
/// How a network is trained and timed, and what training reports as it goes: plain settings and
/// callbacks without LibTorch, so that search settings, proposers and their tests compile
/// without it (train/trainer.hpp and train/latency.hpp do the work).
#ifndef PARETONAS_TRAIN_CONFIG_HPP
#define PARETONAS_TRAIN_CONFIG_HPP

#include <paretonas/data/augmentation.hpp>
#include <paretonas/train/schedule.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace paretonas {

/// Activation layout. NHWC (channels-last) measured 1.32x faster training on the CPU (oneDNN's
/// native layout, see docs/performance.md); on CUDA the default stays NCHW until measured.
enum class MemoryLayout { automatic, nchw, nhwc };
MemoryLayout memory_layout_from_name(const std::string& name);

/// Evaluation batch: the default training batch, so that evaluation fits in the heap that
/// training has already grown. At 500 the first evaluation faulted in ~700 MB of fresh pages:
/// validating 5,000 images took 5.1 s instead of 2.9 s on a 96-channel network at 28x28 (and
/// 2.0 s instead of 1.5 s on a 27k-parameter one; docs/performance.md).
constexpr int default_eval_batch_size = 128;

struct TrainConfig {
    int epochs = 10;
    int batch_size = 128;
    int eval_batch_size = default_eval_batch_size;
    LrSchedule lr;
    double momentum = 0.9;
    bool nesterov = true;
    double weight_decay = 5e-4;
    double label_smoothing = 0.0;
    double distill_temperature = 4.0;  // with a teacher: softening of both distributions
    double distill_weight = 0.9;       // with a teacher: weight of the distillation term
    Augmentation augment;
    MemoryLayout layout = MemoryLayout::automatic;
    int progress_every = 10;           // batches between on_batch calls
    std::uint64_t seed = 0;

    /// Throws InputError naming the bad field.
    void validate() const;
};

/// `base` set to `epochs` epochs of one cosine cycle lr_start -> lr_end: how the searches train
/// each candidate (SGDR restarts at every candidate).
TrainConfig cosine_cycle(const TrainConfig& base, int epochs, double lr_start, double lr_end, std::uint64_t seed);

struct BatchProgress {
    int epoch = 0, epochs = 0;            // epoch is 1-based
    std::int64_t batch = 0, batches = 0;  // batch is 1-based within the epoch
    double loss = 0.0;                    // mean over the epoch so far
    double lr = 0.0;
    double images_per_second = 0.0;
    double elapsed_seconds = 0.0;
    double eta_seconds = 0.0;             // to the end of the run
};

struct EpochStats {
    int epoch = 0;
    double lr = 0.0;  // at the end of the epoch
    double train_loss = 0.0, train_error = 0.0;
    double val_loss = 0.0, val_error = -1.0;  // -1: no validation set
    double seconds = 0.0, images_per_second = 0.0;
};

struct TrainCallbacks {
    std::function<void(const BatchProgress&)> on_batch;
    /// Called after every epoch; returning false stops training (early stopping).
    std::function<bool(const EpochStats&)> on_epoch;
};

struct LatencyOptions {
    int batch_size = 1;
    int warmup = 5;
    int repeats = 30;

    void validate() const;
};

} // namespace paretonas

#endif
