#include "model_source.hpp"

#include <paretonas/search/run_settings.hpp>

#include <paretonas/core/error.hpp>
#include <paretonas/store/run_store.hpp>

#include <filesystem>

namespace paretonas::cli {

void add_model_options(CLI::App* cmd, ModelRef& ref)
{
    cmd->add_option("--run", ref.run, "search run directory (with --id)");
    cmd->add_option("--id", ref.id, "candidate id in the run (see `paretonas front`)");
    cmd->add_option("--weights", ref.weights, "with --run: search, final (from `paretonas finalize`), or auto (final when there is one)")
        ->capture_default_str();
    cmd->add_option("--model", ref.model, "or a model directory holding arch.json and model.pt (train --out, export --format torch)");
}

LoadedModel load_model(const ModelRef& ref, c10::Device device)
{
    if (ref.run.empty() == ref.model.empty()) fail("give either --run with --id, or --model");
    if (!ref.model.empty()) {
        const std::filesystem::path dir(ref.model);
        return {load_network(Architecture::load((dir / "arch.json").string()), (dir / "model.pt").string(), device),
                load_normalization(ref.model), "", ref.model};
    }
    if (ref.id < 0) fail("--run needs --id (see `paretonas front --run " + ref.run + "`)");
    const auto store = RunStore::open_read_only(ref.run);
    const auto c = trained_candidate(store, ref.id);
    if (ref.weights != "auto" && ref.weights != "search" && ref.weights != "final")
        fail("unknown --weights '" + ref.weights + "' (search, final or auto)");
    const auto final_model = ref.weights == "search" ? std::nullopt : delivered_final(store.finals(), ref.id);
    if (ref.weights == "final" && !final_model)
        fail("candidate " + std::to_string(ref.id) + " of run " + ref.run + " has no final model (run `paretonas finalize --run " + ref.run +
             " --ids " + std::to_string(ref.id) + "`)");
    LoadedModel loaded;
    if (final_model) {
        loaded.net = load_network(c.arch, store.final_path(final_model->weights), device);
        loaded.origin = "final (" + std::to_string(final_model->epochs) + " epochs " + (final_model->from_scratch ? "from scratch" : "fine-tuned") + ")";
    } else {
        loaded.net = load_network(c.arch, store.weights_path(c.weights), device);
        loaded.origin = "search";
    }
    const auto settings = RunSettings::of(store);
    if (!settings.normalization.is_null()) loaded.norm = normalization_from_json(settings.normalization);
    loaded.data = settings.data.name;
    return loaded;
}

} // namespace paretonas::cli
