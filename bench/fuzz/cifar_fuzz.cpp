// CIFAR binary batches (CIFAR-10 when the first byte is even, else CIFAR-100): read or refused.
#include "fuzz_support.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/data/dataset.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const bool cifar100 = size > 0 && (data[0] & 1);
    const auto path = paretonas::fuzz::input_file(data, size, "-batch.bin");
    try {
        const auto set = paretonas::read_cifar({path}, cifar100);
        if (set.labels.size() * 3 * 32 * 32 != set.pixels.size()) __builtin_trap();
    } catch (const paretonas::InputError&) {
    }
    return 0;
}
