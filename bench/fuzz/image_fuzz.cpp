// Image files for `predict` (PNG, JPEG, PNM, BMP, GIF ... through stb_image): decoded at the size
// their header gives, for a grey and a colour model, or refused with an InputError.
#include "fuzz_support.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/data/dataset.hpp>

#include <stb/stb_image.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    int width = 0, height = 0, channels = 0;
    if (!stbi_info_from_memory(data, static_cast<int>(size), &width, &height, &channels)) width = height = 28;
    if (static_cast<long long>(width) * height > 4096 * 4096) return 0;  // the reader refuses no size; keep runs fast
    const auto path = paretonas::fuzz::input_file(data, size, ".img");
    for (const int model_channels : {1, 3}) {
        try {
            const auto set = paretonas::read_image_files({path}, model_channels, height, width);
            if (set.pixels.size() != static_cast<std::size_t>(model_channels) * height * width) __builtin_trap();
        } catch (const paretonas::InputError&) {
        }
    }
    return 0;
}
