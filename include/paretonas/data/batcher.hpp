/// @file data/batcher.hpp
/// Turns a DataView into normalised float batches, with optional augmentation, reusing one
/// buffer so that an epoch makes no per-batch heap allocations on the CPU path.
#ifndef PARETONAS_DATA_BATCHER_HPP
#define PARETONAS_DATA_BATCHER_HPP

#include <paretonas/data/augmentation.hpp>
#include <paretonas/data/dataset.hpp>

#include <torch/types.h>

#include <random>

namespace paretonas {

struct Batch {
    torch::Tensor images;  // [B, C, H, W] float, normalised, on the batcher's device
    torch::Tensor labels;  // [B] int64
};

class Batcher {
public:
    /// `shuffle` reshuffles every epoch from `seed`; the last partial batch is kept unless
    /// `drop_last`.
    Batcher(DataView view, Normalization norm, int batch_size, bool shuffle, Augmentation augment,
            std::uint64_t seed, torch::Device device, bool drop_last = false);

    /// Starts a new pass over the data (reshuffling when enabled).
    void start_epoch();
    /// Fills the next batch; false at the end of the epoch.
    bool next(Batch& batch);
    std::int64_t batches_per_epoch() const;
    std::int64_t size() const { return m_view.size(); }

private:
    void fill(std::int64_t begin, std::int64_t count);

    DataView m_view;
    Normalization m_norm;
    int m_batch_size;
    bool m_shuffle;
    Augmentation m_augment;
    std::mt19937_64 m_rng;
    torch::Device m_device;
    bool m_drop_last;
    std::vector<std::int64_t> m_order;
    std::int64_t m_cursor = 0;
    torch::Tensor m_images, m_labels;  // host staging buffers, reused while nobody else holds them
    std::vector<float> m_scale, m_shift;  // per channel: x * scale + shift == (x/255 - mean)/std
};

} // namespace paretonas

#endif
