#include <paretonas/search/generational.hpp>

#include <paretonas/core/error.hpp>

namespace paretonas {

void GenerationalSettings::read(SettingsReader& reader)
{
    auto& r = recipe;
    std::string fidelity = r.fidelity.successive_halving ? "sh" : "none";
    reader.read("generations", generations)
        .read("epochs_initial", r.epochs_initial)
        .read("epochs_child", r.epochs_child)
        .read("lr_start", r.lr_start)
        .read("lr_end", r.lr_end)
        .read("augment", r.augment)
        .read("batch_size", r.train.batch_size)
        .read("weight_decay", r.train.weight_decay)
        .read("fidelity", fidelity)
        .read("sh_eta", r.fidelity.eta)
        .read("sh_margin", r.fidelity.margin)
        .read("latency_repeats", r.latency.repeats);
    r.fidelity.successive_halving = parse_fidelity(fidelity);
}

void GenerationalSettings::write(nlohmann::json& s) const
{
    const auto& r = recipe;
    s["generations"] = generations;
    s["epochs_initial"] = r.epochs_initial;
    s["epochs_child"] = r.epochs_child;
    s["lr_start"] = r.lr_start;
    s["lr_end"] = r.lr_end;
    s["augment"] = r.augment;
    s["batch_size"] = r.train.batch_size;
    s["weight_decay"] = r.train.weight_decay;
    s["fidelity"] = r.fidelity.successive_halving ? "sh" : "none";
    s["sh_eta"] = r.fidelity.eta;
    s["sh_margin"] = r.fidelity.margin;
    s["latency_repeats"] = r.latency.repeats;
}

void GenerationalSettings::validate(const std::string& method) const
{
    require_in_range(method + " generations", generations, 1, 1e6);
    recipe.validate(method);
}

std::vector<MethodOption> generational_options(bool children)
{
    std::vector<MethodOption> options = {
        {"/generations", "--generations", "generations (the budget usually ends the run first)"},
        {"/epochs_initial", "--epochs-init", children ? "epochs of a network without parent, from scratch" : "epochs per network"},
    };
    if (children) options.push_back({"/epochs_child", "--epochs-child", "epochs of a child, from its parent's weights"});
    options.insert(options.end(), {
        {"/lr_start", "--lr-start", "learning rate at the start of each training (one cosine cycle)"},
        {"/lr_end", "--lr-end", "learning rate at its end"},
        {"/batch_size", "--batch-size", "training batch size"},
        {"/augment", "--augment", "random crops and flips while searching (finalize always uses them)", MethodOption::Kind::flag},
        {"/weight_decay", "--weight-decay", "SGD weight decay"},
        {"/fidelity", "--fidelity", "sh: successive halving on epochs, a candidate dominated with margin at a rung stops there; none"},
        {"/sh_margin", "--sh-margin", "sh: error gap that counts as dominated with margin"},
        {"/sh_eta", "--sh-eta", "sh: rungs after 1, eta, eta^2, ... epochs"},
    });
    return options;
}

BudgetedDriver budgeted_driver(const SearchContext& context, int generations, const TrainingRecipe& recipe, bool inherit)
{
    BudgetedDriver out{context.driver(generations), {}};
    if (context.run.budget_seconds <= 0) return out;
    out.prior = probe_time_model(training_context(context), recipe);
    out.settings.estimate_seconds = estimate_by_time_model(recipe, out.prior, inherit);
    return out;
}

TrainingContext training_context(const SearchContext& context)
{
    return TrainingContext{context.store, context.data, context.run.objectives, context.run.seed, context.device,
                           context.callbacks.train, context.max_memory_bytes};
}

TrainingRecipe with_data_augmentation(TrainingRecipe recipe, const PreparedData& data)
{
    recipe.train.augment = recipe.augment ? default_augmentation(*data.source.train) : Augmentation{};
    return recipe;
}

SearchResult run_from_scratch(const SearchContext& context, const GenerationalSettings& settings, Proposer& proposer)
{
    const auto recipe = with_data_augmentation(settings.recipe, context.data);
    const auto evaluator = train_from_scratch(training_context(context), recipe);
    return run_driver(context.store, budgeted_driver(context, settings.generations, recipe, false).settings, proposer, *evaluator,
                      context.callbacks);
}

} // namespace paretonas
