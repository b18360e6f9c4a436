/// @file search/nago.hpp
/// NAGO (Ru, Esperanca, Carlucci, NeurIPS 2020): Bayesian optimisation over the vector theta of
/// a hierarchical network generator (generator/), every evaluation one network sampled from
/// G(theta) and trained from scratch. The error is modelled by a Gaussian process over theta in
/// the unit cube; the costs of theta (parameters, multiply-adds) are estimated from a few
/// sampled architectures without training; proposals maximise the expected hypervolume
/// improvement, several per generation by kriging believer (bo/). Registered as "nago"
/// (docs/methods/nago.md).
#ifndef PARETONAS_SEARCH_NAGO_HPP
#define PARETONAS_SEARCH_NAGO_HPP

#include <paretonas/data/dataset.hpp>
#include <paretonas/generator/generator_params.hpp>
#include <paretonas/generator/hierarchical.hpp>
#include <paretonas/search/generational.hpp>

#include <optional>
#include <string>

namespace paretonas {

/// The default box of the nago method: the NAGO paper's graph ranges scaled to what a CPU trains
/// in a budget of minutes on 28 x 28 images (at most 6 cells of 3 nodes of 5 operations, stage-0
/// width 4 to 12; docs/methods/nago.md). The paper's box is GeneratorSpace().
GeneratorSpace cpu_generator_space();

struct NagoSettings : GenerationalSettings {
    GeneratorSpace space = cpu_generator_space();  // "ranges"
    HierarchySettings hierarchy;   // "stages", "stage_fractions", "kernel", "head_channels", "dropout", "graph_tries"
    std::string proposer = "bo";   // "bo", or "random": theta uniform in the box (the paper's HNAG-RS baseline)
    int initial = 8;               // random generators before the first BO proposal
    int batch = 4;                 // BO proposals per generation
    int cost_samples = 2;          // architectures sampled per theta to estimate its costs
    int random_candidates = 300;   // uniform points the acquisition scores per pick
    int local_candidates = 200;    // perturbations of the front's generators it scores per pick

    static NagoSettings from_json(const nlohmann::json& settings);
    nlohmann::json to_json() const;
    void validate() const;
};

/// What a NAGO run stores per candidate: the generator and the seed its network was drawn with.
struct GeneratorDraw {
    GeneratorParams theta;
    std::uint64_t seed = 0;
};
/// The draw stored in `c`'s data; empty for a candidate of another method.
std::optional<GeneratorDraw> generator_draw_of(const Candidate& c);

/// The network that G(draw.theta) gives for `data`'s images and classes with draw.seed. Throws
/// InputError when the generator cannot connect its graphs within the settings' tries.
Architecture draw_network(const NagoSettings& settings, const GeneratorDraw& draw, const ImageSet& data);

MethodSpec nago_method();

} // namespace paretonas

#endif
