// Running the CLI in-process and checking its errors; shared by the CLI test files.
#ifndef PARETONAS_TESTS_CLI_SUPPORT_HPP
#define PARETONAS_TESTS_CLI_SUPPORT_HPP

#include "../../cli/run_cli.hpp"
#include "common/test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace paretonas::test {

struct CliResult {
    int code;
    std::string out, err;
};

inline CliResult run(const std::vector<std::string>& args)
{
    std::ostringstream out, err;
    const int code = cli::run_cli(args, out, err);
    return {code, out.str(), err.str()};
}

inline void expect_one_line_error(const CliResult& r, const std::string& fragment)
{
    EXPECT_EQ(r.code, 2);
    EXPECT_THAT(r.err, ::testing::HasSubstr(fragment));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// A directory with 40 train and 20 test images of 12x12 in IDX format.

} // namespace paretonas::test

#endif
