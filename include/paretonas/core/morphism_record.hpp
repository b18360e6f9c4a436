/// @file core/morphism_record.hpp
/// The record of one applied network morphism: which operator, where, with what size. A value
/// type with one name table, so that the store, the report and the morphisms agree on names
/// ("sep_conv", not "to_sep_conv"). The edits themselves live in morph/.
#ifndef PARETONAS_CORE_MORPHISM_RECORD_HPP
#define PARETONAS_CORE_MORPHISM_RECORD_HPP

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace paretonas {

/// Every morphism operator: four exact (NASH's), four approximate (LEMONADE's ANM).
enum class MorphOp { deepen, widen, add_skip, concat_skip, remove_layer, remove_skip, prune, sep_conv };

/// The operator's name as stored and as given on the command line ("sep_conv").
const char* morph_op_name(MorphOp op);
/// Throws InputError naming an unknown operator and listing the known ones.
MorphOp morph_op_from_name(const std::string& name);
/// All operators, in declaration order.
const std::vector<MorphOp>& all_morph_ops();
/// Names -> operators (InputError naming an unknown one), and back.
std::vector<MorphOp> morph_ops_from_names(const std::vector<std::string>& names);
std::vector<std::string> morph_op_names(const std::vector<MorphOp>& ops);

/// One applied operator, recorded in a child so that a search can report what was done where
/// and replay it (morph/sampler.hpp: apply_morphism).
struct Morphism {
    MorphOp op = MorphOp::deepen;
    int node = -1;       // where it was applied (parent node id)
    int other = -1;      // second node (skip source), or -1
    int size = 0;        // kernel (deepen), new width (widen), channels kept (prune)
    bool exact = true;   // function-preserving
    std::vector<int> channels;  // prune: the parent channels kept
    /// "widen@3/32", "add_skip@7<-2".
    std::string to_string() const;
    /// What a person reads: "widen node 3 to 32", "separable conv at node 5".
    std::string describe() const;
    bool operator==(const Morphism& o) const;
};

/// Stable JSON of a list of operators ({"op", "node", "exact"} plus what is set).
nlohmann::json morphisms_to_json(const std::vector<Morphism>& ms);
/// Throws InputError for an unknown operator name or a malformed entry.
std::vector<Morphism> morphisms_from_json(const nlohmann::json& j);

} // namespace paretonas

#endif
