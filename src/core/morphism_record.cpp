#include <paretonas/core/error.hpp>
#include <paretonas/core/morphism_record.hpp>

#include <nlohmann/json.hpp>

#include <sstream>

namespace paretonas {

namespace {

struct OpName {
    MorphOp op;
    const char* name;
};
// The one name table: the store, the CLI, the report and the sampler all go through it.
constexpr OpName kOpNames[] = {
    {MorphOp::deepen, "deepen"},           {MorphOp::widen, "widen"},   {MorphOp::add_skip, "add_skip"},
    {MorphOp::concat_skip, "concat_skip"}, {MorphOp::remove_layer, "remove_layer"}, {MorphOp::remove_skip, "remove_skip"},
    {MorphOp::prune, "prune"},             {MorphOp::sep_conv, "sep_conv"},
};

} // namespace

const char* morph_op_name(MorphOp op)
{
    for (const auto& e : kOpNames)
        if (e.op == op) return e.name;
    return "?";
}

MorphOp morph_op_from_name(const std::string& name)
{
    for (const auto& e : kOpNames)
        if (name == e.name) return e.op;
    std::string known;
    for (const auto& e : kOpNames) known += (known.empty() ? "" : ", ") + std::string(e.name);
    fail("unknown morphism operator '" + name + "' (known: " + known + ")");
}

const std::vector<MorphOp>& all_morph_ops()
{
    static const std::vector<MorphOp> all = [] {
        std::vector<MorphOp> ops;
        for (const auto& e : kOpNames) ops.push_back(e.op);
        return ops;
    }();
    return all;
}

std::vector<MorphOp> morph_ops_from_names(const std::vector<std::string>& names)
{
    std::vector<MorphOp> ops;
    for (const auto& name : names) ops.push_back(morph_op_from_name(name));
    return ops;
}

std::vector<std::string> morph_op_names(const std::vector<MorphOp>& ops)
{
    std::vector<std::string> names;
    for (auto op : ops) names.emplace_back(morph_op_name(op));
    return names;
}

std::string Morphism::to_string() const
{
    std::ostringstream os;
    os << morph_op_name(op) << '@' << node;
    if (other >= 0) os << "<-" << other;
    if (size > 0) os << '/' << size;
    return os.str();
}

std::string Morphism::describe() const
{
    const std::string at = " node " + std::to_string(node);
    switch (op) {
    case MorphOp::deepen: return "deepen after" + at + (size > 0 ? " (" + std::to_string(size) + "x" + std::to_string(size) + ")" : "");
    case MorphOp::widen: return "widen" + at + " to " + std::to_string(size);
    case MorphOp::add_skip: return "add skip " + std::to_string(other) + " -> " + std::to_string(node);
    case MorphOp::concat_skip: return "concat skip " + std::to_string(other) + " -> " + std::to_string(node);
    case MorphOp::remove_layer: return "remove" + at;
    case MorphOp::remove_skip: return "remove skip into" + at;
    case MorphOp::prune: return "prune" + at + " to " + std::to_string(size) + " channels";
    case MorphOp::sep_conv: return "separable conv at" + at;
    }
    return to_string();
}

bool Morphism::operator==(const Morphism& o) const
{
    return op == o.op && node == o.node && other == o.other && size == o.size && exact == o.exact && channels == o.channels;
}

nlohmann::json morphisms_to_json(const std::vector<Morphism>& ms)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : ms) {
        nlohmann::json j = {{"op", morph_op_name(m.op)}, {"node", m.node}, {"exact", m.exact}};
        if (m.other >= 0) j["other"] = m.other;
        if (m.size != 0) j["size"] = m.size;
        if (!m.channels.empty()) j["channels"] = m.channels;
        out.push_back(j);
    }
    return out;
}

std::vector<Morphism> morphisms_from_json(const nlohmann::json& j)
{
    std::vector<Morphism> out;
    try {
        for (const auto& e : j)
            out.push_back(Morphism{morph_op_from_name(e.at("op").get<std::string>()), e.at("node").get<int>(), e.value("other", -1),
                                   e.value("size", 0), e.at("exact").get<bool>(), e.value("channels", std::vector<int>{})});
    } catch (const nlohmann::json::exception& e) {
        fail(std::string("malformed morphism record (") + e.what() + ")");
    }
    return out;
}

} // namespace paretonas
