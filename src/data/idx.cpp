#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/data/dataset.hpp>

#include <cstdio>

namespace paretonas {

namespace {

constexpr std::uint32_t images_magic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t labels_magic = 0x00000801;  // unsigned bytes, 1 dimension

std::uint32_t big_endian_u32(const std::uint8_t* p)
{
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

std::string hex32(std::uint32_t value)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", value);
    return text;
}

[[noreturn]] void fail_size(const std::string& path, const char* problem, std::uint64_t expected,
                            std::uint64_t got)
{
    fail(path + ": " + problem + " (expected " + std::to_string(expected) + " bytes, got " +
         std::to_string(got) + ")");
}

// An IDX file of unsigned bytes whose size has been checked against its header.
struct IdxFile {
    std::vector<std::uint8_t> bytes;
    std::vector<std::uint32_t> dims;
    std::size_t header = 0;  // offset of the first data byte

    const std::uint8_t* data() const { return bytes.data() + header; }
};

IdxFile read_idx_file(const std::string& path, std::uint32_t magic)
{
    // The header first: it says how much data follows, and no more than that is inflated (an
    // 8 MB gzip may hold gigabytes of zeros).
    IdxFile file{read_file_bytes(path, 63), {}, 4 + 4 * std::size_t{magic & 0xffu}};
    const std::uint64_t head = file.bytes.size();
    if (head < 4) fail_size(path, "truncated data", file.header, head);
    const std::uint32_t got_magic = big_endian_u32(file.bytes.data());
    if (got_magic != magic)
        fail(path + ": bad magic number (expected " + hex32(magic) + ", got " + hex32(got_magic) + ")");
    if (head < file.header) fail_size(path, "truncated data", file.header, head);

    std::uint64_t expected = 1;
    for (std::size_t offset = 4; offset < file.header; offset += 4) {
        file.dims.push_back(big_endian_u32(file.bytes.data() + offset));
        // Three 32-bit dimensions can overflow 64 bits; such a header cannot describe a real file.
        if (__builtin_mul_overflow(expected, std::uint64_t{file.dims.back()}, &expected))
            fail(path + ": implausible dimensions in the header");
    }
    if (__builtin_add_overflow(expected, std::uint64_t{file.header}, &expected))
        fail(path + ": implausible dimensions in the header");
    if (expected > kMaxDataFileBytes)
        fail(path + ": the header describes " + std::to_string(expected) + " bytes, more than paretonas reads (" +
             std::to_string(kMaxDataFileBytes) + ")");
    file.bytes = read_file_bytes(path, expected);
    const std::uint64_t size = file.bytes.size();
    if (size < expected) fail_size(path, "truncated data", expected, size);
    if (size > expected)
        fail(path + ": unexpected trailing data (expected " + std::to_string(expected) + " bytes, the file holds more)");
    return file;
}

ImageSet images_of(const std::string& path, const IdxFile& images)
{
    // Images of no pixels take no data bytes, so any count passes the size check: two billion of
    // them would allocate two billion labels (found by bench/fuzz).
    if (images.dims[1] == 0 || images.dims[2] == 0)
        fail(path + ": images of " + std::to_string(images.dims[1]) + "x" + std::to_string(images.dims[2]) + " pixels");
    ImageSet set;
    set.name = path;
    set.channels = 1;
    set.height = images.dims[1];
    set.width = images.dims[2];
    set.pixels.assign(images.data(), images.data() + std::size_t{images.dims[0]} * images.dims[1] * images.dims[2]);
    return set;
}

} // namespace

ImageSet read_idx(const std::string& images_path, const std::string& labels_path, int num_classes)
{
    require_in_range("num_classes", num_classes, 1, 256);
    const IdxFile images = read_idx_file(images_path, images_magic);
    const IdxFile labels = read_idx_file(labels_path, labels_magic);
    if (images.dims[0] != labels.dims[0])
        fail(images_path + " and " + labels_path + ": image/label count mismatch (" +
             std::to_string(images.dims[0]) + " images, " + std::to_string(labels.dims[0]) + " labels)");

    ImageSet set = images_of(images_path, images);
    set.num_classes = num_classes;
    set.labels.assign(labels.data(), labels.data() + labels.dims[0]);
    for (std::size_t i = 0; i < set.labels.size(); ++i)
        if (set.labels[i] >= num_classes)
            fail(labels_path + ": label out of range (label " + std::to_string(set.labels[i]) + " of image " +
                 std::to_string(i) + ", expected < " + std::to_string(num_classes) + ")");
    return set;
}

ImageSet read_idx_images(const std::string& images_path)
{
    const IdxFile images = read_idx_file(images_path, images_magic);
    ImageSet set = images_of(images_path, images);
    set.labels.assign(images.dims[0], 0);
    return set;
}

} // namespace paretonas
