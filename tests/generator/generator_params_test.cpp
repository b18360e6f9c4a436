#include <paretonas/core/error.hpp>
#include <paretonas/generator/generator_params.hpp>

#include "common/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>

using namespace paretonas;

TEST(GeneratorParams, TheUnitCubeRoundTripsEveryIntegerValue)
{
    const GeneratorSpace space;
    for (int nodes = 3; nodes <= 10; ++nodes) {
        GeneratorParams theta;
        theta.top_nodes = nodes;
        theta.bottom_nodes = nodes;
        theta.top_p = 0.1 + 0.1 * (nodes - 3);
        EXPECT_EQ(space.from_unit(space.to_unit(theta)), theta) << nodes;
    }
}

TEST(GeneratorParams, EveryIntegerValueGetsAnEqualShareOfTheCube)
{
    const GeneratorSpace space;
    std::map<int, int> counts;
    const int steps = 8000;
    for (int i = 0; i < steps; ++i) {
        std::vector<double> unit(GeneratorParams::dimensions, 0.5);
        unit[1] = (i + 0.5) / steps;  // top_k in [2, 5]: four values
        ++counts[space.from_unit(unit).top_k];
    }
    EXPECT_EQ(counts, (std::map<int, int>{{2, 2000}, {3, 2000}, {4, 2000}, {5, 2000}}));
    std::vector<double> corner(GeneratorParams::dimensions, 1.0);
    EXPECT_EQ(space.from_unit(corner).top_k, 5);
    EXPECT_EQ(space.from_unit(corner).width, 32);
    EXPECT_DOUBLE_EQ(space.from_unit(corner).mid_p, 0.9);
}

TEST(GeneratorParams, AThetaOutsideItsRangeIsNamedNotClamped)
{
    const GeneratorSpace space;
    GeneratorParams theta;
    theta.top_p = 1.2;
    EXPECT_EQ(test::error_message([&] { space.check(theta); }), "generator theta field top_p = 1.2 is outside [0.1, 0.9]");
    theta = GeneratorParams{};
    theta.width = 64;
    EXPECT_EQ(test::error_message([&] { space.to_unit(theta); }), "generator theta field width = 64 is outside [4, 32]");
    EXPECT_EQ(test::error_message([&] { space.from_unit(std::vector<double>(9, 1.5)); }),
              "unit-cube coordinate of top_nodes must be in [0, 1], got 1.5");
    EXPECT_EQ(test::error_message([&] { space.from_unit(std::vector<double>(3, 0.5)); }), "a generator point needs 9 coordinates, got 3");
}

TEST(GeneratorParams, RangesCanBeNarrowedButNotBeyondTheFieldsDomain)
{
    GeneratorSpace space = GeneratorSpace::from_json(nlohmann::json::parse(R"({"top_nodes": [3, 5], "width": [8, 8]})"));
    EXPECT_EQ(space.dimension("top_nodes").high, 5);
    EXPECT_EQ(space.from_unit(std::vector<double>(9, 0.3)).width, 8);
    EXPECT_EQ(space.to_json()["top_nodes"], nlohmann::json::parse("[3, 5]"));
    EXPECT_EQ(test::error_message([&] { space.set_range("top_k", 1, 4); }), "generator theta field top_k range [1, 4] leaves its domain [2, 1e+09]");
    EXPECT_EQ(test::error_message([&] { space.set_range("mid_nodes", 1.5, 4); }),
              "generator theta field mid_nodes is a whole number; its range must be too, got [1.5, 4]");
    EXPECT_EQ(test::error_message([&] { space.set_range("top_p", 0.8, 0.2); }), "generator theta field top_p needs a range low <= high, got [0.8, 0.2]");
    EXPECT_EQ(test::error_message([&] { space.set_range("depth", 1, 2); }),
              "unknown generator theta field 'depth' (fields: top_nodes, top_k, top_p, mid_nodes, mid_p, bottom_nodes, bottom_k, bottom_p, width)");
    EXPECT_EQ(test::error_message([] { GeneratorSpace::from_json(nlohmann::json::parse(R"({"top_p": 0.5})")); }),
              "generator range of top_p must be [low, high], got 0.5");
}

TEST(GeneratorParams, JsonRoundTripsAndNamesMissingUnknownAndFractionalFields)
{
    GeneratorParams theta;
    theta.mid_nodes = 3;
    theta.bottom_p = 0.25;
    const nlohmann::json json = to_json(theta);
    EXPECT_EQ(json.dump(), R"({"bottom_k":4,"bottom_nodes":4,"bottom_p":0.25,"mid_nodes":3,"mid_p":0.5,"top_k":4,"top_nodes":4,"top_p":0.75,"width":16})");
    EXPECT_EQ(generator_params_from_json(json), theta);

    nlohmann::json missing = json;
    missing.erase("width");
    EXPECT_EQ(test::error_message([&] { generator_params_from_json(missing); }), "generator theta lacks field width");
    nlohmann::json unknown = json;
    unknown["depth"] = 3;
    EXPECT_EQ(test::error_message([&] { generator_params_from_json(unknown); }), "generator theta has unknown field 'depth'");
    nlohmann::json fractional = json;
    fractional["top_nodes"] = 4.5;
    EXPECT_EQ(test::error_message([&] { generator_params_from_json(fractional); }), "generator theta field top_nodes must be a whole number, got 4.5");
    nlohmann::json text = json;
    text["top_p"] = "high";
    EXPECT_EQ(test::error_message([&] { generator_params_from_json(text); }), "generator theta field top_p must be a number, got \"high\"");
}
