/// @file morph/approximate.hpp
/// Approximate network morphisms (LEMONADE's ANM): edits that shrink a network. The child
/// inherits every tensor its parent has for the nodes it keeps, but computes a different
/// function, so it is distilled from the parent before training (MorphResult::needs_distillation).
/// Torch-free like the exact morphisms: a search gets a child's costs without building it.
#ifndef PARETONAS_MORPH_APPROXIMATE_HPP
#define PARETONAS_MORPH_APPROXIMATE_HPP

#include <paretonas/morph/morphism.hpp>

#include <vector>

namespace paretonas {

/// Convs, separable convs and hidden linears that can be spliced out together with the
/// batch_norm and relu that follow them: the block's input and output shapes are equal and its
/// inner nodes feed nothing else.
std::vector<int> remove_layer_sites(const Architecture& parent);
/// Splices out the block that starts at `node`; its readers read the block's input.
MorphResult remove_layer(const Architecture& parent, int node);

/// Two-input add and concat nodes whose second input can be dropped (a concat's readers must
/// be able to take fewer channels).
std::vector<int> remove_skip_sites(const Architecture& parent);
/// Replaces merge node `merge` by its first input; nodes that then feed nothing are removed.
MorphResult remove_skip(const Architecture& parent, int merge);

/// Convs (ungrouped), separable convs and hidden linears with at least two outputs whose width
/// can shrink (no add or network output downstream sees the change).
std::vector<int> prune_sites(const Architecture& parent);
/// Keeps the output channels `keep` (indices into the parent's, ascending, at least one, fewer
/// than all) of `node`; readers drop the matching input channels.
MorphResult prune(const Architecture& parent, int node, std::vector<int> keep);
/// The channels to keep when pruning `fraction` of them (rounded, at least one removed and one
/// kept) with the smallest scores (L1 norms of the filters, say); ascending.
std::vector<int> keep_largest(const std::vector<double>& scores, double fraction);

/// Ungrouped convs with a kernel of at least 3, where a depthwise-separable conv is cheaper.
std::vector<int> sep_conv_sites(const Architecture& parent);
/// Replaces conv `node` by a depthwise-separable conv of the same kernel, stride and width,
/// initialised by a rank-1 fit of the conv's kernel per input channel (NewNodeInit::low_rank).
MorphResult to_sep_conv(const Architecture& parent, int node);

} // namespace paretonas

#endif
