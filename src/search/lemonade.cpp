#include <paretonas/core/costs.hpp>
#include <paretonas/core/density.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/morph/inherit.hpp>
#include <paretonas/search/lemonade.hpp>
#include <paretonas/train/runtime.hpp>

#include <torch/torch.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>

namespace paretonas {

void LemonadeConfig::validate() const
{
    SearchConfig::validate("lemonade");
    require_in_range("lemonade children_proposed", children_proposed, 1, 1e5);
    require_in_range("lemonade children_accepted", children_accepted, 1, children_proposed);
    require_in_range("lemonade morphisms_per_child", morphisms_per_child, 1, 20);
}

std::vector<Architecture> default_initial_population(const Shape& input_shape, int num_classes)
{
    // Log-spaced sizes, so that the front covers small to large models from the first generation
    // and the search refines it in between and beyond (a 60-minute run on 2 cores grew the
    // largest of three by 2x only, see docs/results.md).
    return {conv_chain(input_shape, num_classes, {8, 16}, {0}), conv_chain(input_shape, num_classes, {16, 32, 64}, {0, 1}),
            default_architecture(input_shape, num_classes), conv_chain(input_shape, num_classes, {64, 64, 128, 128, 256}, {1, 3})};
}

namespace {

class LemonadeProposer : public Proposer {
public:
    LemonadeProposer(const RunStore& store, const Shape& input_shape, int num_classes, const LemonadeConfig& config, c10::Device device)
        : m_store(store), m_input_shape(input_shape), m_num_classes(num_classes), m_config(config), m_device(device),
          m_sampler(config.operators)
    {
    }
    std::vector<Candidate> initial() override;
    std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all) override;

private:
    Network load(const Candidate& c) const { return load_network(c.arch, m_store.weights_path(c.weights), m_device); }

    const RunStore& m_store;
    Shape m_input_shape;
    int m_num_classes;
    const LemonadeConfig& m_config;
    c10::Device m_device;
    MorphismSampler m_sampler;
};

std::vector<Candidate> LemonadeProposer::initial()
{
    std::vector<Candidate> out;
    for (const auto& arch : m_config.initial.empty() ? default_initial_population(m_input_shape, m_num_classes) : m_config.initial) {
        Candidate c;
        c.arch = arch;
        price_proposal(c, m_config, m_device);  // the seeds are trained whatever their cost
        out.push_back(c);
    }
    return out;
}

std::vector<Candidate> LemonadeProposer::propose(int generation, const std::vector<Candidate>& all)
{
    const auto& objectives = m_config.objectives;
    const auto population = current_front(all, objectives, m_config.constraints);
    if (population.empty()) fail("no trained candidate meets the constraints: nothing to evolve from");
    std::vector<std::vector<double>> cheap;
    for (const auto& p : population) cheap.push_back(cheap_vector(p, objectives));
    const GaussianKde kde(cheap);
    std::vector<double> parent_density;
    for (const auto& x : cheap) parent_density.push_back(kde.density(x));

    std::mt19937_64 rng(m_config.seed * 7919 + static_cast<std::uint64_t>(generation));
    std::set<std::string> seen;
    for (const auto& c : all) seen.insert(c.arch.canonical_hash());
    std::map<std::int64_t, Network> parents;  // loaded on demand, for the prune scores
    std::vector<Candidate> children;
    for (int k = 0; k < m_config.children_proposed; ++k) {
        const Candidate& parent = population[draw_inverse_density(parent_density, rng)];
        const ChannelScorer scores = [&](int node) {
            auto it = parents.find(parent.id);
            if (it == parents.end()) it = parents.emplace(parent.id, load(parent)).first;
            return filter_l1_norms(*it->second, node);
        };
        Candidate child;
        child.generation = generation;
        child.parent = parent.id;
        child.arch = parent.arch;
        try {
            for (int m = 0; m < m_config.morphisms_per_child; ++m) {
                // Filter scores describe the parent's own layers: only the first operator may prune.
                const auto result = m_sampler.sample(child.arch, rng, m == 0 ? scores : ChannelScorer{});
                child.arch = result.child;
                child.operators.push_back(result.applied);
            }
        } catch (const InputError&) {
            continue;  // no operator applies to this parent
        }
        if (seen.count(child.arch.canonical_hash())) continue;  // already trained or proposed
        if (!price_proposal(child, m_config, m_device)) continue;
        seen.insert(child.arch.canonical_hash());
        children.push_back(std::move(child));
    }
    // Accept by inverse density under the population's KDE: children in sparse regions first.
    std::vector<double> child_density;
    for (const auto& c : children) child_density.push_back(kde.density(cheap_vector(c, objectives)));
    std::vector<Candidate> accepted;
    for (auto i : sample_inverse_density(child_density, static_cast<std::size_t>(m_config.children_accepted), rng))
        accepted.push_back(children[i]);
    return accepted;
}

} // namespace

LemonadeResult lemonade(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
                        const LemonadeConfig& config, c10::Device device, const LemonadeCallbacks& callbacks)
{
    config.validate();
    const auto& set = *train_data.set;
    LemonadeProposer proposer(store, {set.channels, set.height, set.width}, set.num_classes, config, device);
    return run_generations(store, train_data, validation, norm, config, device, proposer, callbacks);
}

} // namespace paretonas
