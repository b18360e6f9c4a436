#include "common/test_support.hpp"

#include <paretonas/data/batcher.hpp>

#include <gmock/gmock.h>
#include <torch/torch.h>

namespace paretonas::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Labels equal image indices, so a batch's labels tell which images it holds.
DataView numbered_view(std::int64_t n, std::int64_t channels = 1, std::int64_t height = 3, std::int64_t width = 4)
{
    return DataView::all(std::make_shared<const ImageSet>(make_set(n, channels, height, width, static_cast<int>(n))));
}

const Normalization unit{{0.0f}, {1.0f}};  // output = pixel / 255

Batcher make_batcher(const DataView& view, int batch_size, bool shuffle = false, Augmentation augment = {},
                     std::uint64_t seed = 1, bool drop_last = false, Normalization norm = unit)
{
    return Batcher(view, std::move(norm), batch_size, shuffle, augment, seed, torch::kCPU, drop_last);
}

std::vector<std::int64_t> labels_of(const Batch& batch)
{
    const auto labels = batch.labels.contiguous();
    return {labels.data_ptr<std::int64_t>(), labels.data_ptr<std::int64_t>() + labels.numel()};
}

// The labels of one whole epoch, in batch order.
std::vector<std::int64_t> epoch_labels(Batcher& batcher)
{
    std::vector<std::int64_t> all;
    batcher.start_epoch();
    for (Batch batch; batcher.next(batch);) {
        const auto labels = labels_of(batch);
        all.insert(all.end(), labels.begin(), labels.end());
    }
    return all;
}

// Image `index` of `view`, as a [C, H, W] float tensor of raw pixel values.
torch::Tensor raw_image(const DataView& view, std::int64_t index)
{
    const ImageSet& set = *view.set;
    return torch::from_blob(const_cast<std::uint8_t*>(set.image(index)), {set.channels, set.height, set.width},
                            torch::kUInt8)
        .to(torch::kFloat32);
}

TEST(Batcher, NormalisesWithPerChannelMeanAndStd)
{
    const DataView view = numbered_view(5, 2);
    Batcher batcher = make_batcher(view, 2, false, {}, 1, false, {{0.5f, 0.25f}, {0.5f, 0.2f}});
    Batch batch;
    ASSERT_TRUE(batcher.next(batch));
    EXPECT_THAT(batch.images.sizes(), ElementsAre(2, 2, 3, 4));
    EXPECT_EQ(batch.images.dtype(), torch::kFloat32);
    EXPECT_EQ(batch.labels.dtype(), torch::kInt64);
    EXPECT_THAT(labels_of(batch), ElementsAre(0, 1));
    for (std::int64_t i = 0; i < 2; ++i) {
        const std::uint8_t* pixel = view.set->image(i);
        for (std::int64_t c = 0; c < 2; ++c)
            for (std::int64_t y = 0; y < 3; ++y)
                for (std::int64_t x = 0; x < 4; ++x, ++pixel) {
                    const float expected = (*pixel / 255.0f - (c ? 0.25f : 0.5f)) / (c ? 0.2f : 0.5f);
                    EXPECT_NEAR(batch.images[i][c][y][x].item<float>(), expected, 1e-5f);
                }
    }
}

TEST(Batcher, KeepsPartialLastBatchUnlessDropLast)
{
    const DataView view = numbered_view(5);
    Batcher keep = make_batcher(view, 2);
    EXPECT_EQ(keep.batches_per_epoch(), 3);
    std::vector<std::int64_t> sizes;
    for (Batch batch; keep.next(batch);) sizes.push_back(batch.images.size(0));
    EXPECT_THAT(sizes, ElementsAre(2, 2, 1));
    EXPECT_THAT(epoch_labels(keep), ElementsAre(0, 1, 2, 3, 4));

    Batcher drop = make_batcher(view, 2, false, {}, 1, true);
    EXPECT_EQ(drop.batches_per_epoch(), 2);
    EXPECT_THAT(epoch_labels(drop), ElementsAre(0, 1, 2, 3));
}

