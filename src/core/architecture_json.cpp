// JSON round trip and canonical hash of Architecture.
#include <paretonas/core/architecture.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/core/json_text.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <set>

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

// nlohmann converts booleans and floats to int silently and truncates 64-bit values; sizes
// must be exact, so integers are checked for type and range here.
int to_int(const json& value, const std::string& what)
{
    if (!value.is_number_integer()) fail(what + " must be an integer, got " + json_excerpt(value));
    // Read as signed, 2^64-1 would be -1 (and a padding of -1 means "same").
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > (1ULL << 30)) fail(what + " is out of range: " + json_excerpt(value));
    const auto v = value.get<std::int64_t>();
    if (v < -(1LL << 30) || v > (1LL << 30)) fail(what + " is out of range: " + json_excerpt(value));
    return static_cast<int>(v);
}

int get_int(const json& j, const char* key, const std::string& where)
{
    if (!j.contains(key)) fail(where + ": missing field '" + key + "'");
    return to_int(j.at(key), where + ": field '" + key + "'");
}

std::vector<int> get_int_array(const json& j, const char* key, const std::string& where)
{
    if (!j.contains(key)) fail(where + ": missing field '" + key + "'");
    const json& a = j.at(key);
    if (!a.is_array()) fail(where + ": field '" + key + "' must be an array, got " + a.type_name());
    std::vector<int> out;
    for (const auto& v : a) out.push_back(to_int(v, where + ": field '" + key + "' element"));
    return out;
}

// The attributes each op reads; any other attribute in the JSON is an error, so that a typo or
// a misplaced field never silently changes nothing.
const std::set<std::string>& attributes_of(OpType op)
{
    static const std::set<std::string> conv = {"channels", "kernel", "stride", "padding", "dilation", "groups", "bias"};
    static const std::set<std::string> sep = {"channels", "kernel", "stride", "padding", "dilation", "bias"};
    static const std::set<std::string> pool = {"kernel", "stride", "padding"};
    static const std::set<std::string> linear = {"features"}, dropout = {"rate"}, none = {};
    switch (op) {
    case OpType::conv: return conv;
    case OpType::sep_conv: return sep;
    case OpType::max_pool:
    case OpType::avg_pool: return pool;
    case OpType::linear: return linear;
    case OpType::dropout: return dropout;
    default: return none;
    }
}

Node node_from_json(const json& j, std::size_t position)
{
    std::string where = "architecture node #" + std::to_string(position);
    if (!j.is_object()) fail(where + ": expected an object");
    Node n;
    n.id = get_int(j, "id", where);
    where = "architecture node " + std::to_string(n.id);
    n.op = op_from_name(get_field<std::string>(j, "op", where));
    n.inputs = get_int_array(j, "inputs", where);
    const auto& allowed = attributes_of(n.op);
    for (const auto& item : j.items()) {
        const auto& key = item.key();
        if (key == "id" || key == "op" || key == "inputs") continue;
        if (!allowed.count(key))
            fail(where + ": field '" + quoted_excerpt(key) + "' does not apply to op '" + op_name(n.op) + "'");
        if (key == "channels" || key == "features") n.channels = to_int(item.value(), where + ": field '" + key + "'");
        else if (key == "kernel") n.kernel = to_int(item.value(), where + ": field 'kernel'");
        else if (key == "stride") n.stride = to_int(item.value(), where + ": field 'stride'");
        else if (key == "padding") {
            // Omitted means "same" (stored as -1); a negative value written out is a mistake.
            n.padding = to_int(item.value(), where + ": field 'padding'");
            if (n.padding < 0) fail(where + ": field 'padding' must be >= 0 (leave it out for 'same'), got " + std::to_string(n.padding));
        }
        else if (key == "dilation") n.dilation = to_int(item.value(), where + ": field 'dilation'");
        else if (key == "groups") n.groups = to_int(item.value(), where + ": field 'groups'");
        else if (key == "bias") n.bias = get_field<bool>(j, "bias", where);
        else if (key == "rate") n.rate = get_field<double>(j, "rate", where);
    }
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
        j = parse_json_within_depth(text);
    } catch (const json::exception& e) {  // out_of_range too: "1e400" overflows a double
        fail(std::string("malformed architecture JSON: ") + e.what());
    }
    if (!j.is_object()) fail("architecture JSON must be an object");
    const std::string where = "architecture";
    if (j.contains("format") && get_field<std::string>(j, "format", where) != format_tag)
        fail("not a paretonas architecture (format '" + quoted_excerpt(j["format"].get<std::string>()) + "')");
    for (const auto& item : j.items()) {
        static const std::set<std::string> known = {"format", "version", "input_shape", "num_classes", "output", "next_id", "nodes"};
        if (!known.count(item.key())) fail("architecture: unknown field '" + quoted_excerpt(item.key()) + "'");
    }
    if (j.contains("version") && get_int(j, "version", where) > format_version)
        fail("architecture format version " + json_excerpt(j["version"]) + " is newer than this paretonas supports");
    const auto dims = get_int_array(j, "input_shape", where);
    Architecture arch(Shape(dims.begin(), dims.end()), get_int(j, "num_classes", where));
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
    arch.m_next_id = std::max(*ids.rbegin() + 1, j.contains("next_id") ? get_int(j, "next_id", where) : 0);
    arch.m_output = get_int(j, "output", where);
    if (!arch.contains(arch.m_output)) fail("architecture: output node " + std::to_string(arch.m_output) + " does not exist");
    arch.infer_shapes();
    return arch;
}

Architecture Architecture::load(const std::string& path)
{
    const auto text = read_text_file(path, "architecture file");
    try {
        return from_json(text);
    } catch (const InputError& e) {
        fail(path + ": " + e.what());
    }
}

void Architecture::save(const std::string& path) const { write_file_atomically(path, to_json()); }

std::string Architecture::canonical_hash() const
{
    // Each node's hash covers its op, attributes and its inputs' hashes (sorted for add and
    // gated_sum, whose inputs commute: a gate travels with its input), never its id: renumbered or reordered copies of a network hash the same.
    std::vector<std::uint64_t> hashes(m_nodes.size());
    for (int id : topological_order()) {
        const auto i = index_of(id);
        Node node = m_nodes[i];
        // "same" padding spelt out equals the default; pools treat -1 as 0.
        node.padding = (node.op == OpType::conv || node.op == OpType::sep_conv) ? node.effective_padding() : node.pool_padding();
        json j = node_to_json(node);
        j.erase("id");
        j.erase("inputs");
        // The number of reading edges tells a shared branch (one conv read twice) from two
        // identical branches (two convs), which a hash of input trees alone would confuse.
        std::size_t readers = 0;
        for (const auto& other : m_nodes) readers += std::count(other.inputs.begin(), other.inputs.end(), id);
        j["readers"] = readers;
        std::vector<std::string> inputs;
        for (int src : m_nodes[i].inputs) inputs.push_back(hex(hashes[index_of(src)]));
        if (m_nodes[i].op == OpType::add || m_nodes[i].op == OpType::gated_sum) std::sort(inputs.begin(), inputs.end());
        j["in"] = inputs;
        if (m_nodes[i].op == OpType::input) j["shape"] = m_input_shape;
        hashes[i] = fnv1a(j.dump());
    }
    return hex(fnv1a(std::to_string(m_num_classes), hashes[index_of(m_output)]));
}

} // namespace paretonas
