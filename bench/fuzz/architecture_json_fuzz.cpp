// Architecture JSON as users write it: any text either loads into a valid architecture whose
// costs and memory estimate compute, or is refused with an InputError. Anything else (a crash,
// a sanitizer report, another exception type) is a finding.
#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/memory.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto arch = paretonas::Architecture::from_json(text);
        arch.infer_shapes();
        paretonas::parameter_count(arch);
        paretonas::multiply_adds(arch);
        paretonas::training_memory_bytes(arch, 128);
        // Writing it back gives text that loads into the same architecture.
        if (paretonas::Architecture::from_json(arch.to_json()) != arch) __builtin_trap();
    } catch (const paretonas::InputError&) {
    }
    return 0;
}
