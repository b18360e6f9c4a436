#include "common/test_support.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

using namespace paretonas;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> names_in(const std::string& dir)
{
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string text_of(const std::string& path)
{
    const auto bytes = test::read_bytes(path);
    return std::string(bytes.begin(), bytes.end());
}

template <class Action>
std::string storage_error(Action&& action)
{
    try {
        action();
    } catch (const StorageError& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected a StorageError";
    return {};
}

} // namespace

TEST(WriteFileAtomically, ReplacesARegularFileAndLeavesNothingElse)
{
    test::TempDir dir;
    const auto path = dir.file("out.json");
    write_file_atomically(path, "first");
    write_file_atomically(path, "second");
    EXPECT_EQ(text_of(path), "second");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out.json"});
    // Created with the usual permissions, not mkstemp's 0600.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    EXPECT_EQ(static_cast<mode_t>(fs::status(path).permissions()) & 0777, 0666 & ~mask);
}

TEST(WriteFileAtomically, NeverTouchesAUsersTmpFile)
{
    test::TempDir dir;
    test::write_bytes(dir.file("model.pt.tmp"), {'m', 'i', 'n', 'e'});
    write_file_atomically(dir.file("model.pt"), "weights");
    EXPECT_EQ(text_of(dir.file("model.pt.tmp")), "mine");
    EXPECT_EQ(text_of(dir.file("model.pt")), "weights");
}

TEST(WriteFileAtomically, RefusesADirectoryOrAFifoAndLeavesThemAsTheyWere)
{
    test::TempDir dir;
    fs::create_directory(dir.file("existing"));
    EXPECT_EQ(test::error_message([&] { write_file_atomically(dir.file("existing"), "x"); }),
              "cannot write '" + dir.file("existing") + "': it is a directory");
    ASSERT_EQ(::mkfifo(dir.file("pipe").c_str(), 0600), 0);
    EXPECT_EQ(test::error_message([&] { write_file_atomically(dir.file("pipe"), "x"); }),
              "cannot write '" + dir.file("pipe") + "': it exists and is not a regular file");
    EXPECT_TRUE(fs::is_fifo(dir.file("pipe")));
    EXPECT_TRUE(fs::is_directory(dir.file("existing")));
    EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"existing", "pipe"}));
}

TEST(WriteFileAtomically, WritesThroughASymbolicLink)
{
    test::TempDir dir;
    test::write_bytes(dir.file("real.json"), {'o', 'l', 'd'});
    fs::create_symlink(dir.file("real.json"), dir.file("link.json"));
    write_file_atomically(dir.file("link.json"), "new");
    EXPECT_TRUE(fs::is_symlink(dir.file("link.json")));
    EXPECT_EQ(text_of(dir.file("real.json")), "new");
}

TEST(WriteFileAtomically, AMissingDirectoryGivesTheSystemsReason)
{
    test::TempDir dir;
    EXPECT_EQ(storage_error([&] { write_file_atomically(dir.file("nope/x.onnx"), "x"); }),
              "cannot write '" + dir.file("nope/x.onnx") + "': No such file or directory");
}

TEST(WriteFileAtomically, AFullDiskKeepsTheOldFileAndLeavesNoTemporary)
{
    test::TempDir dir;
    const auto path = dir.file("weights.pt");
    write_file_atomically(path, "old");
    {
        test::FileSizeLimit limit(4096);
        EXPECT_EQ(storage_error([&] { write_file_atomically(path, std::string(100000, 'w')); }),
                  "cannot write '" + path + "': File too large");
    }
    EXPECT_EQ(text_of(path), "old");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"weights.pt"});
}

TEST(ReadFileBytes, StopsOneByteAfterTheLimitWhateverTheFileInflatesTo)
{
    test::TempDir dir;
    test::write_bytes(dir.file("zeros.gz"), test::Bytes(8 << 20, 0), true);  // ~8 KB on disk
    EXPECT_EQ(read_file_bytes(dir.file("zeros.gz"), 100).size(), 101u);
    EXPECT_EQ(read_file_bytes(dir.file("zeros.gz"), 16 << 20).size(), 8u << 20);
    EXPECT_EQ(test::error_message([&] { read_whole_file(dir.file("zeros.gz"), 1000); }),
              dir.file("zeros.gz") + ": holds more than 1000 bytes (after decompression); not a file paretonas reads");
}

TEST(ReadFileBytes, DevicesAndMissingFilesAreNamed)
{
    EXPECT_EQ(test::error_message([] { read_file_bytes("/dev/zero", 10); }), "/dev/zero: not a regular file");
    EXPECT_EQ(test::error_message([] { read_file_bytes("/nonexistent/x", 10); }), "/nonexistent/x: missing file");
    EXPECT_EQ(test::error_message([] { read_text_file("/dev/zero", "architecture"); }), "architecture '/dev/zero' is not a regular file");
}
