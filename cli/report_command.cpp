#include "report_command.hpp"

#include "export_command.hpp"
#include "run_view.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/report/report.hpp>
#include <paretonas/search/method.hpp>
#include <paretonas/search/run_settings.hpp>
#include <paretonas/train/runtime.hpp>

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

namespace paretonas::cli {

namespace fs = std::filesystem;

CLI::App* add_report_command(CLI::App& app, ReportOptions& o)
{
    auto* cmd = app.add_subcommand("report", "write a self-contained HTML report of a search run, with the front's models as ONNX and JSON");
    cmd->add_option("--run", o.run, "search run directory (may still be running)")->required();
    cmd->add_option("--out", o.out, "report directory (default: <run>/report)");
    cmd->add_flag("--test", o.test, "also show each front member's test error with the search's weights (reads the test set)");
    cmd->add_flag("--no-models", o.no_models, "do not write the front's ONNX and JSON files");
    cmd->add_option("--device", o.device, "device for --test: cpu, cuda or cuda:N")->capture_default_str();
    return cmd;
}

int run_report(const ReportOptions& o, std::ostream& out)
{
    const auto store = RunStore::open_read_only(o.run);
    const auto dir = o.out.empty() ? (fs::path(o.run) / "report").string() : o.out;
    ensure_directory(dir);
    const auto view = read_front(store);
    ReportExtras extras;
    auto run_name = fs::path(o.run).lexically_normal();
    if (run_name.filename().empty()) run_name = run_name.parent_path();  // "runs/x/"
    extras.title = "paretonas: " + store.info().method + " run " + fs::absolute(run_name).filename().string();
    for (const auto& c : view.front) extras.front.push_back(c.id);
    if (o.test) extras.search_test_error = test_errors(store, view.front, run_data(store), parse_device(o.device));
    if (const auto& details = method_spec(store.info().method).candidate_details) extras.details = details(store);
    if (RunSettings::of(store).data.name == "fashion-mnist") extras.references = fashion_mnist_reference();

    std::vector<std::string> written;
    if (!o.no_models) {
        ensure_directory((fs::path(dir) / "models").string());
        for (const auto& c : view.front) {
            auto model = load_model(ModelRef{o.run, c.id, "", "auto"}, torch::kCPU);
            const auto name = "models/" + std::to_string(c.id);
            write_onnx(model, (fs::path(dir) / (name + ".onnx")).string());
            c.arch.save((fs::path(dir) / (name + ".json")).string());
            extras.downloads_onnx[c.id] = name + ".onnx";
            extras.downloads_json[c.id] = name + ".json";
            char figures[80];
            std::snprintf(figures, sizeof figures, "  %10lld params  val error %s  ", static_cast<long long>(c.parameters),
                          percent(c.val_error).c_str());
            written.push_back("  " + (fs::path(dir) / (name + ".onnx")).string() + figures + model.origin + " weights");
        }
    }
    const auto data = report_data(store, extras);
    write_file_atomically((fs::path(dir) / "report.json").string(), data.dump(1) + "\n");
    const auto page = (fs::path(dir) / "report.html").string();
    write_file_atomically(page, report_html(data));
    if (!written.empty()) {
        out << "front members as ONNX (pixels in [0, 1]; architecture JSON beside each):\n";
        for (const auto& line : written) out << line << "\n";
    }
    out << "wrote " << page << " (" << data["candidates"].size() << " candidates, front of " << view.front.size() << ")" << std::endl;
    return 0;
}

} // namespace paretonas::cli
