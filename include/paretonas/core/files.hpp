/// @file core/files.hpp
/// File helpers that turn I/O failures into one-line InputErrors.
#ifndef PARETONAS_CORE_FILES_HPP
#define PARETONAS_CORE_FILES_HPP

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace paretonas {

/// The largest text file read_text_file reads (architectures, settings, normalization).
constexpr std::uintmax_t kMaxTextFileBytes = 64ULL << 20;

/// Whole file as text; throws InputError "cannot open <what> '<path>'", or naming the file when
/// it is not a regular file (a device, a pipe) or larger than kMaxTextFileBytes.
std::string read_text_file(const std::string& path, const std::string& what = "file");

/// The whole content of a file, gunzipped when it starts with the gzip magic 0x1f8b, so that the
/// IDX and CIFAR readers accept both forms. Throws InputError "<path>: missing file" or
/// "<path>: broken gzip (...)".
std::vector<std::uint8_t> read_file_bytes(const std::string& path);

/// Writes through `path`.tmp and renames, so readers (and a run killed mid-write) never see
/// half a file. `write` receives the temporary path.
void write_file_atomically(const std::string& path, const std::function<void(const std::string&)>& write);
void write_text_atomically(const std::string& path, const std::string& text);

/// Creates `dir` (and parents) or throws InputError naming it; fails if it is not a directory.
void ensure_directory(const std::string& dir);

} // namespace paretonas

#endif
