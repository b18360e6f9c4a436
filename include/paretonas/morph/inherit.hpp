/// @file morph/inherit.hpp
/// Lamarckian weight inheritance: builds a child network from a MorphResult and fills it with
/// the parent's trained tensors through the channel correspondence.
#ifndef PARETONAS_MORPH_INHERIT_HPP
#define PARETONAS_MORPH_INHERIT_HPP

#include <paretonas/morph/morphism.hpp>
#include <paretonas/train/network.hpp>

namespace paretonas {

/// The child of `result`, on the parent's device. Tensors of nodes the parent has are copied
/// channel by channel (new output channels keep their fresh initialisation; weights that read
/// new input channels are zero; new batch-norm channels start as identity); tensors of new
/// nodes follow result.new_nodes. Throws InputError when a tensor cannot be mapped.
Network inherit(const NetworkImpl& parent, const MorphResult& result);

/// L1 norm of each output filter of conv, sep_conv (its pointwise part) or linear `node`: the
/// scores by which prune keeps filters. Throws InputError for other nodes.
std::vector<double> filter_l1_norms(const NetworkImpl& net, int node);

} // namespace paretonas

#endif
