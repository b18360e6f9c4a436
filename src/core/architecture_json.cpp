// JSON round trip and canonical hash of Architecture.
#include <paretonas/core/architecture.hpp>
#include <paretonas/core/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace paretonas {

namespace {

using nlohmann::json;

constexpr const char* format_tag = "paretonas.architecture";
constexpr int format_version = 1;

bool uses_window(OpType op)
{
    return op == OpType::conv || op == OpType::sep_conv || op == OpType::max_pool || op == OpType::avg_pool;
}
bool is_conv(OpType op) { return op == OpType::conv || op == OpType::sep_conv; }

// Writes only the attributes the op uses, and only when they differ from the default, so that
// equal architectures serialise to equal bytes whatever unused fields hold.
json node_to_json(const Node& n)
{
    json j;
    j["id"] = n.id;
    j["op"] = op_name(n.op);
    j["inputs"] = n.inputs;
    if (is_conv(n.op)) j["channels"] = n.channels;
    if (n.op == OpType::linear) j["features"] = n.channels;
    if (uses_window(n.op)) {
        j["kernel"] = n.kernel;
        j["stride"] = n.stride;
        if (n.padding >= 0) j["padding"] = n.padding;
    }
    if (is_conv(n.op) && n.dilation != 1) j["dilation"] = n.dilation;
    if (n.op == OpType::conv && n.groups != 1) j["groups"] = n.groups;
    if (is_conv(n.op) && n.bias) j["bias"] = true;
    if (n.op == OpType::dropout) j["rate"] = n.rate;
    return j;
}

template <class T>
T get_field(const json& j, const char* key, const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end()) fail(where + ": missing field '" + key + "'");
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        fail(where + ": field '" + key + "' has the wrong type (" + it->type_name() + ")");
    }
}

template <class T>
void read_optional(const json& j, const char* key, T& out, const std::string& where)
{
    if (j.contains(key)) out = get_field<T>(j, key, where);
}

Node node_from_json(const json& j, std::size_t position)
{
    std::string where = "architecture node #" + std::to_string(position);
    if (!j.is_object()) fail(where + ": expected an object");
    static const std::set<std::string> known = {"id", "op", "inputs", "channels", "features", "kernel", "stride",
                                                "padding", "dilation", "groups", "bias", "rate"};
    for (const auto& item : j.items())
        if (!known.count(item.key())) fail(where + ": unknown field '" + item.key() + "'");
    Node n;
    n.id = get_field<int>(j, "id", where);
    where = "architecture node " + std::to_string(n.id);
    n.op = op_from_name(get_field<std::string>(j, "op", where));
    n.inputs = get_field<std::vector<int>>(j, "inputs", where);
    read_optional(j, "channels", n.channels, where);
    read_optional(j, "features", n.channels, where);
    read_optional(j, "kernel", n.kernel, where);
    read_optional(j, "stride", n.stride, where);
    read_optional(j, "padding", n.padding, where);
    read_optional(j, "dilation", n.dilation, where);
    read_optional(j, "groups", n.groups, where);
    read_optional(j, "bias", n.bias, where);
    read_optional(j, "rate", n.rate, where);
    return n;
}

std::uint64_t fnv1a(const std::string& text, std::uint64_t h = 1469598103934665603ULL)
{
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::string hex(std::uint64_t v)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace

std::string Architecture::to_json() const
{
    json j;
    j["format"] = format_tag;
    j["version"] = format_version;
    j["input_shape"] = m_input_shape;
    j["num_classes"] = m_num_classes;
    j["output"] = m_output;
    j["next_id"] = m_next_id;
    json nodes = json::array();
    for (const auto& n : m_nodes)
        if (n.op != OpType::input) nodes.push_back(node_to_json(n));
    j["nodes"] = std::move(nodes);
    return j.dump(1) + "\n";
}

Architecture Architecture::from_json(const std::string& text)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        fail(std::string("malformed architecture JSON: ") + e.what());
    }
    if (!j.is_object()) fail("architecture JSON must be an object");
    const std::string where = "architecture";
    if (j.contains("format") && get_field<std::string>(j, "format", where) != format_tag)
        fail("not a paretonas architecture (format '" + j["format"].get<std::string>() + "')");
    if (j.contains("version") && get_field<int>(j, "version", where) > format_version)
        fail("architecture format version " + j["version"].dump() + " is newer than this paretonas supports");
    Architecture arch(get_field<Shape>(j, "input_shape", where), get_field<int>(j, "num_classes", where));
    const auto nodes = get_field<json>(j, "nodes", where);
    if (!nodes.is_array()) fail("architecture: 'nodes' must be an array");
    std::set<int> ids = {0};
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        Node n = node_from_json(nodes[i], i);
        if (n.op == OpType::input) fail("architecture node " + std::to_string(n.id) + ": only node 0 is the input");
        if (n.id <= 0 || !ids.insert(n.id).second)
            fail("architecture node #" + std::to_string(i) + ": id " + std::to_string(n.id) +
                 " is not positive or is used twice");
        arch.m_nodes.push_back(std::move(n));
    }
    std::sort(arch.m_nodes.begin(), arch.m_nodes.end(), [](const Node& a, const Node& b) { return a.id < b.id; });
    arch.m_next_id = std::max(*ids.rbegin() + 1, j.contains("next_id") ? get_field<int>(j, "next_id", where) : 0);
    arch.m_output = get_field<int>(j, "output", where);
    if (!arch.contains(arch.m_output)) fail("architecture: output node " + std::to_string(arch.m_output) + " does not exist");
    arch.infer_shapes();
    return arch;
}

Architecture Architecture::load(const std::string& path)
{
    std::ifstream in(path);
    if (!in) fail("cannot open architecture file '" + path + "'");
    std::stringstream buffer;
    buffer << in.rdbuf();
    try {
        return from_json(buffer.str());
    } catch (const InputError& e) {
        fail(path + ": " + e.what());
    }
}

void Architecture::save(const std::string& path) const
{
    // Written to a temporary and renamed, so a reader never sees half a file.
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        if (!out) fail("cannot write architecture file '" + path + "'");
        out << to_json();
        if (!out.flush()) fail("cannot write architecture file '" + path + "'");
    }
    std::filesystem::rename(tmp, path);
}

std::string Architecture::canonical_hash() const
{
    // Each node's hash covers its op, attributes and its inputs' hashes (sorted for add, whose
    // inputs commute), never its id: renumbered or reordered copies of a network hash the same.
    std::vector<std::uint64_t> hashes(m_nodes.size());
    for (int id : topological_order()) {
        const auto i = index_of(id);
        json j = node_to_json(m_nodes[i]);
        j.erase("id");
        j.erase("inputs");
        std::vector<std::string> inputs;
        for (int src : m_nodes[i].inputs) inputs.push_back(hex(hashes[index_of(src)]));
        if (m_nodes[i].op == OpType::add) std::sort(inputs.begin(), inputs.end());
        j["in"] = inputs;
        if (m_nodes[i].op == OpType::input) j["shape"] = m_input_shape;
        hashes[i] = fnv1a(j.dump());
    }
    return hex(fnv1a(std::to_string(m_num_classes), hashes[index_of(m_output)]));
}

} // namespace paretonas
