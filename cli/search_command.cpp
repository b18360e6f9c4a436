#include "search_command.hpp"

#include "progress.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/core/json_text.hpp>
#include <paretonas/train/runtime.hpp>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <sstream>

namespace paretonas::cli {

using json = nlohmann::json;

namespace {

std::string method_names()
{
    std::string names;
    for (const auto& m : registered_methods()) names += (names.empty() ? "" : ", ") + m.name;
    return names;
}

const MethodSpec* find_method(const std::string& name)
{
    for (const auto& m : registered_methods())
        if (m.name == name) return &m;
    return nullptr;
}

// How a setting's default reads on the command line: lists comma-separated, strings bare.
std::string as_flag_text(const json& value)
{
    if (value.is_string()) return value.get<std::string>();
    if (!value.is_array()) return value.dump();
    std::string text;
    for (const auto& item : value) text += (text.empty() ? "" : ",") + as_flag_text(item);
    return text;
}

// What help calls a setting's value: INT, FLOAT, BOOL, LIST or TEXT.
std::string type_name(const json& value)
{
    if (value.is_boolean()) return "BOOL";
    if (value.is_number_integer()) return "INT";
    if (value.is_number()) return "FLOAT";
    if (value.is_array()) return "LIST";
    return "TEXT";
}

// The text given to `flag` as a value of the type of `like` (the setting's default).
json flag_value(const std::string& flag, const std::string& text, const json& like)
{
    const auto bad = [&](const char* what) -> json { fail(flag + " must be " + what + ", got '" + text + "'"); };
    std::size_t used = 0;
    try {
        if (like.is_boolean()) {
            if (text == "true" || text == "1" || text == "yes") return true;
            if (text == "false" || text == "0" || text == "no") return false;
            return bad("true or false");
        }
        if (like.is_number_integer()) {
            const long long v = std::stoll(text, &used);
            return used == text.size() ? json(v) : bad("an integer");
        }
        if (like.is_number()) {
            const double v = std::stod(text, &used);
            return used == text.size() ? json(v) : bad("a number");
        }
    } catch (const std::logic_error&) {
        return like.is_number_integer() ? bad("an integer") : bad("a number");
    }
    if (like.is_array()) {
        const json element = like.empty() ? json(0) : like.front();
        json list = json::array();
        std::stringstream items(text);
        for (std::string item; std::getline(items, item, ',');) list.push_back(flag_value(flag, item, element));
        return list;
    }
    return text;
}

json method_settings_given(const SearchOptions& o, std::set<std::string>& given)
{
    json settings = json::object();
    const auto defaults = default_settings(o.method);
    for (const auto& [option, flag] : o.method_flags) {
        if (flag->count() == 0) continue;
        const json::json_pointer at(option.pointer);
        const auto& text = o.method_values.at(option.pointer);
        switch (option.kind) {
        case MethodOption::Kind::flag: settings[at] = true; break;
        case MethodOption::Kind::json_file: {
            const auto content = read_text_file(text, option.flag + " file");
            try {
                settings[at] = parse_json_within_depth(content);
            } catch (const json::exception& e) {
                fail(text + ": not JSON (" + one_line(e.what()) + ")");
            } catch (const InputError& e) {
                fail(text + ": " + e.what());
            }
            break;
        }
        case MethodOption::Kind::value: settings[at] = flag_value(option.flag, text, defaults.value(at, json())); break;
        }
        given.insert(option.pointer);
    }
    return settings;
}

RunRequest request_of(const CommonOptions& common, const SearchOptions& o)
{
    RunRequest request;
    auto& s = request.settings;
    s.method = o.method;
    s.data = o.data;
    s.seed = common.seed;
    s.budget_seconds = parse_duration(o.budget, "--budget");
    if (!o.objectives.empty()) s.objectives = parse_objectives(o.objectives);
    s.constraints = o.constraints;
    for (const auto& [key, flag] : o.run_flags)
        if (flag->count() > 0) request.given.insert(key);
    s.method_settings = method_settings_given(o, request.given);
    return request;
}

// The flag a setting of RunRequest::given came from, for the "ignored" note.
std::string flag_of(const SearchOptions& o, const std::string& key)
{
    if (const auto it = o.run_flags.find(key); it != o.run_flags.end()) return it->second->get_name();
    for (const auto& [option, flag] : o.method_flags)
        if (option.pointer == key) return option.flag;
    return key;
}

SearchCallbacks progress_callbacks(Progress& progress, double& hypervolume)
{
    SearchCallbacks callbacks;
    callbacks.train = progress.callbacks(1, false);
    callbacks.on_candidate = [&](const Candidate& c, CandidateEvent event, const std::string& detail) {
        if (event == CandidateEvent::started) {
            char context[160];
            std::snprintf(context, sizeof context, "gen %d  candidate %lld (%lld params)%s", c.generation, static_cast<long long>(c.id),
                          static_cast<long long>(c.parameters),
                          hypervolume >= 0 ? ("  HV " + std::to_string(hypervolume).substr(0, 6)).c_str() : "");
            progress.set_context(context);
            return;
        }
        const std::string what = candidate_event_name(event) + (detail.empty() ? "" : " " + one_line(detail));
        if (event == CandidateEvent::deferred) {
            // Not scored: no error to show.
            progress.log("candidate", "  gen " + std::to_string(c.generation) + " candidate " + std::to_string(c.id) + " " + what,
                         {{"id", c.id}, {"generation", c.generation}, {"parent", c.parent}, {"status", what}, {"parameters", c.parameters},
                          {"multiply_adds", c.multiply_adds}});
            return;
        }
        char line[400];
        std::snprintf(line, sizeof line, "  gen %d candidate %lld %s: val error %s, %lld params%s", c.generation,
                      static_cast<long long>(c.id), what.c_str(), percent(c.val_error).c_str(), static_cast<long long>(c.parameters),
                      c.approximate() ? " (distilled)" : "");
        progress.log("candidate", line,
                     {{"id", c.id}, {"generation", c.generation}, {"parent", c.parent}, {"status", what}, {"val_error", c.val_error},
                      {"parameters", c.parameters}, {"multiply_adds", c.multiply_adds}, {"latency_ms", c.latency_ms},
                      {"seconds", c.seconds}});
    };
    callbacks.on_generation = [&](const GenerationRecord& g, const std::vector<Candidate>& front) {
        hypervolume = g.hypervolume;
        std::ostringstream text;
        text << "generation " << g.generation << ": front of " << front.size() << ", hypervolume " << g.hypervolume << " ("
             << format_duration(g.seconds) << ")";
        progress.log("generation", text.str(),
                     {{"generation", g.generation}, {"front", g.front}, {"hypervolume", g.hypervolume}, {"seconds", g.seconds}});
    };
    return callbacks;
}

} // namespace

std::string method_of_command_line(const std::vector<std::string>& args)
{
    const auto search = std::find(args.begin(), args.end(), "search");
    std::string out;
    for (auto it = search; it != args.end(); ++it) {
        if (*it == "--method" && it + 1 != args.end()) return *(it + 1);
        if (it->rfind("--method=", 0) == 0) return it->substr(9);
        if (*it == "--out" && it + 1 != args.end()) out = *(it + 1);
        if (it->rfind("--out=", 0) == 0) out = it->substr(6);
    }
    if (!out.empty() && RunStore::exists(out)) {
        try {
            return RunStore::open_read_only(out).info().method;
        } catch (const InputError&) {
            // An unreadable run: the search itself says so.
        }
    }
    return registered_methods().front().name;
}

CLI::App* add_search_command(CLI::App& app, CommonOptions& common, SearchOptions& o)
{
    auto* cmd = app.add_subcommand("search", "search architectures with a method (paretonas methods lists them; "
                                             "search --method M --help shows M's options)");
    add_common_options(cmd, common);
    add_data_options(cmd, o.data);
    o.run_flags["method"] = cmd->add_option("--method", o.method, "search method: " + method_names())->capture_default_str();
    o.run_flags["budget_seconds"] =
        cmd->add_option("--budget", o.budget, "wall-clock budget of the whole run, resumes included (90s, 30m, 2h)")->capture_default_str();
    cmd->add_option("--out", o.out, "run directory; a run found there is resumed")->capture_default_str();
    o.run_flags["objectives"] = cmd->add_option("--objectives", o.objectives, "objectives to minimise: error plus any of params,madds,latency "
                                                                              "(default: the method's)");
    o.run_flags["max_params"] = cmd->add_option("--max-params", o.constraints.max_params, "keep only models with at most this many parameters (0: no limit)");
    o.run_flags["max_madds"] = cmd->add_option("--max-madds", o.constraints.max_madds, "... at most this many multiply-adds per image (0: no limit)");
    o.run_flags["max_latency_ms"] = cmd->add_option("--max-latency-ms", o.constraints.max_latency_ms, "... at most this latency at batch 1 (0: no limit)");
    const auto* spec = find_method(o.method);
    if (!spec) return cmd;  // run_search names the unknown method
    const auto defaults = default_settings(o.method);
    for (const auto& option : spec->options) {
        auto& value = o.method_values[option.pointer];
        const auto help = o.method + ": " + option.help;
        CLI::Option* flag = nullptr;
        if (option.kind == MethodOption::Kind::flag) {
            flag = cmd->add_flag(option.flag, help);
        } else {
            flag = cmd->add_option(option.flag, value, help);
            const json::json_pointer at(option.pointer);
            if (option.kind == MethodOption::Kind::value && defaults.contains(at))
                flag->type_name(type_name(defaults.at(at)))->default_str(as_flag_text(defaults.at(at)));
            if (option.kind == MethodOption::Kind::json_file) flag->check(regular_file());
        }
        o.method_flags.emplace_back(option, flag);
    }
    return cmd;
}

int run_search(const CommonOptions& common, SearchOptions& o, std::ostream& out)
{
    const auto device = parse_device(common.device);
    const auto memory_limit = parse_memory_limit(common.max_memory, device);
    const auto request = request_of(common, o);
    auto run = open_or_create_run(o.out, request);
    const auto& settings = run.settings;
    if (!common.quiet)
        for (const auto& key : run.ignored)
            out << "note: " << flag_of(o, key) << " is ignored: a resumed run keeps the settings it was started with" << std::endl;
    auto progress = make_progress(common, out);
    progress.log("start",
                 std::string(run.resumed ? "resuming " : "starting ") + o.out + ": " + settings.method + " on " + run.data.summary() +
                     "; budget " + format_duration(settings.budget_seconds) + " (" + format_duration(run.store.elapsed_seconds()) +
                     " spent); device " + device.str() + ", " + std::to_string(torch::get_num_threads()) + " threads",
                 {{"run", o.out}, {"method", settings.method}, {"resuming", run.resumed}, {"data", run.data.summary()},
                  {"budget_seconds", settings.budget_seconds}, {"elapsed_seconds", run.store.elapsed_seconds()}, {"device", device.str()}});
    if (settings.budget_seconds > 0)
        progress.set_budget_end(std::chrono::steady_clock::now() +
                                std::chrono::milliseconds(static_cast<long long>(1000 * (settings.budget_seconds - run.store.elapsed_seconds()))));
    double hypervolume = -1.0;
    const auto result = paretonas::run_search(run, device, progress_callbacks(progress, hypervolume), {}, memory_limit);
    if (!result.finished) progress.log("budget", "budget spent; run the same command again with a larger --budget to go on");
    print_run_front(run.store, out, common.json_log);
    return 0;
}

CLI::App* add_methods_command(CLI::App& app)
{
    return app.add_subcommand("methods", "list the search methods (search --method M --help shows M's options)");
}

int run_methods(std::ostream& out)
{
    for (const auto& m : registered_methods()) {
        char line[400];
        std::snprintf(line, sizeof line, "%-10s %s\n", m.name.c_str(), m.summary.c_str());
        out << line;
    }
    return 0;
}

} // namespace paretonas::cli
