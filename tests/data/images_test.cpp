#include "common/test_support.hpp"

#include <paretonas/data/dataset.hpp>

#include <stb/stb_image_write.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

using namespace paretonas;
using ::testing::HasSubstr;

namespace {

void write_pnm(const std::string& path, const char* magic, int width, int height, const std::string& pixels)
{
    std::ofstream(path, std::ios::binary) << magic << "\n" << width << " " << height << "\n255\n" << pixels;
}

} // namespace

TEST(ImageFiles, GreyAndColourFilesBecomeChannelMajorImages)
{
    test::TempDir dir;
    write_pnm(dir.file("a.pgm"), "P5", 2, 1, std::string{'\x10', '\x20'});
    // Two RGB pixels: (1,2,3) and (4,5,6), interleaved in the file.
    write_pnm(dir.file("b.ppm"), "P6", 2, 1, std::string{1, 2, 3, 4, 5, 6});
    const auto grey = read_image_files({dir.file("a.pgm")}, 1, 1, 2);
    EXPECT_EQ(grey.pixels, (std::vector<std::uint8_t>{0x10, 0x20}));
    const auto rgb = read_image_files({dir.file("b.ppm"), dir.file("b.ppm")}, 3, 1, 2);
    EXPECT_EQ(rgb.size(), 2);
    EXPECT_EQ(std::vector<std::uint8_t>(rgb.pixels.begin(), rgb.pixels.begin() + 6), (std::vector<std::uint8_t>{1, 4, 2, 5, 3, 6}));
    // A colour file read for a grey model is converted, not refused.
    EXPECT_EQ(read_image_files({dir.file("b.ppm")}, 1, 1, 2).pixels.size(), 2u);
}

TEST(ImageFiles, BadFilesAreNamed)
{
    test::TempDir dir;
    write_pnm(dir.file("a.pgm"), "P5", 2, 1, std::string{'\x10', '\x20'});
    std::ofstream(dir.file("junk.png")) << "not an image";
    EXPECT_THAT(test::error_message([&] { read_image_files({dir.file("junk.png")}, 1, 1, 2); }), HasSubstr("junk.png: cannot decode the image"));
    EXPECT_THAT(test::error_message([&] { read_image_files({dir.file("a.pgm")}, 1, 28, 28); }),
                HasSubstr("a.pgm: image is 2x1, the model takes 28x28"));
    EXPECT_THAT(test::error_message([&] { read_image_files({dir.file("a.pgm")}, 4, 1, 2); }), HasSubstr("only 1 (grey) or 3 (RGB)"));
    EXPECT_THAT(test::error_message([&] { read_image_files({}, 1, 1, 2); }), HasSubstr("no image files given"));
}

TEST(ImageFiles, TruncatedFilesAreRefusedNotFilledIn)
{
    test::TempDir dir;
    // A PGM header for 4x4 pixels and 5 of its 16 bytes; a header with no pixels at all.
    write_pnm(dir.file("cut.pgm"), "P5", 4, 4, std::string(5, '\x40'));
    write_pnm(dir.file("empty.pgm"), "P5", 4, 4, "");
    EXPECT_EQ(test::error_message([&] { read_image_files({dir.file("cut.pgm")}, 1, 4, 4); }),
              dir.file("cut.pgm") + ": truncated image (16 bytes, the header needs 27)");
    EXPECT_THAT(test::error_message([&] { read_image_files({dir.file("empty.pgm")}, 1, 4, 4); }), HasSubstr("empty.pgm: truncated image"));
    // A comment in the header is allowed, and a complete file still reads.
    std::ofstream(dir.file("commented.pgm"), std::ios::binary) << "P5\n# made by hand\n4 4\n255\n" << std::string(16, '\x40');
    EXPECT_EQ(read_image_files({dir.file("commented.pgm")}, 1, 4, 4).pixels, std::vector<std::uint8_t>(16, 0x40));

    // A real JPEG, then the same file without its last quarter.
    std::vector<std::uint8_t> pixels(16 * 16, 0);
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i);
    ASSERT_NE(stbi_write_jpg(dir.file("whole.jpg").c_str(), 16, 16, 1, pixels.data(), 90), 0);
    EXPECT_EQ(read_image_files({dir.file("whole.jpg")}, 1, 16, 16).size(), 1);
    auto bytes = test::read_bytes(dir.file("whole.jpg"));
    bytes.resize(bytes.size() * 3 / 4);
    test::write_bytes(dir.file("cut.jpg"), bytes);
    EXPECT_EQ(test::error_message([&] { read_image_files({dir.file("whole.jpg"), dir.file("cut.jpg")}, 1, 16, 16); }),
              dir.file("cut.jpg") + ": truncated image (the JPEG has no end-of-image marker after its last scan)");
}

TEST(ImageFiles, IdxImagesWithoutLabels)
{
    test::TempDir dir;
    const auto set = test::make_set(5, 1, 4, 3);
    test::write_idx_set(dir, "x", set, true);
    const auto read = read_idx_images(dir.file("x-images-idx3-ubyte.gz"));
    EXPECT_EQ(read.pixels, set.pixels);
    EXPECT_EQ(read.height, 4);
    EXPECT_EQ(read.width, 3);
    EXPECT_EQ(read.labels, std::vector<std::uint8_t>(5, 0));
    EXPECT_THAT(test::error_message([&] { read_idx_images(dir.file("x-labels-idx1-ubyte.gz")); }), HasSubstr("bad magic number"));
}
