#include <paretonas/search/generator_spread.hpp>

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/memory.hpp>
#include <paretonas/core/seeds.hpp>
#include <paretonas/search/nago.hpp>
#include <paretonas/search/run_settings.hpp>
#include <paretonas/train/latency.hpp>
#include <paretonas/train/runtime.hpp>

#include <chrono>
#include <cmath>
#include <map>

namespace paretonas {

namespace {

struct SampledRun {
    NagoSettings settings;
    TrainingRecipe recipe;
    std::uint64_t seed = 0;
    Candidate candidate;
    GeneratorDraw draw;
};

// Everything a sample needs from the run, checked before anything trains.
SampledRun sampled_run(const RunStore& store, const PreparedData& data, std::int64_t id)
{
    const auto run = RunSettings::of(store);
    if (run.method != "nago")
        fail("sample: run " + store.dir() + " is a " + run.method + " run; only a nago run's candidates come from a generator");
    SampledRun out{NagoSettings::from_json(run.method_settings), {}, run.seed, trained_candidate(store, id), {}};
    out.recipe = with_data_augmentation(out.settings.recipe, data);
    const auto draw = generator_draw_of(out.candidate);
    if (!draw) fail("sample: candidate " + std::to_string(id) + " of run " + store.dir() + " holds no generator");
    out.draw = *draw;
    // The same generator and seed must still give the candidate's network, or the samples would
    // describe another generator than the one that was searched.
    if (draw_network(out.settings, out.draw, *data.source.train) != out.candidate.arch)
        fail("sample: the generator of candidate " + std::to_string(id) + " no longer draws its network (run " + store.dir() +
             " was made by another version of paretonas)");
    return out;
}

void train_sample(GeneratorSample& s, const SampledRun& run, const PreparedData& data, const SampleRequest& request,
                  const TrainCallbacks& callbacks)
{
    const auto t0 = std::chrono::steady_clock::now();
    const auto what = "sample " + std::to_string(s.index) + " of candidate " + std::to_string(s.candidate);
    s.arch = draw_network(run.settings, {run.draw.theta, s.seed}, *data.source.train);
    s.parameters = parameter_count(s.arch);
    s.multiply_adds = multiply_adds(s.arch);
    require_training_memory(s.arch, run.recipe.train.batch_size, request.max_memory_bytes, what);
    const auto seed = derive_seed(derive_seed(run.seed, SeedPurpose::sample_training, static_cast<std::uint64_t>(s.candidate)),
                                  SeedPurpose::sample_training, static_cast<std::uint64_t>(s.index));
    seed_everything(seed);
    Network net(s.arch);
    net->to(request.device);
    const auto& r = run.recipe;
    train(net, data.split.train, nullptr, data.norm, cosine_cycle(r.train, r.epochs_initial, r.lr_start, r.lr_end, seed), request.device,
          callbacks);
    s.val_error = evaluate(net, data.split.validation, data.norm, request.device).error;
    s.latency_ms = measure_latency(*net, request.device, r.latency).median_ms;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.status = CandidateStatus::done;
}

} // namespace

std::vector<GeneratorSample> sample_generator(RunStore& store, const PreparedData& data, const SampleRequest& request,
                                              const SampleCallbacks& callbacks)
{
    require_in_range("sample count", request.count, 1, 1e4);
    const auto run = sampled_run(store, data, request.candidate);
    std::map<int, GeneratorSample> stored;
    for (auto& s : store.samples())
        if (s.candidate == request.candidate && s.status == CandidateStatus::done) stored[s.index] = std::move(s);
    const auto notify = [&](const GeneratorSample& s, CandidateEvent event) {
        if (callbacks.on_sample) callbacks.on_sample(s, event);
    };
    std::vector<GeneratorSample> out;
    for (int i = 0; i < request.count; ++i) {
        if (stored.count(i)) {
            out.push_back(stored[i]);
            notify(out.back(), CandidateEvent::skipped);
            continue;
        }
        GeneratorSample s;
        s.candidate = request.candidate;
        s.index = i;
        s.seed = derive_seed(run.draw.seed, SeedPurpose::generator_sample, static_cast<std::uint64_t>(i));
        notify(s, CandidateEvent::started);
        try {
            train_sample(s, run, data, request, callbacks.train);
        } catch (const InputError& e) {  // graphs not connected within the tries, over the memory limit
            s.status = CandidateStatus::failed;
            s.detail = e.what();
        } catch (const c10::Error& e) {
            s.status = CandidateStatus::failed;
            s.detail = e.what_without_backtrace();
        }
        store.save_sample(s);
        out.push_back(s);
        notify(s, s.status == CandidateStatus::done ? CandidateEvent::done : CandidateEvent::failed);
    }
    return out;
}

Spread spread_of(const std::vector<double>& values)
{
    Spread s;
    s.count = static_cast<int>(values.size());
    if (values.empty()) return s;
    for (double v : values) s.mean += v;
    s.mean /= static_cast<double>(values.size());
    if (values.size() < 2) return s;
    double squares = 0.0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(squares / static_cast<double>(values.size() - 1));
    return s;
}

GeneratorSpread generator_spread(const std::vector<GeneratorSample>& samples)
{
    GeneratorSpread out;
    std::vector<double> errors, params, madds, latency;
    for (const auto& s : samples) {
        if (s.status == CandidateStatus::failed) ++out.failed;
        if (s.status != CandidateStatus::done) continue;
        ++out.done;
        errors.push_back(s.val_error);
        params.push_back(static_cast<double>(s.parameters));
        madds.push_back(static_cast<double>(s.multiply_adds));
        latency.push_back(s.latency_ms);
    }
    out.val_error = spread_of(errors);
    out.parameters = spread_of(params);
    out.multiply_adds = spread_of(madds);
    out.latency_ms = spread_of(latency);
    return out;
}

nlohmann::json to_json(const GeneratorSpread& spread)
{
    const auto one = [](const Spread& s) { return nlohmann::json{{"count", s.count}, {"mean", s.mean}, {"std", s.std}}; };
    return {{"done", spread.done},
            {"failed", spread.failed},
            {"val_error", one(spread.val_error)},
            {"parameters", one(spread.parameters)},
            {"multiply_adds", one(spread.multiply_adds)},
            {"latency_ms", one(spread.latency_ms)}};
}

} // namespace paretonas
