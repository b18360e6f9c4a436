#include "run_view.hpp"

#include <paretonas/core/error.hpp>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

namespace paretonas::cli {

using json = nlohmann::json;

// What a run is started with, stored in it, so that a resume trains the same way on the same
// split whatever flags it is given (except --budget).
json settings_json(const SearchOptions& o, std::uint64_t seed)
{
    const auto& l = o.lemonade;
    const auto& b = o.baseline;
    return {{"generations", l.generations},
            {"children_proposed", l.children_proposed},
            {"children_accepted", l.children_accepted},
            {"morphisms_per_child", l.morphisms_per_child},
            {"epochs_initial", l.epochs_initial},
            {"epochs_child", l.epochs_child},
            {"lr_start", l.lr_start},
            {"lr_end", l.lr_end},
            {"batch_size", l.train.batch_size},
            {"weight_decay", l.train.weight_decay},
            {"budget_seconds", l.budget_seconds},
            {"max_params", l.constraints.max_params},
            {"max_madds", l.constraints.max_madds},
            {"max_latency_ms", l.constraints.max_latency_ms},
            {"fidelity", {{"successive_halving", l.fidelity.successive_halving}, {"eta", l.fidelity.eta}, {"margin", l.fidelity.margin}}},
            {"population", b.population},
            {"crossover", b.crossover},
            {"mutation", b.mutation},
            {"space", {{"min_stages", b.space.min_stages}, {"max_stages", b.space.max_stages}, {"widths", b.space.widths},
                       {"min_blocks", b.space.min_blocks}, {"max_blocks", b.space.max_blocks}, {"kernels", b.space.kernels},
                       {"skip", b.space.skip}, {"separable", b.space.separable}}},
            // An absolute root, so that `front --test` finds the data from any directory.
            {"data", {{"name", o.data.data}, {"root", o.data.data_root.empty() ? "" : std::filesystem::absolute(o.data.data_root).string()},
                      {"val_fraction", o.data.val_fraction},
                      {"subset", o.data.subset}, {"seed", seed}}}};
}

void restore_settings(const json& j, SearchOptions& o, std::uint64_t& seed)
{
    auto& l = o.lemonade;
    l.generations = j.at("generations");
    l.children_proposed = j.at("children_proposed");
    l.children_accepted = j.at("children_accepted");
    l.morphisms_per_child = j.at("morphisms_per_child");
    l.epochs_initial = j.at("epochs_initial");
    l.epochs_child = j.at("epochs_child");
    l.lr_start = j.at("lr_start");
    l.lr_end = j.at("lr_end");
    l.train.batch_size = j.at("batch_size");
    l.train.weight_decay = j.at("weight_decay");
    if (!o.budget_option || o.budget_option->count() == 0) l.budget_seconds = j.at("budget_seconds");
    l.constraints.max_params = j.at("max_params");
    l.constraints.max_madds = j.at("max_madds");
    l.constraints.max_latency_ms = j.at("max_latency_ms");
    if (j.contains("fidelity")) {
        l.fidelity.successive_halving = j["fidelity"].at("successive_halving");
        l.fidelity.eta = j["fidelity"].at("eta");
        l.fidelity.margin = j["fidelity"].at("margin");
    }
    // Runs made before nsga2 and random existed lack these; they are lemonade runs.
    auto& b = o.baseline;
    b.population = j.value("population", b.population);
    b.crossover = j.value("crossover", b.crossover);
    b.mutation = j.value("mutation", b.mutation);
    if (j.contains("space")) {
        const auto& s = j.at("space");
        b.space.min_stages = s.at("min_stages");
        b.space.max_stages = s.at("max_stages");
        b.space.widths = s.at("widths").get<std::vector<int>>();
        b.space.min_blocks = s.at("min_blocks");
        b.space.max_blocks = s.at("max_blocks");
        b.space.kernels = s.at("kernels").get<std::vector<int>>();
        b.space.skip = s.at("skip");
        b.space.separable = s.at("separable");
    }
    const auto& d = j.at("data");
    o.data.data = d.at("name");
    o.data.data_root = d.at("root");
    o.data.val_fraction = d.at("val_fraction");
    o.data.subset = d.at("subset");
    seed = d.at("seed");
}

PreparedData run_data(const RunStore& store)
{
    SearchOptions o;
    std::uint64_t seed = 0;
    try {
        restore_settings(json::parse(store.info().config_json), o, seed);
    } catch (const json::exception& e) {
        fail("run " + store.dir() + " has unreadable settings (" + std::string(e.what()) + ")");
    }
    return prepare_data(o.data, seed);
}

FrontView read_front(const RunStore& store)
{
    const auto objectives = objectives_from_names(store.info().objectives);
    const auto settings = json::parse(store.info().config_json);
    Constraints constraints;
    constraints.max_params = settings.value("max_params", 0.0);
    constraints.max_madds = settings.value("max_madds", 0.0);
    constraints.max_latency_ms = settings.value("max_latency_ms", 0.0);
    FrontView v;
    v.front = current_front(store.candidates(), objectives, constraints);
    std::sort(v.front.begin(), v.front.end(), [](const Candidate& a, const Candidate& b) { return a.parameters < b.parameters; });
    const auto generations = store.generations();
    if (!generations.empty()) {
        v.last = generations.back();
        v.has_generation = true;
    }
    return v;
}

TestErrors test_errors(const RunStore& store, const std::vector<Candidate>& models, const PreparedData& data, c10::Device device)
{
    const auto test = DataView::all(data.source.test);
    TestErrors errors;
    for (const auto& c : models) {
        auto net = load_network(c.arch, store.weights_path(c.weights), device);
        errors[c.id] = evaluate(net, test, data.norm, device).error;
    }
    return errors;
}

} // namespace paretonas::cli
