#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace paretonas {

namespace fs = std::filesystem;

std::string read_text_file(const std::string& path, const std::string& what)
{
    std::ifstream in(path);
    if (!in || fs::is_directory(path)) fail("cannot open " + what + " '" + path + "'");
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

} // namespace paretonas
