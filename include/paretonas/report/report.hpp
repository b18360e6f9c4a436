/// @file report/report.hpp
/// The HTML report of a search run: one self-contained file (data, styles and scripts inline)
/// that opens offline. The page draws its charts as SVG from the run's data with a few hundred
/// lines of plain JavaScript, so nothing is fetched, vendored or pinned (docs/design.md).
#ifndef PARETONAS_REPORT_REPORT_HPP
#define PARETONAS_REPORT_REPORT_HPP

#include <paretonas/store/run_store.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace paretonas {

/// A published result to compare against (a row of data/reference/*.csv).
struct ReferenceModel {
    std::string name;
    std::int64_t parameters = 0;  // 0: not stated
    double test_error = 0.0;
    std::string notes;
};

/// Reads "model,params,test_accuracy,notes" rows ('#' lines are comments; quoted notes may hold
/// commas). Throws InputError naming `source` and the line for a malformed row.
std::vector<ReferenceModel> parse_reference_csv(const std::string& text, const std::string& source);
/// The published Fashion-MNIST results shipped with paretonas (data/reference/).
std::vector<ReferenceModel> fashion_mnist_reference();

/// What the report shows beyond the run store.
struct ReportExtras {
    std::string title;
    std::vector<std::int64_t> front;                   // current front, by ascending cost
    std::map<std::int64_t, double> search_test_error;  // test error with the search's weights
    std::map<std::int64_t, std::string> downloads_onnx, downloads_json;  // paths relative to the report
    std::vector<ReferenceModel> references;
    /// What the run's method says about a candidate (MethodSpec::candidate_details), shown with
    /// the selected model: "generator" (a flat object, shown as a table), "cell_graph" (drawn),
    /// "spread" (summarised).
    std::map<std::int64_t, nlohmann::json> details;
};

/// Everything the page draws, as one JSON object (also written as report.json for tools).
nlohmann::json report_data(const RunStore& store, const ReportExtras& extras);

/// The page: the embedded template with `data` inlined.
std::string report_html(const nlohmann::json& data);

/// "conv 3x3 /2, 64 ch" and the like: how a node is named in the report.
std::string node_caption(const Node& node);
/// "9 layers: 4 conv, 1 sep conv, 2 skip add, 64-256 channels".
std::string architecture_summary(const Architecture& arch);

} // namespace paretonas

#endif
