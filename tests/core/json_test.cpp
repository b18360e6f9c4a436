#include <paretonas/core/architecture.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/json_text.hpp>

#include "common/test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace paretonas;
using ::testing::HasSubstr;

namespace {

Architecture residual_net()
{
    Architecture arch({3, 16, 16}, 7);
    const int c1 = arch.append(conv_node(8), 0);
    const int r1 = arch.append(op_node(OpType::relu), c1);
    const int c2 = arch.append(sep_conv_node(8, 5), r1);
    Node add = op_node(OpType::add);
    add.inputs = {r1, c2};
    const int a = arch.add_node(add);
    Node drop = op_node(OpType::dropout);
    drop.rate = 0.25;
    const int d = arch.append(drop, a);
    const int p = arch.append(pool_node(OpType::avg_pool, 3, 2), d);
    const int g = arch.append(op_node(OpType::global_avg_pool), p);
    arch.append(linear_node(7), g);
    return arch;
}

std::string message_of_parse(const std::string& text)
{
    return test::error_message([&] { Architecture::from_json(text); });
}

} // namespace

TEST(ArchitectureJson, RoundTripIsExactAndStable)
{
    const auto arch = residual_net();
    const auto text = arch.to_json();
    const auto back = Architecture::from_json(text);
    EXPECT_EQ(back, arch);
    EXPECT_EQ(back.to_json(), text);
    EXPECT_EQ(back.next_id(), arch.next_id());
}

TEST(ArchitectureJson, UnusedAttributesDoNotChangeBytes)
{
    auto a = residual_net();
    auto b = residual_net();
    b.node(2).groups = 4;   // relu ignores groups
    EXPECT_EQ(a.to_json(), b.to_json());
}

TEST(ArchitectureJson, FileRoundTrip)
{
    const test::TempDir dir;
    const auto path = dir.file("arch.json");
    residual_net().save(path);
    EXPECT_EQ(Architecture::load(path), residual_net());
}

TEST(ArchitectureJson, CanonicalHashIgnoresIdsAndInsertionOrder)
{
    const auto arch = residual_net();
    // The same network built with its nodes added in another order gets other ids.
    Architecture other({3, 16, 16}, 7);
    const int pad1 = other.add_node(op_node(OpType::identity));  // id 1, removed below
    const int c1 = other.append(conv_node(8), 0);
    const int r1 = other.append(op_node(OpType::relu), c1);
    const int c2 = other.append(sep_conv_node(8, 5), r1);
    Node add = op_node(OpType::add);
    add.inputs = {c2, r1};  // add commutes
    const int a = other.add_node(add);
    Node drop = op_node(OpType::dropout);
    drop.rate = 0.25;
    const int d = other.append(drop, a);
    const int p = other.append(pool_node(OpType::avg_pool, 3, 2), d);
    const int g = other.append(op_node(OpType::global_avg_pool), p);
    other.append(linear_node(7), g);
    other.remove_node(pad1);
    EXPECT_NE(other.to_json(), arch.to_json());
    EXPECT_EQ(other.canonical_hash(), arch.canonical_hash());
}

TEST(ArchitectureJson, CanonicalHashSeesEveryAttribute)
{
    const auto base = residual_net().canonical_hash();
    auto wider = residual_net();
    wider.node(1).channels = 9;
    auto wider_c2 = wider;  // keep the add valid by widening both sides
    wider_c2.node(3).channels = 9;
    EXPECT_NE(wider_c2.canonical_hash(), base);
    auto kernel = residual_net();
    kernel.node(3).kernel = 3;
    EXPECT_NE(kernel.canonical_hash(), base);
    auto rate = residual_net();
    rate.node(5).rate = 0.5;
    EXPECT_NE(rate.canonical_hash(), base);
    auto input = residual_net();
    input.set_input_shape({3, 32, 32});
    EXPECT_NE(input.canonical_hash(), base);
}

