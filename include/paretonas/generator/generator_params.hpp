/// @file generator/generator_params.hpp
/// theta: the vector of a hierarchical network generator that NAGO's Bayesian optimisation
/// searches (the graph parameters of the three levels plus a width), and the box it lives in.
/// Torch-free.
#ifndef PARETONAS_GENERATOR_GENERATOR_PARAMS_HPP
#define PARETONAS_GENERATOR_GENERATOR_PARAMS_HPP

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <string>
#include <vector>

namespace paretonas {

/// One hierarchical generator: a Watts-Strogatz graph of cells (top), an Erdos-Renyi graph of
/// nodes in each cell (middle; one node is allowed) and a Watts-Strogatz graph of
/// ReLU-conv-BN operations in each node (bottom), with channels 1:2:4 x width over the stages.
struct GeneratorParams {
    int top_nodes = 4;         // N_t: cells
    int top_k = 4;             // K_t: WS neighbours of a cell
    double top_p = 0.75;       // P_t: WS rewiring probability
    int mid_nodes = 1;         // N_m: nodes per cell
    double mid_p = 0.5;        // P_m: ER edge probability
    int bottom_nodes = 4;      // N_b: operations per node
    int bottom_k = 4;          // K_b: WS neighbours of an operation
    double bottom_p = 0.75;    // P_b: WS rewiring probability
    int width = 16;            // channels of the first stage; later stages have 2x and 4x

    static constexpr std::size_t dimensions = 9;
    /// The fields in the order above, as doubles (the integer fields exactly).
    std::array<double, dimensions> values() const;
    /// Inverse of values(); integer fields must hold whole numbers (InputError naming the field).
    static GeneratorParams from_values(const std::array<double, dimensions>& values);

    bool operator==(const GeneratorParams& other) const { return values() == other.values(); }
    bool operator!=(const GeneratorParams& other) const { return !(*this == other); }
};

/// One coordinate of theta: its JSON name, its closed range and whether it is a whole number.
struct GeneratorDimension {
    const char* name;
    double low;
    double high;
    bool integer;
};

/// The box theta is searched in. The defaults are the NAGO paper's ranges (with N_m down to 1,
/// as its best generators had; P_m from 0.2 as in the NAGO code, because an ER graph of p = 0.1
/// is connected in only ~1% of draws) and a width range that suits 28 x 28 images on a CPU.
class GeneratorSpace {
public:
    GeneratorSpace();
    const std::array<GeneratorDimension, GeneratorParams::dimensions>& dimensions() const { return m_dimensions; }
    const GeneratorDimension& dimension(const std::string& name) const;
    /// Narrows or moves one range; InputError when `name` is unknown, low > high, an integer
    /// range has a fractional end, or the range leaves the field's domain (WS node counts >= 3,
    /// ER node count >= 1, k >= 2, WS probabilities in [0, 1], ER probability in (0, 1],
    /// width in [1, 4096]).
    void set_range(const std::string& name, double low, double high);

    /// InputError "generator theta field top_p = 1.2 is outside [0.1, 0.9]" for the first field
    /// outside its range (never clamped).
    void check(const GeneratorParams& theta) const;
    /// The corner of the box with every field at its low end.
    GeneratorParams lowest() const { return from_unit(std::vector<double>(GeneratorParams::dimensions, 0.0)); }
    /// theta scaled to the unit cube, field by field.
    std::vector<double> to_unit(const GeneratorParams& theta) const;
    /// A point of the unit cube mapped back; an integer field takes the value whose equal share
    /// of [0, 1] holds the coordinate (floor(u * count), the top end included in the last).
    GeneratorParams from_unit(const std::vector<double>& unit) const;

    /// {"top_nodes": [3, 10], ...}: every range.
    nlohmann::json to_json() const;
    /// `base` with the ranges of the fields present in `ranges` (an object of [low, high] pairs).
    static GeneratorSpace from_json(const nlohmann::json& ranges, GeneratorSpace base = GeneratorSpace());

private:
    std::array<GeneratorDimension, GeneratorParams::dimensions> m_dimensions;
};

/// {"top_nodes": 4, ...} and back; from_json needs every field and refuses unknown ones.
nlohmann::json to_json(const GeneratorParams& theta);
GeneratorParams generator_params_from_json(const nlohmann::json& object);

} // namespace paretonas

#endif
