/// @file core/files.hpp
/// File helpers that turn I/O failures into one-line InputErrors.
#ifndef PARETONAS_CORE_FILES_HPP
#define PARETONAS_CORE_FILES_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace paretonas {

/// The largest text file read_text_file reads (architectures, settings, normalization).
constexpr std::uintmax_t kMaxTextFileBytes = 64ULL << 20;

/// Whole file as text; throws InputError "cannot open <what> '<path>'", or naming the file when
/// it is not a regular file (a device, a pipe) or larger than kMaxTextFileBytes.
std::string read_text_file(const std::string& path, const std::string& what = "file");

/// The most read_whole_file reads by default: a data file (a CIFAR batch, an image) larger than
/// this after decompression is not one a search can use.
constexpr std::uint64_t kMaxDataFileBytes = 4ULL << 30;

/// The content of a file, gunzipped when it starts with the gzip magic 0x1f8b, so that the IDX
/// and CIFAR readers accept both forms; but at most `limit` + 1 bytes, so that a gzip bomb is
/// never inflated whole and a result longer than `limit` tells the caller there is more. Throws
/// InputError "<path>: missing file", "<path>: not a regular file" or "<path>: broken gzip (...)".
std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::uint64_t limit);

/// read_file_bytes, failing with InputError naming the file when it holds more than `limit`.
std::vector<std::uint8_t> read_whole_file(const std::string& path, std::uint64_t limit = kMaxDataFileBytes);

/// Writes `bytes` to a new file with a unique name in `path`'s directory and renames it over
/// `path`, so that readers (and a run killed mid-write) never see half a file. Refuses (InputError)
/// a `path` that is a directory or another non-regular file; writes through a symbolic link.
/// Throws StorageError with the system's reason ("No space left on device") when the disk
/// refuses, after removing the temporary file.
void write_file_atomically(const std::string& path, std::string_view bytes);

/// Creates `dir` (and parents) or throws InputError naming it; fails if it is not a directory.
void ensure_directory(const std::string& dir);

} // namespace paretonas

#endif
