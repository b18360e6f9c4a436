// Bounded reading and quoting of a user's JSON (issue "Hostile input …", defects 1 and 14).
#include <paretonas/core/json_text.hpp>

#include "common/test_support.hpp"

#include <gtest/gtest.h>

using namespace paretonas;

namespace {

std::string nested_arrays(int depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); }

} // namespace

TEST(JsonText, NestingIsBoundedWithoutRecursion)
{
    EXPECT_EQ(parse_json_within_depth(nested_arrays(kMaxJsonDepth)).dump().size(), 2u * kMaxJsonDepth + 1);
    EXPECT_EQ(test::error_message([] { parse_json_within_depth(nested_arrays(kMaxJsonDepth + 1)); }), "JSON nested deeper than 64 levels");
    // 100,000 levels (a 200 KB file) once overflowed the stack when the value was dumped.
    EXPECT_EQ(test::error_message([] { parse_json_within_depth(R"({"version": )" + nested_arrays(100000) + "}"); }),
              "JSON nested deeper than 64 levels");
    EXPECT_THROW(parse_json_within_depth("{\"a\": [}"), nlohmann::json::parse_error);  // the caller names the file
}

TEST(JsonText, ExcerptsAreShort)
{
    EXPECT_EQ(json_excerpt(nlohmann::json(2.5)), "2.5");
    EXPECT_EQ(json_excerpt(nlohmann::json("abc")), "\"abc\"");
    EXPECT_EQ(json_excerpt(nlohmann::json::array({1, 2, 3})), "an array of 3");
    EXPECT_EQ(json_excerpt(nlohmann::json::object()), "an object of 0 fields");
    const std::string long_name(1000000, 'x');
    EXPECT_EQ(quoted_excerpt(long_name), std::string(kMaxQuoted, 'x') + "... (1000000 characters)");
    EXPECT_EQ(json_excerpt(nlohmann::json(long_name)), "\"" + std::string(kMaxQuoted - 1, 'x') + "... (1000002 characters)");
    EXPECT_EQ(quoted_excerpt("short"), "short");
}
