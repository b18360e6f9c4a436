/// @file tests/common/test_support.hpp
/// Shared by the tests: a self-removing temporary directory, writers for small IDX and CIFAR
/// files (plain or gzipped), a synthetic ImageSet and a catcher for InputError messages.
#ifndef PARETONAS_TESTS_COMMON_TEST_SUPPORT_HPP
#define PARETONAS_TESTS_COMMON_TEST_SUPPORT_HPP

#include <paretonas/core/error.hpp>
#include <paretonas/data/dataset.hpp>
#include <paretonas/store/run_store.hpp>

#include <gtest/gtest.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace paretonas::test {

using Bytes = std::vector<std::uint8_t>;

/// A fresh directory under the system temp directory, removed with its contents on destruction.
/// The process id keeps tests that ctest runs in parallel apart.
class TempDir {
public:
    TempDir()
    {
        static int counter = 0;
        m_path = std::filesystem::temp_directory_path() /
                 ("paretonas_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return (m_path / name).string(); }
    std::string path() const { return m_path.string(); }

private:
    std::filesystem::path m_path;
};

inline void write_bytes(const std::string& path, const Bytes& bytes, bool gzip = false)
{
    if (gzip) {
        gzFile file = gzopen(path.c_str(), "wb");
        ASSERT_NE(file, nullptr) << path;
        ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
        ASSERT_EQ(gzclose(file), Z_OK);
        return;
    }
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

inline Bytes read_bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

inline void append_u32(Bytes& bytes, std::uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
}

/// IDX bytes: magic 0x0000080<rank>, the dimensions, then `data`.
inline Bytes idx_bytes(const std::vector<std::uint32_t>& dims, const Bytes& data)
{
    Bytes bytes;
    append_u32(bytes, 0x800u + static_cast<std::uint32_t>(dims.size()));
    for (const auto dim : dims) append_u32(bytes, dim);
    bytes.insert(bytes.end(), data.begin(), data.end());
    return bytes;
}

/// A small deterministic set: pixel values vary with image, channel and position; label i % classes.
inline ImageSet make_set(std::int64_t n, std::int64_t channels, std::int64_t height, std::int64_t width,
                         int classes = 10)
{
    ImageSet set;
    set.name = "synthetic";
    set.channels = channels;
    set.height = height;
    set.width = width;
    set.num_classes = classes;
    for (std::int64_t i = 0; i < n; ++i) {
        set.labels.push_back(static_cast<std::uint8_t>(i % classes));
        for (std::int64_t p = 0; p < set.image_bytes(); ++p)
            set.pixels.push_back(static_cast<std::uint8_t>((i * 37 + p * 11) % 256));
    }
    return set;
}

/// Writes `set` (single channel) as <dir>/<prefix>-images-idx3-ubyte and -labels-idx1-ubyte,
/// with ".gz" appended when gzipped.
inline void write_idx_set(const TempDir& dir, const std::string& prefix, const ImageSet& set, bool gzip = false)
{
    const std::string suffix = gzip ? ".gz" : "";
    const auto n = static_cast<std::uint32_t>(set.size());
    const std::vector<std::uint32_t> dims{n, static_cast<std::uint32_t>(set.height),
                                          static_cast<std::uint32_t>(set.width)};
    write_bytes(dir.file(prefix + "-images-idx3-ubyte" + suffix), idx_bytes(dims, set.pixels), gzip);
    write_bytes(dir.file(prefix + "-labels-idx1-ubyte" + suffix), idx_bytes({n}, set.labels), gzip);
}

/// A directory of IDX files load_data reads: 40 training and 20 test images of 12x12, 10 classes.
inline void write_tiny_idx(const TempDir& dir)
{
    write_idx_set(dir, "train", make_set(40, 1, 12, 12, 10));
    write_idx_set(dir, "t10k", make_set(20, 1, 12, 12, 10));
}

/// CIFAR records of `set` (3 x 32 x 32): one label byte, or coarse (label / 5) and fine for CIFAR-100.
inline Bytes cifar_bytes(const ImageSet& set, bool cifar100)
{
    Bytes bytes;
    for (std::int64_t i = 0; i < set.size(); ++i) {
        if (cifar100) bytes.push_back(static_cast<std::uint8_t>(set.labels[i] / 5));
        bytes.push_back(set.labels[i]);
        bytes.insert(bytes.end(), set.image(i), set.image(i) + set.image_bytes());
    }
    return bytes;
}

/// Three classes of 12x12 images told apart by where a bright bar lies (top, middle, bottom),
/// under noise: learnable in a few epochs by a tiny network.
inline std::shared_ptr<ImageSet> bar_images(int count, std::uint64_t seed)
{
    auto set = std::make_shared<ImageSet>();
    set->name = "bars";
    set->channels = 1;
    set->height = set->width = 12;
    set->num_classes = 3;
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> noise(0, 90);
    for (int i = 0; i < count; ++i) {
        const int label = i % 3;
        set->labels.push_back(static_cast<std::uint8_t>(label));
        for (int y = 0; y < 12; ++y)
            for (int x = 0; x < 12; ++x)
                set->pixels.push_back(static_cast<std::uint8_t>(noise(rng) + (y / 4 == label ? 150 : 0)));
    }
    return set;
}

/// bar_images split 70/30 into train and validation, with the train split's statistics: the
/// data of the search tests.
struct BarSplit {
    DataView train, validation;
    Normalization norm;
    explicit BarSplit(int count = 450, std::uint64_t seed = 8)
    {
        const auto split = split_train_validation(DataView::all(bar_images(count, seed)), 0.3, 1);
        train = split.train;
        validation = split.validation;
        norm = channel_statistics(train);
    }
};

/// The settings of a run minimising (validation error, parameters), reference point (1, 8).
inline RunInfo run_info(const std::string& method)
{
    RunInfo info;
    info.method = method;
    info.objectives = {"error", "params"};
    info.reference = {1.0, 8.0};
    return info;
}

/// A file-size limit makes the kernel refuse writes past it (EFBIG), as a full disk refuses them
/// (ENOSPC), without root or a small file system; restored when the test ends.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &m_saved);
        m_handler = std::signal(SIGXFSZ, SIG_IGN);  // the write then fails instead of killing us
        rlimit limited = m_saved;
        limited.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &limited);
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_handler);
    }

private:
    rlimit m_saved{};
    void (*m_handler)(int) = nullptr;
};

/// Runs a shell command and returns its exit status and its output (stdout and stderr).
struct CommandResult {
    int status = -1;
    std::string output;
};
inline CommandResult run_command(const std::string& command)
{
    CommandResult r;
    if (FILE* pipe = ::popen((command + " 2>&1").c_str(), "r")) {
        std::array<char, 512> buf{};
        while (std::fgets(buf.data(), buf.size(), pipe)) r.output += buf.data();
        const int status = ::pclose(pipe);
        r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return r;
}

/// The message of the InputError that `action` throws; a test failure when it throws none.
template <class Action>
std::string error_message(Action&& action)
{
    try {
        action();
    } catch (const InputError& error) {
        const std::string message = error.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << "error message spans lines: " << message;
        return message;
    }
    ADD_FAILURE() << "expected an InputError";
    return {};
}

} // namespace paretonas::test

#endif
