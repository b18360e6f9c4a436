// A search killed with SIGKILL at several points resumes, loses no finished candidate and
// finishes; a second process on the same run is refused.
#include "../../cli/run_cli.hpp"
#include "common/test_support.hpp"

#include <paretonas/store/run_store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>

using namespace paretonas;
using ::testing::HasSubstr;

extern char** environ;

namespace {

std::vector<std::string> search_args(const std::string& data, const std::string& run)
{
    return {"search", "--data", data, "--out", run, "--generations", "4", "--children", "4", "--accept", "2",
            "--epochs-init", "1", "--epochs-child", "1", "--threads", "1", "--quiet", "--budget", "10m"};
}

pid_t spawn_search(const std::vector<std::string>& args)
{
    std::vector<std::string> all = {PARETONAS_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

// Runs the search to its end; its exit status, or -1 when a signal ended it.
int run_search_to_end(const std::vector<std::string>& args)
{
    int status = 0;
    ::waitpid(spawn_search(args), &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<Candidate> snapshot(const std::string& run)
{
    if (!RunStore::exists(run)) return {};
    try {
        return RunStore::open_read_only(run).candidates();
    } catch (const InputError&) {
        return {};  // created but not yet initialised
    }
}

// Kills the search as soon as `ready` holds for the store; false when the process ended first.
bool kill_when(pid_t pid, const std::string& run, const std::function<bool(const std::vector<Candidate>&)>& ready)
{
    for (int i = 0; i < 6000; ++i) {
        if (ready(snapshot(run))) {
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
            return WIFSIGNALED(status);
        }
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the search never reached the kill point";
    return false;
}

std::size_t count(const std::vector<Candidate>& cs, CandidateStatus s)
{
    return static_cast<std::size_t>(std::count_if(cs.begin(), cs.end(), [&](const Candidate& c) { return c.status == s; }));
}

} // namespace

TEST(Resume, KilledSearchesResumeWithoutLosingFinishedCandidates)
{
    test::TempDir dir;
    test::write_idx_set(dir, "train", *test::bar_images(300, 3));
    test::write_idx_set(dir, "t10k", *test::bar_images(30, 4));
    const auto run = dir.file("run");
    const auto args = search_args(dir.path(), run);

    // id -> (val error, training seconds) as first seen done: a retrained candidate would get the
    // same error (seeded, one thread) but not the same wall-clock.
    std::map<std::int64_t, std::pair<double, double>> finished;
    const auto remember = [&](const std::vector<Candidate>& cs) {
        for (const auto& c : cs)
            if (c.status == CandidateStatus::done && !finished.count(c.id)) finished[c.id] = {c.val_error, c.seconds};
    };
    const std::vector<std::function<bool(const std::vector<Candidate>&)>> kill_points = {
        [](const auto& cs) { return count(cs, CandidateStatus::training) > 0; },          // first candidate in flight
        [](const auto& cs) { return count(cs, CandidateStatus::done) >= 2; },             // inside generation 0
        [](const auto& cs) { return count(cs, CandidateStatus::queued) > 0 && count(cs, CandidateStatus::done) >= 3; },  // queue written
        [](const auto& cs) { return count(cs, CandidateStatus::done) >= 6; },
    };
    int killed = 0;
    for (std::size_t k = 0; k < kill_points.size(); ++k) {
        const auto& point = kill_points[k];
        const pid_t pid = spawn_search(args);
        if (k == 2) {
            // While it runs, a second process on the same run is refused.
            // Wait until the child holds the lock (it writes its pid into the lock file).
            const auto holder = [&] {
                std::string text;
                std::ifstream(run + "/lock") >> text;
                return text;
            };
            for (int i = 0; i < 6000 && holder() != std::to_string(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            std::ostringstream out, err;
            EXPECT_EQ(cli::run_cli(args, out, err), 2);
            EXPECT_THAT(err.str(), HasSubstr("is in use by another paretonas process"));
        }
        if (kill_when(pid, run, point)) ++killed;
        const auto after = snapshot(run);
        remember(after);
        // Nothing finished before the kill is lost or changed.
        for (const auto& [id, record] : finished) {
            const auto it = std::find_if(after.begin(), after.end(), [&](const Candidate& c) { return c.id == id; });
            ASSERT_NE(it, after.end()) << "candidate " << id << " lost";
            EXPECT_EQ(it->status, CandidateStatus::done);
            EXPECT_EQ(std::make_pair(it->val_error, it->seconds), record) << "candidate " << id << " trained again";
        }
    }
    EXPECT_GE(killed, 3);

    EXPECT_EQ(run_search_to_end(args), 0);

    const auto store = RunStore::open(run);
    const auto all = store.candidates();
    EXPECT_EQ(count(all, CandidateStatus::queued) + count(all, CandidateStatus::training), 0u);
    std::set<std::string> hashes;
    for (const auto& c : all) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_TRUE(hashes.insert(c.arch.canonical_hash()).second) << "duplicate architecture " << c.id;
        EXPECT_TRUE(std::filesystem::exists(store.weights_path(c.weights)));
        if (finished.count(c.id)) {
            EXPECT_EQ(std::make_pair(c.val_error, c.seconds), finished[c.id]) << "candidate " << c.id << " trained again";
        }
    }
    const auto generations = store.generations();
    ASSERT_EQ(generations.size(), 4u);
    for (int g = 0; g < 4; ++g) EXPECT_EQ(generations[static_cast<std::size_t>(g)].generation, g);
    EXPECT_EQ(std::count_if(all.begin(), all.end(), [](const Candidate& c) { return c.generation == 0; }), 4);  // the default initial population
}

TEST(Resume, NashKilledDuringAStepLosesOnlyTheCandidateInFlightAndEndsWithTheSameBest)
{
    test::TempDir dir;
    test::write_idx_set(dir, "train", *test::bar_images(300, 3));
    test::write_idx_set(dir, "t10k", *test::bar_images(30, 4));
    const auto start = dir.file("start.json");
    conv_chain({1, 12, 12}, 10, {4, 8}, {0}).save(start);  // IDX files hold 10 classes
    const auto args_for = [&](const std::string& run) {
        return std::vector<std::string>{"search", "--method", "nash", "--data", dir.path(), "--out", run, "--arch", start, "--steps", "3",
                                        "--neighbours", "2", "--epochs-init", "1", "--threads", "1", "--quiet", "--budget", "10m", "--seed", "7"};
    };
    const auto finish = [&](const std::string& run) {
        int status = 0;
        ::waitpid(spawn_search(args_for(run)), &status, 0);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0);
    };
    finish(dir.file("straight"));

    // Killed while a step's second member trains: its first member is done, the rest queued.
    const auto run = dir.file("killed");
    const pid_t pid = spawn_search(args_for(run));
    const bool killed = kill_when(pid, run, [](const std::vector<Candidate>& cs) {
        return std::any_of(cs.begin(), cs.end(), [](const Candidate& c) { return c.generation == 1 && c.status == CandidateStatus::done; }) &&
               count(cs, CandidateStatus::training) > 0;
    });
    const auto before = snapshot(run);
    finish(run);

    const auto reference = RunStore::open_read_only(dir.file("straight")).candidates();
    const auto resumed = RunStore::open_read_only(run).candidates();
    ASSERT_EQ(resumed.size(), reference.size());
    ASSERT_EQ(resumed.size(), 10u);  // the start, then three steps of two children and the incumbent
    for (std::size_t i = 0; i < resumed.size(); ++i) {
        EXPECT_EQ(resumed[i].status, CandidateStatus::done);
        EXPECT_EQ(resumed[i].arch, reference[i].arch) << "candidate " << resumed[i].id;
        EXPECT_EQ(resumed[i].parent, reference[i].parent) << "candidate " << resumed[i].id;
        EXPECT_EQ(resumed[i].val_error, reference[i].val_error) << "candidate " << resumed[i].id;
    }
    // Nothing finished before the kill was trained again.
    if (killed)
        for (const auto& c : before)
            if (c.status == CandidateStatus::done) EXPECT_EQ(resumed[static_cast<std::size_t>(c.id - 1)].seconds, c.seconds) << c.id;
    EXPECT_TRUE(killed);
    const auto best = [](const std::vector<Candidate>& cs) {
        return std::min_element(cs.begin(), cs.end(), [](const Candidate& a, const Candidate& b) { return a.val_error < b.val_error; })->id;
    };
    EXPECT_EQ(best(resumed), best(reference));
}

TEST(Resume, NagoKilledMidSearchContinuesItsBayesianOptimisationWithoutRepeatingAnEvaluation)
{
    test::TempDir dir;
    test::write_idx_set(dir, "train", *test::bar_images(300, 3));
    test::write_idx_set(dir, "t10k", *test::bar_images(30, 4));
    std::ofstream(dir.file("ranges.json")) << R"({"top_nodes": [3, 4], "mid_nodes": [1, 2], "bottom_nodes": [3, 4], "width": [2, 4]})";
    const auto run = dir.file("run");
    const std::vector<std::string> args{"search", "--method", "nago", "--data", dir.path(), "--out", run, "--generations", "4",
                                        "--initial", "4", "--batch", "2", "--epochs-init", "1", "--threads", "1", "--quiet",
                                        "--budget", "10m", "--ranges", dir.file("ranges.json")};
    std::map<std::int64_t, std::pair<double, double>> finished;
    const std::vector<std::function<bool(const std::vector<Candidate>&)>> kill_points = {
        [](const auto& cs) { return count(cs, CandidateStatus::done) >= 2; },                                            // initial design
        [](const auto& cs) { return count(cs, CandidateStatus::queued) > 0 && count(cs, CandidateStatus::done) >= 5; },  // a BO batch queued
        [](const auto& cs) { return count(cs, CandidateStatus::done) >= 7; },
    };
    int killed = 0;
    for (const auto& point : kill_points) {
        if (kill_when(spawn_search(args), run, point)) ++killed;
        for (const auto& c : snapshot(run))
            if (c.status == CandidateStatus::done && !finished.count(c.id)) finished[c.id] = {c.val_error, c.seconds};
    }
    EXPECT_GE(killed, 2);
    EXPECT_EQ(run_search_to_end(args), 0);

    const auto store = RunStore::open(run);
    const auto all = store.candidates();
    EXPECT_EQ(all.size(), 4u + 3u * 2u);  // the initial design, then a batch of 2 per generation
    std::set<std::string> draws;
    for (const auto& c : all) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_TRUE(draws.insert(c.data.at("theta").dump() + "/" + c.data.at("sample_seed").dump()).second) << "draw evaluated twice: " << c.id;
        if (finished.count(c.id)) EXPECT_EQ(std::make_pair(c.val_error, c.seconds), finished[c.id]) << "candidate " << c.id << " trained again";
    }
    EXPECT_EQ(store.generations().size(), 4u);
}
