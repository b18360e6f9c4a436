// Training throughput of paretonas against Python PyTorch on the same network, in one run.
//
// Network: conv 32-64-128-128 (3x3, BN, ReLU), max pools after the 2nd and 3rd conv, global
// average pool, linear; batch 128 of 28x28x1; SGD (Nesterov, weight decay). Both sides train on
// uint8 images held in memory and normalise per batch. The runs alternate (paretonas, peer,
// paretonas, ...) and the medians are compared, so drift of a noisy machine hits both.
//
// `--arch A.json` measures any paretonas architecture instead (the peer builds the same graph from
// the JSON), `--eval N` evaluation at batch N instead of training, and `--profile` prints the
// tuned peer's time per operator: the same ATen operators paretonas calls. (LibTorch 1.13's
// legacy C++ profiler slowed paretonas' steps 5x, so its table would mislead.)
//
// Also measures the machine's FMA peak with a register-only kernel and reports the achieved
// GFLOP/s (training ~ 3x forward multiply-adds, 2 FLOP each) as a fraction of it.
#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/train/runtime.hpp>
#include <paretonas/train/trainer.hpp>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <thread>

using namespace paretonas;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// Twelve independent accumulators hide the FMA latency (4 cycles x 2-3 pipes), so the loop runs
// at the FMA units' throughput: the machine's practical peak.
__attribute__((target("avx512f"))) double fma_kernel_avx512(long iterations)
{
    __m512 acc[12];
    for (auto& a : acc) a = _mm512_set1_ps(0.0f);
    const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (long i = 0; i < iterations; ++i)
        for (auto& a : acc) a = _mm512_fmadd_ps(a, x, y);
    float sink = 0;
    for (auto& a : acc) sink += _mm512_reduce_add_ps(a);
    return sink;
}

__attribute__((target("avx2,fma"))) double fma_kernel_avx2(long iterations)
{
    __m256 acc[12];
    for (auto& a : acc) a = _mm256_set1_ps(0.0f);
    const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    for (long i = 0; i < iterations; ++i)
        for (auto& a : acc) a = _mm256_fmadd_ps(a, x, y);
    alignas(32) float out[8];
    float sink = 0;
    for (auto& a : acc) {
        _mm256_store_ps(out, a);
        for (float f : out) sink += f;
    }
    return sink;
}

struct Peak {
    double gflops;
    const char* isa;
};

Peak measure_fma_peak(int threads)
{
    const bool avx512 = __builtin_cpu_supports("avx512f");
    const double flops_per_iteration = 12.0 * (avx512 ? 16 : 8) * 2;
    const long iterations = 50'000'000;
    std::vector<double> sinks(threads);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] { sinks[t] = avx512 ? fma_kernel_avx512(iterations) : fma_kernel_avx2(iterations); });
    for (auto& th : pool) th.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (sinks[0] == 12345.0) std::puts("");  // keeps the kernels from being optimised away
    return {threads * iterations * flops_per_iteration / s / 1e9, avx512 ? "AVX-512" : "AVX2"};
}

std::shared_ptr<ImageSet> random_images(std::int64_t count, const Shape& shape)
{
    auto set = std::make_shared<ImageSet>();
    set->name = "random";
    set->channels = shape[0];
    set->height = shape[1];
    set->width = shape[2];
    set->num_classes = 10;
    std::mt19937 rng(0);
    set->pixels.resize(static_cast<std::size_t>(count * shape[0] * shape[1] * shape[2]));
    for (auto& p : set->pixels) p = static_cast<std::uint8_t>(rng());
    for (std::int64_t i = 0; i < count; ++i) set->labels.push_back(static_cast<std::uint8_t>(rng() % 10));
    return set;
}

