#include "common/test_support.hpp"

#include <gmock/gmock.h>

namespace paretonas::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(Cifar, Cifar10ConcatenatesBatchesInOrder)
{
    TempDir dir;
    const ImageSet first = make_set(3, 3, 32, 32), second = make_set(4, 3, 32, 32);
    write_bytes(dir.file("a.bin"), cifar_bytes(first, false));
    write_bytes(dir.file("b.bin"), cifar_bytes(second, false), true);  // gzip is accepted too
    const ImageSet read = read_cifar({dir.file("a.bin"), dir.file("b.bin")}, false);
    EXPECT_EQ(read.size(), 7);
    EXPECT_EQ(read.channels, 3);
    EXPECT_EQ(read.height, 32);
    EXPECT_EQ(read.width, 32);
    EXPECT_EQ(read.num_classes, 10);
    Bytes pixels = first.pixels, labels = first.labels;
    pixels.insert(pixels.end(), second.pixels.begin(), second.pixels.end());
    labels.insert(labels.end(), second.labels.begin(), second.labels.end());
    EXPECT_EQ(read.pixels, pixels);
    EXPECT_EQ(read.labels, labels);
}

TEST(Cifar, Cifar100UsesFineLabels)
{
    TempDir dir;
    const ImageSet set = make_set(120, 3, 32, 32, 100);
    write_bytes(dir.file("train.bin"), cifar_bytes(set, true));
    const ImageSet read = read_cifar({dir.file("train.bin")}, true);
    EXPECT_EQ(read.num_classes, 100);
    EXPECT_EQ(read.labels, set.labels);
    EXPECT_EQ(read.pixels, set.pixels);
}

TEST(Cifar, SizeNotAMultipleOfTheRecord)
{
    TempDir dir;
    Bytes bytes = cifar_bytes(make_set(2, 3, 32, 32), false);
    bytes.pop_back();
    write_bytes(dir.file("data_batch_1.bin"), bytes);
    EXPECT_THAT(error_message([&] { read_cifar({dir.file("data_batch_1.bin")}, false); }),
                AllOf(HasSubstr(dir.file("data_batch_1.bin")), HasSubstr("size 6145 bytes"),
                      HasSubstr("not a multiple of the record size 3073")));
}

TEST(Cifar, Cifar10FileReadAsCifar100HasWrongRecordSize)
{
    TempDir dir;
    write_bytes(dir.file("train.bin"), cifar_bytes(make_set(5, 3, 32, 32), false));
    EXPECT_THAT(error_message([&] { read_cifar({dir.file("train.bin")}, true); }),
                HasSubstr("not a multiple of the record size 3074"));
}

TEST(Cifar, LabelOutOfRange)
{
    TempDir dir;
    write_bytes(dir.file("test_batch.bin"), cifar_bytes(make_set(12, 3, 32, 32, 12), false));
    EXPECT_THAT(error_message([&] { read_cifar({dir.file("test_batch.bin")}, false); }),
                AllOf(HasSubstr(dir.file("test_batch.bin")), HasSubstr("label out of range"),
                      HasSubstr("label 10 in record 10, expected < 10")));
}

TEST(Cifar, MissingAndEmptyFiles)
{
    TempDir dir;
    EXPECT_THAT(error_message([&] { read_cifar({dir.file("absent.bin")}, false); }),
                AllOf(HasSubstr(dir.file("absent.bin")), HasSubstr("missing file")));
    write_bytes(dir.file("empty.bin"), {});
    EXPECT_THAT(error_message([&] { read_cifar({dir.file("empty.bin")}, false); }),
                AllOf(HasSubstr(dir.file("empty.bin")), HasSubstr("empty file")));
}

} // namespace
} // namespace paretonas::test
