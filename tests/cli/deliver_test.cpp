// The delivery commands end to end on a small real run: search --json-log, finalize, export of
// final weights, report, and the report opened in Debian's chromium.
#include "cli_support.hpp"

#include <paretonas/store/run_store.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using ::testing::HasSubstr;
using paretonas::test::expect_one_line_error;
using paretonas::test::run;
using json = nlohmann::json;

namespace {

std::vector<json> json_lines(const std::string& text)
{
    std::vector<json> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        EXPECT_NO_THROW(lines.push_back(json::parse(line))) << "not a JSON line: " << line;
    }
    return lines;
}

int count_events(const std::vector<json>& lines, const std::string& name)
{
    return static_cast<int>(std::count_if(lines.begin(), lines.end(), [&](const json& j) { return j.value("event", "") == name; }));
}

// One small search shared by the tests below (each test adds to it: finalize, report).
class Deliver : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        data = new paretonas::test::TempDir;
        out = new paretonas::test::TempDir;
        paretonas::test::write_tiny_idx(*data);
        search = new paretonas::test::CliResult(run({"search", "--data", data->path(), "--budget", "10m", "--generations", "3", "--children",
                                                     "4", "--accept", "2", "--epochs-init", "1", "--threads", "1", "--val-fraction",
                                                     "0.25", "--json-log", "--out", out->file("run")}));
    }
    static void TearDownTestSuite()
    {
        delete search;
        delete out;
        delete data;
    }
    static std::string run_dir() { return out->file("run"); }
    static inline paretonas::test::TempDir *data = nullptr, *out = nullptr;
    static inline paretonas::test::CliResult* search = nullptr;
};

} // namespace

TEST_F(Deliver, SearchJsonLogIsOneObjectPerLine)
{
    ASSERT_EQ(search->code, 0) << search->err;
    const auto lines = json_lines(search->out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.front().at("event"), "start");
    EXPECT_EQ(count_events(lines, "generation"), 3);
    const auto store = paretonas::RunStore::open_read_only(run_dir());
    EXPECT_EQ(count_events(lines, "candidate"), static_cast<int>(store.candidates().size()));
    EXPECT_EQ(lines.back().at("event"), "front");
    EXPECT_FALSE(lines.back().at("front").empty());
}

TEST_F(Deliver, FinalizeReportsTestErrorsResumesAndFeedsExport)
{
    ASSERT_EQ(search->code, 0) << search->err;
    const auto first = run({"finalize", "--run", run_dir(), "--epochs", "1", "--threads", "1"});
    ASSERT_EQ(first.code, 0) << first.err;
    EXPECT_THAT(first.out, HasSubstr("final test"));
    const auto summary = json::parse(std::ifstream(run_dir() + "/final.json"));
    const auto front = json::parse(run({"front", "--run", run_dir(), "--json"}).out).at("front");
    ASSERT_EQ(summary.at("models").size(), front.size());  // --front is the default
    for (const auto& m : summary.at("models")) {
        EXPECT_EQ(m.at("status"), "done");
        EXPECT_GE(m.at("test_error").get<double>(), 0.0);
        EXPECT_LE(m.at("test_error").get<double>(), 1.0);
        EXPECT_TRUE(std::filesystem::exists(m.at("weights").get<std::string>()));
    }

    // Run again: everything is final already, nothing retrains, the figures stay.
    const auto again = run({"finalize", "--run", run_dir(), "--epochs", "1", "--threads", "1", "--json-log"});
    ASSERT_EQ(again.code, 0) << again.err;
    const auto lines = json_lines(again.out);
    EXPECT_EQ(count_events(lines, "model"), static_cast<int>(front.size()));
    for (const auto& l : lines)
        if (l.at("event") == "model") EXPECT_EQ(l.at("status"), "skipped");
    EXPECT_EQ(lines.back().at("models"), summary.at("models"));

    // Export takes the final weights unless asked for the search's.
    const auto id = std::to_string(front[0].at("id").get<long long>());
    const auto onnx = run({"export", "--run", run_dir(), "--id", id, "--out", out->file("final.onnx")});
    ASSERT_EQ(onnx.code, 0) << onnx.err;
    EXPECT_THAT(onnx.out, HasSubstr("final (1 epochs fine-tuned) weights"));
    EXPECT_THAT(run({"export", "--run", run_dir(), "--id", id, "--weights", "search", "--out", out->file("s.onnx")}).out,
                HasSubstr("; search weights"));

    expect_one_line_error(run({"finalize", "--run", run_dir(), "--ids", "9999"}), "has no candidate 9999");
    expect_one_line_error(run({"finalize", "--run", run_dir(), "--ids", id, "--front"}), "excludes");
    expect_one_line_error(run({"finalize", "--run", out->file("nothing")}), "no run in");
    expect_one_line_error(run({"export", "--run", run_dir(), "--id", id, "--weights", "best", "--out", out->file("x")}),
                          "unknown --weights 'best'");
}

TEST_F(Deliver, ReportOpensInChromiumWithOneMarkPerCandidate)
{
    ASSERT_EQ(search->code, 0) << search->err;
    const auto r = run({"report", "--run", run_dir(), "--test"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto dir = run_dir() + "/report";
    const auto data = json::parse(std::ifstream(dir + "/report.json"));
    const auto store = paretonas::RunStore::open_read_only(run_dir());
    std::size_t trained = 0;
    for (const auto& c : store.candidates()) trained += c.status == paretonas::CandidateStatus::done;
    ASSERT_EQ(data.at("candidates").size(), trained);
    for (const auto& id : data.at("front")) {
        const auto name = dir + "/models/" + std::to_string(id.get<long long>());
        EXPECT_TRUE(std::filesystem::exists(name + ".onnx"));
        EXPECT_EQ(paretonas::Architecture::load(name + ".json"), store.candidate(id.get<long long>())->arch);
    }
    EXPECT_THAT(r.out, HasSubstr("wrote " + dir + "/report.html"));

    // The page in a real browser, offline; the screenshot stays in the build tree to look at.
    const auto check = paretonas::test::run_command("node " PARETONAS_SOURCE_DIR "/tests/report/check_report.js " + dir + "/report.html " +
                                                    std::to_string(trained) + " " PARETONAS_BINARY_DIR "/report-screenshot.png");
    ASSERT_EQ(check.status, 0) << check.output;
    const auto seen = json::parse(check.output);
    EXPECT_EQ(seen.at("marks"), trained);
    EXPECT_EQ(seen.at("front"), data.at("front").size());
    EXPECT_EQ(seen.at("downloads"), 2 * data.at("front").size());
    EXPECT_GT(seen.at("arch_nodes").get<int>(), 3);
    EXPECT_EQ(seen.at("generator_rows"), 0);  // a lemonade candidate has no generator to show
    EXPECT_TRUE(std::filesystem::exists(PARETONAS_BINARY_DIR "/report-screenshot.png"));

    expect_one_line_error(run({"report", "--run", out->file("nothing")}), "no run in");
}
