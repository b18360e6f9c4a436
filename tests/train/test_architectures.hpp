// Architectures that exercise every op, shared by the train-layer tests.
#ifndef PARETONAS_TESTS_TRAIN_TEST_ARCHITECTURES_HPP
#define PARETONAS_TESTS_TRAIN_TEST_ARCHITECTURES_HPP

#include <paretonas/core/architecture.hpp>

#include <vector>

namespace paretonas::fixtures {

// conv -> bn -> relu -> {sep_conv, grouped conv} -> add -> concat with a strided path ->
// avg pool -> dropout -> flatten -> linear -> bn1d -> relu -> linear
inline Architecture every_op_network()
{
    Architecture arch({3, 12, 12}, 6);
    const int c = arch.append(conv_node(8), 0);
    const int b = arch.append(op_node(OpType::batch_norm), c);
    const int r = arch.append(op_node(OpType::relu), b);
    Node sep = sep_conv_node(8, 5);
    sep.inputs = {r};
    const int s = arch.add_node(sep);
    Node grouped = conv_node(8, 3);
    grouped.groups = 4;
    grouped.bias = true;
    grouped.inputs = {r};
    const int g = arch.add_node(grouped);
    Node add = op_node(OpType::add);
    add.inputs = {s, g, r};
    const int a = arch.add_node(add);
    Node pool = pool_node(OpType::max_pool, 3, 1);
    pool.padding = 1;
    const int m = arch.append(pool, a);
    Node dilated = conv_node(4, 3);
    dilated.dilation = 2;
    dilated.inputs = {m};
    const int d = arch.add_node(dilated);
    const int id = arch.append(op_node(OpType::identity), a);
    Node cat = op_node(OpType::concat);
    cat.inputs = {id, d};
    const int k = arch.add_node(cat);
    const int p = arch.append(pool_node(OpType::avg_pool, 2, 2), k);
    Node drop = op_node(OpType::dropout);
    drop.rate = 0.3;
    const int dr = arch.append(drop, p);
    const int f = arch.append(op_node(OpType::flatten), dr);
    const int l1 = arch.append(linear_node(16), f);
    const int b1 = arch.append(op_node(OpType::batch_norm), l1);
    const int r1 = arch.append(op_node(OpType::relu), b1);
    arch.append(linear_node(6), r1);
    return arch;
}

// NAGO's merge: a gated sum of three inputs (one behind a 1x1 conv) and one of a single input.
// Not among sample_architectures(): the morphisms refuse gated sums by name.
inline Architecture gated_sum_network()
{
    Architecture arch({1, 10, 10}, 5);
    const int c = arch.append(conv_node(6), 0);
    const int b = arch.append(op_node(OpType::batch_norm), c);
    const int r = arch.append(op_node(OpType::relu), b);
    const int p = arch.append(conv_node(6, 1), r);
    Node gated = op_node(OpType::gated_sum);
    gated.inputs = {r, p, b};
    const int g = arch.add_node(gated);
    Node single = op_node(OpType::gated_sum);
    single.inputs = {g};
    const int s = arch.add_node(single);
    const int a = arch.append(op_node(OpType::global_avg_pool), s);
    arch.append(linear_node(5), a);
    return arch;
}

inline std::vector<Architecture> sample_architectures()
{
    return {
        default_architecture({1, 28, 28}, 10),
        conv_chain({3, 32, 32}, 100, {16, 32, 64}, {0, 1}, 5),
        every_op_network(),
    };
}

} // namespace paretonas::fixtures

#endif
