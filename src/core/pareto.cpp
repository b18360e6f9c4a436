#include <paretonas/core/error.hpp>
#include <paretonas/core/pareto.hpp>

#include <pagmo/utils/hypervolume.hpp>
#include <pagmo/utils/multi_objective.hpp>

#include <algorithm>
#include <limits>

namespace paretonas {

namespace {

void require_same_length(const std::vector<ObjectiveVector>& points, std::size_t length)
{
    for (const auto& p : points)
        if (p.size() != length)
            fail("objective vectors differ in length: " + std::to_string(p.size()) + " vs " + std::to_string(length));
}

// One objective: fronts are the groups of equal values, best first.
std::vector<std::vector<std::size_t>> sorted_by_value(const std::vector<ObjectiveVector>& points)
{
    std::vector<std::size_t> order(points.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return points[a][0] < points[b][0]; });
    std::vector<std::vector<std::size_t>> fronts;
    for (std::size_t k = 0; k < order.size(); ++k) {
        if (k == 0 || points[order[k]][0] != points[order[k - 1]][0]) fronts.emplace_back();
        fronts.back().push_back(order[k]);
    }
    for (auto& f : fronts) std::sort(f.begin(), f.end());
    return fronts;
}

} // namespace

bool dominates(const ObjectiveVector& a, const ObjectiveVector& b)
{
    if (a.size() != b.size()) fail("objective vectors differ in length: " + std::to_string(a.size()) + " vs " + std::to_string(b.size()));
    return pagmo::pareto_dominance(a, b);
}

std::vector<std::vector<std::size_t>> non_dominated_fronts(const std::vector<ObjectiveVector>& points)
{
    if (points.empty()) return {};
    require_same_length(points, points.front().size());
    if (points.size() == 1) return {{0}};  // PaGMO2 asks for two points at least
    if (points.front().size() == 1) return sorted_by_value(points);  // ... and two objectives
    const auto sorted = std::get<0>(pagmo::fast_non_dominated_sorting(points));
    std::vector<std::vector<std::size_t>> fronts;
    for (const auto& f : sorted) {
        fronts.emplace_back(f.begin(), f.end());
        std::sort(fronts.back().begin(), fronts.back().end());
    }
    return fronts;
}

std::vector<std::size_t> pareto_front(const std::vector<ObjectiveVector>& points)
{
    const auto fronts = non_dominated_fronts(points);
    if (fronts.empty()) return {};
    std::vector<std::size_t> kept;
    for (std::size_t i : fronts.front()) {
        const bool duplicate = std::any_of(kept.begin(), kept.end(), [&](std::size_t k) { return points[k] == points[i]; });
        if (!duplicate) kept.push_back(i);
    }
    return kept;
}

std::vector<double> crowding_distances(const std::vector<ObjectiveVector>& points)
{
    if (points.size() <= 2 || points.front().size() < 2)
        return std::vector<double>(points.size(), std::numeric_limits<double>::infinity());
    require_same_length(points, points.front().size());
    return pagmo::crowding_distance(points);
}

double hypervolume(const std::vector<ObjectiveVector>& points, const ObjectiveVector& reference)
{
    std::vector<ObjectiveVector> inside;
    for (const auto& p : points) {
        if (p.size() != reference.size())
            fail("objective vector of length " + std::to_string(p.size()) + " against a reference point of length " +
                 std::to_string(reference.size()));
        bool strictly = true;
        for (std::size_t k = 0; k < p.size(); ++k) strictly = strictly && p[k] < reference[k];
        if (strictly) inside.push_back(p);
    }
    if (inside.empty()) return 0.0;
    if (reference.size() < 2) return reference[0] - std::min_element(inside.begin(), inside.end())->at(0);
    return pagmo::hypervolume(inside, true).compute(reference);
}

} // namespace paretonas
