#include "export_command.hpp"

#include "common.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/export/onnx.hpp>
#include <paretonas/store/run_store.hpp>

#include <torch/torch.h>

#include <filesystem>
#include <optional>

namespace paretonas::cli {

CLI::App* add_export_command(CLI::App& app, ExportOptions& o)
{
    auto* cmd = app.add_subcommand("export", "write a trained model as ONNX, architecture JSON, or LibTorch weights");
    cmd->add_option("--run", o.run, "search run directory (with --id)");
    cmd->add_option("--id", o.id, "candidate id in the run (see `paretonas front`)");
    cmd->add_option("--model", o.model, "or a model directory holding arch.json and model.pt (train --out, search best/)");
    cmd->add_option("--format", o.format, "onnx, json (architecture), or torch (a directory with arch.json + model.pt)")
        ->capture_default_str();
    cmd->add_option("--out", o.out, "output file (onnx, json) or directory (torch)")->required();
    cmd->add_option("--opset", o.opset, "ONNX opset")->capture_default_str();
    cmd->add_flag("--no-fold", o.no_fold, "keep batch norms as separate ONNX nodes instead of folding them into the layer before");
    return cmd;
}

namespace {

struct Source {
    Network net{nullptr};
    std::optional<Normalization> norm;
};

Source load_source(const ExportOptions& o)
{
    if (o.run.empty() == o.model.empty()) fail("export needs either --run with --id, or --model");
    if (!o.model.empty()) {
        const std::filesystem::path dir(o.model);
        return {load_network(Architecture::load((dir / "arch.json").string()), (dir / "model.pt").string(), torch::kCPU),
                load_normalization(o.model)};
    }
    if (o.id < 0) fail("export --run needs --id (see `paretonas front --run " + o.run + "`)");
    const auto store = RunStore::open_read_only(o.run);
    const auto c = store.candidate(o.id);
    if (!c) fail("run " + o.run + " has no candidate " + std::to_string(o.id));
    if (c->status != CandidateStatus::done)
        fail("candidate " + std::to_string(o.id) + " of run " + o.run + " is " + status_name(c->status) + ", not trained");
    const auto settings = nlohmann::json::parse(store.info().config_json);
    std::optional<Normalization> norm;
    if (settings.contains("normalization")) norm = normalization_from_json(settings.at("normalization"));
    return {load_network(c->arch, store.weights_path(c->weights), torch::kCPU), norm};
}

} // namespace

int run_export(const ExportOptions& o, std::ostream& out)
{
    if (o.format != "onnx" && o.format != "json" && o.format != "torch")
        fail("unknown export format '" + o.format + "' (onnx, json or torch)");
    auto [net, norm] = load_source(o);
    const auto& arch = net->architecture();
    if (o.format == "onnx") {
        OnnxOptions options;
        options.opset = o.opset;
        options.fold_batch_norm = !o.no_fold;
        if (norm) {
            options.mean = norm->mean;
            options.std = norm->std;
        }
        export_onnx(*net, o.out, options);
        out << "wrote " << o.out << ": ONNX opset " << o.opset << ", input [batch," << arch.input_shape()[0] << ","
            << arch.input_shape()[1] << "," << arch.input_shape()[2] << "] "
            << (norm ? "pixels scaled to [0, 1] (normalisation inside the model)" : "normalised as in training (no normalization.json found)")
            << ", output logits [batch," << arch.num_classes() << "]; " << parameter_count(arch) << " params" << std::endl;
    } else if (o.format == "json") {
        arch.save(o.out);
        out << "wrote " << o.out << std::endl;
    } else {
        save_model(o.out, net, norm ? &*norm : nullptr);
        out << "wrote " << o.out << "/{arch.json,model.pt}" << std::endl;
    }
    return 0;
}

} // namespace paretonas::cli
