#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/morph/inherit.hpp>
#include <paretonas/search/nash.hpp>
#include <paretonas/train/runtime.hpp>

#include <torch/torch.h>

#include <chrono>

namespace paretonas {

NashConfig NashConfig::paper()
{
    NashConfig c;
    c.steps = 8;
    c.neighbours = 7;
    c.morphisms_per_child = 5;
    c.epochs_neighbour = 17;
    c.epochs_final = 20;
    c.lr_start = 0.05;
    c.lr_end = 0.0;
    c.train.weight_decay = 5e-4;
    c.train.momentum = 0.9;
    return c;
}

void NashConfig::validate() const
{
    require_in_range("nash steps", steps, 1, 1e6);
    require_in_range("nash neighbours", neighbours, 1, 1e4);
    require_in_range("nash morphisms_per_child", morphisms_per_child, 1, 100);
    require_in_range("nash epochs_neighbour", epochs_neighbour, 1, 1e4);
    require_in_range("nash epochs_final", epochs_final, 0, 1e4);
    require_in_range("nash lr_start", lr_start, 1e-6, 10.0);
    require_in_range("nash lr_end", lr_end, 0.0, lr_start);
    require_in_range("nash budget_seconds", budget_seconds, 0.0, 1e9);
}

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// One cosine cycle lr_start -> lr_end: the restart of SGDR happens at every neighbour.
TrainConfig cycle(const NashConfig& c, int epochs, std::uint64_t seed) { return cosine_cycle(c.train, epochs, c.lr_start, c.lr_end, seed); }

} // namespace

double ensemble_error(std::vector<Network>& members, const DataView& data, const Normalization& norm, c10::Device device)
{
    if (members.empty()) fail("an ensemble needs at least one member");
    torch::Tensor sum;
    for (auto& m : members) {
        // Each member visits the device and goes back where it was kept (nash keeps its
        // snapshots on the CPU, so device memory does not grow with the number of steps).
        const auto params = m->parameters();
        const c10::Device home = params.empty() ? device : params.front().device();
        auto p = predict_probabilities(m, data, norm, device);
        m->to(home);
        sum = sum.defined() ? sum + p : p;
    }
    std::vector<std::int64_t> labels;
    for (auto i : data.indices) labels.push_back(data.set->labels[static_cast<std::size_t>(i)]);
    const auto truth = torch::tensor(labels, torch::kLong);
    return sum.argmax(1).ne(truth).sum().item<double>() / static_cast<double>(data.size());
}

NashResult nash(Network start, const DataView& train_data, const DataView& validation, const Normalization& norm,
                const NashConfig& config, c10::Device device, const NashCallbacks& callbacks)
{
    config.validate();
    config.train.validate();
    if (validation.size() == 0) fail("NASH needs a validation set");
    const MorphismSampler sampler(config.operators);
    std::mt19937_64 rng(config.seed);
    const auto run_start = Clock::now();

    NashResult result;
    start->to(device);
    result.start_val_error = evaluate(start, validation, norm, device).error;
    Network incumbent = start;
    double incumbent_error = result.start_val_error;
    // The best model seen, the start included: a step's winner is trained anew and can be
    // worse than an earlier one.
    Network best = start;
    double best_error = result.start_val_error;
    std::uint64_t trained = 0;

    for (int step = 1; step <= config.steps; ++step) {
        if (config.budget_seconds > 0 && since(run_start) >= config.budget_seconds) break;
        const auto step_start = Clock::now();
        NashStep log;
        log.step = step;
        std::vector<Network> nets;
        const int total = config.neighbours + 1;
        for (int j = 0; j < total; ++j) {
            // Checked per candidate too, so a run overruns its budget by one candidate at most.
            if (j > 0 && config.budget_seconds > 0 && since(run_start) >= config.budget_seconds) break;
            const auto t0 = Clock::now();
            if (callbacks.on_candidate) callbacks.on_candidate(step, j + 1, total);
            NashCandidate cand;
            seed_everything(config.seed * 1000003 + ++trained);
            // The last neighbour is the incumbent itself, trained for another cycle.
            Network net = clone_network(*incumbent);
            if (j < config.neighbours) {
                for (int k = 0; k < config.morphisms_per_child; ++k) {
                    // A draw can be refused at build time (a chain of widenings past the size
                    // cap): draw again, a few times, rather than end the search.
                    for (int attempt = 0;; ++attempt) {
                        const auto m = sampler.sample(net->architecture(), rng);
                        try {
                            net = inherit(*net, m);
                            cand.applied.push_back(m.applied);
                            break;
                        } catch (const InputError&) {
                            if (attempt == 9) throw;
                        }
                    }
                }
            }
            train(net, train_data, nullptr, norm, cycle(config, config.epochs_neighbour, trained), device, callbacks.train);
            cand.arch = net->architecture();
            cand.val_error = evaluate(net, validation, norm, device).error;
            cand.parameters = parameter_count(cand.arch);
            cand.seconds = since(t0);
            log.candidates.push_back(std::move(cand));
            nets.push_back(net);
        }
        for (std::size_t j = 1; j < log.candidates.size(); ++j)
            if (log.candidates[j].val_error < log.candidates[log.best].val_error) log.best = j;
        incumbent = nets[log.best];
        incumbent_error = log.candidates[log.best].val_error;
        result.snapshots.push_back(clone_network(*incumbent));
        result.snapshots.back()->to(torch::kCPU);
        if (incumbent_error < best_error) {
            best_error = incumbent_error;
            best = incumbent;
        }
        log.seconds = since(step_start);
        if (callbacks.on_step) callbacks.on_step(log);
        result.history.push_back(std::move(log));
    }
    if (config.epochs_final > 0) {
        best = clone_network(*best);
        train(best, train_data, nullptr, norm, cycle(config, config.epochs_final, ++trained), device, callbacks.train);
        best_error = evaluate(best, validation, norm, device).error;
    }
    result.best = best;
    result.best_val_error = best_error;
    if (!result.snapshots.empty()) result.ensemble_val_error = ensemble_error(result.snapshots, validation, norm, device);
    result.seconds = since(run_start);
    return result;
}

} // namespace paretonas
