/// @file morph/morphism.hpp
/// Network morphisms as edits of an Architecture plus a channel correspondence from child to
/// parent, so that a child's weights can be inherited from its parent. Torch-free: a search can
/// compute a child's cheap objectives (params, MAdds) without building any network.
#ifndef PARETONAS_MORPH_MORPHISM_HPP
#define PARETONAS_MORPH_MORPHISM_HPP

#include <paretonas/core/architecture.hpp>
#include <paretonas/core/morphism_record.hpp>

#include <map>
#include <string>
#include <vector>

namespace paretonas {

/// Where a child node's output channels come from in the parent: `channels[c]` is the channel of
/// the parent node `parent_node`'s output that child channel c equals, or -1 for a new channel.
/// A new node that passes its input through unchanged (an identity-initialised conv, say) maps
/// to the parent node whose value it carries.
struct ChannelOrigin {
    int parent_node = -1;
    std::vector<int> channels;
};
using Correspondence = std::map<int, ChannelOrigin>;  // child node id -> origin

/// How the tensors of a new node are initialised so that the child computes the parent's function.
enum class NewNodeInit {
    identity,   // conv: Dirac kernel; linear: identity matrix; batch_norm: identity in eval mode
    zero,       // conv/linear weights zero (the branch contributes nothing yet)
    low_rank,   // sep_conv: rank-1 fit of a parent conv's kernel per input channel (see fitted_from)
};

/// A child architecture, how its channels map to the parent's, and how to initialise the
/// tensors of the nodes it added.
struct MorphResult {
    Architecture child;
    Morphism applied;
    Correspondence origin;
    std::map<int, NewNodeInit> new_nodes;
    std::map<int, int> fitted_from;  // child node initialised low_rank -> the parent conv it fits

    /// Approximate morphisms change the function: the child should be distilled from its parent.
    bool needs_distillation() const { return !applied.exact; }
};

/// Nodes after which deepen may insert a layer: outputs that are never negative (ReLU, pools,
/// concats and global pools of them), feature maps or vectors of at most 2048 features, not the
/// network output.
std::vector<int> deepen_sites(const Architecture& arch);
/// After a feature map: inserts conv(k x k, same channels) + batch_norm + relu, exact in eval
/// mode. After a vector (the head): inserts an identity linear + relu, exact in both modes;
/// `kernel` is then only validated.
MorphResult deepen(const Architecture& parent, int after, int kernel);

/// Convs and hidden linears whose width can grow without breaking an add or the classifier.
std::vector<int> widen_sites(const Architecture& parent);
/// Gives conv/linear `node` `width` output channels (> current); new units are fresh, and every
/// consumer's weights for them are zero.
MorphResult widen(const Architecture& parent, int node, int width);

/// Pairs (from, to) of feature maps between which a skip may be added: `from` precedes `to`,
/// `from`'s spatial size is a multiple of `to`'s (max pools bridge the gap).
std::vector<std::pair<int, int>> skip_sites(const Architecture& parent);
/// to + conv1x1(pool(from)), the 1x1 conv's weights zero: exact.
MorphResult add_skip(const Architecture& parent, int from, int to);
/// concat(to, pool(from)); every consumer of `to` gets zero weights for the new channels.
MorphResult concat_skip(const Architecture& parent, int from, int to);

/// {0, 1, ..., channels - 1}: every channel maps to itself.
std::vector<int> identity_channels(std::int64_t channels);

/// The correspondence of every child node, completing `known` (nodes the operator described)
/// by propagation: nodes present in the parent keep their channels, channel-wise ops pass their
/// input's map through, concat joins its inputs' maps with the parent's offsets. Throws
/// InputError if a value whose channels changed reaches an add or the network output.
Correspondence propagate_origin(const Architecture& parent, const Architecture& child, Correspondence known);

} // namespace paretonas

#endif
