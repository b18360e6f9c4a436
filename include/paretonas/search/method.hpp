/// @file search/method.hpp
/// One interface for every search method, and the registry that names them. Modelled on
/// PaGMO's `algorithm`: a method is a small class with a name and settings (a JSON object with
/// defaults, validated with errors that name the bad setting) that runs a search in a run
/// store. Adding a method is its own header, source, test and doc page plus one registration.
#ifndef PARETONAS_SEARCH_METHOD_HPP
#define PARETONAS_SEARCH_METHOD_HPP

#include <paretonas/data/dataset.hpp>
#include <paretonas/search/driver.hpp>
#include <paretonas/search/run_settings.hpp>

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace paretonas {

/// What a method runs in: the run's store and settings, its data, the device, and the progress
/// callbacks.
struct SearchContext {
    RunStore& store;
    const RunSettings& run;
    const PreparedData& data;
    c10::Device device;
    SearchCallbacks callbacks;
    /// Seconds on a monotonic clock for the budget; the steady clock when empty.
    std::function<double()> clock;
    /// The memory guard's limit in bytes (core/memory.hpp); 0: none.
    std::int64_t max_memory_bytes = 0;

    /// The driver settings of this run: its budget, objectives, constraints and clock.
    DriverSettings driver(int generations) const;
};

class SearchMethod {
public:
    virtual ~SearchMethod() = default;
    virtual std::string name() const = 0;
    /// Every setting with its value, defaults filled in: what the run stores.
    virtual nlohmann::json settings() const = 0;
    /// Throws InputError when the run's settings do not suit the method (objectives, say);
    /// called before a run is created, so that nothing is written.
    virtual void check(const RunSettings& run) const { (void)run; }
    /// Runs or resumes the search in `context.store`.
    virtual SearchResult run(const SearchContext& context) = 0;
};

/// A command-line option of a method: the JSON pointer of its setting ("/children_proposed",
/// "/space/widths"), its flag ("--children") and a line of help. Its default is read from the
/// method's default settings.
struct MethodOption {
    /// How the command line gives the value: a value of the default's type (lists
    /// comma-separated, booleans true/false), a flag that sets true, or a JSON file whose
    /// content is the value (an architecture).
    enum class Kind { value, flag, json_file };
    std::string pointer;
    std::string flag;
    std::string help;
    Kind kind = Kind::value;
};

struct MethodSpec {
    std::string name;
    std::string summary;            // one line, for `paretonas methods`
    std::string source;             // the publication it follows
    std::vector<MethodOption> options;
    /// The objectives of a run that names none.
    std::vector<Objective> objectives = {Objective::error, Objective::params};
    /// Builds the method from settings; missing keys take their defaults, an unknown key or a
    /// bad value throws InputError naming it.
    std::function<std::unique_ptr<SearchMethod>(const nlohmann::json& settings)> make;
    /// What the report shows about each trained candidate beyond its network, by id (NAGO: the
    /// generator it was drawn from, the generator's graph of cells, its within-generator spread);
    /// empty: nothing. Reads `store` only.
    std::function<std::map<std::int64_t, nlohmann::json>(const RunStore& store)> candidate_details;
};

/// Adds a method; throws InputError when the name is taken. The built-in methods are
/// registered on first use of the registry (search/methods.cpp); a test may add its own.
void register_method(MethodSpec spec);
/// Every method, built-in ones first, then in registration order.
const std::vector<MethodSpec>& registered_methods();
/// Throws InputError "unknown search method 'x' (available: ...)".
const MethodSpec& method_spec(const std::string& name);
std::unique_ptr<SearchMethod> make_method(const std::string& name, const nlohmann::json& settings = nlohmann::json::object());
/// The method's settings with every default filled in.
nlohmann::json default_settings(const std::string& name);

/// Runs (or resumes) `run`'s method in its store.
/// A network whose training memory is estimated above `max_memory_bytes` (0: no limit) fails
/// as a candidate without being built (core/memory.hpp).
SearchResult run_search(OpenedRun& run, c10::Device device, const SearchCallbacks& callbacks = {},
                        std::function<double()> clock = {}, std::int64_t max_memory_bytes = 0);

/// Reads a method's settings object key by key, so that an unknown key is an error that names
/// it instead of a setting silently ignored.
class SettingsReader {
public:
    /// Throws InputError unless `settings` is an object.
    SettingsReader(std::string method, const nlohmann::json& settings);
    /// Sets `value` from `key` when present (InputError naming "<method> <key>" for a wrong type).
    template <class T>
    SettingsReader& read(const std::string& key, T& value)
    {
        const auto it = m_settings.find(key);
        if (it == m_settings.end()) return *this;
        m_used.push_back(key);
        try {
            value = it->template get<T>();
        } catch (const nlohmann::json::exception&) {
            wrong_type(key, *it);
        }
        return *this;
    }
    bool has(const std::string& key) const { return m_settings.contains(key); }
    /// Throws InputError naming the first key that was never read.
    void finish() const;

private:
    [[noreturn]] void wrong_type(const std::string& key, const nlohmann::json& value) const;

    std::string m_method;
    const nlohmann::json& m_settings;
    std::vector<std::string> m_used;
};

} // namespace paretonas

#endif