TEST(Batcher, ReusesBuffersButNeverOverwritesAKeptBatch)
{
    const DataView view = numbered_view(5);
    Batcher batcher = make_batcher(view, 2);
    Batch batch;
    ASSERT_TRUE(batcher.next(batch));
    const void* first_buffer = batch.images.data_ptr();
    ASSERT_TRUE(batcher.next(batch));
    EXPECT_EQ(batch.images.data_ptr(), first_buffer) << "an unheld buffer should be reused";

    const Batch kept = batch;
    const torch::Tensor kept_images = kept.images.clone();
    ASSERT_TRUE(batcher.next(batch));  // the partial batch: a view of the staging buffer
    EXPECT_TRUE(torch::equal(kept.images, kept_images));
    EXPECT_THAT(labels_of(kept), ElementsAre(2, 3));

    const Batch partial = batch;
    batcher.start_epoch();
    ASSERT_TRUE(batcher.next(batch));
    EXPECT_THAT(labels_of(partial), ElementsAre(4));
    EXPECT_TRUE(torch::allclose(partial.images[0], raw_image(view, 4) / 255.0f, 1e-5, 1e-6));
    EXPECT_THAT(labels_of(batch), ElementsAre(0, 1));
}

TEST(Batcher, FlipMirrorsSomeImagesAndKeepsOthers)
{
    const DataView view = numbered_view(40);
    Batcher batcher = make_batcher(view, 40, false, {0, true}, 5);
    Batch batch;
    ASSERT_TRUE(batcher.next(batch));
    int flipped = 0, kept = 0;
    for (std::int64_t i = 0; i < 40; ++i) {
        const torch::Tensor original = raw_image(view, i) / 255.0f;
        if (torch::allclose(batch.images[i], original, 1e-5, 1e-6))
            ++kept;
        else if (torch::allclose(batch.images[i], original.flip({2}), 1e-5, 1e-6))
            ++flipped;
        else
            ADD_FAILURE() << "image " << i << " is neither the original nor its mirror";
    }
    EXPECT_GT(flipped, 0);
    EXPECT_GT(kept, 0);
}

TEST(Batcher, CropShiftsWithinPaddingAndPadsWithNormalisedZero)
{
    const int padding = 2;
    const DataView view = numbered_view(30, 2, 5, 6);
    const Normalization norm{{0.5f, 0.5f}, {0.5f, 0.5f}};  // a zero pixel becomes -1
    Batcher batcher = make_batcher(view, 30, false, {padding, false}, 9, false, norm);
    Batch batch;
    ASSERT_TRUE(batcher.next(batch));
    EXPECT_THAT(batch.images.sizes(), ElementsAre(30, 2, 5, 6));
    int shifted = 0;
    for (std::int64_t i = 0; i < 30; ++i) {
        // The expected crop at each offset: pad the raw image with zeros, cut the original size.
        const torch::Tensor padded = torch::constant_pad_nd(raw_image(view, i), {padding, padding, padding, padding});
        bool matched = false;
        for (int dy = -padding; dy <= padding && !matched; ++dy)
            for (int dx = -padding; dx <= padding && !matched; ++dx) {
                const auto crop = padded.slice(1, padding + dy, padding + dy + 5)
                                      .slice(2, padding + dx, padding + dx + 6);
                matched = torch::allclose(batch.images[i], (crop / 255.0f - 0.5f) / 0.5f, 1e-5, 1e-6);
                if (matched && (dy != 0 || dx != 0)) ++shifted;
            }
        EXPECT_TRUE(matched) << "image " << i << " is no crop of the padded original";
    }
    EXPECT_GT(shifted, 0);
    EXPECT_TRUE((batch.images == -1.0f).any().item<bool>());
}

TEST(Batcher, ShuffleIsDeterministicBySeedAndCoversEveryImage)
{
    const DataView view = numbered_view(50);
    Batcher a = make_batcher(view, 8, true, {}, 11), b = make_batcher(view, 8, true, {}, 11);
    Batcher c = make_batcher(view, 8, true, {}, 12);
    const auto a1 = epoch_labels(a), a2 = epoch_labels(a);
    EXPECT_EQ(a1, epoch_labels(b));
    EXPECT_EQ(a2, epoch_labels(b));
    EXPECT_NE(a1, epoch_labels(c));
    EXPECT_NE(a1, a2) << "each epoch should be reshuffled";
    auto sorted = a1;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, view.indices);
}

TEST(Batcher, RejectsMismatchedNormalization)
{
    const DataView view = numbered_view(4, 3);
    EXPECT_THAT(error_message([&] { make_batcher(view, 2); }), HasSubstr("for 3 channels"));
    EXPECT_THAT(error_message([&] { make_batcher(view, 0, false, {}, 1, false, {{0, 0, 0}, {1, 1, 1}}); }),
                HasSubstr("batch size"));
}

} // namespace
} // namespace paretonas::test
