#include <paretonas/generator/generator_params.hpp>

#include <paretonas/core/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace paretonas {
namespace {

using Values = std::array<double, GeneratorParams::dimensions>;

/// The field order of GeneratorParams::values(), with the NAGO paper's ranges.
constexpr std::array<GeneratorDimension, GeneratorParams::dimensions> kDefaultDimensions{{
    {"top_nodes", 3, 10, true},
    {"top_k", 2, 5, true},
    {"top_p", 0.1, 0.9, false},
    {"mid_nodes", 1, 10, true},
    {"mid_p", 0.2, 0.9, false},  // the paper: 0.1; see docs/methods/nago.md
    {"bottom_nodes", 3, 10, true},
    {"bottom_k", 2, 5, true},
    {"bottom_p", 0.1, 0.9, false},
    {"width", 4, 32, true},
}};

/// The values a field can take at all, whatever range a user sets: what the graph models and a
/// network need.
std::pair<double, double> domain_of(const std::string& name)
{
    if (name == "top_k" || name == "bottom_k") return {2, 1e9};
    if (name == "top_p" || name == "bottom_p") return {0.0, 1.0};
    if (name == "mid_p") return {1e-9, 1.0};  // an ER graph of p = 0 is never connected
    // A Watts-Strogatz graph of 2 nodes has no lattice edge (k is capped at 1), so never connects.
    if (name == "top_nodes" || name == "bottom_nodes") return {3, 1000};
    if (name == "width") return {1, 4096};
    return {1, 1000};  // mid_nodes
}

std::string number(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

bool whole(double value) { return std::isfinite(value) && std::floor(value) == value; }

} // namespace

Values GeneratorParams::values() const
{
    return {double(top_nodes), double(top_k), top_p, double(mid_nodes), mid_p, double(bottom_nodes), double(bottom_k), bottom_p,
            double(width)};
}

GeneratorParams GeneratorParams::from_values(const Values& values)
{
    for (std::size_t i = 0; i < dimensions; ++i)
        if (kDefaultDimensions[i].integer && (!whole(values[i]) || std::fabs(values[i]) > 1e9))
            fail(std::string("generator theta field ") + kDefaultDimensions[i].name + " must be a whole number, got " + number(values[i]));
    GeneratorParams theta;
    theta.top_nodes = static_cast<int>(values[0]);
    theta.top_k = static_cast<int>(values[1]);
    theta.top_p = values[2];
    theta.mid_nodes = static_cast<int>(values[3]);
    theta.mid_p = values[4];
    theta.bottom_nodes = static_cast<int>(values[5]);
    theta.bottom_k = static_cast<int>(values[6]);
    theta.bottom_p = values[7];
    theta.width = static_cast<int>(values[8]);
    return theta;
}

GeneratorSpace::GeneratorSpace() : m_dimensions(kDefaultDimensions) {}

const GeneratorDimension& GeneratorSpace::dimension(const std::string& name) const
{
    for (const auto& d : m_dimensions)
        if (name == d.name) return d;
    std::string known;
    for (const auto& d : m_dimensions) known += std::string(known.empty() ? "" : ", ") + d.name;
    fail("unknown generator theta field '" + name + "' (fields: " + known + ")");
}

void GeneratorSpace::set_range(const std::string& name, double low, double high)
{
    auto& d = m_dimensions[static_cast<std::size_t>(&dimension(name) - m_dimensions.data())];
    const std::string field = "generator theta field " + name;
    if (!(std::isfinite(low) && std::isfinite(high) && low <= high))
        fail(field + " needs a range low <= high, got [" + number(low) + ", " + number(high) + "]");
    if (d.integer && !(whole(low) && whole(high)))
        fail(field + " is a whole number; its range must be too, got [" + number(low) + ", " + number(high) + "]");
    const auto [lowest, highest] = domain_of(name);
    if (low < lowest || high > highest)
        fail(field + " range [" + number(low) + ", " + number(high) + "] leaves its domain [" + number(lowest) + ", "
             + number(highest) + "]");
    d.low = low;
    d.high = high;
}

void GeneratorSpace::check(const GeneratorParams& theta) const
{
    const Values values = theta.values();
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto& d = m_dimensions[i];
        if (!(values[i] >= d.low && values[i] <= d.high))
            fail(std::string("generator theta field ") + d.name + " = " + number(values[i]) + " is outside [" + number(d.low) + ", "
                 + number(d.high) + "]");
    }
}

