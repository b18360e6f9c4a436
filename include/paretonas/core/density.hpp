/// @file core/density.hpp
/// Gaussian kernel density estimate over cheap objectives, and sampling in inverse proportion
/// to density: how LEMONADE steers parents and children towards sparse regions of the front.
/// Hand-written (a few lines): no Debian C++ library offers a KDE with a standard bandwidth rule.
#ifndef PARETONAS_CORE_DENSITY_HPP
#define PARETONAS_CORE_DENSITY_HPP

#include <cstddef>
#include <random>
#include <string>
#include <vector>

namespace paretonas {

enum class Bandwidth { scott, silverman };

/// A product-Gaussian KDE: each dimension is scaled by its sample standard deviation (1 when it
/// is zero or there is one point), and the kernel width in those units follows Scott's
/// (n^(-1/(d+4))) or Silverman's ((n(d+2)/4)^(-1/(d+4))) rule, as scipy's gaussian_kde with
/// a diagonal covariance. density() is a true density in the original units.
class GaussianKde {
public:
    /// Throws InputError for an empty sample or points of different dimension.
    explicit GaussianKde(std::vector<std::vector<double>> points, Bandwidth rule = Bandwidth::scott);
    double density(const std::vector<double>& x) const;
    /// Per-dimension kernel standard deviation in the original units.
    const std::vector<double>& bandwidths() const { return m_h; }

private:
    std::vector<std::vector<double>> m_points;
    std::vector<double> m_h;
};

/// Draws `count` distinct indices of `densities` with probability proportional to
/// 1 / max(density, 1e-300), without replacement (all of them when count >= size).
std::vector<std::size_t> sample_inverse_density(const std::vector<double>& densities, std::size_t count, std::mt19937_64& rng);
/// One index drawn with probability proportional to 1 / max(density, 1e-300).
std::size_t draw_inverse_density(const std::vector<double>& densities, std::mt19937_64& rng);

/// How LEMONADE picks the children it trains among those it proposed.
enum class AcceptRule {
    paper,  // in inverse proportion to density (Elsken et al. 2019)
    cost,   // inverse density per expected training second: sparse and cheap first
};
AcceptRule accept_rule_from_name(const std::string& name);  // "paper", "cost"; InputError otherwise
std::string accept_rule_name(AcceptRule rule);

/// Relative weights of proposed children: 1 / density (paper), or 1 / (density x cost) (cost),
/// where cost is a child's expected training seconds in any unit (only ratios matter). Computed
/// in the log domain, so extreme densities neither overflow nor reach zero.
std::vector<double> acceptance_weights(const std::vector<double>& densities, const std::vector<double>& costs, AcceptRule rule);
/// Draws `count` distinct indices with probability proportional to `weights` (all > 0), without
/// replacement (all of them when count >= size).
std::vector<std::size_t> sample_weighted(std::vector<double> weights, std::size_t count, std::mt19937_64& rng);

} // namespace paretonas

#endif
