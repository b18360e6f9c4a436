/// @file core/error.hpp
/// Error types and the one throw helper every layer uses.
#ifndef PARETONAS_CORE_ERROR_HPP
#define PARETONAS_CORE_ERROR_HPP

#include <stdexcept>
#include <string>

namespace paretonas {

/// Bad input from the user: a malformed file, an impossible architecture, a wrong flag value.
/// The CLI prints what() on one line and exits with code 2.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The machine refused what a correct request needed: a full disk, a file-size limit, a
/// read-only directory. Not a candidate's fault, so a search stops (and resumes) instead of
/// failing the candidate; the CLI prints what() on one line and exits with code 2.
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Throws `InputError(message)`. A function so that call sites stay one line and the message is
/// built only on the error path.
[[noreturn]] void fail(const std::string& message);

/// Throws InputError "<name> must be in [lo, hi], got <value>" unless lo <= value <= hi.
void require_in_range(const std::string& name, double value, double lo, double hi);

} // namespace paretonas

#endif