std::vector<double> GeneratorSpace::to_unit(const GeneratorParams& theta) const
{
    check(theta);
    const Values values = theta.values();
    std::vector<double> unit(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto& d = m_dimensions[i];
        // An integer value sits at the middle of its equal share of [0, 1] (see from_unit).
        unit[i] = d.integer ? (values[i] - d.low + 0.5) / (d.high - d.low + 1) : d.high > d.low ? (values[i] - d.low) / (d.high - d.low) : 0.5;
    }
    return unit;
}

GeneratorParams GeneratorSpace::from_unit(const std::vector<double>& unit) const
{
    if (unit.size() != GeneratorParams::dimensions)
        fail("a generator point needs " + std::to_string(GeneratorParams::dimensions) + " coordinates, got " + std::to_string(unit.size()));
    Values values{};
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto& d = m_dimensions[i];
        if (!(unit[i] >= 0.0 && unit[i] <= 1.0))
            fail(std::string("unit-cube coordinate of ") + d.name + " must be in [0, 1], got " + number(unit[i]));
        values[i] = d.integer ? std::min(d.high, d.low + std::floor(unit[i] * (d.high - d.low + 1))) : d.low + unit[i] * (d.high - d.low);
    }
    return GeneratorParams::from_values(values);
}

nlohmann::json GeneratorSpace::to_json() const
{
    nlohmann::json ranges = nlohmann::json::object();
    for (const auto& d : m_dimensions) ranges[d.name] = d.integer ? nlohmann::json{int(d.low), int(d.high)} : nlohmann::json{d.low, d.high};
    return ranges;
}

GeneratorSpace GeneratorSpace::from_json(const nlohmann::json& ranges, GeneratorSpace base)
{
    if (!ranges.is_object()) fail("generator ranges must be an object of [low, high] pairs");
    GeneratorSpace space = std::move(base);
    for (const auto& [name, range] : ranges.items()) {
        if (!range.is_array() || range.size() != 2 || !range[0].is_number() || !range[1].is_number())
            fail("generator range of " + name + " must be [low, high], got " + range.dump());
        space.set_range(name, range[0].get<double>(), range[1].get<double>());
    }
    return space;
}

nlohmann::json to_json(const GeneratorParams& theta)
{
    nlohmann::json object = nlohmann::json::object();
    const Values values = theta.values();
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (kDefaultDimensions[i].integer)
            object[kDefaultDimensions[i].name] = static_cast<int>(values[i]);
        else
            object[kDefaultDimensions[i].name] = values[i];
    }
    return object;
}

GeneratorParams generator_params_from_json(const nlohmann::json& object)
{
    if (!object.is_object()) fail("generator theta must be a JSON object, got " + object.dump());
    Values values{};
    for (std::size_t i = 0; i < values.size(); ++i) {
        const char* name = kDefaultDimensions[i].name;
        const auto it = object.find(name);
        if (it == object.end()) fail(std::string("generator theta lacks field ") + name);
        if (!it->is_number()) fail(std::string("generator theta field ") + name + " must be a number, got " + it->dump());
        values[i] = it->get<double>();
    }
    for (const auto& [name, value] : object.items()) {
        (void)value;
        bool known = false;
        for (const auto& d : kDefaultDimensions) known = known || name == d.name;
        if (!known) fail("generator theta has unknown field '" + name + "'");
    }
    return GeneratorParams::from_values(values);
}

} // namespace paretonas
