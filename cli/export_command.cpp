#include "export_command.hpp"

#include "common.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/export/onnx.hpp>

#include <torch/torch.h>

namespace paretonas::cli {

CLI::App* add_export_command(CLI::App& app, ExportOptions& o)
{
    auto* cmd = app.add_subcommand("export", "write a trained model as ONNX, architecture JSON, or LibTorch weights");
    add_model_options(cmd, o.source);
    cmd->add_option("--format", o.format, "onnx, json (architecture), or torch (a directory with arch.json + model.pt)")
        ->capture_default_str();
    cmd->add_option("--out", o.out, "output file (onnx, json) or directory (torch)")->required();
    cmd->add_option("--opset", o.opset, "ONNX opset")->capture_default_str();
    cmd->add_flag("--no-fold", o.no_fold, "keep batch norms as separate ONNX nodes instead of folding them into the layer before");
    return cmd;
}

void write_onnx(LoadedModel& model, const std::string& path, int opset, bool fold_batch_norm)
{
    OnnxOptions options;
    options.opset = opset;
    options.fold_batch_norm = fold_batch_norm;
    if (model.norm) {
        options.mean = model.norm->mean;
        options.std = model.norm->std;
    }
    export_onnx(*model.net, path, options);
}

int run_export(const ExportOptions& o, std::ostream& out)
{
    if (o.format != "onnx" && o.format != "json" && o.format != "torch")
        fail("unknown export format '" + o.format + "' (onnx, json or torch)");
    auto model = load_model(o.source, torch::kCPU);
    auto& net = model.net;
    const auto& norm = model.norm;
    const auto& arch = net->architecture();
    if (o.format == "onnx") {
        write_onnx(model, o.out, o.opset, !o.no_fold);
        out << "wrote " << o.out << ": ONNX opset " << o.opset << ", input [batch," << arch.input_shape()[0] << ","
            << arch.input_shape()[1] << "," << arch.input_shape()[2] << "] "
            << (norm ? "pixels scaled to [0, 1] (normalisation inside the model)" : "normalised as in training (no normalization.json found)")
            << ", output logits [batch," << arch.num_classes() << "]; " << parameter_count(arch) << " params; " << model.origin << " weights" << std::endl;
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
