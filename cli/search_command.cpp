#include "search_command.hpp"

#include "progress.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/train/runtime.hpp>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

namespace paretonas::cli {

CLI::App* add_search_command(CLI::App& app, CommonOptions& common, SearchOptions& o)
{
    auto* cmd = app.add_subcommand("search", "search architectures: --method lemonade (Pareto front, default), nsga2 or random (Pareto "
                                             "front over a chain space), or nash (hill climbing)");
    // Defaults for 2 CPU cores, set before the options so that --help shows them.
    o.nash.steps = 1000;  // the budget ends the run
    o.nash.neighbours = 3;
    o.nash.morphisms_per_child = 2;
    add_common_options(cmd, common);
    add_data_options(cmd, o.data);
    o.method_option = cmd->add_option("--method", o.method, "search method: lemonade, nsga2, random or nash")->capture_default_str();
    cmd->add_option("--arch", o.arch_path, "nash: start network JSON (default: the built-in starting network)")->check(CLI::ExistingFile);
    o.budget_option = cmd->add_option("--budget", o.budget, "wall-clock budget of the whole run, resumes included (90s, 30m, 2h)")
                          ->capture_default_str();
    cmd->add_option("--out", o.out, "run directory; lemonade, nsga2 and random resume the run found there")->capture_default_str();
    cmd->add_option("--epochs-init", o.epochs_init, "epochs to train the start network(s); nsga2 and random: each network")->capture_default_str()->check(CLI::PositiveNumber);
    auto& l = o.lemonade;
    auto& b = o.baseline;
    o.run_options = {
        cmd->add_option("--objectives", o.objectives, "objectives to minimise, error plus any of params,madds,latency")->capture_default_str(),
        cmd->add_option("--max-params", l.constraints.max_params, "keep only models with at most this many parameters (0: no limit)"),
        cmd->add_option("--max-madds", l.constraints.max_madds, "... at most this many multiply-adds per image (0: no limit)"),
        cmd->add_option("--max-latency-ms", l.constraints.max_latency_ms, "... at most this latency at batch 1 (0: no limit)"),
        cmd->add_option("--generations", l.generations, "generations (the budget usually ends the run first)")->capture_default_str(),
        cmd->add_option("--children", l.children_proposed, "lemonade: children proposed per generation (cheap)")->capture_default_str(),
        cmd->add_option("--accept", l.children_accepted, "lemonade: children trained per generation")->capture_default_str(),
        cmd->add_option("--epochs-child", l.epochs_child, "lemonade: epochs per child, from its parent's weights")->capture_default_str(),
        cmd->add_option("--population", b.population, "nsga2: population and children per generation; random: draws per generation")
            ->capture_default_str(),
        cmd->add_option("--crossover", b.crossover, "nsga2: probability that a child mixes two parents")->capture_default_str(),
        cmd->add_option("--mutation", b.mutation, "nsga2: per-gene probability of a random reset (0: 1 / genes)")->capture_default_str(),
        cmd->add_option("--space-widths", b.space.widths, "nsga2, random: widths a stage may take")->delimiter(',')->capture_default_str(),
        cmd->add_option("--space-stages", b.space.max_stages, "nsga2, random: at most this many stages")->capture_default_str(),
        cmd->add_option("--space-blocks", b.space.max_blocks, "nsga2, random: at most this many conv blocks per stage")->capture_default_str(),
        cmd->add_option("--space-kernels", b.space.kernels, "nsga2, random: kernel sizes")->delimiter(',')->capture_default_str(),
        cmd->add_option("--fidelity", o.fidelity, "sh: successive halving on epochs, a candidate dominated with margin at a rung stops there")
            ->capture_default_str(),
        cmd->add_option("--sh-margin", l.fidelity.margin, "sh: error gap that counts as dominated with margin")->capture_default_str(),
        cmd->add_option("--sh-eta", l.fidelity.eta, "sh: rungs after 1, eta, eta^2, ... epochs")->capture_default_str(),
    };
    o.nash_options = {
        cmd->add_option("--steps", o.nash.steps, "hill-climbing steps (the budget may end the run first)")->capture_default_str(),
        cmd->add_option("--neighbours", o.nash.neighbours, "children per step")->capture_default_str(),
        cmd->add_option("--morphisms", o.nash.morphisms_per_child, "random morphisms per child")->capture_default_str(),
        cmd->add_option("--epochs-neighbour", o.nash.epochs_neighbour, "epochs per child (one cosine cycle)")->capture_default_str(),
        cmd->add_option("--epochs-final", o.nash.epochs_final, "extra epochs for the final best model")->capture_default_str(),
        cmd->add_option("--lr-start", o.nash.lr_start)->capture_default_str(),
        cmd->add_option("--lr-end", o.nash.lr_end)->capture_default_str(),
    };
    cmd->add_flag("--paper", o.paper, "the NASH paper's settings for what is not given (8 steps x 8 neighbours, 5 morphisms, 17 epochs; GPU-sized)");
    return cmd;
}

namespace {

nlohmann::json step_json(const NashStep& s)
{
    nlohmann::json j{{"step", s.step}, {"best", s.best}, {"seconds", s.seconds}, {"candidates", nlohmann::json::array()}};
    for (const auto& c : s.candidates) {
        nlohmann::json ops = nlohmann::json::array();
        for (const auto& m : c.applied) ops.push_back(m.to_string());
        j["candidates"].push_back({{"val_error", c.val_error}, {"parameters", c.parameters},
                                   {"multiply_adds", multiply_adds(c.arch)}, {"seconds", c.seconds},
                                   {"morphisms", ops}, {"hash", c.arch.canonical_hash()}});
    }
    return j;
}

} // namespace

int run_search(const CommonOptions& common, SearchOptions& o, std::ostream& out)
{
    if (generational_method(o.method)) return run_generational(common, o, out);
    if (o.method != "nash") fail("unknown search method '" + o.method + "' (available: lemonade, nsga2, random, nash)");
    const auto device = parse_device(common.device);
    if (o.paper) {
        // The preset fills only what the user did not give; the order matches nash_options.
        const auto p = NashConfig::paper();
        const auto given = [&](std::size_t i) { return o.nash_options[i]->count() > 0; };
        if (!given(0)) o.nash.steps = p.steps;
        if (!given(1)) o.nash.neighbours = p.neighbours;
        if (!given(2)) o.nash.morphisms_per_child = p.morphisms_per_child;
        if (!given(3)) o.nash.epochs_neighbour = p.epochs_neighbour;
        if (!given(4)) o.nash.epochs_final = p.epochs_final;
        if (!given(5)) o.nash.lr_start = p.lr_start;
        if (!given(6)) o.nash.lr_end = p.lr_end;
    }
    o.nash.budget_seconds = parse_duration(o.budget, "--budget");
    o.nash.seed = common.seed;
    o.nash.validate();
    ensure_directory(o.out);

    const auto data = prepare_data(o.data, common.seed);
    o.nash.train.augment = default_augmentation(*data.source.train);
    const auto arch = architecture_for(o.arch_path, *data.source.train);
    if (!common.quiet)
        out << data.summary() << "; budget " << format_duration(o.nash.budget_seconds) << "; device " << device.str()
            << ", " << torch::get_num_threads() << " threads" << std::endl;

    seed_everything(common.seed);
    Network start(arch);
    TrainConfig init = o.nash.train;
    init.epochs = o.epochs_init;
    init.lr.lr_max = o.nash.lr_start;
    init.seed = common.seed;
    if (!common.quiet) out << "training the start network (" << parameter_count(arch) << " params) for " << o.epochs_init << " epochs" << std::endl;
    train(start, data.split.train, nullptr, data.norm, init, device);

    nlohmann::json history = nlohmann::json::array();
    NashCallbacks callbacks;
    callbacks.on_step = [&](const NashStep& s) {
        history.push_back(step_json(s));
        write_text_atomically((std::filesystem::path(o.out) / "history.json").string(), history.dump(1) + "\n");
        if (common.quiet) return;
        const auto& best = s.candidates[s.best];
        char line[200];
        std::snprintf(line, sizeof line, "step %d: %zu candidates trained  best val error %s  params %lld  (%s)", s.step,
                      s.candidates.size(), percent(best.val_error).c_str(), static_cast<long long>(best.parameters),
                      format_duration(s.seconds).c_str());
        out << line << std::endl;
    };
    auto result = nash(start, data.split.train, data.split.validation, data.norm, o.nash, device, callbacks);

    save_model((std::filesystem::path(o.out) / "best").string(), result.best, &data.norm);
    const auto test = DataView::all(data.source.test);
    const double best_test = evaluate(result.best, test, data.norm, device).error;
    // No step may have run when the budget was spent on the start network.
    const double ensemble_test = result.snapshots.empty() ? -1.0 : ensemble_error(result.snapshots, test, data.norm, device);
    nlohmann::json summary{{"method", "nash"},
                           {"data", data.source.train->name},
                           {"start_val_error", result.start_val_error},
                           {"best_val_error", result.best_val_error},
                           {"best_test_error", best_test},
                           {"ensemble_val_error", result.ensemble_val_error},
                           {"ensemble_test_error", ensemble_test},
                           {"ensemble_members", result.snapshots.size()},
                           {"best_parameters", parameter_count(result.best->architecture())},
                           {"start_parameters", parameter_count(arch)},
                           {"steps", result.history.size()},
                           {"seconds", result.seconds},
                           {"seed", common.seed}};
    write_text_atomically((std::filesystem::path(o.out) / "result.json").string(), summary.dump(1) + "\n");
    out << "start val error " << percent(result.start_val_error) << " -> best " << percent(result.best_val_error)
        << " (test " << percent(best_test) << ", " << parameter_count(result.best->architecture()) << " params); snapshot ensemble of "
        << result.snapshots.size() << ": val " << (result.snapshots.empty() ? "n/a" : percent(result.ensemble_val_error))
        << ", test " << (result.snapshots.empty() ? "n/a" : percent(ensemble_test))
        << "; " << format_duration(result.seconds) << std::endl;
    if (!common.quiet) out << "wrote " << o.out << "/best/{model.pt,arch.json}, history.json, result.json" << std::endl;
    return 0;
}

} // namespace paretonas::cli
