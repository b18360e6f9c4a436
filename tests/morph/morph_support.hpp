// Helpers shared by the morphism tests: networks with trained-like tensors and output gaps.
#ifndef PARETONAS_TESTS_MORPH_MORPH_SUPPORT_HPP
#define PARETONAS_TESTS_MORPH_MORPH_SUPPORT_HPP

#include <paretonas/train/network.hpp>
#include <paretonas/train/runtime.hpp>

#include <torch/torch.h>

namespace paretonas::test {

// A network with non-trivial weights and batch-norm statistics, as after training.
inline Network trained_like(const Architecture& arch, std::uint64_t seed)
{
    seed_everything(seed);
    Network net(arch);
    torch::NoGradGuard no_grad;
    for (auto& p : net->named_parameters())
        if (p.key().find("weight") != std::string::npos && p.value().dim() == 1) p.value().uniform_(0.5, 1.5);
        else if (p.key().find("bias") != std::string::npos) p.value().normal_(0.0, 0.2);
    net->train();
    const auto& s = arch.input_shape();
    for (int i = 0; i < 3; ++i) net->forward(torch::randn({16, s[0], s[1], s[2]}) * 1.5 + 0.3);
    net->eval();
    return net;
}

// Largest difference of the two networks' eval-mode outputs on the same random inputs.
inline double max_output_gap(Network& a, Network& b, std::uint64_t seed = 0)
{
    torch::NoGradGuard no_grad;
    a->eval();
    b->eval();
    const auto& s = a->architecture().input_shape();
    const auto x = torch::randn({8, s[0], s[1], s[2]}, torch::Generator(at::detail::createCPUGenerator(seed)));
    return (a->forward(x) - b->forward(x)).abs().max().item<double>();
}

inline std::int64_t numel(Network& net)
{
    std::int64_t total = 0;
    for (const auto& p : net->parameters()) total += p.numel();
    return total;
}

} // namespace paretonas::test

#endif
