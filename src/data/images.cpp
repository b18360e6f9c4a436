// Image files for `predict`, decoded by stb_image (Debian's libstb), a small well-kept decoder.
#include <paretonas/core/error.hpp>
#include <paretonas/data/dataset.hpp>

#include <stb/stb_image.h>

#include <memory>

namespace paretonas {

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
        int w = 0, h = 0, in_file = 0;
        std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load(path.c_str(), &w, &h, &in_file, static_cast<int>(channels)), stbi_image_free);
        if (!pixels) fail(path + ": cannot decode the image (" + stbi_failure_reason() + ")");
        if (w != width || h != height)
            fail(path + ": image is " + std::to_string(w) + "x" + std::to_string(h) + ", the model takes " + std::to_string(width) + "x" +
                 std::to_string(height));
        // stb gives interleaved HWC; ImageSet holds CHW.
        for (std::int64_t c = 0; c < channels; ++c)
            for (std::int64_t p = 0; p < height * width; ++p) set.pixels.push_back(pixels.get()[p * channels + c]);
        set.labels.push_back(0);
    }
    return set;
}

} // namespace paretonas
