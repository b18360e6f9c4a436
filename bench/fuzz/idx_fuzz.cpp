// IDX image files, plain or gzipped (the input is the file): read or refused with an InputError.
#include "fuzz_support.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/data/dataset.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto path = paretonas::fuzz::input_file(data, size, "-images-idx3-ubyte");
    try {
        const auto set = paretonas::read_idx_images(path);
        if (set.pixels.size() != static_cast<std::size_t>(set.size() * set.height * set.width)) __builtin_trap();
    } catch (const paretonas::InputError&) {
    }
    return 0;
}
