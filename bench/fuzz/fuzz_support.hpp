// What the file-reading fuzz targets share: the input written to a file of this process, since
// the readers take paths (they check the file type and size before reading).
#ifndef PARETONAS_FUZZ_SUPPORT_HPP
#define PARETONAS_FUZZ_SUPPORT_HPP

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace paretonas::fuzz {

/// Writes `data` to a file named after this process and `suffix`, and returns its path.
inline std::string input_file(const std::uint8_t* data, std::size_t size, const std::string& suffix)
{
    static const std::string dir = std::filesystem::temp_directory_path().string();
    const std::string path = dir + "/paretonas_fuzz_" + std::to_string(::getpid()) + suffix;
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    return path;
}

} // namespace paretonas::fuzz

#endif
