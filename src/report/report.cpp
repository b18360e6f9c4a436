#include <paretonas/report/report.hpp>

#include <paretonas/core/error.hpp>

#include "kFashionMnistReferenceCsv.hpp"
#include "kReportTemplate.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace paretonas {

using json = nlohmann::json;

namespace {

// Splits one CSV line; fields may be quoted ("a, b") with "" for a quote.
std::vector<std::string> csv_fields(const std::string& line)
{
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted && ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            ++i;
        } else if (ch == '"') {
            quoted = !quoted;
        } else if (ch == ',' && !quoted) {
            fields.emplace_back();
        } else if (ch != '\r') {
            fields.back() += ch;
        }
    }
    return fields;
}

json architecture_drawing(const Architecture& arch)
{
    const auto shapes = arch.infer_shapes();
    json nodes = json::array();
    for (int id : arch.topological_order()) {
        const auto& n = arch.node(id);
        nodes.push_back({{"id", id},
                         {"op", op_name(n.op)},
                         {"caption", node_caption(n)},
                         {"shape", shape_string(shapes[arch.index_of(id)])},
                         {"inputs", n.inputs},
                         {"output", id == arch.output_id()}});
    }
    return nodes;
}

} // namespace

std::vector<ReferenceModel> parse_reference_csv(const std::string& text, const std::string& source)
{
    std::vector<ReferenceModel> out;
    std::istringstream in(text);
    std::string line;
    bool header = true;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty() || line[0] == '#') continue;
        const auto f = csv_fields(line);
        const auto where = source + " line " + std::to_string(number);
        if (f.size() < 3) fail(where + ": expected model,params,test_accuracy,notes");
        if (header) {
            if (f[0] != "model" || f[1] != "params" || f[2] != "test_accuracy")
                fail(where + ": header must start with model,params,test_accuracy");
            header = false;
            continue;
        }
        ReferenceModel r;
        r.name = f[0];
        r.notes = f.size() > 3 ? f[3] : "";
        try {
            std::size_t used = 0;
            if (!f[1].empty()) r.parameters = static_cast<std::int64_t>(std::stod(f[1], &used));
            if (!f[1].empty() && used != f[1].size()) throw std::invalid_argument(f[1]);
            const double accuracy = std::stod(f[2], &used);
            if (used != f[2].size() || accuracy < 0 || accuracy > 1) throw std::invalid_argument(f[2]);
            r.test_error = 1.0 - accuracy;
        } catch (const std::exception&) {
            fail(where + ": params must be a number or empty and test_accuracy a number in [0, 1]");
        }
        out.push_back(r);
    }
    if (header) fail(source + ": no header line");
    return out;
}

std::vector<ReferenceModel> fashion_mnist_reference()
{
    return parse_reference_csv(kFashionMnistReferenceCsv, "data/reference/fashion_mnist_reference.csv");
}

std::string node_caption(const Node& n)
{
    const auto k = std::to_string(n.kernel) + "x" + std::to_string(n.kernel);
    const auto stride = n.stride > 1 ? " /" + std::to_string(n.stride) : "";
    switch (n.op) {
    case OpType::conv:
        return "conv " + k + stride + (n.groups > 1 ? " g" + std::to_string(n.groups) : "") +
               (n.dilation > 1 ? " d" + std::to_string(n.dilation) : "") + ", " + std::to_string(n.channels) + " ch";
    case OpType::sep_conv: return "sep conv " + k + stride + ", " + std::to_string(n.channels) + " ch";
    case OpType::max_pool: return "max pool " + k + stride;
    case OpType::avg_pool: return "avg pool " + k + stride;
    case OpType::global_avg_pool: return "global avg pool";
    case OpType::linear: return "linear, " + std::to_string(n.channels);
    case OpType::dropout: return "dropout " + std::to_string(n.rate).substr(0, 4);
    case OpType::batch_norm: return "batch norm";
    default: return op_name(n.op);
    }
}