TEST(ArchitectureJson, MalformedInputGivesOneLineErrors)
{
    EXPECT_THAT(message_of_parse("{\"nodes\": [}"), HasSubstr("malformed architecture JSON"));
    EXPECT_THAT(message_of_parse("[]"), HasSubstr("must be an object"));
    EXPECT_THAT(message_of_parse(R"({"num_classes": 3, "nodes": [], "output": 0})"), HasSubstr("missing field 'input_shape'"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": "big", "num_classes": 3, "nodes": [], "output": 0})"),
                HasSubstr("field 'input_shape' must be an array, got string"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": [1,4,4], "num_classes": 3, "output": 1,
        "nodes": [{"id": 1, "op": "conv5d", "inputs": [0]}]})"), HasSubstr("unknown op 'conv5d'"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": [1,4,4], "num_classes": 3, "output": 1,
        "nodes": [{"id": 1, "op": "linear", "inputs": [0], "featurs": 3}]})"), HasSubstr("field 'featurs' does not apply to op 'linear'"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": [1,4,4], "num_classes": 3, "output": 9, "nodes": []})"),
                HasSubstr("output node 9 does not exist"));
    EXPECT_THAT(message_of_parse(R"({"format": "onnx", "input_shape": [1,4,4], "num_classes": 3, "output": 0, "nodes": []})"),
                HasSubstr("not a paretonas architecture"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": [1,4,4], "num_classes": 3, "output": 2, "nodes": [
        {"id": 1, "op": "global_avg_pool", "inputs": [0]}, {"id": 1, "op": "linear", "inputs": [1], "features": 3}]})"),
                HasSubstr("used twice"));
}

TEST(ArchitectureJson, NumbersMustBeExactIntegers)
{
    const auto with_conv = [](const std::string& attributes) {
        return R"({"input_shape": [1,8,8], "num_classes": 2, "output": 3, "nodes": [
            {"id": 1, "op": "conv", "inputs": [0], )" + attributes + R"(},
            {"id": 2, "op": "global_avg_pool", "inputs": [1]}, {"id": 3, "op": "linear", "inputs": [2], "features": 2}]})";
    };
    EXPECT_THAT(message_of_parse(with_conv(R"("channels": 2.9, "kernel": 3, "stride": 1)")),
                HasSubstr("node 1: field 'channels' must be an integer, got 2.9"));
    EXPECT_THAT(message_of_parse(with_conv(R"("channels": 4, "kernel": true, "stride": 1)")),
                HasSubstr("field 'kernel' must be an integer, got true"));
    EXPECT_THAT(message_of_parse(with_conv(R"("channels": 4294967304, "kernel": 3, "stride": 1)")),
                HasSubstr("field 'channels' is out of range"));
    // Issue "Hostile input …", defect 9: 2^64-1 read as -1, and -1 taken as "same" padding.
    EXPECT_EQ(message_of_parse(with_conv(R"("channels": 4, "kernel": 3, "stride": 1, "padding": 18446744073709551615)")),
              "architecture node 1: field 'padding' is out of range: 18446744073709551615");
    EXPECT_EQ(message_of_parse(with_conv(R"("channels": 18446744073709551600, "kernel": 3, "stride": 1)")),
              "architecture node 1: field 'channels' is out of range: 18446744073709551600");
    EXPECT_EQ(message_of_parse(with_conv(R"("channels": 4, "kernel": 3, "stride": 1, "padding": -3)")),
              "architecture node 1: field 'padding' must be >= 0 (leave it out for 'same'), got -3");
    // Defect 10: a number beyond a double is nlohmann's out_of_range, not a parse error.
    EXPECT_EQ(message_of_parse(with_conv(R"("channels": 1e400, "kernel": 3, "stride": 1)")),
              "malformed architecture JSON: [json.exception.out_of_range.406] number overflow parsing '1e400'");
    EXPECT_THAT(message_of_parse(with_conv(R"("channels": 100000, "kernel": 3, "stride": 1)")),
                HasSubstr("channels must be in [1, 65536]"));
    EXPECT_THAT(message_of_parse(with_conv(R"("channels": 4, "kernel": 3, "stride": 1, "rate": 0.5)")),
                HasSubstr("field 'rate' does not apply to op 'conv'"));
    EXPECT_THAT(message_of_parse(with_conv(R"("channels": 4, "kernel": 3, "stride": 1, "bias": 1)")),
                HasSubstr("field 'bias' has the wrong type"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": [1.5,8,8], "num_classes": 2, "output": 0, "nodes": []})"),
                HasSubstr("field 'input_shape' element must be an integer"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": [1,8,8], "num_classes": 2, "output": 0, "nodes": {}})"),
                HasSubstr("'nodes' must be an array"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": [1,8,8], "num_classes": 2, "output": 0, "nodes": [3]})"),
                HasSubstr("node #0: expected an object"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": [1,8,8], "num_classes": 2, "output": 0, "nodes": [
        {"id": 1, "op": "input", "inputs": []}]})"), HasSubstr("only node 0 is the input"));
    EXPECT_THAT(message_of_parse(R"({"version": 99, "input_shape": [1,8,8], "num_classes": 2, "output": 0, "nodes": []})"),
                HasSubstr("newer than this paretonas supports"));
    EXPECT_THAT(message_of_parse(R"({"input_shape": [1,8,8], "num_classes": 2, "output": 0, "nodes": [], "extra": 1})"),
                HasSubstr("unknown field 'extra'"));
}

