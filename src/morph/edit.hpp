// Internal helpers shared by the exact and the approximate morphisms.
#ifndef PARETONAS_SRC_MORPH_EDIT_HPP
#define PARETONAS_SRC_MORPH_EDIT_HPP

#include <paretonas/core/error.hpp>
#include <paretonas/morph/morphism.hpp>

#include <string>

namespace paretonas::detail {

/// A child equal to `parent`, recording the operator; checks that the named nodes exist.
inline MorphResult start_edit(const Architecture& parent, MorphOp op, int node, int other = -1, int size = 0,
                              bool exact = true)
{
    if (!parent.contains(node)) fail(std::string(morph_op_name(op)) + ": no node with id " + std::to_string(node));
    if (other >= 0 && !parent.contains(other)) fail(std::string(morph_op_name(op)) + ": no node with id " + std::to_string(other));
    MorphResult r{parent, Morphism{op, node, other, size, exact, {}}, {}, {}, {}};
    return r;
}

/// Completes the channel correspondence of every child node (validates the child on the way).
inline MorphResult finish_edit(const Architecture& parent, MorphResult r)
{
    r.origin = propagate_origin(parent, r.child, std::move(r.origin));
    return r;
}

/// finish_edit, with a refusal reworded as "<refusal> (<why>)" so that it names the operator.
inline MorphResult finish_edit(const Architecture& parent, MorphResult r, const std::string& refusal)
{
    try {
        return finish_edit(parent, std::move(r));
    } catch (const InputError& e) {
        fail(refusal + " (" + e.what() + ")");
    }
}

/// True when `f` runs without an InputError: how site lists ask "would this edit be accepted?".
template <class F>
bool succeeds(F&& f)
{
    try {
        f();
        return true;
    } catch (const InputError&) {
        return false;
    }
}

inline bool is_feature_map(const Shape& s) { return s.size() == 3; }

} // namespace paretonas::detail

#endif
