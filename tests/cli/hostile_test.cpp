// What a hostile user tried (issue "Hostile input, full disks and resource limits"): each case
// gives one line and exit 2, and leaves nothing of the user's replaced and no temporary file.
#include "cli_support.hpp"

#include <paretonas/core/architecture.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

using ::testing::HasSubstr;
using paretonas::test::expect_one_line_error;
using paretonas::test::run;
namespace fs = std::filesystem;

namespace {

std::string temp_file(const paretonas::test::TempDir& dir, const std::string& name, const std::string& content)
{
    std::ofstream(dir.file(name)) << content;
    return dir.file(name);
}

std::vector<std::string> names_in(const std::string& dir)
{
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// A model trained for one epoch on the tiny IDX set, shared by the tests below.
class Hostile : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        data = new paretonas::test::TempDir;
        models = new paretonas::test::TempDir;
        paretonas::test::write_tiny_idx(*data);
        const auto r = run({"train", "--data", data->path(), "--epochs", "1", "--threads", "1", "--quiet", "--out", model()});
        ASSERT_EQ(r.code, 0) << r.err;
    }
    static void TearDownTestSuite()
    {
        delete models;
        delete data;
    }
    static std::string model() { return models->file("model"); }
    static inline paretonas::test::TempDir *data = nullptr, *models = nullptr;
};

} // namespace

TEST_F(Hostile, FlagsAndTextFilesAreRefusedOnOneLine)
{
    expect_one_line_error(run({"cost", "--arch", "default", "--threads", "100000"}), "--threads: Value 100000 not in range");
    expect_one_line_error(run({"cost", "--arch", "default", "--seed", "-1"}), "must be a whole number in [0, 2^64-1], got -1");
    expect_one_line_error(run({"cost", "--arch", "default", "--seed", "18446744073709551616"}),
                          "must be a whole number in [0, 2^64-1], got 18446744073709551616");
    EXPECT_EQ(run({"cost", "--arch", "default", "--seed", "18446744073709551615", "--repeats", "1", "--threads", "1"}).code, 0);
    const paretonas::test::TempDir dir;
    const std::string deep = "{\"version\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    const auto deep_file = temp_file(dir, "deep.json", deep);
    expect_one_line_error(run({"cost", "--arch", deep_file}), deep_file + ": JSON nested deeper than 64 levels");
    // Defect 13: /dev/zero was read forever.
    expect_one_line_error(run({"cost", "--arch", "/dev/zero"}), "architecture file '/dev/zero' is not a regular file");
    const auto big = dir.file("big.json");
    std::filesystem::resize_file(temp_file(dir, "big.json", "{"), (64u << 20) + 1);
    expect_one_line_error(run({"cost", "--arch", big}), "architecture file '" + big + "' is larger than 64 MiB");
}

// Defect 3: export wrote X.tmp and renamed it over whatever X was.
TEST_F(Hostile, ExportReplacesOnlyRegularFiles)
{
    const paretonas::test::TempDir out;
    ASSERT_EQ(::mkfifo(out.file("pipe").c_str(), 0600), 0);
    fs::create_directory(out.file("dir"));
    temp_file(out, "m.onnx.tmp", "the user's own");
    expect_one_line_error(run({"export", "--model", model(), "--out", out.file("pipe")}),
                          "cannot write '" + out.file("pipe") + "': it exists and is not a regular file");
    expect_one_line_error(run({"export", "--model", model(), "--out", out.file("dir")}), "cannot write '" + out.file("dir") + "': it is a directory");
    // Defect 14: the reason, not "write failed".
    expect_one_line_error(run({"export", "--model", model(), "--out", out.file("nope/x.onnx")}),
                          "cannot write '" + out.file("nope/x.onnx") + "': No such file or directory");
    ASSERT_EQ(run({"export", "--model", model(), "--out", out.file("m.onnx")}).code, 0);
    EXPECT_TRUE(fs::is_fifo(out.file("pipe")));
    EXPECT_EQ(names_in(out.path()), (std::vector<std::string>{"dir", "m.onnx", "m.onnx.tmp", "pipe"}));
    EXPECT_TRUE(fs::is_empty(out.file("dir")));
}

// Defect 2: a full disk while a .pt was written aborted with LibTorch's stack trace.
TEST_F(Hostile, AFullDiskIsOneLineWithTheReasonAndNoTemporaryFile)
{
    const paretonas::test::TempDir out;
    paretonas::test::CliResult r;
    {
        paretonas::test::FileSizeLimit limit(2048);
        r = run({"export", "--model", model(), "--format", "torch", "--out", out.file("m")});
    }
    expect_one_line_error(r, "cannot write '" + out.file("m/"));
    EXPECT_THAT(r.err, HasSubstr("': File too large"));
    for (const auto& name : names_in(out.file("m"))) EXPECT_EQ(name.find(".tmp"), std::string::npos) << name;
    for (const auto& name : names_in(out.file("m"))) EXPECT_NE(name.front(), '.') << name;
}

// Defect 5: a legal but huge network grew to 22 GB before anything said no.
TEST_F(Hostile, TheMemoryGuardRefusesANetworkBeforeTrainingIt)
{
    const paretonas::test::TempDir dir;
    const auto wide = dir.file("wide.json");
    paretonas::conv_chain({1, 12, 12}, 10, {16384}, {}).save(wide);
    const auto r = run({"train", "--data", data->path(), "--arch", wide, "--epochs", "1", "--threads", "1", "--max-memory", "1G"});
    expect_one_line_error(r, "architecture " + wide + " needs about ");
    EXPECT_THAT(r.err, HasSubstr("to train at batch 128, more than the memory limit 1.0 GiB (--max-memory)"));
    expect_one_line_error(run({"train", "--data", data->path(), "--max-memory", "lots"}),
                          "--max-memory must be auto, none or a size of at least 1M such as 512M or 8G, got 'lots'");
}

// Defects 8, 13 and 14: a PGM without its pixels, a device given as a file.
TEST_F(Hostile, PredictRefusesTruncatedImagesAndDevices)
{
    const paretonas::test::TempDir dir;
    std::ofstream(dir.file("cut.pgm"), std::ios::binary) << "P5\n12 12\n255\n" << std::string(100, '\x20');
    expect_one_line_error(run({"predict", "--model", model(), "--images", dir.file("cut.pgm")}),
                          dir.file("cut.pgm") + ": truncated image (113 bytes, the header needs 157)");
    expect_one_line_error(run({"predict", "--model", model(), "--images", "/dev/zero"}), "/dev/zero: not a regular file");
    expect_one_line_error(run({"train", "--data", data->path(), "--arch", "/dev/zero"}), "--arch: Not a regular file: /dev/zero");
}
