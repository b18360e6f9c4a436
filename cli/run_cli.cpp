#include "run_cli.hpp"

#include "check_command.hpp"
#include "common.hpp"
#include "progress.hpp"
#include "export_command.hpp"
#include "finalize_command.hpp"
#include "predict_command.hpp"
#include "report_command.hpp"
#include "sample_command.hpp"
#include "search_command.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/core/memory.hpp>
#include <paretonas/train/latency.hpp>
#include <paretonas/train/runtime.hpp>
#include <paretonas/train/trainer.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <iomanip>

namespace paretonas::cli {

namespace {

struct TrainOptions {
    std::string arch_path;
    DataOptions data;
    std::string out;
    bool no_augment = false;
    std::string schedule = "cosine";
    std::string layout = "auto";
    TrainConfig config;
};

struct CostOptions {
    std::string arch_path;
    int repeats = 30;
    int batch_size = 1;
};

int run_train(const CommonOptions& common, TrainOptions& o, std::ostream& out)
{
    const auto device = parse_device(common.device);
    o.config.lr.kind = schedule_kind_from_name(o.schedule);
    o.config.layout = memory_layout_from_name(o.layout);
    o.config.seed = common.seed;

    o.config.validate();

    const auto memory_limit = parse_memory_limit(common.max_memory, device);
    if (!o.out.empty()) ensure_directory(o.out);  // fail before training, not after
    const auto data = prepare_data(o.data, common.seed);
    const auto& [source, split, norm] = data;
    const auto arch = architecture_for(o.arch_path, *source.train);
    const std::string arch_name = o.arch_path.empty() ? "the built-in network" : "architecture " + o.arch_path;
    require_training_memory(arch, o.config.batch_size, memory_limit, arch_name);
    o.config.augment = o.no_augment ? Augmentation{} : default_augmentation(*source.train);
    auto progress = make_progress(common, out);
    progress.log("start",
                 data.summary() + "; network " + std::to_string(parameter_count(arch)) + " params, " +
                     std::to_string(multiply_adds(arch)) + " MAdds; device " + device.str() + ", " +
                     std::to_string(torch::get_num_threads()) + " threads",
                 {{"data", data.summary()}, {"parameters", parameter_count(arch)}, {"multiply_adds", multiply_adds(arch)},
                  {"device", device.str()}, {"threads", torch::get_num_threads()}});

    seed_everything(common.seed);
    Network net{nullptr};
    TrainResult result;
    Evaluation val, test;
    try {
        net = Network(arch);
        result = train(net, split.train, &split.validation, norm, o.config, device, progress.callbacks(o.config.epochs));
        val = evaluate(net, split.validation, norm, device);
        test = evaluate(net, DataView::all(source.test), norm, device);
    } catch (const c10::Error& e) {  // out of memory despite the estimate, say: the network is named
        fail(arch_name + ": training failed: " + one_line(e.what_without_backtrace()));
    }
    if (common.json_log)
        out << nlohmann::json{{"event", "result"}, {"val_error", val.error}, {"test_error", test.error}, {"seconds", result.seconds}}.dump()
            << std::endl;
    else
        out << "validation error " << percent(val.error) << "  test error " << percent(test.error) << "  ("
            << format_duration(result.seconds) << " training)" << std::endl;

    if (!o.out.empty()) {
        const std::filesystem::path dir(o.out);
        save_model(o.out, net, &norm);
        nlohmann::json j;
        j["data"] = source.train->name;
        j["validation_error"] = val.error;
        j["test_error"] = test.error;
        j["parameters"] = parameter_count(arch);
        j["multiply_adds"] = multiply_adds(arch);
        j["seconds"] = result.seconds;
        j["epochs"] = result.history.size();
        j["seed"] = common.seed;
        j["history"] = nlohmann::json::array();
        for (const auto& e : result.history)
            j["history"].push_back({{"epoch", e.epoch}, {"lr", e.lr}, {"train_loss", e.train_loss},
                                    {"train_error", e.train_error}, {"val_loss", e.val_loss},
                                    {"val_error", e.val_error}, {"seconds", e.seconds}});
        write_file_atomically((dir / "result.json").string(), j.dump(1) + "\n");
        if (!common.quiet && !common.json_log) out << "wrote " << (dir / "model.pt").string() << ", arch.json, result.json" << std::endl;
    }
    return 0;
}

int run_cost(const CommonOptions& common, const CostOptions& o, std::ostream& out)
{
    const auto device = parse_device(common.device);
    const auto arch = o.arch_path == "default" ? default_architecture({1, 28, 28}, 10) : Architecture::load(o.arch_path);
    LatencyOptions latency;
    latency.repeats = o.repeats;
    latency.batch_size = o.batch_size;
    seed_everything(common.seed);
    const auto t = measure_latency(arch, device, latency);
    out << "parameters     " << parameter_count(arch) << "\n"
        << "multiply-adds  " << multiply_adds(arch) << "\n"
        << std::fixed << std::setprecision(3) << "latency        " << t.median_ms << " ms median (batch " << t.batch_size
        << ", " << device.str() << ", " << torch::get_num_threads() << " threads; p25 " << t.p25_ms << ", p75 " << t.p75_ms
        << ", min " << t.min_ms << ", max " << t.max_ms << " over " << t.repeats << " runs)" << std::endl;
    return 0;
}


} // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    CLI::App app{"paretonas: multi-objective neural architecture search", "paretonas"};
    app.set_version_flag("--version", std::string("paretonas ") + PARETONAS_VERSION);
    app.require_subcommand(1);

