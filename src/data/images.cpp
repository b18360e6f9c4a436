// Image files for `predict`, decoded by stb_image (Debian's libstb), a small well-kept decoder.
#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/data/dataset.hpp>

#include <stb/stb_image.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace paretonas {

namespace {

// No image a CNN of ours takes comes near this; a larger file is not decoded.
constexpr std::uint64_t kMaxImageFileBytes = 256ULL << 20;

// A header field of a binary PNM (P5, P6): whitespace and # comments before it. Returns -1 at a
// malformed header.
long pnm_field(const std::vector<std::uint8_t>& bytes, std::size_t& at)
{
    while (at < bytes.size() && (std::isspace(bytes[at]) || bytes[at] == '#')) {
        if (bytes[at] == '#')
            while (at < bytes.size() && bytes[at] != '\n') ++at;
        else
            ++at;
    }
    long value = 0;
    const std::size_t start = at;
    for (; at < bytes.size() && std::isdigit(bytes[at]) && value < (1L << 40); ++at) value = 10 * value + (bytes[at] - '0');
    return at == start ? -1 : value;
}

// stb decodes a PNM whose pixel data is cut short, and a JPEG cut short, without an error (it
// fills in what is missing): both are checked here. PNG's chunk structure makes stb fail on its own.
void require_complete(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    if (bytes.size() >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) {
        std::size_t at = 2;
        const long width = pnm_field(bytes, at), height = pnm_field(bytes, at), maxval = pnm_field(bytes, at);
        if (width <= 0 || height <= 0 || maxval <= 0 || at >= bytes.size()) fail(path + ": malformed PNM header");
        const std::uint64_t samples = static_cast<std::uint64_t>(width) * height * (bytes[1] == '6' ? 3 : 1);
        const std::uint64_t expected = at + 1 + samples * (maxval > 255 ? 2 : 1);  // one whitespace ends the header
        if (bytes.size() < expected)
            fail(path + ": truncated image (" + std::to_string(bytes.size()) + " bytes, the header needs " + std::to_string(expected) + ")");
    }
    if (bytes.size() >= 2 && bytes[0] == 0xff && bytes[1] == 0xd8) {
        // The end-of-image marker must follow the last start-of-scan marker.
        const std::uint8_t sos[] = {0xff, 0xda}, eoi[] = {0xff, 0xd9};
        const auto scan = std::find_end(bytes.begin(), bytes.end(), std::begin(sos), std::end(sos));
        if (scan == bytes.end() || std::search(scan, bytes.end(), std::begin(eoi), std::end(eoi)) == bytes.end())
            fail(path + ": truncated image (the JPEG has no end-of-image marker after its last scan)");
    }
}

} // namespace

ImageSet read_image_files(const std::vector<std::string>& paths, std::int64_t channels, std::int64_t height, std::int64_t width)
{
    if (channels != 1 && channels != 3) fail("images: the model takes " + std::to_string(channels) + " channels; only 1 (grey) or 3 (RGB) decode from files");
    if (paths.empty()) fail("images: no image files given");
    ImageSet set;
    set.name = "images";
    set.channels = channels;
    set.height = height;
    set.width = width;
    for (const auto& path : paths) {
        const auto bytes = read_whole_file(path, kMaxImageFileBytes);
        const int size = static_cast<int>(bytes.size());
        int w = 0, h = 0, in_file = 0;
        // The size from the header first: a 60000x60000 image is refused before it is decoded.
        if (!stbi_info_from_memory(bytes.data(), size, &w, &h, &in_file))
            fail(path + ": cannot decode the image (" + stbi_failure_reason() + ")");
        if (w != width || h != height)
            fail(path + ": image is " + std::to_string(w) + "x" + std::to_string(h) + ", the model takes " + std::to_string(width) + "x" +
                 std::to_string(height));
        require_complete(path, bytes);
        std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
            stbi_load_from_memory(bytes.data(), size, &w, &h, &in_file, static_cast<int>(channels)), stbi_image_free);
        if (!pixels) fail(path + ": cannot decode the image (" + stbi_failure_reason() + ")");
        // stb gives interleaved HWC; ImageSet holds CHW.
        for (std::int64_t c = 0; c < channels; ++c)
            for (std::int64_t p = 0; p < height * width; ++p) set.pixels.push_back(pixels.get()[p * channels + c]);
        set.labels.push_back(0);
    }
    return set;
}

} // namespace paretonas
