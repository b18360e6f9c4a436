#include "search/search_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

using namespace paretonas;
using ::testing::HasSubstr;

namespace {

// The flat settings a schema-1 LEMONADE run stored (bench/results/search_quality/lemonade-s0).
const char* kSchema1Settings = R"({"batch_size": 128, "budget_seconds": 1200.0, "children_accepted": 4, "children_proposed": 16,
  "crossover": 0.9, "data": {"name": "fashion-mnist", "root": "", "seed": 0, "subset": 15000, "val_fraction": 0.3333333333333333},
  "epochs_child": 1, "epochs_initial": 1, "fidelity": {"eta": 2.0, "margin": 0.02, "successive_halving": true}, "generations": 1000,
  "lr_end": 0.0, "lr_start": 0.05, "max_latency_ms": 0.0, "max_madds": 0.0, "max_params": 5e5, "morphisms_per_child": 1,
  "mutation": 0.0, "normalization": {"mean": [0.2868], "std": [0.3543]}, "population": 16,
  "space": {"kernels": [3, 5], "max_blocks": 3, "max_stages": 3, "min_blocks": 1, "min_stages": 1, "separable": true, "skip": true,
            "widths": [8, 16, 24, 32, 48, 64, 96, 128]}, "weight_decay": 0.0005})";

} // namespace

TEST(RunSettings, RoundTripThroughJson)
{
    RunSettings s;
    s.method = "nsga2";
    s.method_settings = default_settings("nsga2");
    s.data = {"cifar10", "/data", 0.2, 500};
    s.objectives = {Objective::error, Objective::latency};
    s.constraints.max_latency_ms = 3.0;
    s.reference = {1.0, 0.5};
    s.seed = 17;
    s.budget_seconds = 90.0;
    s.normalization = {{"mean", {0.5}}, {"std", {0.25}}};
    const auto back = RunSettings::from_json(s.to_json(), RunInfo{});
    EXPECT_EQ(back.to_json(), s.to_json());
    EXPECT_EQ(back.data.root, "/data");
    EXPECT_EQ(back.data.subset, 500);
    EXPECT_EQ(back.objectives, s.objectives);
    EXPECT_DOUBLE_EQ(back.constraints.max_latency_ms, 3.0);
    auto broken = s.to_json();
    broken.erase("seed");
    EXPECT_THAT(test::error_message([&] { RunSettings::from_json(broken, RunInfo{}); }), HasSubstr("run settings are incomplete"));
}

TEST(RunSettings, Schema1SettingsReadAsTheMethodsOwn)
{
    RunInfo info = test::run_info("lemonade");
    info.seed = 0;
    const auto s = RunSettings::from_json(nlohmann::json::parse(kSchema1Settings), info);
    EXPECT_EQ(s.method, "lemonade");
    EXPECT_EQ(s.data.subset, 15000);
    EXPECT_DOUBLE_EQ(s.budget_seconds, 1200.0);
    EXPECT_DOUBLE_EQ(s.constraints.max_params, 5e5);
    EXPECT_EQ(s.reference, (std::vector<double>{1.0, 8.0}));
    // LEMONADE keeps its keys, not the baselines' (population, space, ...); successive halving is
    // a setting of its own now.
    const auto& m = s.method_settings;
    EXPECT_EQ(m.at("children_proposed"), 16);
    EXPECT_EQ(m.at("fidelity"), "sh");
    EXPECT_EQ(m.at("sh_margin"), 0.02);
    EXPECT_FALSE(m.contains("population"));
    EXPECT_FALSE(m.contains("space"));
    EXPECT_NO_THROW(make_method("lemonade", m));
    // The same flat object read as an NSGA-II run's keeps the space and drops LEMONADE's keys.
    info.method = "nsga2";
    const auto n = RunSettings::from_json(nlohmann::json::parse(kSchema1Settings), info).method_settings;
    EXPECT_EQ(n.at("space").at("widths").size(), 8u);
    EXPECT_FALSE(n.contains("children_proposed"));
    EXPECT_NO_THROW(make_method("nsga2", n));
}

