#include "../../cli/run_cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using ::testing::HasSubstr;

namespace {

struct CliResult {
    int code;
    std::string out, err;
};

CliResult run(const std::vector<std::string>& args)
{
    std::ostringstream out, err;
    const int code = paretonas::cli::run_cli(args, out, err);
    return {code, out.str(), err.str()};
}

void expect_one_line_error(const CliResult& r, const std::string& fragment)
{
    EXPECT_EQ(r.code, 2);
    EXPECT_THAT(r.err, HasSubstr(fragment));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

std::string temp_file(const std::string& name, const std::string& content)
{
    const auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << content;
    return path.string();
}

} // namespace

TEST(Cli, VersionAndHelp)
{
    const auto v = run({"--version"});
    EXPECT_EQ(v.code, 0);
    EXPECT_THAT(v.out, HasSubstr("paretonas " PARETONAS_VERSION));
    const auto h = run({"--help"});
    EXPECT_EQ(h.code, 0);
    EXPECT_THAT(h.out, HasSubstr("train"));
    EXPECT_THAT(h.out, HasSubstr("cost"));
}

TEST(Cli, BadInputGivesOneLineAndExitTwo)
{
    expect_one_line_error(run({}), "A subcommand is required");
    expect_one_line_error(run({"train", "--bogus"}), "--bogus");
    expect_one_line_error(run({"train", "--arch", "/nonexistent.json"}), "/nonexistent.json");
    expect_one_line_error(run({"cost", "--arch", temp_file("pn_bad.json", "{\"nodes\": [")}), "malformed architecture JSON");
    expect_one_line_error(run({"train", "--data", "/nonexistent-dir"}), "/nonexistent-dir");
    expect_one_line_error(run({"train", "--epochs", "0"}), "--epochs");
    expect_one_line_error(run({"cost", "--arch", "default", "--device", "tpu"}), "unknown device 'tpu'");
    expect_one_line_error(run({"train", "--schedule", "linear", "--data", "/nonexistent-dir"}), "unknown learning-rate schedule");
}

TEST(Cli, CostPrintsParamsMaddsAndLatency)
{
    const auto r = run({"cost", "--arch", "default", "--repeats", "3", "--threads", "1"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("parameters"));
    EXPECT_THAT(r.out, HasSubstr("multiply-adds"));
    EXPECT_THAT(r.out, HasSubstr("ms median (batch 1, cpu"));
}