std::string architecture_summary(const Architecture& arch)
{
    std::map<std::string, int> count;
    int min_channels = 0, max_channels = 0, layers = 0;
    for (const auto& n : arch.nodes()) {
        if (n.op == OpType::conv || n.op == OpType::sep_conv || n.op == OpType::linear) ++layers;
        if (n.op == OpType::conv) ++count["conv"];
        if (n.op == OpType::sep_conv) ++count["sep conv"];
        if (n.op == OpType::add) ++count["skip add"];
        if (n.op == OpType::concat) ++count["skip concat"];
        if (n.op == OpType::gated_sum) ++count["gated sum"];
        if (n.op == OpType::linear) ++count["linear"];
        if (n.op == OpType::conv || n.op == OpType::sep_conv) {
            min_channels = min_channels == 0 ? n.channels : std::min(min_channels, n.channels);
            max_channels = std::max(max_channels, n.channels);
        }
    }
    std::ostringstream os;
    os << layers << " layers:";
    const char* sep = " ";
    for (const char* key : {"conv", "sep conv", "linear", "skip add", "skip concat"})
        if (count[key] > 0) {
            os << sep << count[key] << ' ' << key;
            sep = ", ";
        }
    if (max_channels > 0) os << ", " << min_channels << (min_channels == max_channels ? "" : "-" + std::to_string(max_channels)) << " channels";
    return os.str();
}

json report_data(const RunStore& store, const ReportExtras& extras)
{
    const auto& info = store.info();
    const std::set<std::int64_t> front(extras.front.begin(), extras.front.end());
    const auto finals = store.finals();
    json candidates = json::array(), drawings = json::object();
    std::map<std::string, int> statuses;
    for (const auto& c : store.candidates()) {
        ++statuses[status_name(c.status)];
        if (c.status != CandidateStatus::done) continue;
        json ops = json::array();
        for (const auto& m : c.operators) ops.push_back(m.describe() + (m.exact ? "" : " (approximate)"));
        json j = {{"id", c.id},           {"generation", c.generation}, {"parent", c.parent},
                  {"val_error", c.val_error}, {"params", c.parameters}, {"madds", c.multiply_adds},
                  {"latency_ms", c.latency_ms}, {"epochs", c.epochs}, {"seconds", c.seconds},
                  {"operators", ops},     {"summary", architecture_summary(c.arch)}, {"front", front.count(c.id) > 0}};
        if (extras.search_test_error.count(c.id)) j["search_test_error"] = extras.search_test_error.at(c.id);
        if (const auto f = delivered_final(finals, c.id)) {
            j["final"] = {{"epochs", f->epochs}, {"from_scratch", f->from_scratch}, {"test_error", f->test_error},
                          {"latency_ms", f->latency_ms}, {"seconds", f->seconds}};
        }
        if (extras.details.count(c.id)) j["details"] = extras.details.at(c.id);
        if (extras.downloads_onnx.count(c.id)) j["onnx"] = extras.downloads_onnx.at(c.id);
        if (extras.downloads_json.count(c.id)) j["json"] = extras.downloads_json.at(c.id);
        candidates.push_back(j);
        drawings[std::to_string(c.id)] = architecture_drawing(c.arch);
    }
    json generations = json::array();
    for (const auto& g : store.generations())
        generations.push_back({{"generation", g.generation}, {"hypervolume", g.hypervolume}, {"seconds", g.seconds}, {"front_size", g.front.size()}});
    json references = json::array();
    for (const auto& r : extras.references)
        references.push_back({{"name", r.name}, {"params", r.parameters}, {"test_error", r.test_error}, {"notes", r.notes}});
    json settings = json::object();
    try {
        settings = json::parse(info.config_json);
    } catch (const json::exception&) {
        // Shown as empty; the report still draws what the store holds.
    }
    return {{"title", extras.title},
            {"run", {{"dir", store.dir()}, {"method", info.method}, {"data", info.data}, {"objectives", info.objectives},
                     {"reference", info.reference}, {"seed", info.seed}, {"code_version", info.code_version},
                     {"elapsed_seconds", store.elapsed_seconds()}, {"settings", settings}, {"statuses", statuses}}},
            {"candidates", candidates},
            {"architectures", drawings},
            {"generations", generations},
            {"front", extras.front},
            {"references", references}};
}

std::string report_html(const json& data)
{
    // Inside <script>, "</script>" or "<!--" in a string would change how the page parses; as
    // \u003c every "<" means the same to JSON and nothing to HTML. Bytes that are not UTF-8 (a
    // path, say) become U+FFFD instead of failing the report.
    const std::string text = data.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string payload;
    payload.reserve(text.size());
    for (char ch : text) {
        if (ch == '<') payload += "\\u003c";
        else payload += ch;
    }
    std::string html = kReportTemplate;
    const std::string marker = "/*REPORT_DATA*/null";
    const auto at = html.find(marker);
    if (at == std::string::npos) fail("report template has no data marker");
    html.replace(at, marker.size(), payload);
    return html;
}

} // namespace paretonas
