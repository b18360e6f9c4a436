#include "cli_support.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/export/onnx.hpp>
#include <paretonas/search/baselines.hpp>
#include <paretonas/search/method.hpp>
#include <paretonas/search/run_settings.hpp>
#include <paretonas/store/run_store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using ::testing::HasSubstr;

namespace {

using paretonas::test::expect_one_line_error;
using paretonas::test::run;
using paretonas::test::write_tiny_idx;

std::string temp_file(const paretonas::test::TempDir& dir, const std::string& name, const std::string& content)
{
    std::ofstream(dir.file(name)) << content;
    return dir.file(name);
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
    const paretonas::test::TempDir dir;
    expect_one_line_error(run({"cost", "--arch", temp_file(dir, "bad.json", "{\"nodes\": [")}), "malformed architecture JSON");
    expect_one_line_error(run({"train", "--data", "/nonexistent-dir"}), "/nonexistent-dir");
    expect_one_line_error(run({"train", "--epochs", "0"}), "--epochs");
    expect_one_line_error(run({"cost", "--arch", "default", "--device", "tpu"}), "unknown device 'tpu'");
    expect_one_line_error(run({"train", "--schedule", "linear", "--data", "/nonexistent-dir"}), "unknown learning-rate schedule");
}

TEST(Cli, CostPrintsParamsMaddsAndLatency)
{
    const auto r = run({"cost", "--arch", "default", "--repeats", "3", "--threads", "1"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto arch = paretonas::default_architecture({1, 28, 28}, 10);
    EXPECT_THAT(r.out, HasSubstr("parameters     " + std::to_string(paretonas::parameter_count(arch)) + "\n"));
    EXPECT_THAT(r.out, HasSubstr("multiply-adds  " + std::to_string(paretonas::multiply_adds(arch)) + "\n"));
    EXPECT_THAT(r.out, HasSubstr("ms median (batch 1, cpu"));
}

TEST(Cli, TrainWritesModelAndResult)
{
    const paretonas::test::TempDir data, out;
    write_tiny_idx(data);
    const auto r = run({"train", "--data", data.path(), "--epochs", "2", "--batch-size", "8", "--threads", "1",
                        "--val-fraction", "0.25", "--out", out.path()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("30 train / 10 validation / 20 test images"));
    EXPECT_THAT(r.out, HasSubstr("validation error "));
    EXPECT_THAT(r.out, HasSubstr("epoch 2/2"));
    for (const char* name : {"model.pt", "arch.json", "result.json"}) EXPECT_TRUE(std::filesystem::exists(out.file(name))) << name;
    std::ifstream result(out.file("result.json"));
    const std::string text((std::istreambuf_iterator<char>(result)), std::istreambuf_iterator<char>());
    EXPECT_THAT(text, HasSubstr("\"test_error\""));
    EXPECT_THAT(text, HasSubstr("\"epochs\": 2"));
    // The written architecture trains again as --arch.
    const auto again = run({"train", "--data", data.path(), "--arch", out.file("arch.json"), "--epochs", "1", "--quiet"});
    EXPECT_EQ(again.code, 0) << again.err;
}

TEST(Cli, TrainRejectsMismatchesBeforeTraining)
{
    const paretonas::test::TempDir data;
    write_tiny_idx(data);
    const auto arch_path = data.file("rgb.json");
    paretonas::default_architecture({3, 32, 32}, 10).save(arch_path);
    expect_one_line_error(run({"train", "--data", data.path(), "--arch", arch_path}),
                          "architecture expects input [3,32,32] but the data set has [1,12,12]");
    const auto blocker = temp_file(data, "a_file", "x");
    expect_one_line_error(run({"train", "--data", data.path(), "--out", blocker}), "cannot create output directory");
    expect_one_line_error(run({"train", "--data", data.path(), "--layout", "nhcw"}), "unknown memory layout");
}

TEST(Cli, SearchNashRunsInARunStoreWithFrontReportAndExport)
{
    const paretonas::test::TempDir data, out;
    write_tiny_idx(data);
    const auto run_dir = out.file("nash");
    const auto r = run({"search", "--method", "nash", "--data", data.path(), "--budget", "10m", "--steps", "2", "--neighbours", "1",
                        "--morphisms", "1", "--epochs-init", "1", "--threads", "1", "--val-fraction", "0.25", "--out", run_dir});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("starting " + run_dir + ": nash"));
    EXPECT_THAT(r.out, HasSubstr("generation 2: front of 1"));
    EXPECT_THAT(r.out, HasSubstr("front of " + run_dir + ": 1 models"));
    const auto store = paretonas::RunStore::open_read_only(run_dir);
    EXPECT_EQ(store.candidates().size(), 5u);  // the start, then a child and the incumbent per step
    EXPECT_EQ(store.info().objectives, std::vector<std::string>{"error"});

    const auto front = run({"front", "--run", run_dir, "--json"});
    ASSERT_EQ(front.code, 0) << front.err;
    const auto j = nlohmann::json::parse(front.out);
    ASSERT_EQ(j.at("front").size(), 1u);
    const auto best = j.at("front")[0];
    for (const auto& c : store.candidates()) EXPECT_LE(best.at("val_error").get<double>(), c.val_error);
    const auto id = std::to_string(best.at("id").get<long long>());
    ASSERT_EQ(run({"export", "--run", run_dir, "--id", id, "--out", out.file("best.onnx")}).code, 0);
    EXPECT_TRUE(std::filesystem::exists(out.file("best.onnx")));
    const auto report = run({"report", "--run", run_dir});
    ASSERT_EQ(report.code, 0) << report.err;
    EXPECT_TRUE(std::filesystem::exists(run_dir + "/report/report.html"));
    EXPECT_TRUE(std::filesystem::exists(run_dir + "/report/models/" + id + ".onnx"));
    expect_one_line_error(run({"search", "--method", "nash", "--objectives", "error,params", "--data", data.path(), "--out", out.file("n2")}),
                          "nash minimises validation error alone: give no --objectives, or --objectives error");
}

TEST(Cli, MethodsAndTheirOptionsComeFromTheRegistry)
{
    const auto methods = run({"methods"});
    ASSERT_EQ(methods.code, 0) << methods.err;
    for (const auto& m : paretonas::registered_methods()) EXPECT_THAT(methods.out, HasSubstr(m.name + " ")) << m.name;
    EXPECT_THAT(methods.out, HasSubstr("lemonade   Lamarckian multi-objective evolution"));
    // Each method's help shows its own options with their defaults, and not another's.
    const auto nsga2 = run({"search", "--method", "nsga2", "--help"});
    ASSERT_EQ(nsga2.code, 0) << nsga2.err;
    EXPECT_THAT(nsga2.out, ::testing::ContainsRegex("--population INT=16 +nsga2: networks per generation"));
    EXPECT_THAT(nsga2.out, ::testing::ContainsRegex("--space-widths LIST=8,16,24,32,48,64,96,128"));
    EXPECT_THAT(nsga2.out, ::testing::Not(HasSubstr("--children")));
    const auto lemonade = run({"search", "--help"});
    EXPECT_THAT(lemonade.out, ::testing::ContainsRegex("--children INT=16 +lemonade: children proposed"));
    expect_one_line_error(run({"search", "--method", "nsga2", "--children", "3"}), "The following arguments were not expected: 3 --children");
    expect_one_line_error(run({"search", "--method", "nsga2", "--population", "many", "--data", "/nonexistent-dir"}),
                          "--population must be an integer, got 'many'");
}

TEST(Cli, NoMethodNameIsWrittenInTheCli)
{
    // Methods are known to the CLI through the registry only: adding one touches no CLI file.
    for (const auto& entry : std::filesystem::directory_iterator(std::string(PARETONAS_SOURCE_DIR) + "/cli")) {
        std::ifstream file(entry.path());
        const std::string text((std::istreambuf_iterator<char>(file)), {});
        for (const auto& m : paretonas::registered_methods())
            EXPECT_EQ(text.find('"' + m.name + '"'), std::string::npos) << entry.path() << " names the method " << m.name;
    }
}

TEST(Cli, SearchLemonadePrintsTheFrontAndFrontReadsIt)
{
    const paretonas::test::TempDir data, out;
    write_tiny_idx(data);
    const auto run_dir = out.file("run");
    const auto r = run({"search", "--data", data.path(), "--budget", "10m", "--generations", "2", "--children", "3",
                        "--accept", "1", "--epochs-init", "1", "--threads", "1", "--val-fraction", "0.25", "--max-params", "1e6",
                        "--out", run_dir});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("starting " + run_dir + ": lemonade"));
    EXPECT_THAT(r.out, HasSubstr("generation 1: front of"));
    EXPECT_THAT(r.out, HasSubstr("val err  test err     params multiply-adds  latency ms  model"));
    EXPECT_TRUE(std::filesystem::exists(run_dir + "/front.json"));

    // Run again: the run is finished, so it only prints the front.
    const auto again = run({"search", "--data", data.path(), "--out", run_dir, "--threads", "1"});
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_THAT(again.out, HasSubstr("resuming " + run_dir));
    EXPECT_THAT(again.out, ::testing::Not(HasSubstr("generation 2")));

    // A new budget is kept for later resumes; settings fixed at the start are named as ignored.
    const auto longer = run({"search", "--data", data.path(), "--out", run_dir, "--threads", "1", "--budget", "20m", "--children", "9"});
    ASSERT_EQ(longer.code, 0) << longer.err;
    EXPECT_THAT(longer.out, HasSubstr("note: --children is ignored"));
    EXPECT_EQ(nlohmann::json::parse(paretonas::RunStore::open_read_only(run_dir).info().config_json).at("budget_seconds"), 1200.0);

    const auto sound = run({"check", "--run", run_dir});
    EXPECT_EQ(sound.code, 0) << sound.out << sound.err;
    EXPECT_THAT(sound.out, HasSubstr(" generations, 0 final models; no problems\n"));

    const auto front = run({"front", "--run", run_dir, "--json", "--test"});
    ASSERT_EQ(front.code, 0) << front.err;
    const auto j = nlohmann::json::parse(front.out);
    ASSERT_FALSE(j.at("front").empty());
    for (const auto& m : j.at("front")) {
        EXPECT_GE(m.at("test_error").get<double>(), 0.0);
        EXPECT_LE(m.at("test_error").get<double>(), 1.0);
        EXPECT_LE(m.at("parameters").get<double>(), 1e6);
        EXPECT_TRUE(std::filesystem::exists(m.at("weights").get<std::string>()));
        EXPECT_NO_THROW(paretonas::Architecture::load(m.at("arch").get<std::string>()));
    }
    EXPECT_EQ(j.at("objectives"), nlohmann::json({"error", "params"}));

    // Any front member exports to ONNX (checked), JSON and LibTorch weights.
    const auto id = std::to_string(j.at("front")[0].at("id").get<long long>());
    const auto onnx = run({"export", "--run", run_dir, "--id", id, "--out", out.file("m.onnx")});
    ASSERT_EQ(onnx.code, 0) << onnx.err;
    EXPECT_THAT(onnx.out, HasSubstr("ONNX opset 13"));
    EXPECT_THAT(onnx.out, HasSubstr("pixels scaled to [0, 1] (normalisation inside the model)"));
    std::ifstream file(out.file("m.onnx"), std::ios::binary);
    EXPECT_NO_THROW(paretonas::check_onnx(std::string(std::istreambuf_iterator<char>(file), {})));
    ASSERT_EQ(run({"export", "--run", run_dir, "--id", id, "--format", "torch", "--out", out.file("m")}).code, 0);
    EXPECT_TRUE(std::filesystem::exists(out.file("m/normalization.json")));
    EXPECT_EQ(run({"export", "--model", out.file("m"), "--format", "json", "--out", out.file("m.json")}).code, 0);
    EXPECT_EQ(paretonas::Architecture::load(out.file("m.json")), paretonas::Architecture::load(j.at("front")[0].at("arch").get<std::string>()));
    expect_one_line_error(run({"export", "--run", run_dir, "--id", "9999", "--out", out.file("x")}), "has no candidate 9999");
    expect_one_line_error(run({"export", "--out", out.file("x")}), "give either --run with --id, or --model");

    // predict: an IDX file and the same images as PGM files give the same answers.
    const auto idx = run({"predict", "--model", out.file("m"), "--images", data.file("t10k-images-idx3-ubyte"), "--json", "--top", "2"});
    ASSERT_EQ(idx.code, 0) << idx.err;
    const auto by_idx = nlohmann::json::parse(idx.out);
    ASSERT_EQ(by_idx.size(), 20u);
    const auto tiny = paretonas::test::make_set(20, 1, 12, 12, 10);
    std::filesystem::create_directories(out.file("pgm"));
    for (int i = 0; i < 3; ++i) {
        std::ofstream pgm(out.file("pgm/img" + std::to_string(i) + ".pgm"), std::ios::binary);
        pgm << "P5\n12 12\n255\n";
        pgm.write(reinterpret_cast<const char*>(tiny.pixels.data()) + i * 144, 144);
    }
    const auto files = run({"predict", "--run", run_dir, "--id", id, "--images", out.file("pgm"), "--json", "--top", "2"});
    ASSERT_EQ(files.code, 0) << files.err;
    const auto by_file = nlohmann::json::parse(files.out);
    ASSERT_EQ(by_file.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(by_file[i].at("image"), "img" + std::to_string(i) + ".pgm");
        EXPECT_EQ(by_file[i].at("top"), by_idx[i].at("top"));
        const double p0 = by_file[i].at("top")[0].at("probability"), p1 = by_file[i].at("top")[1].at("probability");
        EXPECT_GE(p0, p1);
        EXPECT_LE(p0 + p1, 1.0 + 1e-6);
    }
    std::ofstream(out.file("small.pgm"), std::ios::binary) << "P5\n2 2\n255\n" << std::string(4, 'x');
    expect_one_line_error(run({"predict", "--model", out.file("m"), "--images", out.file("small.pgm")}),
                          "small.pgm: image is 2x2, the model takes 12x12");
    std::ofstream(out.file("m/normalization.json")) << std::string(100, '[') << std::string(100, ']');
    expect_one_line_error(run({"predict", "--model", out.file("m"), "--images", out.file("pgm")}),
                          out.file("m/normalization.json") + ": JSON nested deeper than 64 levels");
    std::filesystem::remove(out.file("m/normalization.json"));
    expect_one_line_error(run({"predict", "--model", out.file("m"), "--images", out.file("pgm")}), "the model has no normalization.json");
    expect_one_line_error(run({"export", "--model", out.file("m"), "--format", "tflite", "--out", out.file("x")}),
                          "unknown export format 'tflite'");
    EXPECT_EQ(j.at("reference"), nlohmann::json({1.0, 6.0}));  // error 1, log10 of --max-params

    // A front member's weights deleted: check names the file and the repair, exit 1.
    std::filesystem::remove(run_dir + "/weights/" + id + ".pt");
    const auto damaged = run({"check", "--run", run_dir});
    EXPECT_EQ(damaged.code, 1);
    EXPECT_THAT(damaged.out, HasSubstr("; 1 problem\nproblem: candidate " + id + ": weights " + run_dir + "/weights/" + id +
                                       ".pt are missing\n  repair would: queue candidate " + id + " again, so that a resume trains it\n"));
}

TEST(Cli, SearchRejectsBadSettings)
{
    expect_one_line_error(run({"search", "--method", "bogus", "--data", "/nonexistent-dir"}), "unknown search method 'bogus'");
    expect_one_line_error(run({"search", "--budget", "soon", "--data", "/nonexistent-dir"}), "--budget must be a positive duration");
    expect_one_line_error(run({"search", "--method", "nash", "--neighbours", "0", "--data", "/nonexistent-dir"}),
                          "nash neighbours must be in");
    expect_one_line_error(run({"search", "--objectives", "error,size", "--data", "/nonexistent-dir"}), "unknown objective 'size'");
    expect_one_line_error(run({"search", "--objectives", "params", "--data", "/nonexistent-dir"}), "must include error");
    expect_one_line_error(run({"search", "--children", "4", "--accept", "5", "--data", "/nonexistent-dir"}),
                          "lemonade children_accepted must be in [1, 4], got 5");
    expect_one_line_error(run({"front", "--run", "/nonexistent-dir"}), "no run in /nonexistent-dir");
}

TEST(Cli, SearchNsga2AndRandomRunResumeAndKeepTheirMethod)
{
    const paretonas::test::TempDir data, out;
    write_tiny_idx(data);
    for (const std::string method : {"nsga2", "random"}) {
        const auto run_dir = out.file(method);
        const std::vector<std::string> args = {"search", "--method", method, "--data", data.path(), "--generations", "2", "--population", "3",
                                               "--epochs-init", "1", "--threads", "1", "--val-fraction", "0.25", "--space-widths", "2,4",
                                               "--space-stages", "2", "--fidelity", "sh", "--out", run_dir};
        const auto r = run(args);
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_THAT(r.out, HasSubstr("starting " + run_dir + ": " + method));
        EXPECT_THAT(r.out, HasSubstr("generation 1: front of"));
        const auto store = paretonas::RunStore::open_read_only(run_dir);
        EXPECT_EQ(store.info().method, method);
        EXPECT_EQ(store.candidates().size(), 6u);
        EXPECT_EQ(nlohmann::json::parse(store.info().config_json).at("method_settings").at("fidelity"), "sh");
        for (const auto& c : store.candidates()) {
            EXPECT_EQ(paretonas::learning_curve(c).size(), 1u);  // learning curves are tracked under successive halving
            EXPECT_EQ(paretonas::genome_of(c).size(), 8u);       // 4 + 2 stages x 2
            for (const auto& n : c.arch.nodes())
                if (n.op == paretonas::OpType::conv || n.op == paretonas::OpType::sep_conv) EXPECT_TRUE(n.channels == 2 || n.channels == 4);
        }
        // Resumed without --method, it stays what it was; another method is refused.
        const auto again = run({"search", "--out", run_dir, "--data", data.path(), "--threads", "1"});
        ASSERT_EQ(again.code, 0) << again.err;
        EXPECT_THAT(again.out, HasSubstr("resuming " + run_dir + ": " + method));
        const std::string other = method == "nsga2" ? "lemonade" : "nsga2";
        expect_one_line_error(run({"search", "--method", other, "--out", run_dir}), "is a " + method + " run, not " + other);
    }
    expect_one_line_error(run({"search", "--fidelity", "bogus", "--data", data.path(), "--out", out.file("z")}),
                          "unknown fidelity 'bogus' (none or sh)");
    expect_one_line_error(run({"search", "--method", "nsga2", "--population", "1", "--data", data.path(), "--out", out.file("x")}),
                          "nsga2 population must be in [2");
    expect_one_line_error(run({"search", "--method", "random", "--space-kernels", "4", "--data", data.path(), "--out", out.file("y")}),
                          "chain space kernel sizes must be odd, got 4");
}

TEST(Cli, Schema1RunsOfTheBenchmarkOpenResumeAndReport)
{
    // The run stores committed under bench/results were written by schema 1 (before the method
    // interface). Copies of them open, report and, for a method that trains from scratch, resume.
    const paretonas::test::TempDir out;
    const std::string results = std::string(PARETONAS_SOURCE_DIR) + "/bench/results/search_quality/";
    for (const std::string name : {"lemonade-s0", "nsga2-s0", "random-s0"}) {
        const auto copy = out.file(name);
        std::filesystem::copy(results + name, copy, std::filesystem::copy_options::recursive);
        EXPECT_EQ(paretonas::RunStore::open_read_only(copy).schema(), 1) << name;
        const auto front = run({"front", "--run", copy, "--json"});
        ASSERT_EQ(front.code, 0) << front.err;
        EXPECT_FALSE(nlohmann::json::parse(front.out).at("front").empty()) << name;
        // The weights were not committed: a report without the models.
        const auto report = run({"report", "--run", copy, "--no-models"});
        ASSERT_EQ(report.code, 0) << name << ": " << report.err;
        EXPECT_TRUE(std::filesystem::exists(copy + "/report/report.html")) << name;
    }
    // random-s0 stopped with one candidate queued: a larger budget (46 s more, about four times what
    // such a candidate took in that run, so that its estimate fits on a slower machine) trains it.
    const auto copy = out.file("random-s0");
    const auto before = paretonas::RunStore::open_read_only(copy).candidates();
    ASSERT_TRUE(before.back().pending());
    const auto resumed = run({"search", "--out", copy, "--budget", "1250s", "--threads", "1"});
    ASSERT_EQ(resumed.code, 0) << resumed.err;
    EXPECT_THAT(resumed.out, HasSubstr("resuming " + copy + ": random"));
    const auto store = paretonas::RunStore::open_read_only(copy);
    EXPECT_EQ(store.schema(), 2);
    const auto after = store.candidates();
    ASSERT_GE(after.size(), before.size());
    EXPECT_EQ(after[before.size() - 1].status, paretonas::CandidateStatus::done);
    for (std::size_t i = 0; i + 1 < before.size(); ++i) {
        EXPECT_EQ(after[i].val_error, before[i].val_error);
        EXPECT_EQ(after[i].data, before[i].data);  // the genome moved into the data column
    }
    EXPECT_EQ(paretonas::RunSettings::of(store).method_settings.at("population"), 16);
    EXPECT_DOUBLE_EQ(paretonas::RunSettings::of(store).budget_seconds, 1250.0);
    // Runs from before settings format 3 keep the recipe they began with: augmentation, and for
    // LEMONADE the paper's acceptance rule.
    EXPECT_EQ(paretonas::RunSettings::of(store).method_settings.at("augment"), true);
    const auto lemonade = paretonas::RunSettings::of(paretonas::RunStore::open_read_only(out.file("lemonade-s0")));
    EXPECT_EQ(lemonade.method_settings.at("augment"), true);
    EXPECT_EQ(lemonade.method_settings.at("accept_rule"), "paper");
}
