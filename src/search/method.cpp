#include <paretonas/search/method.hpp>

#include <paretonas/core/error.hpp>
#include <paretonas/core/json_text.hpp>

#include <algorithm>

namespace paretonas {

// search/methods.cpp: the one list of built-in methods, each handed to `add`.
void register_builtin_methods(const std::function<void(MethodSpec)>& add);

namespace {

void add_to(std::vector<MethodSpec>& methods, MethodSpec spec)
{
    if (spec.name.empty() || !spec.make) fail("a search method needs a name and a factory");
    for (const auto& m : methods)
        if (m.name == spec.name) fail("search method '" + spec.name + "' is registered twice");
    methods.push_back(std::move(spec));
}

std::vector<MethodSpec>& registry()
{
    static std::vector<MethodSpec> methods = [] {
        std::vector<MethodSpec> builtins;
        register_builtin_methods([&](MethodSpec spec) { add_to(builtins, std::move(spec)); });
        return builtins;
    }();
    return methods;
}

} // namespace

void register_method(MethodSpec spec) { add_to(registry(), std::move(spec)); }

const std::vector<MethodSpec>& registered_methods() { return registry(); }

const MethodSpec& method_spec(const std::string& name)
{
    std::string available;
    for (const auto& m : registry()) {
        if (m.name == name) return m;
        available += (available.empty() ? "" : ", ") + m.name;
    }
    fail("unknown search method '" + name + "' (available: " + available + ")");
}

std::unique_ptr<SearchMethod> make_method(const std::string& name, const nlohmann::json& settings)
{
    return method_spec(name).make(settings);
}

nlohmann::json default_settings(const std::string& name) { return make_method(name)->settings(); }

DriverSettings SearchContext::driver(int generations) const
{
    DriverSettings d;
    d.generations = generations;
    d.budget_seconds = run.budget_seconds;
    d.objectives = run.objectives;
    d.constraints = run.constraints;
    d.clock = clock;
    return d;
}

SearchResult run_search(OpenedRun& run, c10::Device device, const SearchCallbacks& callbacks, std::function<double()> clock,
                        std::int64_t max_memory_bytes)
{
    auto method = make_method(run.settings.method, run.settings.method_settings);
    const SearchContext context{run.store, run.settings, run.data, device, callbacks, std::move(clock), max_memory_bytes};
    return method->run(context);
}

SettingsReader::SettingsReader(std::string method, const nlohmann::json& settings) : m_method(std::move(method)), m_settings(settings)
{
    if (!m_settings.is_object()) fail(m_method + " settings must be a JSON object, got " + json_excerpt(m_settings));
}

void SettingsReader::finish() const
{
    for (const auto& [key, value] : m_settings.items())
        if (std::find(m_used.begin(), m_used.end(), key) == m_used.end()) fail(m_method + " has no setting '" + key + "'");
}

void SettingsReader::wrong_type(const std::string& key, const nlohmann::json& value) const
{
    fail(m_method + " " + key + " has the wrong type: " + json_excerpt(value));
}

} // namespace paretonas
