#include <paretonas/core/error.hpp>
#include <paretonas/core/rank_correlation.hpp>

#include <cmath>
#include <string>

namespace paretonas {

namespace {
int sign(double x) { return (x > 0) - (x < 0); }
} // namespace

double kendall_tau(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size())
        fail("kendall_tau: samples of different lengths (" + std::to_string(a.size()) + " and " + std::to_string(b.size()) + ")");
    if (a.size() < 2) fail("kendall_tau: needs at least 2 points, got " + std::to_string(a.size()));
    long long score = 0, untied_a = 0, untied_b = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t j = i + 1; j < a.size(); ++j) {
            const int sa = sign(a[i] - a[j]), sb = sign(b[i] - b[j]);
            score += sa * sb;
            untied_a += sa != 0;
            untied_b += sb != 0;
        }
    if (untied_a == 0 || untied_b == 0) return 0.0;
    return static_cast<double>(score) / std::sqrt(static_cast<double>(untied_a) * static_cast<double>(untied_b));
}

} // namespace paretonas