// Issue "Hostile input …": a deeply nested field value crashed the error message (defect 1); a
// megabyte op name or field was echoed whole into it (defect 14).
TEST(ArchitectureJson, HostileValuesGiveShortOneLineErrors)
{
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_EQ(message_of_parse(R"({"version": )" + deep + R"(, "input_shape": [1,8,8], "num_classes": 2, "output": 0, "nodes": []})"),
              "JSON nested deeper than 64 levels");
    EXPECT_EQ(message_of_parse(R"({"version": [[[[1]]]], "input_shape": [1,8,8], "num_classes": 2, "output": 0, "nodes": []})"),
              "architecture: field 'version' must be an integer, got an array of 1");
    const std::string huge(50000000, 'q');
    const auto op = message_of_parse(R"({"input_shape": [1,8,8], "num_classes": 2, "output": 1, "nodes": [
        {"id": 1, "op": ")" + huge + R"(", "inputs": [0]}]})");
    EXPECT_LT(op.size(), 400u);
    EXPECT_THAT(op, HasSubstr("unknown op '" + std::string(kMaxQuoted, 'q') + "... (50000000 characters)' (known: "));
    const auto field = message_of_parse(R"({"input_shape": [1,8,8], "num_classes": 2, "output": 0, "nodes": [], ")" + huge + R"(": 1})");
    EXPECT_EQ(field, "architecture: unknown field '" + std::string(kMaxQuoted, 'q') + "... (50000000 characters)'");
}

TEST(ArchitectureJson, CanonicalHashTellsSharedFromDuplicatedBranches)
{
    // add(conv_a(r), conv_b(r)) with equal convs is a different network from add(conv_a, conv_a).
    auto build = [](bool shared) {
        Architecture arch({2, 6, 6}, 3);
        const int r = arch.append(op_node(OpType::relu), 0);
        const int a = arch.append(conv_node(4), r);
        Node add = op_node(OpType::add);
        add.inputs = {a, shared ? a : arch.append(conv_node(4), r)};
        const int s = arch.add_node(add);
        const int g = arch.append(op_node(OpType::global_avg_pool), s);
        arch.append(linear_node(3), g);
        return arch;
    };
    EXPECT_NE(build(true).canonical_hash(), build(false).canonical_hash());
    // "same" padding written out equals the default.
    auto explicit_padding = residual_net();
    explicit_padding.node(1).padding = 1;
    EXPECT_EQ(explicit_padding.canonical_hash(), residual_net().canonical_hash());
}

TEST(ArchitectureJson, MissingFileIsNamed)
{
    EXPECT_THAT(test::error_message([] { Architecture::load("/nonexistent/arch.json"); }),
                HasSubstr("cannot open architecture file '/nonexistent/arch.json'"));
}
