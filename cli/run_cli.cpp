#include "run_cli.hpp"

#include "progress.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
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

struct CommonOptions {
    std::string device = "cpu";
    int threads = 0;
    std::uint64_t seed = 0;
    bool quiet = false;
};

struct TrainOptions {
    std::string arch_path;
    std::string data = "fashion-mnist";
    std::string data_root;
    std::string out;
    double val_fraction = 0.1;
    std::int64_t subset = 0;
    bool no_augment = false;
    std::string schedule = "cosine";
    std::string layout = "auto";
    TrainConfig config;
};

struct CostOptions {
    std::string arch_path;
    std::string data;
    int repeats = 30;
    int batch_size = 1;
};

void add_common(CLI::App* cmd, CommonOptions& o)
{
    cmd->add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--threads", o.threads, "CPU threads for LibTorch (0: one per core)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--seed", o.seed, "seed for weights, data order and splits")->capture_default_str();
    cmd->add_flag("--quiet", o.quiet, "print only the final result");
}

// The architecture to train: from --arch, or the built-in default sized for the data.
Architecture architecture_for(const std::string& path, const ImageSet& data)
{
    const Shape data_shape{data.channels, data.height, data.width};
    if (path.empty()) return default_architecture(data_shape, data.num_classes);
    auto arch = Architecture::load(path);
    if (arch.input_shape() != data_shape)
        fail(path + ": architecture expects input " + shape_string(arch.input_shape()) + " but the data set has " +
             shape_string(data_shape));
    if (arch.num_classes() != data.num_classes)
        fail(path + ": architecture has " + std::to_string(arch.num_classes()) + " classes but the data set has " +
             std::to_string(data.num_classes));
    return arch;
}

std::string percent(double fraction)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * fraction);
    return buf;
}

int run_train(const CommonOptions& common, TrainOptions& o, std::ostream& out)
{
    const auto device = parse_device(common.device);
    require_in_range("--val-fraction", o.val_fraction, 0.001, 0.9);
    o.config.lr.kind = schedule_kind_from_name(o.schedule);
    o.config.layout = memory_layout_from_name(o.layout);
    o.config.seed = common.seed;
    if (o.no_augment) o.config.augment = {};
    o.config.validate();

    if (!o.out.empty()) ensure_directory(o.out);  // fail before training, not after
    const auto source = load_data(o.data, o.data_root);
    auto all = DataView::all(source.train);
    if (o.subset > 0) all = all.head(o.subset);
    const auto split = split_train_validation(all, o.val_fraction, common.seed);
    const auto norm = channel_statistics(split.train);
    const auto arch = architecture_for(o.arch_path, *source.train);
    if (!common.quiet)
        out << "data " << source.train->name << ": " << split.train.size() << " train / " << split.validation.size()
            << " validation / " << source.test->size() << " test images; network " << parameter_count(arch)
            << " params, " << multiply_adds(arch) << " MAdds; device " << device.str() << ", "
            << torch::get_num_threads() << " threads" << std::endl;

    seed_everything(common.seed);
    Network net(arch);
    Progress progress(out, is_terminal(fileno(stdout)) && &out == &std::cout, common.quiet);
    const auto result = train(net, split.train, &split.validation, norm, o.config, device, progress.callbacks(o.config.epochs));
    const auto val = evaluate(net, split.validation, norm, device);
    const auto test = evaluate(net, DataView::all(source.test), norm, device);
    out << "validation error " << percent(val.error) << "  test error " << percent(test.error) << "  ("
        << format_duration(result.seconds) << " training)" << std::endl;

    if (!o.out.empty()) {
        const std::filesystem::path dir(o.out);
        arch.save((dir / "arch.json").string());
        write_file_atomically((dir / "model.pt").string(), [&](const std::string& tmp) { torch::save(net, tmp); });
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
        write_text_atomically((dir / "result.json").string(), j.dump(1) + "\n");
        if (!common.quiet) out << "wrote " << (dir / "model.pt").string() << ", arch.json, result.json" << std::endl;
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

// CLI11 prints multi-line help hints; users get one line that names the problem.
std::string one_line(std::string text)
{
    const auto newline = text.find('\n');
    if (newline != std::string::npos) text.resize(newline);
    return text;
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
    add_common(train_cmd, common);
    train_cmd->add_option("--arch", train_opts.arch_path, "architecture JSON (default: the built-in starting network)")
        ->check(CLI::ExistingFile);
    train_cmd->add_option("--data", train_opts.data, "fashion-mnist, mnist, cifar10, cifar100 or a directory")->capture_default_str();
    train_cmd->add_option("--data-root", train_opts.data_root, "where named data sets live (default $PARETONAS_DATA or /usr/share/datasets)");
    train_cmd->add_option("--epochs", train_opts.config.epochs, "training epochs")->capture_default_str()->check(CLI::PositiveNumber);
    train_cmd->add_option("--batch-size", train_opts.config.batch_size)->capture_default_str()->check(CLI::PositiveNumber);
    train_cmd->add_option("--lr", train_opts.config.lr.lr_max, "peak learning rate")->capture_default_str();
    train_cmd->add_option("--lr-min", train_opts.config.lr.lr_min, "final learning rate")->capture_default_str();
    train_cmd->add_option("--schedule", train_opts.schedule, "cosine, sgdr or constant")->capture_default_str();
    train_cmd->add_option("--sgdr-t0", train_opts.config.lr.t0, "SGDR first cycle in epochs")->capture_default_str();
    train_cmd->add_option("--sgdr-tmult", train_opts.config.lr.t_mult, "SGDR cycle growth")->capture_default_str();
    train_cmd->add_option("--weight-decay", train_opts.config.weight_decay)->capture_default_str();
    train_cmd->add_option("--label-smoothing", train_opts.config.label_smoothing)->capture_default_str();
    train_cmd->add_option("--val-fraction", train_opts.val_fraction, "share of the training set held out")->capture_default_str();
    train_cmd->add_option("--subset", train_opts.subset, "use only the first N training images")->check(CLI::NonNegativeNumber);
    train_cmd->add_flag("--no-augment", train_opts.no_augment, "no random crops or flips");
    train_cmd->add_option("--layout", train_opts.layout, "activation layout: auto (NHWC on CPU), nchw or nhwc")->capture_default_str();
    train_cmd->add_option("--out", train_opts.out, "directory for model.pt, arch.json and result.json");
    train_opts.config.augment.crop_padding = 2;
    train_opts.config.augment.horizontal_flip = true;

    CostOptions cost_opts;
    auto* cost_cmd = app.add_subcommand("cost", "parameters, multiply-adds and measured latency of an architecture");
    add_common(cost_cmd, common);
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
    } catch (const InputError& e) {
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
