/// @file core/seeds.hpp
/// One way to derive the seed of a random stream from a run's seed, so that every draw of a
/// search (a generation's proposals, a candidate's weights and data order, a final training)
/// is reproducible on resume and independent of the others.
#ifndef PARETONAS_CORE_SEEDS_HPP
#define PARETONAS_CORE_SEEDS_HPP

#include <cstdint>

namespace paretonas {

/// What a derived seed is for: streams with the same index but another purpose never coincide.
enum class SeedPurpose : std::uint64_t { proposal = 1, candidate_training = 2, final_training = 3, generator_sample = 4, sample_training = 5 };

/// A well-mixed seed for stream `index` (a generation, a candidate id) of `purpose` under the
/// run seed `seed` (SplitMix64 finaliser over the three).
std::uint64_t derive_seed(std::uint64_t seed, SeedPurpose purpose, std::uint64_t index);

} // namespace paretonas

#endif