// Training images per second, or with `eval_batch` > 0 evaluation images per second at that batch
// (how the searches validate every candidate) after the same warm-up training.
double paretonas_images_per_second(const Architecture& arch, int batches, int warmup, bool channels_last, int eval_batch)
{
    const auto data = DataView::all(random_images(128LL * batches, arch.input_shape()));
    const Normalization norm{{0.286f}, {0.353f}};
    TrainConfig config;
    config.epochs = 1;
    config.batch_size = 128;
    config.layout = channels_last ? MemoryLayout::nhwc : MemoryLayout::nchw;
    config.augment = {};
    seed_everything(0);
    Network net(arch);
    train(net, data.head(128LL * warmup), nullptr, norm, config, torch::kCPU);
    if (eval_batch <= 0) return train(net, data, nullptr, norm, config, torch::kCPU).history.at(0).images_per_second;
    const auto start = std::chrono::steady_clock::now();
    evaluate(net, data, norm, torch::kCPU, eval_batch);
    return data.size() / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// `tuned`: the peer gets paretonas' allocator settings (mmap off, trim threshold 1 GiB) through
// glibc's environment variables, to separate what the allocator lever gives from what the C++
// side gives.
double peer_images_per_second(const std::string& python, const std::string& script, const std::string& arch_file,
                              int threads, int batches, bool channels_last, bool tuned, int eval_batch, bool profile)
{
    const std::string env = tuned ? "MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1073741824 " : "";
    const std::string cmd = env + python + " " + script + " --threads " + std::to_string(threads) + " --batches " +
                            std::to_string(batches) + (channels_last ? " --channels-last" : "") +
                            (arch_file.empty() ? "" : " --arch '" + arch_file + "'") +
                            (eval_batch > 0 ? " --eval " + std::to_string(eval_batch) : "") + (profile ? " --profile" : "") +
                            " 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run " + cmd);
    char line[512];
    double value = -1;
    std::string output;
    while (std::fgets(line, sizeof line, pipe)) {
        output += line;
        std::sscanf(line, "peer img/s %lf", &value);
        if (profile) std::fputs(line, stdout);
    }
    if (pclose(pipe) != 0 || value <= 0) throw std::runtime_error("peer failed: " + cmd + "\n" + output);
    return value;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"training throughput: paretonas vs Python PyTorch on the same network"};
    std::vector<int> thread_counts{1, 2};
    int batches = 40, warmup = 5, repeats = 3;
    bool no_tune = false, nchw = false, no_peer = false, profile = false;
    int eval_batch = 0;
    std::string arch_file;
    std::string python = "/usr/bin/python3";
    std::string script = std::string(PARETONAS_SOURCE_DIR) + "/bench/train_throughput_peer.py";
    app.add_option("--threads", thread_counts, "thread counts to measure")->delimiter(',');
    app.add_option("--batches", batches, "timed batches per run");
    app.add_option("--repeats", repeats, "alternating runs per side (median reported)");
    app.add_flag("--no-tune-allocator", no_tune, "leave glibc's malloc thresholds alone (the 'before' figure)");
    app.add_flag("--nchw", nchw, "NCHW activations for paretonas and the tuned peer (default: NHWC, paretonas' CPU default)");
    app.add_flag("--no-peer", no_peer, "skip the Python peer");
    app.add_option("--python", python, "Python with torch (Debian python3-torch)");
    app.add_option("--arch", arch_file, "a paretonas architecture JSON instead of the 4-conv network")->check(CLI::ExistingFile);
    app.add_option("--eval", eval_batch, "evaluation at this batch (no gradients) instead of training steps")
        ->check(CLI::PositiveNumber);
    app.add_flag("--profile", profile, "print the tuned peer's time per operator (the ATen operators both sides call)");
    CLI11_PARSE(app, argc, argv);
    const bool channels_last = !nchw;

    RuntimeOptions runtime;
    runtime.tune_allocator = !no_tune;
    configure_runtime(runtime);
    Architecture arch;
    try {
        arch = arch_file.empty() ? conv_chain({1, 28, 28}, 10, {32, 64, 128, 128}, {1, 2})
                                 : Architecture::from_json(read_text_file(arch_file, "architecture"));
    } catch (const InputError& e) {
        std::fprintf(stderr, "train_throughput: %s: %s\n", arch_file.c_str(), e.what());
        return 2;
    }
    // Training ~ 3x the forward multiply-adds (forward, input and weight gradients), evaluation 1x.
    const double flops_per_image = 2.0 * (eval_batch > 0 ? 1.0 : 3.0) * static_cast<double>(multiply_adds(arch));
    std::printf("network: %lld params, %.1f MMAdds/image forward; allocator tuning %s; %s\n",
                static_cast<long long>(parameter_count(arch)), multiply_adds(arch) / 1e6, no_tune ? "off" : "on",
                channels_last ? "channels_last" : "NCHW");
    std::printf("img/s; 'pytorch' runs as a user would write it (NCHW, glibc defaults), 'pytorch-tuned' gets\n"
                "the same allocator thresholds and memory layout as paretonas\n");
    std::printf("%-8s %12s %12s %7s %14s %7s %9s %9s %8s\n", "threads", "paretonas", "pytorch", "ratio", "pytorch-tuned",
                "ratio", "GFLOP/s", "peak", "of peak");
    for (int threads : thread_counts) {
        torch::set_num_threads(threads);
        std::vector<double> ours, peer, peer_tuned;
        for (int r = 0; r < repeats; ++r) {
            const bool profile_this = profile && r == 0;
            ours.push_back(paretonas_images_per_second(arch, batches, warmup, channels_last, eval_batch));
            if (no_peer) continue;
            peer.push_back(peer_images_per_second(python, script, arch_file, threads, batches, false, false, eval_batch, false));
            peer_tuned.push_back(peer_images_per_second(python, script, arch_file, threads, batches, channels_last, !no_tune,
                                                        eval_batch, profile_this));
        }
        const double ours_m = median(ours);
        const double peer_m = no_peer ? 0.0 : median(peer);
        const double tuned_m = no_peer ? 0.0 : median(peer_tuned);
        const auto peak = measure_fma_peak(threads);
        const double gflops = ours_m * flops_per_image / 1e9;
        std::printf("%-8d %12.1f %12.1f %7.2f %14.1f %7.2f %9.1f %9.1f %7.1f%%  (%s FMA peak, measured)\n", threads, ours_m,
                    peer_m, no_peer ? 0.0 : ours_m / peer_m, tuned_m, no_peer ? 0.0 : ours_m / tuned_m, gflops, peak.gflops,
                    100 * gflops / peak.gflops, peak.isa);
        std::fflush(stdout);
    }
    return 0;
}
