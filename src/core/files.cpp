#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <fstream>
#include <limits>
#include <sstream>

namespace paretonas {

namespace fs = std::filesystem;

std::string read_text_file(const std::string& path, const std::string& what)
{
    std::ifstream in(path);
    if (!in || fs::is_directory(path)) fail("cannot open " + what + " '" + path + "'");
    // A device or a pipe (/dev/zero) would be read forever; a text file this large is not one
    // of ours.
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) fail(what + " '" + path + "' is not a regular file");
    const auto size = fs::file_size(path, ec);
    if (ec || size > kMaxTextFileBytes)
        fail(what + " '" + path + "' is larger than " + std::to_string(kMaxTextFileBytes >> 20) + " MiB");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

namespace {

// Where a write to `path` goes: through a symbolic link to the file it names, so that the link
// survives; refused when something other than a regular file is there (a directory, a device,
// a pipe), so that nothing of the user's is replaced.
fs::path write_target(const std::string& path)
{
    std::error_code ec;
    fs::path target = path;
    if (fs::is_symlink(target, ec)) {
        const auto resolved = fs::weakly_canonical(target, ec);
        if (!ec) target = resolved;
    }
    const auto status = fs::status(target, ec);
    if (status.type() == fs::file_type::directory) fail("cannot write '" + path + "': it is a directory");
    if (fs::exists(status) && status.type() != fs::file_type::regular)
        fail("cannot write '" + path + "': it exists and is not a regular file");
    return target;
}

[[noreturn]] void storage_failure(const std::string& path, int error)
{
    throw StorageError("cannot write '" + path + "': " + std::strerror(error));
}

// The permissions the written file gets (mkstemp creates it 0600): those of the file it replaces,
// else what a plain creation would give under the umask (read once: umask() can only be read by
// setting it, and other threads create files too).
mode_t file_mode(const fs::path& target)
{
    static const mode_t mask = [] {
        const mode_t m = ::umask(0);
        ::umask(m);
        return m;
    }();
    struct stat existing {};
    if (::stat(target.c_str(), &existing) == 0) return existing.st_mode & 07777;
    return 0666 & ~mask;
}

} // namespace

void write_file_atomically(const std::string& path, std::string_view bytes)
{
    const fs::path target = write_target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    // A unique hidden name beside the target: a rename within one directory is atomic, and a
    // user's own "<name>.tmp" is never touched.
    std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) storage_failure(path, errno);
    const auto abandon = [&](int error) {
        ::close(fd);
        ::unlink(tmp.c_str());
        storage_failure(path, error);
    };
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) abandon(errno);  // ENOSPC (a full disk), EFBIG (a file-size limit), EIO
        done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, file_mode(target)) != 0) abandon(errno);
    // On disk before the rename, so that a power cut leaves the old file or the new, not an empty one.
    if (::fsync(fd) != 0) abandon(errno);
    if (::close(fd) != 0) {  // network file systems report a full disk only here
        const int error = errno;
        ::unlink(tmp.c_str());
        storage_failure(path, error);
    }
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
        const int error = errno;
        ::unlink(tmp.c_str());
        storage_failure(path, error);
    }
}

void ensure_directory(const std::string& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        fail("cannot create output directory '" + dir + "'" + (ec ? ": " + ec.message() : ": a file is in the way"));
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::uint64_t limit)
{
    std::error_code error;
    const auto status = fs::status(path, error);
    if (!fs::exists(status)) fail(path + ": missing file");
    // A device or a pipe (/dev/zero) never ends.
    if (status.type() != fs::file_type::regular) fail(path + ": not a regular file");
    const auto file_size = fs::file_size(path, error);
    // gzread also reads plain files, so one loop serves both forms.
    std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
    if (!file) fail(path + ": cannot open file");
    gzbuffer(file.get(), 1u << 18);
    const bool gzipped = gzdirect(file.get()) == 0;

    // Never more than limit + 1 bytes: a gzip bomb is not inflated whole, and the caller still
    // sees that there was more. One spare byte lets a plain file end with a zero-length read
    // instead of a buffer doubling.
    const std::uint64_t wanted = limit == std::numeric_limits<std::uint64_t>::max() ? limit : limit + 1;
    std::vector<std::uint8_t> bytes(std::min<std::uint64_t>(std::max<std::uintmax_t>(error ? 0 : file_size + 1, 1u << 16), wanted));
    std::size_t used = 0;
    while (used < wanted) {
        if (used == bytes.size()) bytes.resize(std::min<std::uint64_t>(2 * bytes.size(), wanted));
        const auto chunk = static_cast<unsigned>(std::min<std::size_t>(bytes.size() - used, 1u << 30));
        const int got = gzread(file.get(), bytes.data() + used, chunk);
        if (got < 0) {
            int code = 0;
            fail(path + ": broken gzip (" + gzerror(file.get(), &code) + ")");
        }
        if (got == 0) break;
        used += static_cast<std::size_t>(got);
    }
    int code = Z_OK;
    gzerror(file.get(), &code);
    // zlib reports a stream cut short only as Z_BUF_ERROR after the final read.
    if (gzipped && used < wanted && code == Z_BUF_ERROR) fail(path + ": broken gzip (compressed stream ends early)");
    bytes.resize(used);
    return bytes;
}

std::vector<std::uint8_t> read_whole_file(const std::string& path, std::uint64_t limit)
{
    auto bytes = read_file_bytes(path, limit);
    if (bytes.size() > limit)
        fail(path + ": holds more than " + std::to_string(limit) + " bytes (after decompression); not a file paretonas reads");
    return bytes;
}

} // namespace paretonas
