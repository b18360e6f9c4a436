#include "common/test_support.hpp"

#include <paretonas/search/run_check.hpp>

#include "search/search_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

using namespace paretonas;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

// A finished two-generation LEMONADE run on the bar images, copied fresh for each test.
class RunCheckTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        source = new test::TempDir;
        const test::BarData d;
        nlohmann::json initial = nlohmann::json::array();
        for (const auto& arch : {conv_chain({1, 12, 12}, 3, {2}, {0}), conv_chain({1, 12, 12}, 3, {4, 8}, {0})})
            initial.push_back(nlohmann::json::parse(arch.to_json()));
        auto settings = test::settings_for("lemonade", {{"generations", 2}, {"children_proposed", 4}, {"children_accepted", 2},
                                                              {"epochs_initial", 1}, {"epochs_child", 1}, {"initial", initial}});
        auto store = create_run(source->file("run"), settings, d.data);
        test::run_method(store, settings, d.data);
    }
    static void TearDownTestSuite() { delete source; }
    void SetUp() override { fs::copy(source->file("run"), run_dir(), fs::copy_options::recursive); }
    std::string run_dir() const { return copy.file("run"); }
    void sql(const std::string& statement) const
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((run_dir() + "/run.db").c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        sqlite3_close(db);
    }
    std::vector<std::string> problems() const
    {
        std::vector<std::string> out;
        for (const auto& p : check_run(run_dir()).problems) out.push_back(p.what + " | " + p.repair);
        return out;
    }
    static inline test::TempDir* source = nullptr;
    test::TempDir copy;
};

} // namespace

TEST_F(RunCheckTest, ASoundRunHasNoProblemsAndEveryWeightLoads)
{
    const auto check = check_run(run_dir());
    EXPECT_TRUE(check.problems.empty()) << (check.problems.empty() ? std::string() : check.problems.front().what);
    const auto store = RunStore::open_read_only(run_dir());
    std::int64_t done = 0;
    for (const auto& c : store.candidates()) done += c.status == CandidateStatus::done;
    EXPECT_EQ(check.candidates, static_cast<std::int64_t>(store.candidates().size()));
    EXPECT_EQ(check.weights_loaded, done);
    EXPECT_EQ(check.generations, 2);
}

TEST_F(RunCheckTest, ADeletedWeightsFileIsNamedWithItsRepair)
{
    fs::remove(run_dir() + "/weights/1.pt");
    std::ofstream(run_dir() + "/weights/2.pt") << "not weights";
    const auto found = problems();
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0], "candidate 1: weights " + run_dir() + "/weights/1.pt are missing | queue candidate 1 again, so that a resume trains it");
    EXPECT_THAT(found[1], HasSubstr("candidate 2: weights " + run_dir() + "/weights/2.pt cannot be loaded into this architecture"));
}

TEST_F(RunCheckTest, ACorruptRowIsNamedAndTheOthersAreStillChecked)
{
    // A failed candidate, on no front, so that its row is the only problem.
    std::int64_t victim = -1;
    {
        auto store = RunStore::open(run_dir());
        Candidate failed;
        failed.arch = conv_chain({1, 12, 12}, 3, {3}, {0});
        failed.status = CandidateStatus::failed;
        victim = store.add(failed);
    }
    const auto store = RunStore::open_read_only(run_dir());
    const auto name = "candidate " + std::to_string(victim);
    sql("UPDATE candidates SET arch='{\"nodes\": 3}' WHERE id=" + std::to_string(victim));
    const auto check = check_run(run_dir());
    ASSERT_EQ(check.problems.size(), 1u) << (check.problems.empty() ? std::string("none") : check.problems.back().what);
    EXPECT_THAT(check.problems[0].what, HasSubstr("run store " + run_dir() + ": " + name + " is corrupt ("));
    EXPECT_EQ(check.problems[0].repair, "mark " + name + " failed, so that a resume and a report skip its row");
    EXPECT_EQ(check.candidates, static_cast<std::int64_t>(store.candidate_ids().size()) - 1);
}

TEST_F(RunCheckTest, AnInconsistentFrontIsNamed)
{
    const auto store = RunStore::open_read_only(run_dir());
    const auto last = store.generations().back();
    // A member that is not in the run; then a front with a hypervolume it does not have.
    sql("UPDATE generations SET front='[999]' WHERE generation=" + std::to_string(last.generation));
    EXPECT_EQ(problems(), std::vector<std::string>{"generation 1's front holds candidate 999, which is not in the run | recompute generation 1's "
                                                   "front from the trained candidates"});
    sql("UPDATE generations SET front='" + nlohmann::json(last.front).dump() + "', hypervolume=0.5 WHERE generation=1");
    ASSERT_EQ(problems().size(), 1u);
    EXPECT_THAT(problems()[0], HasSubstr("generation 1's front records hypervolume 0.500000 but its members give "));
    // A member dropped: the trained candidate it was is left off.
    auto fewer = last.front;
    const auto dropped = fewer.back();
    fewer.pop_back();
    sql("UPDATE generations SET front='" + nlohmann::json(fewer).dump() + "', hypervolume=" + std::to_string(last.hypervolume) +
        " WHERE generation=1");
    const auto found = problems();
    EXPECT_THAT(found, ::testing::Contains("generation 1's front leaves off candidate " + std::to_string(dropped) +
                                           ", which no member dominates | recompute generation 1's front from the trained candidates"));
}
