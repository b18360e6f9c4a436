#include <paretonas/search/fidelity.hpp>

#include <paretonas/core/error.hpp>

#include <cmath>

namespace paretonas {

void FidelityConfig::validate() const
{
    require_in_range("fidelity eta", eta, 1.5, 10.0);
    // Above 0, so that a point never stops for an equal one: only a dominating one stops it.
    require_in_range("fidelity margin", margin, 1e-6, 1.0);
}

bool parse_fidelity(const std::string& name)
{
    if (name == "none") return false;
    if (name == "sh") return true;
    fail("unknown fidelity '" + name + "' (none or sh)");
}

std::vector<int> rung_epochs(int epochs, double eta)
{
    std::vector<int> rungs;
    for (double e = 1; e < epochs; e *= eta) {
        const int rung = static_cast<int>(std::lround(e));
        if (rungs.empty() || rung > rungs.back()) rungs.push_back(rung);
    }
    return rungs;
}

bool dominated_with_margin(const ObjectiveVector& point, const std::vector<ObjectiveVector>& others, double margin)
{
    for (const auto& other : others) {
        if (other.size() != point.size()) fail("objective vectors of different lengths");
        bool no_worse = other[0] + margin <= point[0];
        for (std::size_t i = 1; no_worse && i < point.size(); ++i) no_worse = other[i] <= point[i];
        if (no_worse) return true;
    }
    return false;
}

} // namespace paretonas
