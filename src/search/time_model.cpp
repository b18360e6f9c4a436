#include <paretonas/search/time_model.hpp>

#include <algorithm>

namespace paretonas {

double TimeModel::seconds(std::int64_t multiply_adds, int epochs) const
{
    return std::max(epochs, 0) * (fixed + per_madd * static_cast<double>(std::max<std::int64_t>(multiply_adds, 0)));
}

TimeModel TimeModel::through(std::int64_t madds_a, double seconds_a, std::int64_t madds_b, double seconds_b)
{
    TimeModel m;
    if (madds_a == madds_b) {
        m.fixed = std::max(0.0, (seconds_a + seconds_b) / 2);
        return m;
    }
    m.per_madd = std::max(0.0, (seconds_b - seconds_a) / static_cast<double>(madds_b - madds_a));
    m.fixed = std::max(0.0, seconds_a - m.per_madd * static_cast<double>(madds_a));
    return m;
}

namespace {

struct Observation {
    double madds, seconds_per_epoch;
};

// Least squares of seconds per epoch on multiply-adds; false when the points do not spread or
// the line is not physical (a negative slope or intercept, from noise on few points).
bool least_squares(const std::vector<Observation>& points, TimeModel& out)
{
    if (points.size() < 3) return false;
    double mx = 0, my = 0;
    for (const auto& p : points) {
        mx += p.madds / static_cast<double>(points.size());
        my += p.seconds_per_epoch / static_cast<double>(points.size());
    }
    double sxx = 0, sxy = 0;
    for (const auto& p : points) {
        sxx += (p.madds - mx) * (p.madds - mx);
        sxy += (p.madds - mx) * (p.seconds_per_epoch - my);
    }
    if (sxx <= 0) return false;
    const double slope = sxy / sxx, intercept = my - slope * mx;
    if (slope < 0 || intercept < 0) return false;
    out.per_madd = slope;
    out.fixed = intercept;
    return true;
}

} // namespace

TimeModel TimeModel::fit(const std::vector<Candidate>& all, const TimeModel& prior)
{
    std::vector<Observation> points;
    for (const auto& c : all)
        if (c.status == CandidateStatus::done && c.epochs > 0 && c.seconds > 0)
            points.push_back({static_cast<double>(c.multiply_adds), c.seconds / c.epochs});
    if (points.empty()) return prior;
    TimeModel fitted;
    if (least_squares(points, fitted)) return fitted;
    if (!prior.known()) {
        // No shape to scale: the mean cost per epoch, whatever the network.
        double sum = 0;
        for (const auto& p : points) sum += p.seconds_per_epoch;
        fitted.fixed = sum / static_cast<double>(points.size());
        return fitted;
    }
    std::vector<double> ratios;
    for (const auto& p : points) ratios.push_back(p.seconds_per_epoch / std::max(prior.seconds(static_cast<std::int64_t>(p.madds), 1), 1e-12));
    std::nth_element(ratios.begin(), ratios.begin() + ratios.size() / 2, ratios.end());
    const double k = ratios[ratios.size() / 2];
    return {prior.fixed * k, prior.per_madd * k};
}

} // namespace paretonas
