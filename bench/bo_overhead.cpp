// The overhead of NAGO's Bayesian optimisation per generation: fitting the GP to `points`
// evaluated generators and choosing a batch of `batch` proposals by EHVI (kriging believer),
// costs of every scored candidate estimated from sampled architectures as the search does.
// The evaluated errors are synthetic (a smooth function of theta plus noise): the time does not
// depend on their values. Prints the median of `repeats` proposals and what share of a
// generation of `batch` networks at `seconds-per-network` that is.
#include <paretonas/bo/proposer.hpp>
#include <paretonas/generator/generator_costs.hpp>
#include <paretonas/search/nago.hpp>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

using namespace paretonas;

int main(int argc, char** argv)
{
    CLI::App app{"NAGO Bayesian-optimisation overhead: GP fit + EHVI batch proposal"};
    int points = 200, batch = 4, repeats = 3, threads = 2;
    double seconds_per_network = 60.0;
    app.add_option("--points", points, "evaluated generators the GP is fitted to");
    app.add_option("--batch", batch, "proposals per generation");
    app.add_option("--repeats", repeats, "timed proposals (median reported)");
    app.add_option("--threads", threads, "LibTorch threads");
    app.add_option("--seconds-per-network", seconds_per_network, "training seconds of one network, for the overhead share");
    CLI11_PARSE(app, argc, argv);
    torch::set_num_threads(threads);

    const NagoSettings settings;  // the method's defaults: box, candidates, cost samples
    const std::vector<Objective> objectives{Objective::error, Objective::params};
    GeneratorCostEstimator estimator(settings.hierarchy, {1, 28, 28}, 10, objectives, settings.cost_samples);
    const ObjectiveVector reference{1.0, 8.0}, unreachable{8.0};
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::normal_distribution<double> noise(0.0, 0.01);
    std::vector<BoObservation> observed;
    for (int i = 0; i < points; ++i) {
        std::vector<double> u(GeneratorParams::dimensions);
        for (double& v : u) v = unit(rng);
        const GeneratorParams theta = settings.space.from_unit(u);
        const ObjectiveVector costs = estimator.costs(theta, unreachable);
        const double error = std::clamp(0.45 - 0.06 * costs[0] + 0.05 * u[2] + noise(rng), 0.02, 0.9);
        observed.push_back({settings.space.to_unit(theta), {error, costs[0]}});
    }
    ProposerSettings bo;
    bo.random_candidates = settings.random_candidates;
    bo.local_candidates = settings.local_candidates;
    std::vector<double> times, fits;
    GpPoints x;
    std::vector<double> errors;
    for (const auto& o : observed) {
        x.push_back(o.unit);
        errors.push_back(o.objectives[0]);
    }
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        GpFitOptions fit;
        fit.seed = 100 + r;
        GaussianProcess::fit(x, errors, fit);
        fits.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    for (int r = 0; r < repeats; ++r) {
        // A fresh estimator per repeat: the search meets new candidates every generation.
        GeneratorCostEstimator fresh(settings.hierarchy, {1, 28, 28}, 10, objectives, settings.cost_samples);
        const auto known = [&](const std::vector<double>& u) { return fresh.costs(settings.space.from_unit(u), unreachable); };
        const auto start = std::chrono::steady_clock::now();
        const auto proposals = propose_batch(observed, GeneratorParams::dimensions, known, reference, batch, 100 + r, bo);
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        if (static_cast<int>(proposals.size()) != batch) return 1;
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    std::printf("points %d  batch %d  candidates %d+%d  cost samples %d  threads %d\n", points, batch, bo.random_candidates,
                bo.local_candidates, settings.cost_samples, threads);
    std::sort(fits.begin(), fits.end());
    std::printf("proposal seconds: median %.3f (min %.3f, max %.3f), of which the GP fit %.3f\n", median, times.front(), times.back(),
                fits[fits.size() / 2]);
    std::printf("share of a generation of %d networks at %.0f s each: %.2f%%\n", batch, seconds_per_network,
                100.0 * median / (median + batch * seconds_per_network));
    return 0;
}
