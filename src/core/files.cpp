#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <fstream>
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

void write_file_atomically(const std::string& path, const std::function<void(const std::string&)>& write)
{
    const std::string tmp = path + ".tmp";
    try {
        write(tmp);
    } catch (const std::exception& e) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        fail("cannot write '" + path + "': " + e.what());
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) fail("cannot write '" + path + "': " + ec.message());
}

void write_text_atomically(const std::string& path, const std::string& text)
{
    write_file_atomically(path, [&](const std::string& tmp) {
        std::ofstream out(tmp);
        out << text;
        if (!out.flush()) throw std::runtime_error("write failed");
    });
}

void ensure_directory(const std::string& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        fail("cannot create output directory '" + dir + "'" + (ec ? ": " + ec.message() : ": a file is in the way"));
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path)
{
    std::error_code error;
    if (!fs::is_regular_file(path, error)) fail(path + ": missing file");
    const auto file_size = fs::file_size(path, error);
    // gzread also reads plain files, so one loop serves both forms.
    std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
    if (!file) fail(path + ": cannot open file");
    gzbuffer(file.get(), 1u << 18);
    const bool gzipped = gzdirect(file.get()) == 0;

    // One spare byte lets a plain file end with a zero-length read instead of a buffer doubling.
    std::vector<std::uint8_t> bytes(std::max<std::uintmax_t>(error ? 0 : file_size + 1, 1u << 16));
    std::size_t used = 0;
    for (;;) {
        if (used == bytes.size()) bytes.resize(2 * bytes.size());
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
    if (gzipped && code == Z_BUF_ERROR) fail(path + ": broken gzip (compressed stream ends early)");
    bytes.resize(used);
    return bytes;
}

} // namespace paretonas
