#include <paretonas/export/finalize.hpp>

#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/core/memory.hpp>
#include <paretonas/core/seeds.hpp>
#include <paretonas/train/runtime.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

namespace paretonas {

void FinalizeConfig::validate() const
{
    require_in_range("finalize epochs", epochs, 1, 1e4);
    require_in_range("finalize lr_start", lr_start, 1e-6, 10.0);
    require_in_range("finalize lr_end", lr_end, 0.0, lr_start);
    latency.validate();
    train.validate();
}

std::string FinalizeConfig::recipe() const
{
    char text[96];
    std::snprintf(text, sizeof text, "e%d-lr%g-b%d-s%llu%s", epochs, lr_start, train.batch_size, static_cast<unsigned long long>(seed),
                  from_scratch ? "-scratch" : "");
    return text;
}

std::vector<Candidate> finalizable(const RunStore& store, const std::vector<std::int64_t>& ids)
{
    if (ids.empty()) fail("finalize: no models chosen");
    std::vector<Candidate> out;
    for (auto id : ids) out.push_back(trained_candidate(store, id));
    return out;
}

namespace {

using Clock = std::chrono::steady_clock;

FinalModel pending_final(const Candidate& c, const FinalizeConfig& config)
{
    FinalModel f;
    f.candidate = c.id;
    f.recipe = config.recipe();
    f.epochs = config.epochs;
    f.from_scratch = config.from_scratch;
    return f;
}

FinalModel train_final(RunStore& store, const Candidate& c, const DataView& train_data, const DataView& test,
                       const Normalization& norm, const FinalizeConfig& config, c10::Device device, const TrainCallbacks& callbacks)
{
    // A model over the memory limit fails with the estimate before anything is allocated.
    require_training_memory(c.arch, config.train.batch_size, config.max_memory_bytes, "candidate " + std::to_string(c.id));
    FinalModel f = pending_final(c, config);
    f.status = CandidateStatus::training;
    store.save_final(f);
    const auto t0 = Clock::now();
    const auto seed = derive_seed(config.seed, SeedPurpose::final_training, static_cast<std::uint64_t>(c.id));
    seed_everything(seed);
    Network net = config.from_scratch ? Network(c.arch) : load_network(c.arch, store.weights_path(c.weights), device);
    net->to(device);
    train(net, train_data, nullptr, norm, cosine_cycle(config.train, config.epochs, config.lr_start, config.lr_end, seed), device,
          callbacks);
    f.test_error = evaluate(net, test, norm, device).error;
    f.latency_ms = measure_latency(*net, device, config.latency).median_ms;
    f.weights = f.name() + ".pt";
    ensure_directory(std::filesystem::path(store.final_path(f.weights)).parent_path().string());
    save_weights(net, store.final_path(f.weights));
    c.arch.save(store.final_path(f.name() + ".json"));
    f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    f.status = CandidateStatus::done;
    return f;
}

} // namespace

std::vector<FinalModel> finalize(RunStore& store, const std::vector<std::int64_t>& ids, const DataView& train_data,
                                 const DataView& test, const Normalization& norm, const FinalizeConfig& config,
                                 c10::Device device, const FinalizeCallbacks& callbacks)
{
    config.validate();
    const auto chosen = finalizable(store, ids);
    std::map<std::int64_t, FinalModel> finished;
    for (const auto& f : store.finals())
        if (f.status == CandidateStatus::done && f.recipe == config.recipe()) finished[f.candidate] = f;
    const auto notify = [&](const Candidate& c, const FinalModel& f, CandidateEvent event, std::size_t i, const std::string& detail = {}) {
        if (callbacks.on_model) callbacks.on_model(c, f, event, detail, static_cast<int>(i + 1), static_cast<int>(chosen.size()));
    };
    std::vector<FinalModel> out;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const auto& c = chosen[i];
        if (finished.count(c.id)) {
            out.push_back(finished[c.id]);
            notify(c, out.back(), CandidateEvent::skipped, i);
            continue;
        }
        const auto pending = pending_final(c, config);
        notify(c, pending, CandidateEvent::started, i);
        FinalModel f;
        std::string why;
        try {
            f = train_final(store, c, train_data, test, norm, config, device, callbacks.train);
        } catch (const InputError& e) {
            why = e.what();
        } catch (const c10::Error& e) {
            why = e.what_without_backtrace();
        }
        if (!why.empty()) {
            // A model that does not train (unreadable weights, out of memory on the device) does
            // not stop the others.
            f = pending;
            f.status = CandidateStatus::failed;
            store.save_final(f);
            out.push_back(f);
            notify(c, f, CandidateEvent::failed, i, why);
            continue;
        }
        store.save_final(f);
        finished[c.id] = f;  // an id given twice trains once
        out.push_back(f);
        notify(c, f, CandidateEvent::done, i);
    }
    return out;
}

} // namespace paretonas
