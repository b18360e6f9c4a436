/// @file search/baselines.hpp
/// The classic multi-objective baselines over a parametric space (search/chain_space.hpp), each
/// candidate trained from scratch with the same trainer, budget, objectives, store, resume and
/// report as LEMONADE, so that the methods compare at equal cost. Registered as "random" and
/// "nsga2" (docs/methods/random.md, docs/methods/nsga2.md).
///
/// Random search draws `population` new networks per generation. NSGA-II (Deb et al. 2002)
/// keeps a population of `population` networks: each generation breeds as many children by
/// binary tournaments on (non-domination rank, crowding distance), uniform crossover and
/// random-reset mutation of the integer genes, and keeps the best `population` of parents and
/// children by rank, then crowding. The loop is paretonas' own over PaGMO2's sorting and
/// crowding (core/pareto.hpp) rather than pagmo::nsga2: pagmo evolves a whole generation in one
/// call, so a kill would lose every network trained in it, and its operators (SBX, polynomial
/// mutation) assume real genes; here every child goes through the RunStore one at a time, and
/// the population is replayed from the store on resume.
#ifndef PARETONAS_SEARCH_BASELINES_HPP
#define PARETONAS_SEARCH_BASELINES_HPP

#include <paretonas/search/chain_space.hpp>
#include <paretonas/search/generational.hpp>

namespace paretonas {

struct BaselineSettings : GenerationalSettings {
    ChainSpaceConfig space;
    int population = 16;       // NSGA-II population and children per generation; random: draws per generation
    double crossover = 0.9;    // NSGA-II: probability that a child mixes two parents
    double mutation = 0.0;     // NSGA-II: per-gene probability of a random reset; 0: 1 / genes

    /// `method` is "random" (which has no crossover or mutation) or "nsga2".
    static BaselineSettings from_json(const std::string& method, const nlohmann::json& settings);
    nlohmann::json to_json(const std::string& method) const;
    void validate(const std::string& method) const;
};

/// The genome a chain-space method stored in a candidate's data; empty if none.
Genome genome_of(const Candidate& c);

MethodSpec random_search_method();
MethodSpec nsga2_method();

} // namespace paretonas

#endif
