/// @file search/generator_spread.hpp
/// Within-generator spread (NAGO paper, section 4): more networks drawn from the generator theta
/// of a trained NAGO candidate, each trained with the run's search-time recipe on the run's split
/// and scored on its validation set, then summarised as mean and standard deviation. A generator
/// whose draws score alike was found; a network that scored by luck shows it here. Each sample
/// goes to the run store as it finishes (RunStore::save_sample), so a killed `sample` resumes.
#ifndef PARETONAS_SEARCH_GENERATOR_SPREAD_HPP
#define PARETONAS_SEARCH_GENERATOR_SPREAD_HPP

#include <paretonas/data/dataset.hpp>
#include <paretonas/store/run_store.hpp>
#include <paretonas/train/trainer.hpp>

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include <functional>

namespace paretonas {

struct SampleRequest {
    std::int64_t candidate = -1;
    int count = 8;                        // samples 0 .. count-1; those already done are kept
    c10::Device device = c10::kCPU;
    std::int64_t max_memory_bytes = 0;    // the memory guard (core/memory.hpp); 0: none
};

struct SampleCallbacks {
    /// Sample `s` is about to train (started), was already done (skipped), or ended (done, or
    /// failed with s.detail saying why).
    std::function<void(const GeneratorSample& s, CandidateEvent event)> on_sample;
    TrainCallbacks train;
};

/// Draws and trains the samples of `request` for a NAGO run `store` whose data is `data`
/// (prepared as the run was). Throws InputError, before anything is trained, when the run is not
/// a NAGO run, the candidate is unknown or untrained, or its generator no longer draws the
/// candidate's own network (the run was made by another version). A sample whose generator
/// cannot connect its graphs, or that does not fit in memory, is stored as failed with the
/// reason. Returns samples 0 .. count-1.
std::vector<GeneratorSample> sample_generator(RunStore& store, const PreparedData& data, const SampleRequest& request,
                                              const SampleCallbacks& callbacks = {});

/// Mean and sample standard deviation (n - 1; 0 for one value) of some values.
struct Spread {
    int count = 0;
    double mean = 0.0;
    double std = 0.0;
};
Spread spread_of(const std::vector<double>& values);

/// The spread of the finished samples among `samples`, per reported quantity.
struct GeneratorSpread {
    int done = 0, failed = 0;
    Spread val_error, parameters, multiply_adds, latency_ms;
};
GeneratorSpread generator_spread(const std::vector<GeneratorSample>& samples);
/// {"done", "failed", and per quantity ("val_error", "parameters", "multiply_adds", "latency_ms")
/// {"count", "mean", "std"}}: what `sample --json-log` prints and the report reads.
nlohmann::json to_json(const GeneratorSpread& spread);

} // namespace paretonas

#endif
