#include "common/test_support.hpp"

#include <paretonas/report/report.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace paretonas;
using ::testing::HasSubstr;

TEST(ReferenceCsv, ParsesRowsCommentsQuotesAndMissingSizes)
{
    const auto rows = parse_reference_csv("# comment\nmodel,params,test_accuracy,notes\n"
                                          "\"Net, small\",1500,0.9,\"flips, \"\"crops\"\"\"\nBig,,0.95,\n",
                                          "t.csv");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].name, "Net, small");
    EXPECT_EQ(rows[0].parameters, 1500);
    EXPECT_NEAR(rows[0].test_error, 0.1, 1e-12);
    EXPECT_EQ(rows[0].notes, "flips, \"crops\"");
    EXPECT_EQ(rows[1].parameters, 0);
    const auto shipped = fashion_mnist_reference();
    EXPECT_GT(shipped.size(), 30u);
    EXPECT_EQ(shipped[0].name, "2 Conv+pooling");
}

TEST(ReferenceCsv, NamesTheLineOfABadRow)
{
    const std::string header = "model,params,test_accuracy,notes\n";
    EXPECT_EQ(test::error_message([&] { parse_reference_csv(header + "A,many,0.9,\n", "t.csv"); }),
              "t.csv line 2: params must be a number or empty and test_accuracy a number in [0, 1]");
    EXPECT_EQ(test::error_message([&] { parse_reference_csv(header + "A,10,1.5,\n", "t.csv"); }),
              "t.csv line 2: params must be a number or empty and test_accuracy a number in [0, 1]");
    EXPECT_EQ(test::error_message([&] { parse_reference_csv(header + "A\n", "t.csv"); }), "t.csv line 2: expected model,params,test_accuracy,notes");
    EXPECT_EQ(test::error_message([&] { parse_reference_csv("name,size,acc\n", "t.csv"); }),
              "t.csv line 1: header must start with model,params,test_accuracy");
    EXPECT_EQ(test::error_message([&] { parse_reference_csv("# only comments\n", "t.csv"); }), "t.csv: no header line");
}

TEST(ReportText, CaptionsAndSummaries)
{
    Node conv;
    conv.op = OpType::conv;
    conv.kernel = 3;
    conv.stride = 2;
    conv.channels = 64;
    EXPECT_EQ(node_caption(conv), "conv 3x3 /2, 64 ch");
    conv.groups = 4;
    EXPECT_EQ(node_caption(conv), "conv 3x3 /2 g4, 64 ch");
    Node pool;
    pool.op = OpType::max_pool;
    pool.kernel = 2;
    pool.stride = 2;
    EXPECT_EQ(node_caption(pool), "max pool 2x2 /2");
    EXPECT_EQ(architecture_summary(conv_chain({1, 28, 28}, 10, {16, 32, 64}, {0, 1})), "4 layers: 3 conv, 1 linear, 16-64 channels");
}

TEST(ReportPage, InlinesTheDataWithoutEndingTheScriptEarly)
{
    nlohmann::json data = {{"title", "a <!-- <script> </script><script>alert(1)</script> b"}, {"candidates", nlohmann::json::array()}};
    const auto page = report_html(data);
    EXPECT_EQ(page.find("alert(1)</script>"), std::string::npos);
    EXPECT_EQ(page.find("<!-- <script>"), std::string::npos);
    EXPECT_THAT(page, HasSubstr("a \\u003c!-- \\u003cscript> \\u003c/script>"));
    EXPECT_EQ(page.find("/*REPORT_DATA*/"), std::string::npos);
    // The JSON inside still parses to the same data.
    const auto begin = page.find("id=\"report-data\">") + 17;
    const auto end = page.find("</script>", begin);
    EXPECT_EQ(nlohmann::json::parse(page.substr(begin, end - begin)), data);
    // Bytes that are not UTF-8 do not fail the report.
    EXPECT_NO_THROW(report_html({{"title", std::string("run \xff")}}));
}

TEST(ReportData, MarksTheFrontAndTheDeliveredFinalModels)
{
    test::TempDir dir;
    auto store = RunStore::create(dir.file("run"), test::run_info("lemonade"));
    Candidate a, b, queued;
    a.arch = conv_chain({1, 12, 12}, 3, {4}, {0});
    b.arch = conv_chain({1, 12, 12}, 3, {8, 16}, {0});
    queued.arch = conv_chain({1, 12, 12}, 3, {2}, {0});
    a.status = b.status = CandidateStatus::done;
    a.val_error = 0.3;
    b.val_error = 0.1;
    b.parent = 1;
    b.operators = {Morphism{MorphOp::widen, 2, -1, 16, true, {}}, Morphism{MorphOp::sep_conv, 3, -1, 0, false, {}}};
    const auto ids = store.add_all({a, b, queued});
    FinalModel older{ids[1], "e2", 2, false, CandidateStatus::done, 0.09, 1.0, 5.0, "x.pt"};
    FinalModel newer{ids[1], "e4", 4, false, CandidateStatus::done, 0.08, 1.0, 9.0, "y.pt"};
    FinalModel broken{ids[1], "e8", 8, false, CandidateStatus::training, 1.0, 0.0, 0.0, ""};
    for (const auto& f : {older, newer, broken}) store.save_final(f);
    store.record_generation({0, {ids[1]}, 0.5, 10.0});

    ReportExtras extras;
    extras.front = {ids[1]};
    extras.downloads_onnx[ids[1]] = "models/2.onnx";
    extras.details[ids[0]] = {{"generator", {{"width", 3}}}};
    const auto data = report_data(store, extras);
    ASSERT_EQ(data.at("candidates").size(), 2u);  // trained ones only
    const auto& first = data.at("candidates")[0];
    const auto& second = data.at("candidates")[1];
    EXPECT_FALSE(first.at("front").get<bool>());
    EXPECT_TRUE(second.at("front").get<bool>());
    EXPECT_EQ(second.at("final").at("epochs"), 4);  // the finished one with most epochs
    EXPECT_EQ(second.at("operators"), nlohmann::json({"widen node 2 to 16", "separable conv at node 3 (approximate)"}));
    EXPECT_EQ(second.at("onnx"), "models/2.onnx");
    EXPECT_FALSE(first.contains("final"));
    EXPECT_EQ(first.at("details"), nlohmann::json({{"generator", {{"width", 3}}}}));  // the method's, as given
    EXPECT_FALSE(second.contains("details"));
    EXPECT_EQ(data.at("run").at("statuses").at("queued"), 1);
    EXPECT_EQ(data.at("generations")[0].at("front_size"), 1);
    EXPECT_EQ(data.at("architectures").at(std::to_string(ids[1])).size(), b.arch.nodes().size());
    EXPECT_TRUE(data.at("references").empty());
}
