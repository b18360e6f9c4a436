#include <paretonas/search/run_settings.hpp>

#include <paretonas/core/error.hpp>
#include <paretonas/search/method.hpp>

#include <filesystem>

namespace paretonas {

using json = nlohmann::json;

namespace {

// 3: generational methods search with the search-time recipe (no augmentation, lr 0.2, batch 64)
// and LEMONADE accepts by cost by default.
constexpr int kSettingsFormat = 3;

// Settings whose default changed with format 3, and the value runs stored before it ran with:
// an older run resumes as it began.
json with_defaults_before_format_3(json settings, const std::string& method)
{
    static const json before = {{"augment", true}, {"lr_start", 0.05}, {"batch_size", 128}, {"accept_rule", "paper"}};
    const auto defaults = default_settings(method);
    for (const auto& [key, value] : before.items())
        if (defaults.contains(key) && !settings.contains(key)) settings[key] = value;
    return settings;
}

json data_json(const DataSpec& d)
{
    return {{"name", d.name}, {"root", d.root}, {"val_fraction", d.val_fraction}, {"subset", d.subset}};
}

DataSpec data_from_json(const json& j)
{
    DataSpec d;
    d.name = j.at("name").get<std::string>();
    d.root = j.at("root").get<std::string>();
    d.val_fraction = j.at("val_fraction").get<double>();
    d.subset = j.at("subset").get<std::int64_t>();
    return d;
}

Constraints constraints_from_json(const json& j)
{
    Constraints c;
    c.max_params = j.value("max_params", 0.0);
    c.max_madds = j.value("max_madds", 0.0);
    c.max_latency_ms = j.value("max_latency_ms", 0.0);
    return c;
}

// Schema-1 runs stored every method's settings in one flat object: the method keeps the keys it
// knows (its defaults list them), and successive halving was an object of its own.
json method_settings_of_schema_1(const json& flat, const std::string& method)
{
    json settings = json::object();
    const auto defaults = default_settings(method);
    for (const auto& [key, value] : defaults.items())
        if (flat.contains(key) && key != "fidelity") settings[key] = flat.at(key);
    if (flat.contains("fidelity") && flat.at("fidelity").is_object()) {
        const auto& f = flat.at("fidelity");
        settings["fidelity"] = f.at("successive_halving").get<bool>() ? "sh" : "none";
        settings["sh_eta"] = f.at("eta");
        settings["sh_margin"] = f.at("margin");
    }
    return settings;
}

RunSettings schema_1_settings(const json& j, const RunInfo& info)
{
    RunSettings s;
    s.method = info.method;
    s.method_settings = with_defaults_before_format_3(method_settings_of_schema_1(j, info.method), info.method);
    s.data = data_from_json(j.at("data"));
    s.seed = j.at("data").at("seed").get<std::uint64_t>();
    s.objectives = objectives_from_names(info.objectives);
    s.constraints = constraints_from_json(j);
    s.reference = info.reference;
    s.budget_seconds = j.at("budget_seconds").get<double>();
    s.normalization = j.value("normalization", json());
    return s;
}

} // namespace

json RunSettings::to_json() const
{
    return {{"format", kSettingsFormat},
            {"method", method},
            {"method_settings", method_settings},
            {"data", data_json(data)},
            {"objectives", objective_names(objectives)},
            {"constraints", {{"max_params", constraints.max_params}, {"max_madds", constraints.max_madds},
                             {"max_latency_ms", constraints.max_latency_ms}}},
            {"reference", reference},
            {"seed", seed},
            {"budget_seconds", budget_seconds},
            {"normalization", normalization}};
}

RunSettings RunSettings::from_json(const json& j, const RunInfo& info)
{
    try {
        if (!j.contains("format")) return schema_1_settings(j, info);
        const auto format = j.at("format");
        if (format != 2 && format != kSettingsFormat)
            fail("run settings of format " + format.dump() + " are not readable by this paretonas");
        RunSettings s;
        s.method = j.at("method").get<std::string>();
        s.method_settings = format == 2 ? with_defaults_before_format_3(j.at("method_settings"), s.method) : j.at("method_settings");
        s.data = data_from_json(j.at("data"));
        s.objectives = objectives_from_names(j.at("objectives").get<std::vector<std::string>>());
        s.constraints = constraints_from_json(j.at("constraints"));
        s.reference = j.at("reference").get<ObjectiveVector>();
        s.seed = j.at("seed").get<std::uint64_t>();
        s.budget_seconds = j.at("budget_seconds").get<double>();
        s.normalization = j.value("normalization", json());
        return s;
    } catch (const json::exception& e) {
        fail("run settings are incomplete (" + std::string(e.what()) + ")");
    }
}

RunSettings RunSettings::of(const RunStore& store)
{
    try {
        return from_json(json::parse(store.info().config_json), store.info());
    } catch (const InputError& e) {
        fail("run " + store.dir() + ": " + e.what());
    } catch (const json::exception& e) {
        fail("run " + store.dir() + " has unreadable settings (" + std::string(e.what()) + ")");
    }
}

namespace {

OpenedRun resume(const std::string& dir, const RunRequest& request)
{
    auto store = RunStore::open(dir);
    auto settings = RunSettings::of(store);
    const auto& asked = request.settings;
    if (request.given.count("method") && asked.method != settings.method)
        fail("run " + dir + " is a " + settings.method + " run, not " + asked.method);
    // Written back in today's format, defaults filled in: a schema-1 run's settings are upgraded.
    settings.method_settings = make_method(settings.method, settings.method_settings)->settings();
    std::vector<std::string> ignored;
    for (const auto& key : request.given) {
        if (key == "budget_seconds") settings.budget_seconds = asked.budget_seconds;  // the next resume keeps it
        else if (key != "method") ignored.push_back(key);
    }
    store.set_config_json(settings.to_json().dump());
    auto data = prepare_data(settings.data, settings.seed);
    return OpenedRun{std::move(store), std::move(settings), std::move(data), true, std::move(ignored)};
}

// What a run's settings need before anything is written: the method's settings validated and
// complete, objectives, reference point, an absolute data root.
void complete_settings(RunSettings& settings, bool objectives_given)
{
    const auto method = make_method(settings.method, settings.method_settings);
    settings.method_settings = method->settings();
    if (!objectives_given || settings.objectives.empty()) settings.objectives = method_spec(settings.method).objectives;
    settings.objectives = objectives_from_names(objective_names(settings.objectives));
    settings.constraints.validate();
    if (settings.reference.empty()) settings.reference = default_reference(settings.objectives, settings.constraints);
    if (settings.reference.size() != settings.objectives.size()) fail("the reference point needs one value per objective");
    // An absolute root, so that `front --test` finds the data from any directory.
    if (!settings.data.root.empty()) settings.data.root = std::filesystem::absolute(settings.data.root).string();
    method->check(settings);
}

RunStore create_store(const std::string& dir, RunSettings& settings, const PreparedData& data)
{
    settings.normalization = normalization_json(data.norm);
    RunInfo info;
    info.method = settings.method;
    info.config_json = settings.to_json().dump();
    info.data = data.summary();
    info.objectives = objective_names(settings.objectives);
    info.reference = settings.reference;
    info.seed = settings.seed;
    info.code_version = PARETONAS_VERSION;
    return RunStore::create(dir, info);
}

OpenedRun create(const std::string& dir, const RunRequest& request)
{
    RunSettings settings = request.settings;
    complete_settings(settings, request.given.count("objectives") > 0);
    auto data = prepare_data(settings.data, settings.seed);
    auto store = create_store(dir, settings, data);
    return OpenedRun{std::move(store), std::move(settings), std::move(data), false, {}};
}

} // namespace

RunStore create_run(const std::string& dir, RunSettings& settings, const PreparedData& data)
{
    complete_settings(settings, !settings.objectives.empty());
    return create_store(dir, settings, data);
}

OpenedRun open_or_create_run(const std::string& dir, const RunRequest& request)
{
    return RunStore::exists(dir) ? resume(dir, request) : create(dir, request);
}

} // namespace paretonas