    CommonOptions common;
    TrainOptions train_opts;
    auto* train_cmd = app.add_subcommand("train", "train one architecture and report validation and test error");
    add_common_options(train_cmd, common);
    add_data_options(train_cmd, train_opts.data);
    train_cmd->add_option("--arch", train_opts.arch_path, "architecture JSON (default: the built-in starting network)")
        ->check(regular_file());
    train_cmd->add_option("--epochs", train_opts.config.epochs, "training epochs")->capture_default_str()->check(CLI::PositiveNumber);
    train_cmd->add_option("--batch-size", train_opts.config.batch_size)->capture_default_str()->check(CLI::PositiveNumber);
    train_cmd->add_option("--lr", train_opts.config.lr.lr_max, "peak learning rate")->capture_default_str();
    train_cmd->add_option("--lr-min", train_opts.config.lr.lr_min, "final learning rate")->capture_default_str();
    train_cmd->add_option("--schedule", train_opts.schedule, "cosine, sgdr or constant")->capture_default_str();
    train_cmd->add_option("--sgdr-t0", train_opts.config.lr.t0, "SGDR first cycle in epochs")->capture_default_str();
    train_cmd->add_option("--sgdr-tmult", train_opts.config.lr.t_mult, "SGDR cycle growth")->capture_default_str();
    train_cmd->add_option("--weight-decay", train_opts.config.weight_decay)->capture_default_str();
    train_cmd->add_option("--label-smoothing", train_opts.config.label_smoothing)->capture_default_str();
    train_cmd->add_flag("--no-augment", train_opts.no_augment, "no random crops or flips");
    train_cmd->add_option("--layout", train_opts.layout, "activation layout: auto (NHWC on the CPU for wide convolutions, else NCHW), nchw or nhwc")->capture_default_str();
    train_cmd->add_option("--out", train_opts.out, "directory for model.pt, arch.json and result.json");

    CostOptions cost_opts;
    auto* cost_cmd = app.add_subcommand("cost", "parameters, multiply-adds and measured latency of an architecture");
    add_common_options(cost_cmd, common);
    SearchOptions search_opts;
    search_opts.method = method_of_command_line(args);
    auto* search_cmd = add_search_command(app, common, search_opts);
    auto* methods_cmd = add_methods_command(app);
    FrontOptions front_opts;
    auto* front_cmd = add_front_command(app, front_opts);
    FinalizeOptions finalize_opts;
    auto* finalize_cmd = add_finalize_command(app, common, finalize_opts);
    SampleOptions sample_opts;
    auto* sample_cmd = add_sample_command(app, common, sample_opts);
    ReportOptions report_opts;
    auto* report_cmd = add_report_command(app, report_opts);
    CheckOptions check_opts;
    auto* check_cmd = add_check_command(app, check_opts);
    ExportOptions export_opts;
    auto* export_cmd = add_export_command(app, export_opts);
    PredictOptions predict_opts;
    auto* predict_cmd = add_predict_command(app, predict_opts);
    cost_cmd->add_option("--arch", cost_opts.arch_path, "architecture JSON, or 'default'")->required();
    cost_cmd->add_option("--batch-size", cost_opts.batch_size, "images per timed forward pass")->capture_default_str()->check(CLI::PositiveNumber);
    cost_cmd->add_option("--repeats", cost_opts.repeats, "timed forward passes")->capture_default_str()->check(CLI::PositiveNumber);

    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend());
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return 0;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return 0;
    } catch (const CLI::CallForVersion& e) {
        out << e.what() << std::endl;
        return 0;
    } catch (const CLI::ParseError& e) {
        err << "paretonas: error: " << one_line(e.what()) << " (see paretonas --help)" << std::endl;
        return 2;
    }

    try {
        RuntimeOptions runtime;
        runtime.threads = common.threads;
        configure_runtime(runtime);
        if (train_cmd->parsed()) return run_train(common, train_opts, out);
        if (cost_cmd->parsed()) return run_cost(common, cost_opts, out);
        if (search_cmd->parsed()) return run_search(common, search_opts, out);
        if (methods_cmd->parsed()) return run_methods(out);
        if (front_cmd->parsed()) return run_front(front_opts, out);
        if (finalize_cmd->parsed()) return run_finalize(common, finalize_opts, out);
        if (sample_cmd->parsed()) return run_sample(common, sample_opts, out);
        if (report_cmd->parsed()) return run_report(report_opts, out);
        if (check_cmd->parsed()) return run_check(check_opts, out);
        if (export_cmd->parsed()) return run_export(export_opts, out);
        if (predict_cmd->parsed()) return run_predict(predict_opts, out);
    } catch (const InputError& e) {
        err << "paretonas: error: " << one_line(e.what()) << std::endl;
        return 2;
    } catch (const StorageError& e) {  // a full disk: one line with the system's reason
        err << "paretonas: error: " << one_line(e.what()) << std::endl;
        return 2;
    } catch (const c10::Error& e) {
        err << "paretonas: error: " << one_line(e.what_without_backtrace()) << std::endl;
        return 1;
    } catch (const std::exception& e) {
        err << "paretonas: error: " << one_line(e.what()) << std::endl;
        return 1;
    }
    return 0;
}

} // namespace paretonas::cli
