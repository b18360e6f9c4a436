#include "common/test_support.hpp"

#include <gmock/gmock.h>

namespace paretonas::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class IdxTest : public ::testing::TestWithParam<bool> {
protected:
    bool gzip() const { return GetParam(); }
    std::string suffix() const { return gzip() ? ".gz" : ""; }
    std::string images() const { return dir.file("train-images-idx3-ubyte" + suffix()); }
    std::string labels() const { return dir.file("train-labels-idx1-ubyte" + suffix()); }

    TempDir dir;
    ImageSet set = make_set(7, 1, 5, 4);
};

TEST_P(IdxTest, RoundTripsPixelsAndLabels)
{
    write_idx_set(dir, "train", set, gzip());
    const ImageSet read = read_idx(images(), labels());
    EXPECT_EQ(read.size(), 7);
    EXPECT_EQ(read.channels, 1);
    EXPECT_EQ(read.height, 5);
    EXPECT_EQ(read.width, 4);
    EXPECT_EQ(read.num_classes, 10);
    EXPECT_EQ(read.pixels, set.pixels);
    EXPECT_EQ(read.labels, set.labels);
}

TEST_P(IdxTest, BadMagicNamesFileAndBothValues)
{
    write_idx_set(dir, "train", set, gzip());
    write_bytes(images(), idx_bytes({7, 20}, set.pixels), gzip());  // rank 2: magic 0x802
    EXPECT_THAT(error_message([&] { read_idx(images(), labels()); }),
                AllOf(HasSubstr(images()), HasSubstr("bad magic number"), HasSubstr("expected 0x00000803"),
                      HasSubstr("got 0x00000802")));
}

TEST_P(IdxTest, TruncatedDataReportsExpectedAndActualSize)
{
    write_idx_set(dir, "train", set, gzip());
    Bytes bytes = idx_bytes({7, 5, 4}, set.pixels);
    bytes.resize(bytes.size() - 3);
    write_bytes(images(), bytes, gzip());
    EXPECT_THAT(error_message([&] { read_idx(images(), labels()); }),
                AllOf(HasSubstr(images()), HasSubstr("truncated data"), HasSubstr("expected 156 bytes, got 153")));
}

TEST_P(IdxTest, CountMismatchNamesBothFiles)
{
    write_idx_set(dir, "train", set, gzip());
    write_bytes(labels(), idx_bytes({6}, Bytes(set.labels.begin(), set.labels.end() - 1)), gzip());
    EXPECT_THAT(error_message([&] { read_idx(images(), labels()); }),
                AllOf(HasSubstr(images()), HasSubstr(labels()), HasSubstr("image/label count mismatch"),
                      HasSubstr("7 images, 6 labels")));
}

TEST_P(IdxTest, LabelOutOfRange)
{
    write_idx_set(dir, "train", set, gzip());
    EXPECT_THAT(error_message([&] { read_idx(images(), labels(), 5); }),
                AllOf(HasSubstr(labels()), HasSubstr("label out of range"), HasSubstr("label 5 of image 5")));
}

INSTANTIATE_TEST_SUITE_P(PlainAndGzip, IdxTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "gzip" : "plain"; });

TEST(Idx, MissingFile)
{
    TempDir dir;
    const std::string missing = dir.file("nope-images-idx3-ubyte");
    EXPECT_THAT(error_message([&] { read_idx(missing, dir.file("nope-labels-idx1-ubyte")); }),
                AllOf(HasSubstr(missing), HasSubstr("missing file")));
}

TEST(Idx, GzipWithItsTailCutOffIsBroken)
{
    TempDir dir;
    write_idx_set(dir, "train", make_set(50, 1, 8, 8), true);
    const std::string images = dir.file("train-images-idx3-ubyte.gz");
    Bytes bytes = read_bytes(images);
    bytes.resize(bytes.size() / 2);
    write_bytes(images, bytes);
    EXPECT_THAT(error_message([&] { read_idx(images, dir.file("train-labels-idx1-ubyte.gz")); }),
                AllOf(HasSubstr(images), HasSubstr("broken gzip")));
}

TEST(Idx, GarbageAfterGzipMagicIsBroken)
{
    TempDir dir;
    write_idx_set(dir, "train", make_set(3, 1, 2, 2), true);
    const std::string labels = dir.file("train-labels-idx1-ubyte.gz");
    write_bytes(labels, {0x1f, 0x8b, 0x42, 0x13, 0x37, 0x00, 0xff, 0xee, 0x01, 0x02, 0x03, 0x04, 0x05});
    EXPECT_THAT(error_message([&] { read_idx(dir.file("train-images-idx3-ubyte.gz"), labels); }),
                AllOf(HasSubstr(labels), HasSubstr("broken gzip")));
}

TEST(Idx, FileShorterThanMagicIsTruncated)
{
    TempDir dir;
    write_idx_set(dir, "train", make_set(3, 1, 2, 2));
    const std::string images = dir.file("train-images-idx3-ubyte");
    write_bytes(images, {0x00, 0x00});
    EXPECT_THAT(error_message([&] { read_idx(images, dir.file("train-labels-idx1-ubyte")); }),
                AllOf(HasSubstr(images), HasSubstr("truncated data"), HasSubstr("expected 16 bytes, got 2")));
}

TEST(Idx, AGzipBombIsNotInflatedPastWhatItsHeaderDescribes)
{
    // A valid header for 3 images of 2x2, then 64 MiB of zeros (64 KB compressed): refused after
    // the 28 bytes the header describes plus one.
    TempDir dir;
    write_idx_set(dir, "train", make_set(3, 1, 2, 2), true);
    const std::string images = dir.file("train-images-idx3-ubyte.gz");
    Bytes bomb = idx_bytes({3, 2, 2}, Bytes(12, 7));
    bomb.resize(bomb.size() + (64u << 20), 0);
    write_bytes(images, bomb, true);
    EXPECT_EQ(error_message([&] { read_idx(images, dir.file("train-labels-idx1-ubyte.gz")); }),
              images + ": unexpected trailing data (expected 28 bytes, the file holds more)");
}

TEST(Idx, ImagesOfNoPixelsAreRefusedWhateverTheirCount)
{
    TempDir dir;
    const std::string images = dir.file("x-images-idx3-ubyte");
    write_bytes(images, idx_bytes({0x873d0000u, 0, 0}, {}));  // 2.27 billion images of 0x0 pixels
    EXPECT_EQ(error_message([&] { read_idx_images(images); }), images + ": images of 0x0 pixels");
}

TEST(Idx, RealFashionMnistLoads)
{
    const std::string root = "/usr/share/datasets";
    if (!std::filesystem::exists(root + "/fashion-mnist/train-images-idx3-ubyte.gz") &&
        !std::filesystem::exists(root + "/fashion-mnist/train-images-idx3-ubyte"))
        GTEST_SKIP() << "Fashion-MNIST not installed under " << root;
    const DataSource data = load_data("fashion-mnist", root);
    EXPECT_EQ(data.train->name, "fashion-mnist");
    EXPECT_EQ(data.train->size(), 60000);
    EXPECT_EQ(data.test->size(), 10000);
    for (const auto& set : {data.train, data.test}) {
        EXPECT_EQ(set->channels, 1);
        EXPECT_EQ(set->height, 28);
        EXPECT_EQ(set->width, 28);
        EXPECT_EQ(set->pixels.size(), static_cast<std::size_t>(set->size() * 28 * 28));
    }
}

} // namespace
} // namespace paretonas::test