TEST(RunSettings, OpenOrCreateCreatesThenResumesKeepingTheStoredSettings)
{
    const test::TempDir data, out;
    test::write_tiny_idx(data);
    RunRequest request;
    request.settings.method = "random";
    request.settings.method_settings = {{"population", 3}};
    request.settings.data = {data.path(), "", 0.25, 0};
    request.settings.seed = 9;
    request.settings.budget_seconds = 60;
    const auto dir = out.file("run");
    {
        auto run = open_or_create_run(dir, request);
        EXPECT_FALSE(run.resumed);
        EXPECT_EQ(run.settings.objectives, (std::vector<Objective>{Objective::error, Objective::params}));
        EXPECT_EQ(run.settings.method_settings.at("population"), 3);
        EXPECT_EQ(run.settings.method_settings.at("generations"), 1000);  // defaults filled in
        EXPECT_EQ(run.data.split.train.size(), 30);
        EXPECT_FALSE(run.settings.normalization.is_null());
        EXPECT_EQ(run.store.info().method, "random");
    }
    // Resumed with other settings: the stored ones win, a given budget is kept for later, the
    // rest is named as ignored.
    RunRequest other = request;
    other.settings.method_settings = {{"population", 7}};
    other.settings.seed = 1;
    other.settings.budget_seconds = 120;
    other.given = {"budget_seconds", "/population"};
    {
        auto run = open_or_create_run(dir, other);
        EXPECT_TRUE(run.resumed);
        EXPECT_EQ(run.ignored, (std::vector<std::string>{"/population"}));
        EXPECT_EQ(run.settings.method_settings.at("population"), 3);
        EXPECT_EQ(run.settings.seed, 9u);
        EXPECT_DOUBLE_EQ(run.settings.budget_seconds, 120.0);
        EXPECT_EQ(run.data.split.train.indices, open_or_create_run(out.file("again"), request).data.split.train.indices);
    }
    EXPECT_DOUBLE_EQ(RunSettings::of(RunStore::open_read_only(dir)).budget_seconds, 120.0);
    other.settings.method = "nsga2";
    other.given.insert("method");
    EXPECT_EQ(test::error_message([&] { open_or_create_run(dir, other); }), "run " + dir + " is a random run, not nsga2");
    // A method's complaint about the run comes before anything is written.
    RunRequest nash = request;
    nash.settings.method = "nash";
    nash.settings.method_settings = nlohmann::json::object();
    nash.settings.objectives = {Objective::error, Objective::params};
    nash.given = {"objectives"};
    EXPECT_EQ(test::error_message([&] { open_or_create_run(out.file("nash"), nash); }),
              "nash minimises validation error alone: give no --objectives, or --objectives error");
    EXPECT_FALSE(std::filesystem::exists(out.file("nash")));
}

// Format 2 came before the search-time recipe changed (settings format 3): a run stored then
// resumes with what it began with, whatever today's defaults are.
TEST(RunSettings, Format2SettingsKeepTheRecipeTheyBeganWith)
{
    const auto stored_as_format_2 = [](const std::string& method, const std::vector<std::string>& added_by_format_3) {
        RunSettings s;
        s.method = method;
        s.method_settings = default_settings(method);
        for (const auto& key : added_by_format_3) s.method_settings.erase(key);
        auto j = s.to_json();
        j["format"] = 2;
        return RunSettings::from_json(j, RunInfo{}).method_settings;
    };
    const auto nsga2 = stored_as_format_2("nsga2", {"augment"});
    EXPECT_EQ(nsga2.at("augment"), true);
    EXPECT_EQ(nsga2.at("lr_start"), default_settings("nsga2").at("lr_start"));  // stored: kept
    const auto lemonade = stored_as_format_2("lemonade", {"augment", "accept_rule"});
    EXPECT_EQ(lemonade.at("augment"), true);
    EXPECT_EQ(lemonade.at("accept_rule"), "paper");
    EXPECT_NO_THROW(make_method("lemonade", lemonade));
    // NASH already trained with augmentation: its stored settings come back unchanged.
    EXPECT_EQ(stored_as_format_2("nash", {}), default_settings("nash"));

    RunSettings future;
    future.method = "random";
    future.method_settings = default_settings("random");
    auto j = future.to_json();
    j["format"] = 4;
    EXPECT_EQ(test::error_message([&] { RunSettings::from_json(j, RunInfo{}); }),
              "run settings of format 4 are not readable by this paretonas");
}
