// `paretonas front`, and the front a search prints when it stops.
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

void print_run_front(const RunStore& store, std::ostream& out, bool as_json)
{
    const auto front = read_front(store);
    write_file_atomically((std::filesystem::path(store.dir()) / "front.json").string(), front_json(store, front).dump(1) + "\n");
    if (as_json) {
        auto j = front_json(store, front);
        j["event"] = "front";
        out << j.dump() << std::endl;
    }
    else print_front(store, front, out);
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
