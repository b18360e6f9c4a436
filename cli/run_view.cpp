#include "run_view.hpp"

#include <paretonas/search/run_settings.hpp>
#include <paretonas/train/network.hpp>
#include <paretonas/train/trainer.hpp>

#include <torch/torch.h>

#include <algorithm>

namespace paretonas::cli {

PreparedData run_data(const RunStore& store)
{
    const auto settings = RunSettings::of(store);
    return prepare_data(settings.data, settings.seed);
}

FrontView read_front(const RunStore& store)
{
    const auto settings = RunSettings::of(store);
    FrontView v;
    v.front = current_front(store.candidates(), settings.objectives, settings.constraints);
    std::sort(v.front.begin(), v.front.end(), [](const Candidate& a, const Candidate& b) { return a.parameters < b.parameters; });
    const auto generations = store.generations();
    if (!generations.empty()) {
        v.last = generations.back();
        v.has_generation = true;
    }
    return v;
}

TestErrors test_errors(const RunStore& store, const std::vector<Candidate>& models, const PreparedData& data, c10::Device device)
{
    const auto test = DataView::all(data.source.test);
    TestErrors errors;
    for (const auto& c : models) {
        auto net = load_network(c.arch, store.weights_path(c.weights), device);
        errors[c.id] = evaluate(net, test, data.norm, device).error;
    }
    return errors;
}

} // namespace paretonas::cli
