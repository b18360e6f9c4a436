#include <paretonas/search/chain_space.hpp>

#include <paretonas/core/error.hpp>

namespace paretonas {

namespace {
constexpr std::size_t kStages = 0, kKernel = 1, kSkip = 2, kSeparable = 3, kFirstStage = 4;
}

void ChainSpaceConfig::validate() const
{
    require_in_range("chain space min_stages", min_stages, 1, 8);
    require_in_range("chain space max_stages", max_stages, min_stages, 8);
    require_in_range("chain space min_blocks", min_blocks, 1, 16);
    require_in_range("chain space max_blocks", max_blocks, min_blocks, 16);
    if (widths.empty()) fail("chain space widths must not be empty");
    for (int w : widths) require_in_range("chain space width", w, 1, 4096);
    if (kernels.empty()) fail("chain space kernels must not be empty");
    for (int k : kernels) {
        require_in_range("chain space kernel", k, 1, 11);
        if (k % 2 == 0) fail("chain space kernel sizes must be odd, got " + std::to_string(k));
    }
}

ChainSpace::ChainSpace(ChainSpaceConfig config, Shape input_shape, int num_classes)
    : m_config(std::move(config)), m_input_shape(std::move(input_shape)), m_num_classes(num_classes)
{
    m_config.validate();
    m_upper = {m_config.max_stages - m_config.min_stages, static_cast<int>(m_config.kernels.size()) - 1, m_config.skip ? 1 : 0,
               m_config.separable ? 1 : 0};
    for (int s = 0; s < m_config.max_stages; ++s) {
        m_upper.push_back(static_cast<int>(m_config.widths.size()) - 1);
        m_upper.push_back(m_config.max_blocks - m_config.min_blocks);
    }
}

Genome ChainSpace::sample(std::mt19937_64& rng) const
{
    Genome g(size());
    for (std::size_t i = 0; i < size(); ++i) g[i] = std::uniform_int_distribution<int>(0, m_upper[i])(rng);
    return g;
}

Genome ChainSpace::canonical(const Genome& genome) const
{
    decode(genome);  // checks length and ranges
    Genome g = genome;
    const auto stages = static_cast<std::size_t>(m_config.min_stages + g[kStages]);
    for (std::size_t i = kFirstStage + 2 * stages; i < g.size(); ++i) g[i] = 0;
    // A skip needs a block whose input has its channels: a later block of a stage.
    bool any_skip_site = false;
    for (std::size_t s = 0; s < stages; ++s) any_skip_site |= m_config.min_blocks + g[kFirstStage + 2 * s + 1] > 1;
    if (!any_skip_site) g[kSkip] = 0;
    return g;
}

Architecture ChainSpace::decode(const Genome& g) const
{
    if (g.size() != size())
        fail("chain genome has " + std::to_string(g.size()) + " genes, the space has " + std::to_string(size()));
    for (std::size_t i = 0; i < size(); ++i)
        if (g[i] < 0 || g[i] > m_upper[i])
            fail("chain genome gene " + std::to_string(i) + " is " + std::to_string(g[i]) + ", outside [0, " + std::to_string(m_upper[i]) + "]");
    const int stages = m_config.min_stages + g[kStages];
    const int kernel = m_config.kernels[static_cast<std::size_t>(g[kKernel])];
    const bool skip = g[kSkip] == 1, separable = g[kSeparable] == 1;
    Architecture arch(m_input_shape, m_num_classes);
    int last = arch.input_id();
    std::int64_t side = std::min(m_input_shape[1], m_input_shape[2]);
    bool first_conv = true;
    for (int s = 0; s < stages; ++s) {
        const int width = m_config.widths[static_cast<std::size_t>(g[kFirstStage + 2 * s])];
        const int blocks = m_config.min_blocks + g[kFirstStage + 2 * s + 1];
        for (int b = 0; b < blocks; ++b) {
            const int block_input = last;
            // The first conv reads the raw image, where a depthwise conv would see one channel.
            last = arch.append(separable && !first_conv ? sep_conv_node(width, kernel) : conv_node(width, kernel), last);
            first_conv = false;
            last = arch.append(op_node(OpType::batch_norm), last);
            if (skip && b > 0) {
                Node add = op_node(OpType::add);
                add.inputs = {block_input, last};
                last = arch.add_node(add);
            }
            last = arch.append(op_node(OpType::relu), last);
        }
        if (s + 1 < stages && side >= 4) {
            last = arch.append(pool_node(OpType::max_pool), last);
            side /= 2;
        }
    }
    last = arch.append(op_node(OpType::global_avg_pool), last);
    arch.append(linear_node(m_num_classes), last);
    arch.infer_shapes();
    return arch;
}

std::vector<double> ChainSpace::encode(const Genome& genome, bool one_hot) const
{
    const Genome g = canonical(genome);
    std::vector<double> features;
    for (std::size_t i = 0; i < size(); ++i) {
        if (!one_hot) {
            features.push_back(m_upper[i] == 0 ? 0.0 : static_cast<double>(g[i]) / m_upper[i]);
            continue;
        }
        for (int v = 0; v <= m_upper[i]; ++v) features.push_back(g[i] == v ? 1.0 : 0.0);
    }
    return features;
}

} // namespace paretonas
