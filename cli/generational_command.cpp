// `paretonas search --method lemonade|nsga2|random` and `paretonas front`.
#include "progress.hpp"
#include "run_view.hpp"
#include "search_command.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/train/runtime.hpp>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

namespace paretonas::cli {

namespace {

using json = nlohmann::json;

void print_front(const RunStore& store, const FrontView& v, std::ostream& out, const TestErrors& tests = {})
{
    out << "front of " << store.dir() << ": " << v.front.size() << " models";
    if (v.has_generation) {
        out << ", hypervolume " << v.last.hypervolume << " after generation " << v.last.generation << " (reference";
        for (double r : store.info().reference) out << ' ' << r;
        out << ")";
    }
    out << "\n";
    char line[400];
    std::snprintf(line, sizeof line, "%6s %9s %9s %10s %13s %11s  %s\n", "id", "val err", "test err", "params", "multiply-adds",
                  "latency ms", "model");
    out << line;
    for (const auto& c : v.front) {
        const auto test = tests.find(c.id);
        std::snprintf(line, sizeof line, "%6lld %9s %9s %10lld %13lld %11.3f  %s (+ .json)\n", static_cast<long long>(c.id),
                      percent(c.val_error).c_str(), test == tests.end() ? "-" : percent(test->second).c_str(),
                      static_cast<long long>(c.parameters), static_cast<long long>(c.multiply_adds), c.latency_ms,
                      store.weights_path(c.weights).c_str());
        out << line;
    }
}

json front_json(const RunStore& store, const FrontView& v, const TestErrors& tests = {})
{
    json j = {{"run", store.dir()}, {"objectives", store.info().objectives}, {"reference", store.info().reference}, {"front", json::array()}};
    if (v.has_generation) {
        j["generation"] = v.last.generation;
        j["hypervolume"] = v.last.hypervolume;
    }
    for (const auto& c : v.front)
        j["front"].push_back({{"id", c.id}, {"val_error", c.val_error}, {"parameters", c.parameters}, {"multiply_adds", c.multiply_adds},
                              {"latency_ms", c.latency_ms}, {"generation", c.generation}, {"parent", c.parent},
                              {"weights", store.weights_path(c.weights)}, {"arch", store.weights_path(std::to_string(c.id) + ".json")}});
    for (auto& member : j["front"])
        if (tests.count(member["id"])) member["test_error"] = tests.at(member["id"]);
    return j;
}

} // namespace

namespace {

// The method's settings: LEMONADE's own, or the chain-space baselines' on top of the shared ones.
BaselineConfig baseline_config(const SearchOptions& o)
{
    BaselineConfig b = o.baseline;
    static_cast<SearchConfig&>(b) = o.lemonade;
    return b;
}

SearchResult run_method(const std::string& method, RunStore& store, const PreparedData& data, const SearchOptions& o, c10::Device device,
                        const SearchCallbacks& callbacks)
{
    const auto& [train, validation] = data.split;
    if (method == "lemonade") return lemonade(store, train, validation, data.norm, o.lemonade, device, callbacks);
    if (method == "nsga2") return nsga2(store, train, validation, data.norm, baseline_config(o), device, callbacks);
    return random_search(store, train, validation, data.norm, baseline_config(o), device, callbacks);
}

} // namespace

bool generational_method(const std::string& method) { return method == "lemonade" || method == "nsga2" || method == "random"; }

int run_generational(const CommonOptions& common, SearchOptions& o, std::ostream& out)
{
    const auto device = parse_device(common.device);
    std::uint64_t seed = common.seed;
    o.lemonade.budget_seconds = parse_duration(o.budget, "--budget");
    o.lemonade.epochs_initial = o.epochs_init;
    o.lemonade.objectives = parse_objectives(o.objectives);
    o.lemonade.fidelity.successive_halving = parse_fidelity(o.fidelity);
    const bool resuming = RunStore::exists(o.out);
    std::optional<RunStore> opened;
    if (resuming) {
        opened.emplace(RunStore::open(o.out));
        const auto& store = *opened;
        const auto& stored = store.info().method;
        if (!generational_method(stored)) fail("run " + o.out + " is a " + stored + " run");
        if (o.method_option && o.method_option->count() > 0 && o.method != stored)
            fail("run " + o.out + " is a " + stored + " run, not " + o.method);
        o.method = stored;
        try {
            restore_settings(json::parse(store.info().config_json), o, seed);
        } catch (const json::exception& e) {
            fail("run " + o.out + " has unreadable settings (" + std::string(e.what()) + ")");
        }
        o.lemonade.objectives = objectives_from_names(store.info().objectives);
        for (auto* option : o.run_options)
            if (option->count() > 0 && !common.quiet)
                out << "note: " << option->get_name() << " is ignored: a resumed run keeps the settings it was started with" << std::endl;
    }
    o.lemonade.seed = seed;
    if (o.method == "lemonade") o.lemonade.validate();
    else baseline_config(o).validate(o.method);
    const auto data = prepare_data(o.data, seed);
    o.lemonade.train.augment = default_augmentation(*data.source.train);
    if (!resuming) {
        RunInfo info;
        info.method = o.method;
        auto settings = settings_json(o, seed);
        settings["normalization"] = normalization_json(data.norm);  // for export: models take raw pixels
        info.config_json = settings.dump();
        info.data = data.summary();
        info.objectives = objective_names(o.lemonade.objectives);
        info.reference = default_reference(o.lemonade.objectives, o.lemonade.constraints);
        info.seed = seed;
        info.code_version = PARETONAS_VERSION;
        opened.emplace(RunStore::create(o.out, info));
    }
    RunStore& store = *opened;
    if (resuming && o.budget_option && o.budget_option->count() > 0) {
        auto settings = json::parse(store.info().config_json);
        settings["budget_seconds"] = o.lemonade.budget_seconds;  // the next resume keeps the new budget
        store.set_config_json(settings.dump());
    }
    auto progress = make_progress(common, out);
    progress.log("start",
                 std::string(resuming ? "resuming " : "starting ") + o.out + ": " + o.method + " on " + data.summary() + "; budget " +
                     format_duration(o.lemonade.budget_seconds) + " (" + format_duration(store.elapsed_seconds()) + " spent); device " +
                     device.str() + ", " + std::to_string(torch::get_num_threads()) + " threads",
                 {{"run", o.out}, {"resuming", resuming}, {"data", data.summary()}, {"budget_seconds", o.lemonade.budget_seconds},
                  {"elapsed_seconds", store.elapsed_seconds()}, {"device", device.str()}});
    if (o.lemonade.budget_seconds > 0)
        progress.set_budget_end(std::chrono::steady_clock::now() +
                                std::chrono::milliseconds(static_cast<long long>(1000 * (o.lemonade.budget_seconds - store.elapsed_seconds()))));

    double best_hypervolume = -1.0;
    SearchCallbacks callbacks;
    callbacks.train = progress.callbacks(o.lemonade.epochs_child, false);
    callbacks.on_candidate = [&](const Candidate& c, const std::string& event) {
        if (event == "training") {
            char context[160];
            std::snprintf(context, sizeof context, "gen %d  candidate %lld (%lld params)%s", c.generation, static_cast<long long>(c.id),
                          static_cast<long long>(c.parameters),
                          best_hypervolume >= 0 ? ("  HV " + std::to_string(best_hypervolume).substr(0, 6)).c_str() : "");
            progress.set_context(context);
            return;
        }
        char line[300];
        std::snprintf(line, sizeof line, "  gen %d candidate %lld %s: val error %s, %lld params%s", c.generation,
                      static_cast<long long>(c.id), event.c_str(), percent(c.val_error).c_str(),
                      static_cast<long long>(c.parameters), c.approximate() ? " (distilled)" : "");
        progress.log("candidate", line,
                     {{"id", c.id}, {"generation", c.generation}, {"parent", c.parent}, {"status", event}, {"val_error", c.val_error},
                      {"parameters", c.parameters}, {"multiply_adds", c.multiply_adds}, {"latency_ms", c.latency_ms},
                      {"seconds", c.seconds}});
    };
    callbacks.on_generation = [&](const GenerationRecord& g, const std::vector<Candidate>& front) {
        best_hypervolume = g.hypervolume;
        std::ostringstream text;
        text << "generation " << g.generation << ": front of " << front.size() << ", hypervolume " << g.hypervolume << " ("
             << format_duration(g.seconds) << ")";
        progress.log("generation", text.str(),
                     {{"generation", g.generation}, {"front", g.front}, {"hypervolume", g.hypervolume}, {"seconds", g.seconds}});
    };
    const auto result = run_method(o.method, store, data, o, device, callbacks);
    const auto front = read_front(store);
    write_text_atomically((std::filesystem::path(o.out) / "front.json").string(), front_json(store, front).dump(1) + "\n");
    if (!result.finished) progress.log("budget", "budget spent; run the same command again with a larger --budget to go on");
    if (common.json_log) {
        auto j = front_json(store, front);
        j["event"] = "front";
        out << j.dump() << std::endl;
    }
    else print_front(store, front, out);
    return 0;
}

CLI::App* add_front_command(CLI::App& app, FrontOptions& o)
{
    auto* cmd = app.add_subcommand("front", "print the current Pareto front and hypervolume of a search run");
    cmd->add_option("--run", o.run, "run directory")->required();
    cmd->add_flag("--json", o.json, "print JSON for tools");
    cmd->add_flag("--test", o.test, "also measure each member's test error (reads the test set of the run's data)");
    cmd->add_option("--device", o.device, "device for --test: cpu, cuda or cuda:N")->capture_default_str();
    return cmd;
}

int run_front(const FrontOptions& o, std::ostream& out)
{
    const auto store = RunStore::open_read_only(o.run);
    const auto front = read_front(store);  // once: a running search may add members meanwhile
    const auto tests = o.test ? test_errors(store, front.front, run_data(store), parse_device(o.device)) : TestErrors{};
    if (o.json) out << front_json(store, front, tests).dump(1) << std::endl;
    else print_front(store, front, out, tests);
    return 0;
}

} // namespace paretonas::cli
