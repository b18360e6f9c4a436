#include "sample_command.hpp"

#include "progress.hpp"
#include "run_view.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/search/generator_spread.hpp>
#include <paretonas/train/runtime.hpp>

#include <cstdio>

namespace paretonas::cli {

CLI::App* add_sample_command(CLI::App& app, CommonOptions& common, SampleOptions& o)
{
    auto* cmd = app.add_subcommand("sample",
                                   "draw and train more networks from the generator behind a candidate of a generator run, and "
                                   "report their spread (mean +- std)");
    add_common_options(cmd, common);
    cmd->add_option("--run", o.run, "search run directory")->required();
    cmd->add_option("--id", o.id, "candidate id (see `paretonas front`)")->required();
    cmd->add_option("--count", o.count, "networks to draw; those already trained are kept")->capture_default_str()->check(CLI::Range(1, 10000));
    return cmd;
}

namespace {

nlohmann::json sample_json(const GeneratorSample& s)
{
    const bool done = s.status == CandidateStatus::done;
    const auto or_null = [done](const nlohmann::json& v) { return done ? v : nlohmann::json(); };
    return {{"candidate", s.candidate},        {"index", s.index},         {"seed", s.seed},
            {"status", status_name(s.status)}, {"val_error", or_null(s.val_error)}, {"parameters", s.parameters},
            {"multiply_adds", s.multiply_adds}, {"latency_ms", or_null(s.latency_ms)}, {"seconds", s.seconds},
            {"detail", s.detail}};
}

std::string sample_line(const GeneratorSample& s)
{
    char line[200];
    std::snprintf(line, sizeof line, "%6d %9s %10lld %13lld %11.3f %9s", s.index,
                  s.status == CandidateStatus::done ? percent(s.val_error).c_str() : "failed", static_cast<long long>(s.parameters),
                  static_cast<long long>(s.multiply_adds), s.latency_ms, format_duration(s.seconds).c_str());
    return line;
}

void print_spread(const Candidate& c, const std::vector<GeneratorSample>& samples, const GeneratorSpread& spread, std::ostream& out)
{
    char line[300];
    std::snprintf(line, sizeof line, "%6s %9s %10s %13s %11s %9s\n", "sample", "val err", "params", "multiply-adds", "latency ms", "train");
    out << line;
    for (const auto& s : samples) out << sample_line(s) << (s.detail.empty() ? "" : "  " + one_line(s.detail)) << "\n";
    if (spread.done == 0) {
        out << "generator of candidate " << c.id << ": none of " << samples.size() << " networks trained\n";
        return;
    }
    // The candidate may have stopped at a successive-halving rung; the samples train every epoch.
    std::snprintf(line, sizeof line,
                  "generator of candidate %lld, %d of %d networks trained: val error %s +- %s (the candidate: %s after %d epochs), "
                  "params %.0f +- %.0f (%lld), multiply-adds %.0f +- %.0f (%lld)\n",
                  static_cast<long long>(c.id), spread.done, static_cast<int>(samples.size()), percent(spread.val_error.mean).c_str(),
                  percent(spread.val_error.std).c_str(), percent(c.val_error).c_str(), c.epochs, spread.parameters.mean,
                  spread.parameters.std, static_cast<long long>(c.parameters), spread.multiply_adds.mean, spread.multiply_adds.std,
                  static_cast<long long>(c.multiply_adds));
    out << line;
}

} // namespace

int run_sample(const CommonOptions& common, const SampleOptions& o, std::ostream& out)
{
    SampleRequest request;
    request.candidate = o.id;
    request.count = o.count;
    request.device = parse_device(common.device);
    request.max_memory_bytes = parse_memory_limit(common.max_memory, request.device);
    RunStore store = RunStore::open(o.run);
    const auto candidate = trained_candidate(store, o.id);
    const auto data = run_data(store);

    auto progress = make_progress(common, out);
    progress.log("start",
                 "sampling " + std::to_string(o.count) + " networks from the generator of candidate " + std::to_string(o.id) + " of " +
                     o.run + ": " + data.summary(),
                 {{"run", o.run}, {"id", o.id}, {"count", o.count}});
    SampleCallbacks callbacks;
    callbacks.train = progress.callbacks(candidate.epochs, false);
    callbacks.on_sample = [&](const GeneratorSample& s, CandidateEvent event) {
        const std::string head = "sample " + std::to_string(s.index + 1) + "/" + std::to_string(o.count);
        if (event == CandidateEvent::started) {
            progress.set_context(head);
            return;
        }
        auto j = sample_json(s);
        j["outcome"] = candidate_event_name(event);  // "skipped": trained by an earlier call
        progress.log("sample", head + " " + candidate_event_name(event) + ": " + sample_line(s), j);
    };
    const auto samples = sample_generator(store, data, request, callbacks);
    const auto spread = generator_spread(samples);
    if (common.json_log) {
        auto summary = to_json(spread);
        summary["event"] = "spread";
        summary["run"] = o.run;
        summary["id"] = o.id;
        out << summary.dump() << std::endl;
    } else {
        print_spread(candidate, samples, spread, out);
    }
    return 0;
}

} // namespace paretonas::cli
