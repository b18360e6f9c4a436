#include "finalize_command.hpp"

#include "progress.hpp"
#include "run_view.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/train/runtime.hpp>

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

namespace paretonas::cli {

CLI::App* add_finalize_command(CLI::App& app, CommonOptions& common, FinalizeOptions& o)
{
    auto* cmd = app.add_subcommand("finalize", "train chosen models of a search run on train + validation data and report test errors");
    add_common_options(cmd, common);
    cmd->add_option("--run", o.run, "search run directory")->required();
    auto* ids = cmd->add_option("--ids", o.ids, "candidate ids (see `paretonas front`), comma-separated")->delimiter(',');
    cmd->add_flag("--front", o.front, "every member of the current front (the default without --ids)")->excludes(ids);
    cmd->add_option("--epochs", o.config.epochs, "epochs per model (one cosine cycle)")->capture_default_str()->check(CLI::PositiveNumber);
    cmd->add_flag("--from-scratch", o.config.from_scratch, "train from fresh weights instead of continuing from the search's");
    cmd->add_option("--lr", o.config.lr_start, "peak learning rate")->capture_default_str();
    cmd->add_option("--batch-size", o.config.train.batch_size)->capture_default_str()->check(CLI::PositiveNumber);
    return cmd;
}

namespace {

// Seconds of training left after the current model, from this process's measured speed in
// multiply-adds per second (models differ in cost by orders of magnitude, not in image count).
class FinalizeEta {
public:
    explicit FinalizeEta(const std::vector<Candidate>& models) : m_models(models) {}
    void finished(const Candidate& c, double seconds)
    {
        m_madds += static_cast<double>(c.multiply_adds);
        m_seconds += seconds;
    }
    double after(std::size_t index) const
    {
        if (m_seconds <= 0) return 0.0;
        double madds = 0;
        for (std::size_t i = index + 1; i < m_models.size(); ++i) madds += static_cast<double>(m_models[i].multiply_adds);
        return madds * m_seconds / m_madds;
    }

private:
    const std::vector<Candidate>& m_models;
    double m_madds = 0, m_seconds = 0;
};

// One model's result for final.json and --json-log; what a failed model lacks is null.
nlohmann::json model_json(const Candidate& c, const FinalModel& f, const TestErrors& before, const RunStore& store, const std::string& status)
{
    const bool done = f.status == CandidateStatus::done;
    const auto or_null = [done](const nlohmann::json& v) { return done ? v : nlohmann::json(); };
    return {{"id", c.id},
            {"status", status},
            {"recipe", f.recipe},
            {"parameters", c.parameters},
            {"multiply_adds", c.multiply_adds},
            {"val_error", c.val_error},
            {"search_test_error", before.at(c.id)},
            {"test_error", or_null(f.test_error)},
            {"latency_ms", or_null(f.latency_ms)},
            {"seconds", f.seconds},
            {"weights", or_null(store.final_path(f.weights))},
            {"arch", or_null(store.final_path(f.name() + ".json"))}};
}

void print_finals(const std::vector<Candidate>& models, const std::vector<FinalModel>& finals, const TestErrors& before,
                  const RunStore& store, std::ostream& out)
{
    char line[400];
    std::snprintf(line, sizeof line, "%6s %10s %13s %9s %14s %13s %11s %9s  %s\n", "id", "params", "multiply-adds", "val err",
                  "search test", "final test", "latency ms", "train", "weights");
    out << line;
    for (std::size_t i = 0; i < models.size(); ++i) {
        const auto& c = models[i];
        const auto& f = finals[i];
        const bool done = f.status == CandidateStatus::done;
        std::snprintf(line, sizeof line, "%6lld %10lld %13lld %9s %14s %13s %11.3f %9s  %s\n", static_cast<long long>(c.id),
                      static_cast<long long>(c.parameters), static_cast<long long>(c.multiply_adds), percent(c.val_error).c_str(),
                      before.count(c.id) ? percent(before.at(c.id)).c_str() : "-", done ? percent(f.test_error).c_str() : "failed",
                      f.latency_ms, format_duration(f.seconds).c_str(), done ? store.final_path(f.weights).c_str() : "-");
        out << line;
    }
}

} // namespace

int run_finalize(const CommonOptions& common, FinalizeOptions& o, std::ostream& out)
{
    const auto device = parse_device(common.device);
    o.config.seed = common.seed;
    o.config.max_memory_bytes = parse_memory_limit(common.max_memory, device);
    o.config.validate();
    RunStore store = RunStore::open(o.run);
    const auto data = run_data(store);
    std::vector<std::int64_t> ids = o.ids;
    if (ids.empty())
        for (const auto& c : read_front(store).front) ids.push_back(c.id);
    if (ids.empty()) fail("run " + o.run + " has no trained models yet");
    const auto models = finalizable(store, ids);  // before any work: names a bad id at once

    // All labelled training data: the search's validation set has served its purpose.
    DataView train_all = data.split.train;
    train_all.indices.insert(train_all.indices.end(), data.split.validation.indices.begin(), data.split.validation.indices.end());
    const auto test = DataView::all(data.source.test);
    o.config.train.augment = default_augmentation(*data.source.train);

    auto progress = make_progress(common, out);
    const std::string recipe = std::to_string(o.config.epochs) + " epochs " + (o.config.from_scratch ? "from scratch" : "from the search's weights");
    progress.log("start",
                 "finalizing " + std::to_string(models.size()) + " models of " + o.run + ": " + recipe + " on " +
                     std::to_string(train_all.size()) + " images, test on " + std::to_string(test.size()) + "; device " + device.str() +
                     ", " + std::to_string(torch::get_num_threads()) + " threads",
                 {{"run", o.run}, {"ids", ids}, {"epochs", o.config.epochs}, {"from_scratch", o.config.from_scratch},
                  {"train_images", train_all.size()}, {"device", device.str()}});
    // The search weights' test errors, to show what final training bought.
    const auto before = test_errors(store, models, data, device);

    FinalizeEta eta(models);
    FinalizeCallbacks callbacks;
    callbacks.train = progress.callbacks(o.config.epochs);
    callbacks.on_model = [&](const Candidate& c, const FinalModel& f, CandidateEvent event, const std::string& detail, int index, int count) {
        char head[120];
        std::snprintf(head, sizeof head, "model %d/%d: candidate %lld (%lld params)", index, count, static_cast<long long>(c.id),
                      static_cast<long long>(c.parameters));
        if (event == CandidateEvent::started) {
            progress.set_context(head, eta.after(static_cast<std::size_t>(index - 1)));
            return;
        }
        if (event == CandidateEvent::done) eta.finished(c, f.seconds);
        const std::string status = candidate_event_name(event) + (detail.empty() ? "" : ": " + one_line(detail));
        const bool done = f.status == CandidateStatus::done;
        std::string text = std::string(head) + " " + status;
        if (done)
            text += ": test error " + percent(f.test_error) + " (search weights " + percent(before.at(c.id)) + "), latency " +
                    std::to_string(f.latency_ms).substr(0, 6) + " ms, " + format_duration(f.seconds);
        progress.log("model", text, model_json(c, f, before, store, status));
    };
    const auto finals = finalize(store, ids, train_all, test, data.norm, o.config, device, callbacks);

    nlohmann::json summary = {{"run", o.run},         {"recipe", o.config.recipe()}, {"epochs", o.config.epochs},
                              {"lr", o.config.lr_start}, {"from_scratch", o.config.from_scratch}, {"models", nlohmann::json::array()}};
    for (std::size_t i = 0; i < models.size(); ++i)
        summary["models"].push_back(model_json(models[i], finals[i], before, store, status_name(finals[i].status)));
    const auto summary_path = (std::filesystem::path(o.run) / "final.json").string();
    write_file_atomically(summary_path, summary.dump(1) + "\n");
    if (common.json_log) {
        summary["event"] = "finals";
        out << summary.dump() << std::endl;
    } else {
        print_finals(models, finals, before, store, out);
        if (!common.quiet) out << "wrote " << summary_path << std::endl;
    }
    return 0;
}

} // namespace paretonas::cli
