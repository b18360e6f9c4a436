#include <paretonas/core/error.hpp>
#include <paretonas/core/objectives.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace paretonas {

namespace {

double cost_of(const Candidate& c, Objective o)
{
    switch (o) {
    case Objective::params: return static_cast<double>(c.parameters);
    case Objective::madds: return static_cast<double>(c.multiply_adds);
    case Objective::latency: return c.latency_ms;
    case Objective::error: break;
    }
    return c.val_error;
}

double log_cost(double value) { return std::log10(std::max(value, 1e-9)); }

} // namespace

const char* objective_name(Objective o)
{
    switch (o) {
    case Objective::error: return "error";
    case Objective::params: return "params";
    case Objective::madds: return "madds";
    case Objective::latency: return "latency";
    }
    return "?";
}

std::vector<Objective> objectives_from_names(const std::vector<std::string>& names)
{
    std::vector<Objective> out;
    for (const auto& name : names) {
        Objective o{};
        if (name == "error") o = Objective::error;
        else if (name == "params") o = Objective::params;
        else if (name == "madds") o = Objective::madds;
        else if (name == "latency") o = Objective::latency;
        else fail("unknown objective '" + name + "' (known: error, params, madds, latency)");
        if (std::find(out.begin(), out.end(), o) != out.end()) fail("objective '" + name + "' is listed twice");
        out.push_back(o);
    }
    if (std::find(out.begin(), out.end(), Objective::error) == out.end()) fail("the objectives must include error");
    // Error first, whatever the order given: objective vectors and reference points rely on it.
    std::stable_partition(out.begin(), out.end(), [](Objective o) { return o == Objective::error; });
    return out;
}

std::vector<Objective> parse_objectives(const std::string& csv)
{
    std::vector<std::string> names;
    std::stringstream ss(csv);
    for (std::string item; std::getline(ss, item, ',');) names.push_back(item);
    return objectives_from_names(names);
}

std::vector<std::string> objective_names(const std::vector<Objective>& objectives)
{
    std::vector<std::string> out;
    for (auto o : objectives) out.emplace_back(objective_name(o));
    return out;
}

void require_cost_objective(const std::vector<Objective>& objectives, const std::string& method)
{
    if (objectives.size() < 2) fail(method + " needs at least one cost objective besides error (params, madds or latency)");
}

void Constraints::validate() const
{
    require_in_range("--max-params", max_params, 0.0, 1e12);
    require_in_range("--max-madds", max_madds, 0.0, 1e15);
    require_in_range("--max-latency-ms", max_latency_ms, 0.0, 1e7);
}

std::string Constraints::violation(const Candidate& c) const
{
    if (max_params > 0 && static_cast<double>(c.parameters) > max_params) return "more parameters than --max-params";
    if (max_madds > 0 && static_cast<double>(c.multiply_adds) > max_madds) return "more multiply-adds than --max-madds";
    if (max_latency_ms > 0 && c.latency_ms > max_latency_ms) return "slower than --max-latency-ms";
    return {};
}

ObjectiveVector objective_vector(const Candidate& c, const std::vector<Objective>& objectives)
{
    ObjectiveVector v;
    for (auto o : objectives) v.push_back(o == Objective::error ? c.val_error : log_cost(cost_of(c, o)));
    return v;
}

ObjectiveVector cheap_vector(const Candidate& c, const std::vector<Objective>& objectives)
{
    ObjectiveVector v;
    for (auto o : objectives)
        if (o != Objective::error) v.push_back(log_cost(cost_of(c, o)));
    return v;
}

ObjectiveVector default_reference(const std::vector<Objective>& objectives, const Constraints& constraints)
{
    ObjectiveVector ref;
    for (auto o : objectives) {
        switch (o) {
        case Objective::error: ref.push_back(1.0); break;
        case Objective::params: ref.push_back(log_cost(constraints.max_params > 0 ? constraints.max_params : 1e8)); break;
        case Objective::madds: ref.push_back(log_cost(constraints.max_madds > 0 ? constraints.max_madds : 1e11)); break;
        case Objective::latency: ref.push_back(log_cost(constraints.max_latency_ms > 0 ? constraints.max_latency_ms : 1e4)); break;
        }
    }
    return ref;
}

std::vector<Candidate> current_front(const std::vector<Candidate>& all, const std::vector<Objective>& objectives,
                                     const Constraints& constraints)
{
    std::vector<Candidate> eligible;
    for (const auto& c : all)
        if (c.status == CandidateStatus::done && constraints.violation(c).empty()) eligible.push_back(c);
    std::vector<ObjectiveVector> points;
    for (const auto& c : eligible) points.push_back(objective_vector(c, objectives));
    std::vector<Candidate> front;
    for (std::size_t i : pareto_front(points)) front.push_back(eligible[i]);
    return front;
}

std::vector<std::size_t> nsga2_select(const std::vector<ObjectiveVector>& points, std::size_t n)
{
    std::vector<std::size_t> chosen;
    for (const auto& front : non_dominated_fronts(points)) {
        if (chosen.size() + front.size() <= n) {
            chosen.insert(chosen.end(), front.begin(), front.end());
            continue;
        }
        std::vector<ObjectiveVector> members;
        for (auto i : front) members.push_back(points[i]);
        const auto crowding = crowding_distances(members);
        std::vector<std::size_t> order(front.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return crowding[a] > crowding[b]; });
        for (std::size_t k = 0; chosen.size() < n; ++k) chosen.push_back(front[order[k]]);
        break;
    }
    return chosen;
}

} // namespace paretonas
