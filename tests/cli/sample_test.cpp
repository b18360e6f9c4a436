// `paretonas sample` end to end on a small NAGO run: the spread printed and stored, a second call
// that keeps what was trained, refusals as one line, and the report showing each candidate's
// generator, its graph of cells (in Debian's chromium) and the spread.
#include "cli_support.hpp"

#include <paretonas/search/generator_spread.hpp>
#include <paretonas/store/run_store.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

using ::testing::HasSubstr;
using paretonas::test::expect_one_line_error;
using paretonas::test::run;
using json = nlohmann::json;
using namespace paretonas;

namespace {

class Sample : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir = new test::TempDir;
        test::write_idx_set(*dir, "train", *test::bar_images(240, 3));
        test::write_idx_set(*dir, "t10k", *test::bar_images(30, 4));
        std::ofstream(dir->file("ranges.json")) << R"({"top_nodes": [3, 4], "mid_nodes": [1, 2], "bottom_nodes": [3, 4], "width": [2, 4]})";
        search = new test::CliResult(run({"search", "--method", "nago", "--data", dir->path(), "--out", dir->file("run"), "--generations",
                                          "2", "--initial", "3", "--batch", "2", "--epochs-init", "1", "--threads", "1", "--quiet",
                                          "--ranges", dir->file("ranges.json")}));
    }
    static void TearDownTestSuite()
    {
        delete search;
        delete dir;
    }
    static std::string run_dir() { return dir->file("run"); }
    static std::vector<GeneratorSample> samples_of(std::int64_t id)
    {
        auto all = RunStore::open_read_only(run_dir()).samples();
        all.erase(std::remove_if(all.begin(), all.end(), [id](const auto& s) { return s.candidate != id; }), all.end());
        return all;
    }
    static inline test::TempDir* dir = nullptr;
    static inline test::CliResult* search = nullptr;
};

} // namespace

TEST_F(Sample, PrintsAndStoresTheSpreadAndASecondCallKeepsWhatWasTrained)
{
    ASSERT_EQ(search->code, 0) << search->err;
    const auto r = run({"sample", "--run", run_dir(), "--id", "2", "--count", "2", "--threads", "1", "--quiet"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("sample   val err     params multiply-adds  latency ms     train\n"));
    const std::regex summary("generator of candidate 2, 2 of 2 networks trained: val error [0-9.]+% \\+- [0-9.]+% \\(the candidate: "
                             "[0-9.]+% after 1 epochs\\), params [0-9]+ \\+- [0-9]+ \\([0-9]+\\), multiply-adds [0-9]+ \\+- [0-9]+ \\([0-9]+\\)\n");
    EXPECT_TRUE(std::regex_search(r.out, summary)) << r.out;
    const auto first = samples_of(2);
    ASSERT_EQ(first.size(), 2u);

    // Three asked for: one more trained, the two stored ones kept (the JSON log says which).
    const auto more = run({"sample", "--run", run_dir(), "--id", "2", "--count", "3", "--threads", "1", "--json-log"});
    ASSERT_EQ(more.code, 0) << more.err;
    int skipped = 0, done = 0;
    json spread;
    std::istringstream lines(more.out);
    for (std::string line; std::getline(lines, line);) {
        const auto j = json::parse(line);
        if (j.value("event", "") == "sample") ++(j.at("outcome") == "skipped" ? skipped : done);
        if (j.value("event", "") == "spread") spread = j;
    }
    EXPECT_EQ(skipped, 2);
    EXPECT_EQ(done, 1);
    ASSERT_FALSE(spread.is_null()) << more.out;
    EXPECT_EQ(spread.at("done"), 3);
    const auto samples = samples_of(2);
    ASSERT_EQ(samples.size(), 3u);
    const auto expected = generator_spread(samples);
    EXPECT_DOUBLE_EQ(spread.at("val_error").at("mean").get<double>(), expected.val_error.mean);
    EXPECT_DOUBLE_EQ(spread.at("val_error").at("std").get<double>(), expected.val_error.std);
    for (int i = 0; i < 2; ++i) EXPECT_EQ(samples[i].arch, first[i].arch);
}

TEST_F(Sample, RefusalsAreOneLine)
{
    ASSERT_EQ(search->code, 0) << search->err;
    expect_one_line_error(run({"sample", "--run", run_dir(), "--id", "99"}), "paretonas: error: run " + run_dir() + " has no candidate 99");
    expect_one_line_error(run({"sample", "--run", run_dir(), "--id", "2", "--count", "0"}), "--count");
    expect_one_line_error(run({"sample", "--run", dir->file("nothing"), "--id", "1"}), "no run in");
}

TEST_F(Sample, TheReportShowsEachGeneratorItsGraphOfCellsAndTheSpread)
{
    ASSERT_EQ(search->code, 0) << search->err;
    ASSERT_EQ(run({"sample", "--run", run_dir(), "--id", "1", "--count", "2", "--threads", "1", "--quiet"}).code, 0);
    const auto r = run({"report", "--run", run_dir(), "--no-models"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto report = json::parse(std::ifstream(run_dir() + "/report/report.json"));
    // Candidate 1 and whichever the other tests sampled (ctest gives each test its own run; a
    // direct run of the binary shares one).
    std::set<std::int64_t> sampled;
    for (const auto& s : RunStore::open_read_only(run_dir()).samples()) sampled.insert(s.candidate);
    ASSERT_TRUE(sampled.count(1));
    int with_graph = 0;
    for (const auto& c : report.at("candidates")) {
        const auto& d = c.at("details");
        EXPECT_EQ(d.at("generator").size(), 9u) << c;  // theta: 8 graph fields and the width
        with_graph += d.contains("cell_graph") && d.at("cell_graph").at("cells").size() >= 3;
        EXPECT_EQ(d.contains("spread"), sampled.count(c.at("id").get<std::int64_t>()) > 0) << c.at("id");
        if (c.at("id") == 1) EXPECT_EQ(d.at("spread").at("done"), 2);
    }
    EXPECT_EQ(with_graph, static_cast<int>(report.at("candidates").size()));

    const auto check = test::run_command("node " PARETONAS_SOURCE_DIR "/tests/report/check_report.js " + run_dir() +
                                         "/report/report.html " + std::to_string(report.at("candidates").size()) +
                                         " " PARETONAS_BINARY_DIR "/report-nago-screenshot.png");
    ASSERT_EQ(check.status, 0) << check.output;
    const auto seen = json::parse(check.output);
    EXPECT_EQ(seen.at("generator_rows"), 9);
    EXPECT_GE(seen.at("cells").get<int>(), 3);
}

TEST(SampleOtherRuns, ARunOfAnotherMethodIsRefused)
{
    test::TempDir dir;
    test::write_tiny_idx(dir);
    const auto out = dir.file("run");
    ASSERT_EQ(run({"search", "--data", dir.path(), "--method", "random", "--generations", "1", "--population", "2", "--epochs-init", "1",
                   "--threads", "1", "--val-fraction", "0.25", "--quiet", "--out", out})
                  .code,
              0);
    expect_one_line_error(run({"sample", "--run", out, "--id", "1"}),
                          "paretonas: error: sample: run " + out + " is a random run; only a nago run's candidates come from a generator");
}
