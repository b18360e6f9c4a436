#include <paretonas/core/error.hpp>
#include <paretonas/data/batcher.hpp>

#include <torch/cuda.h>

#include <algorithm>

namespace paretonas {

namespace {

// A tensor may be overwritten only when this handle is its sole owner: no other Tensor shares
// its TensorImpl, and no view (e.g. a narrowed partial batch) shares its storage.
bool held_elsewhere(const torch::Tensor& tensor)
{
    return !tensor.defined() || tensor.use_count() != 1 || tensor.storage().use_count() != 1;
}

} // namespace

Batcher::Batcher(DataView view, Normalization norm, int batch_size, bool shuffle, Augmentation augment,
                 std::uint64_t seed, torch::Device device, bool drop_last)
    : m_view(std::move(view)), m_norm(std::move(norm)), m_batch_size(batch_size), m_shuffle(shuffle),
      m_augment(augment), m_rng(seed), m_device(device), m_drop_last(drop_last), m_order(m_view.indices)
{
    if (!m_view.set) fail("Batcher: no image set");
    if (batch_size < 1) fail("batch size must be >= 1, got " + std::to_string(batch_size));
    if (augment.crop_padding < 0) fail("crop padding must be >= 0, got " + std::to_string(augment.crop_padding));
    const auto channels = static_cast<std::size_t>(m_view.set->channels);
    if (m_norm.mean.size() != channels || m_norm.std.size() != channels)
        fail("normalization has " + std::to_string(m_norm.mean.size()) + " means and " +
             std::to_string(m_norm.std.size()) + " deviations for " + std::to_string(channels) + " channels");
    for (std::size_t c = 0; c < channels; ++c) {
        if (!(m_norm.std[c] > 0.0f)) fail("normalization std of channel " + std::to_string(c) + " must be > 0");
        m_scale.push_back(1.0f / (255.0f * m_norm.std[c]));
        m_shift.push_back(-m_norm.mean[c] / m_norm.std[c]);
    }
    start_epoch();
}

void Batcher::start_epoch()
{
    m_cursor = 0;
    if (m_shuffle) std::shuffle(m_order.begin(), m_order.end(), m_rng);
}

std::int64_t Batcher::batches_per_epoch() const
{
    return m_drop_last ? size() / m_batch_size : (size() + m_batch_size - 1) / m_batch_size;
}

bool Batcher::next(Batch& batch)
{
    const std::int64_t remaining = size() - m_cursor;
    if (remaining <= 0 || (m_drop_last && remaining < m_batch_size)) return false;
    const std::int64_t count = std::min<std::int64_t>(m_batch_size, remaining);
    // The caller hands its previous batch back for overwriting; dropping it first is what lets
    // the staging buffers be reused instead of reallocated.
    batch = Batch{};
    fill(m_cursor, count);
    m_cursor += count;

    if (m_device.is_cpu()) {
        batch.images = count == m_batch_size ? m_images : m_images.narrow(0, 0, count);
        batch.labels = count == m_batch_size ? m_labels : m_labels.narrow(0, 0, count);
    } else {
        // Asynchronous from pinned memory: fill() gives every batch its own host buffer, so the
        // copy in flight is never overwritten.
        batch.images = m_images.to(m_device, /*non_blocking=*/true);
        batch.labels = m_labels.to(m_device, /*non_blocking=*/true);
    }
    return true;
}

void Batcher::fill(std::int64_t begin, std::int64_t count)
{
    const ImageSet& set = *m_view.set;
    const std::int64_t channels = set.channels, height = set.height, width = set.width;
    if (!m_device.is_cpu()) {
        // The caching host allocator recycles pinned blocks only after their copies complete.
        const auto host = torch::TensorOptions().pinned_memory(m_device.is_cuda() && torch::cuda::is_available());
        m_images = torch::empty({count, channels, height, width}, host.dtype(torch::kFloat32));
        m_labels = torch::empty({count}, host.dtype(torch::kInt64));
    } else if (held_elsewhere(m_images) || held_elsewhere(m_labels)) {
        m_images = torch::empty({m_batch_size, channels, height, width}, torch::kFloat32);
        m_labels = torch::empty({m_batch_size}, torch::kInt64);
    }

    float* out = m_images.data_ptr<float>();
    std::int64_t* labels = m_labels.data_ptr<std::int64_t>();
    const int padding = m_augment.crop_padding;
    std::uniform_int_distribution<int> offset(-padding, padding);
    std::bernoulli_distribution coin(0.5);
    for (std::int64_t b = 0; b < count; ++b) {
        const std::int64_t index = m_order[begin + b];
        labels[b] = set.labels[index];
        const std::uint8_t* in = set.image(index);
        if (!m_augment.enabled()) {
            for (std::int64_t c = 0; c < channels; ++c)
                for (std::int64_t i = 0; i < height * width; ++i, ++in, ++out) *out = *in * m_scale[c] + m_shift[c];
            continue;
        }
        // Output (y, x) reads the zero-padded source at (y + dy, x + dx), mirrored first when
        // flipping; outside the source it holds the normalised value of a zero pixel.
        const int dy = padding > 0 ? offset(m_rng) : 0;
        const int dx = padding > 0 ? offset(m_rng) : 0;
        const bool flip = m_augment.horizontal_flip && coin(m_rng);
        for (std::int64_t c = 0; c < channels; ++c, in += height * width) {
            for (std::int64_t y = 0; y < height; ++y) {
                const std::int64_t sy = y + dy;
                for (std::int64_t x = 0; x < width; ++x, ++out) {
                    const std::int64_t sx = (flip ? width - 1 - x : x) + dx;
                    const bool inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
                    *out = inside ? in[sy * width + sx] * m_scale[c] + m_shift[c] : m_shift[c];
                }
            }
        }
    }
}

} // namespace paretonas
