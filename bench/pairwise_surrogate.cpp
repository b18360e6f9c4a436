// Chooses SMEM-NAS's ranking surrogate: Kendall tau of each learner on real archives (run stores
// of chain-space searches in bench/results/), and the time to fit on an archive and score a
// pool (docs/methods/smem.md, docs/performance.md).
//
// Quality, two protocols on every archive (candidates in the order they were trained):
// - "next": as SMEM-NAS logs it, out of sample: fit on the first t candidates, rank the next
//   `step` before they are seen (scored against the first t), t = first, first + step, ...;
// - "split": `repeats` random two-thirds / one-third splits, ranked on the third.
// Speed: a synthetic archive of `archive` random chain genomes with a smooth error, a pool of
// `pool` random genomes scored against `reference` archive members; median of 3.
#include <paretonas/core/error.hpp>
#include <paretonas/core/rank_correlation.hpp>
#include <paretonas/search/baselines.hpp>
#include <paretonas/surrogate/pairwise.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

using namespace paretonas;

namespace {

struct Variant {
    std::string learner;
    PairFeatures features;
    bool one_hot;
    std::string label() const
    {
        return learner + (learner == "xgboost-rank" ? "" : std::string(" ") + pair_features_name(features)) + (one_hot ? " one-hot" : "");
    }
};

struct Archive {
    std::string name;
    std::vector<Genome> genomes;
    std::vector<double> errors;
    std::unique_ptr<ChainSpace> space;
};

Archive read_archive(const std::string& dir)
{
    const auto store = RunStore::open_read_only(dir);
    const auto run = RunSettings::of(store);
    const auto settings = BaselineSettings::from_json(run.method, run.method_settings);
    Archive archive{dir, {}, {}, nullptr};
    for (const auto& c : store.candidates()) {
        if (c.status != CandidateStatus::done || genome_of(c).empty()) continue;
        if (!archive.space) archive.space = std::make_unique<ChainSpace>(settings.space, c.arch.input_shape(), c.arch.num_classes());
        archive.genomes.push_back(genome_of(c));
        archive.errors.push_back(c.val_error);
    }
    if (archive.genomes.size() < 10) fail(dir + ": fewer than 10 trained chain-space candidates");
    return archive;
}

std::vector<RankedPoint> points(const Archive& a, const Variant& v, const std::vector<std::size_t>& ids)
{
    std::vector<RankedPoint> out;
    for (std::size_t i : ids) out.push_back({a.space->encode(a.genomes[i], v.one_hot), a.errors[i]});
    return out;
}

// Tau of the surrogate's ranking of `test` (scored against `train`) against their true errors;
// NaN when the test errors are all equal.
double held_out_tau(const Archive& a, const Variant& v, const std::vector<std::size_t>& train, const std::vector<std::size_t>& test,
                    std::mt19937_64& rng)
{
    SurrogateOptions options;
    options.learner = v.learner;
    options.features = v.features;
    auto surrogate = make_rank_surrogate(options);
    const auto fit_points = points(a, v, train), test_points = points(a, v, test);
    surrogate->fit(fit_points, rng);
    std::vector<Features> pool, reference;
    for (const auto& p : test_points) pool.push_back(p.features);
    for (const auto& p : fit_points) reference.push_back(p.features);
    const auto scores = win_scores(*surrogate, pool, reference);
    std::vector<double> predicted, truth;
    for (std::size_t i = 0; i < test.size(); ++i) {
        predicted.push_back(-scores[i]);
        truth.push_back(test_points[i].value);
    }
    if (std::all_of(truth.begin(), truth.end(), [&](double e) { return e == truth.front(); })) return std::nan("");
    return kendall_tau(predicted, truth);
}

struct Taus {
    std::vector<double> next, split;
};

Taus measure(const Archive& a, const Variant& v, int first, int step, int repeats)
{
    Taus taus;
    std::mt19937_64 rng(17);
    const std::size_t n = a.genomes.size();
    for (std::size_t t = static_cast<std::size_t>(first); t + 2 <= n; t += static_cast<std::size_t>(step)) {
        std::vector<std::size_t> train(t), test;
        std::iota(train.begin(), train.end(), 0);
        for (std::size_t i = t; i < std::min(n, t + static_cast<std::size_t>(step)); ++i) test.push_back(i);
        const double tau = held_out_tau(a, v, train, test, rng);
        if (!std::isnan(tau)) taus.next.push_back(tau);
    }
    for (int r = 0; r < repeats; ++r) {
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        const std::size_t cut = 2 * n / 3;
        const double tau = held_out_tau(a, v, {order.begin(), order.begin() + static_cast<std::ptrdiff_t>(cut)},
                                        {order.begin() + static_cast<std::ptrdiff_t>(cut), order.end()}, rng);
        if (!std::isnan(tau)) taus.split.push_back(tau);
    }
    return taus;
}

double mean(const std::vector<double>& v) { return v.empty() ? std::nan("") : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

// Seconds to fit on `archive_size` synthetic points and score `pool_size` against `reference_size`.
double seconds_to_fit_and_score(const Variant& v, int archive_size, int pool_size, int reference_size, int threads)
{
    const ChainSpace space(ChainSpaceConfig{}, {1, 28, 28}, 10);
    std::mt19937_64 rng(3);
    std::normal_distribution<double> noise(0.0, 0.01);
    std::vector<RankedPoint> archive;
    for (int i = 0; i < archive_size; ++i) {
        auto x = space.encode(space.sample(rng), v.one_hot);
        const double error = 0.3 - 0.1 * std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size()) + 0.05 * x[1] * x[2] + noise(rng);
        archive.push_back({std::move(x), error});
    }
    std::vector<Features> pool, reference;
    for (int i = 0; i < pool_size; ++i) pool.push_back(space.encode(space.sample(rng), v.one_hot));
    for (int i = 0; i < reference_size; ++i) reference.push_back(archive[static_cast<std::size_t>(i)].features);
    SurrogateOptions options;
    options.learner = v.learner;
    options.features = v.features;
    options.threads = threads;
    std::vector<double> times;
    for (int r = 0; r < 3; ++r) {
        const auto start = std::chrono::steady_clock::now();
        auto surrogate = make_rank_surrogate(options);
        surrogate->fit(archive, rng);
        win_scores(*surrogate, pool, reference);
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[1];
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"SMEM-NAS ranking surrogates: out-of-sample Kendall tau on real archives, fit + score time"};
    std::vector<std::string> archives;
    int first = 16, step = 8, repeats = 20, archive_size = 300, pool_size = 1000, reference_size = 50, threads = 2;
    app.add_option("--archives", archives, "run directories of chain-space searches (nsga2, random)")->required();
    app.add_option("--first", first, "'next' protocol: candidates in the first fit");
    app.add_option("--step", step, "'next' protocol: candidates ranked per step");
    app.add_option("--repeats", repeats, "'split' protocol: random splits per archive");
    app.add_option("--archive", archive_size, "speed: archive size");
    app.add_option("--pool", pool_size, "speed: pool size");
    app.add_option("--reference", reference_size, "speed: reference set size");
    app.add_option("--threads", threads, "XGBoost threads in the speed test");
    CLI11_PARSE(app, argc, argv);
    try {
        std::vector<Archive> loaded;
        for (const auto& dir : archives) loaded.push_back(read_archive(dir));
        std::vector<Variant> variants;
        for (bool one_hot : {false, true}) {
            for (const std::string learner : {"svm", "xgboost"})
                for (PairFeatures f : {PairFeatures::concat, PairFeatures::difference}) variants.push_back({learner, f, one_hot});
            variants.push_back({"xgboost-rank", PairFeatures::concat, one_hot});
        }
        std::printf("| learner | tau 'next' (mean over steps) | tau 'split' (mean) | fit + score s (archive %d, pool %d, reference %d) |\n",
                    archive_size, pool_size, reference_size);
        std::printf("|---|---|---|---|\n");
        for (const auto& v : variants) {
            std::vector<double> next, split;
            for (const auto& a : loaded) {
                const auto t = measure(a, v, first, step, repeats);
                next.insert(next.end(), t.next.begin(), t.next.end());
                split.insert(split.end(), t.split.begin(), t.split.end());
            }
            const double seconds = seconds_to_fit_and_score(v, archive_size, pool_size, reference_size, threads);
            std::printf("| %s | %.3f (%zu steps) | %.3f (%zu splits) | %.3f |\n", v.label().c_str(), mean(next), next.size(), mean(split),
                        split.size(), seconds);
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pairwise_surrogate: error: %s\n", e.what());
        return 2;
    }
    return 0;
}
