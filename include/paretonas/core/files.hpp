/// @file core/files.hpp
/// File helpers that turn I/O failures into one-line InputErrors.
#ifndef PARETONAS_CORE_FILES_HPP
#define PARETONAS_CORE_FILES_HPP

#include <functional>
#include <string>

namespace paretonas {

/// Whole file as text; throws InputError "cannot open <what> '<path>'".
std::string read_text_file(const std::string& path, const std::string& what = "file");

/// Writes through `path`.tmp and renames, so readers (and a run killed mid-write) never see
/// half a file. `write` receives the temporary path.
void write_file_atomically(const std::string& path, const std::function<void(const std::string&)>& write);
void write_text_atomically(const std::string& path, const std::string& text);

/// Creates `dir` (and parents) or throws InputError naming it; fails if it is not a directory.
void ensure_directory(const std::string& dir);

} // namespace paretonas

#endif
