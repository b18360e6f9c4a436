#include "common/test_support.hpp"

#include <paretonas/store/run_store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>

using namespace paretonas;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

RunInfo sample_info()
{
    RunInfo info;
    info.method = "lemonade";
    info.config_json = R"({"epochs_child":1})";
    info.data = "bars";
    info.objectives = {"error", "params"};
    info.reference = {1.0, 8.0};
    info.seed = 42;
    info.code_version = "test";
    return info;
}

Candidate sample_candidate(int generation, std::int64_t parent)
{
    Candidate c;
    c.generation = generation;
    c.parent = parent;
    c.arch = conv_chain({1, 12, 12}, 3, {4 + generation}, {0});
    c.parameters = 123 + generation;
    c.multiply_adds = 4567;
    if (parent >= 0) c.operators = {Morphism{"prune", 1, -1, 2, false, {0, 3}}, Morphism{"add_skip", 4, 2, 0, true, {}}};
    return c;
}

} // namespace

TEST(RunStore, CandidatesAndGenerationsSurviveReopening)
{
    test::TempDir dir;
    const auto path = dir.file("run");
    {
        auto store = RunStore::create(path, sample_info());
        const auto ids = store.add_all({sample_candidate(0, -1), sample_candidate(0, -1)});
        ASSERT_EQ(ids.size(), 2u);
        auto child = sample_candidate(1, ids[0]);
        child.id = store.add(child);
        child.status = CandidateStatus::done;
        child.val_error = 0.125;
        child.latency_ms = 1.5;
        child.epochs = 2;
        child.weights = std::to_string(child.id) + ".pt";
        store.update(child);
        store.record_generation({0, {ids[0], ids[1]}, 0.75, 12.0});
        store.set_elapsed_seconds(33.0);
    }
    const auto store = RunStore::open(path);
    EXPECT_EQ(store.info().objectives, sample_info().objectives);
    EXPECT_EQ(store.info().reference, sample_info().reference);
    EXPECT_EQ(store.info().seed, 42u);
    EXPECT_EQ(store.info().config_json, sample_info().config_json);
    const auto all = store.candidates();
    ASSERT_EQ(all.size(), 3u);
    const auto& c = all[2];
    EXPECT_EQ(c.parent, all[0].id);
    EXPECT_EQ(c.status, CandidateStatus::done);
    EXPECT_EQ(c.arch, sample_candidate(1, 0).arch);
    ASSERT_EQ(c.operators.size(), 2u);
    EXPECT_EQ(c.operators[0].channels, (std::vector<int>{0, 3}));
    EXPECT_FALSE(c.operators[0].exact);
    EXPECT_EQ(c.operators[1].other, 2);
    EXPECT_TRUE(c.approximate());
    EXPECT_DOUBLE_EQ(c.val_error, 0.125);
    EXPECT_EQ(c.weights, std::to_string(c.id) + ".pt");
    EXPECT_EQ(all[0].status, CandidateStatus::queued);
    ASSERT_EQ(store.generations().size(), 1u);
    EXPECT_EQ(store.generations()[0].front, (std::vector<std::int64_t>{all[0].id, all[1].id}));
    EXPECT_DOUBLE_EQ(store.elapsed_seconds(), 33.0);
    EXPECT_EQ(store.weights_path("7.pt"), (fs::path(path) / "weights" / "7.pt").string());
}

TEST(RunStore, ASecondWriterIsRefusedButReadersAreNot)
{
    test::TempDir dir;
    const auto path = dir.file("run");
    const auto first = RunStore::create(path, sample_info());
    EXPECT_THAT(test::error_message([&] { RunStore::open(path); }), HasSubstr("is in use by another paretonas process (pid"));
    EXPECT_NO_THROW(RunStore::open_read_only(path));
}

TEST(RunStore, CorruptForeignOrOccupiedPlacesAreRefusedUntouched)
{
    test::TempDir dir;
    EXPECT_THAT(test::error_message([&] { RunStore::open(dir.file("none")); }), HasSubstr("no run in"));

    // A non-empty directory that is not a run.
    const auto occupied = dir.file("occupied");
    fs::create_directories(occupied);
    test::write_bytes(occupied + "/notes.txt", {'h', 'i'});
    EXPECT_THAT(test::error_message([&] { RunStore::create(occupied, sample_info()); }), HasSubstr("is not an empty directory"));
    EXPECT_FALSE(fs::exists(occupied + "/run.db"));

    // Garbage where the database should be: named, and not overwritten.
    const auto corrupt = dir.file("corrupt");
    fs::create_directories(corrupt);
    const test::Bytes garbage(4096, 0x5a);
    test::write_bytes(corrupt + "/run.db", garbage);
    EXPECT_THAT(test::error_message([&] { RunStore::open(corrupt); }), HasSubstr("corrupt or not a paretonas run"));
    EXPECT_EQ(test::read_bytes(corrupt + "/run.db"), garbage);
    EXPECT_THAT(test::error_message([&] { RunStore::create(corrupt, sample_info()); }), HasSubstr("already exists"));

    // An existing run cannot be created again.
    const auto run = dir.file("run");
    { RunStore::create(run, sample_info()); }
    EXPECT_THAT(test::error_message([&] { RunStore::create(run, sample_info()); }), HasSubstr("already exists; resume it"));
}

TEST(RunStore, ACreationKilledBeforeItsDatabaseWasCompleteIsCreatedAgain)
{
    test::TempDir dir;
    // What a search killed inside RunStore::create leaves: a lock, no weights, half a database.
    const auto path = dir.file("run");
    fs::create_directories(path + "/weights");
    test::write_bytes(path + "/lock", {'1', '\n'});
    test::write_bytes(path + "/run.db.creating", test::Bytes(512, 0x5a));
    test::write_bytes(path + "/run.db.creating-journal", test::Bytes(64, 0));
    EXPECT_FALSE(RunStore::exists(path));
    {
        auto store = RunStore::create(path, sample_info());
        store.add(sample_candidate(0, -1));
    }
    EXPECT_FALSE(fs::exists(path + "/run.db.creating"));
    EXPECT_FALSE(fs::exists(path + "/run.db.creating-journal"));
    EXPECT_EQ(RunStore::open(path).candidates().size(), 1u);

    // Those leftovers are all it forgives: weights are a run's, never overwritten.
    const auto used = dir.file("used");
    fs::create_directories(used + "/weights");
    test::write_bytes(used + "/weights/1.pt", {'x'});
    EXPECT_THAT(test::error_message([&] { RunStore::create(used, sample_info()); }), HasSubstr("is not an empty directory"));
    EXPECT_FALSE(fs::exists(used + "/run.db"));
}

TEST(RunStore, FinalModelsArePerRecipeAndOlderRunsGainTheirTableAndColumns)
{
    test::TempDir dir;
    const auto path = dir.file("run");
    std::int64_t id = 0;
    {
        auto store = RunStore::create(path, sample_info());
        id = store.add(sample_candidate(0, -1));
        // A run made before finals existed.
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((path + "/run.db").c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "DROP TABLE finals; ALTER TABLE candidates DROP COLUMN genome", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    EXPECT_TRUE(RunStore::open_read_only(path).finals().empty());
    EXPECT_TRUE(RunStore::open_read_only(path).candidate(id)->genome.empty());
    auto store = RunStore::open(path);
    auto with_genome = sample_candidate(1, id);
    with_genome.genome = {2, 0, 1, 7};
    const auto genome_id = store.add(with_genome);
    EXPECT_EQ(RunStore::open_read_only(path).candidate(genome_id)->genome, with_genome.genome);
    EXPECT_TRUE(store.candidate(id)->genome.empty());
    FinalModel tuned{id, "e3", 3, false, CandidateStatus::done, 0.12, 0.5, 30.0, "1-e3.pt"};
    FinalModel scratch{id, "e3-scratch", 3, true, CandidateStatus::training, 1.0, 0.0, 0.0, ""};
    store.save_final(tuned);
    store.save_final(scratch);
    scratch.status = CandidateStatus::done;
    scratch.test_error = 0.2;
    store.save_final(scratch);  // replaces its own recipe only
    const auto finals = RunStore::open_read_only(path).finals();
    ASSERT_EQ(finals.size(), 2u);
    EXPECT_FALSE(finals[0].from_scratch);
    EXPECT_DOUBLE_EQ(finals[0].test_error, 0.12);
    EXPECT_EQ(finals[0].weights, "1-e3.pt");
    EXPECT_TRUE(finals[1].from_scratch);
    EXPECT_DOUBLE_EQ(finals[1].test_error, 0.2);
    EXPECT_EQ(finals[1].name(), std::to_string(id) + "-e3-scratch");
    EXPECT_EQ(finals[1].recipe, "e3-scratch");
    EXPECT_EQ(store.final_path("a.pt"), path + "/final/a.pt");
    // The one to deliver: the most epochs, then the latest written (never the lowest test
    // error: that would choose on the test set); unfinished ones never.
    EXPECT_TRUE(delivered_final(finals, id)->from_scratch);
    EXPECT_FALSE(delivered_final(finals, id + 1));
    FinalModel longer{id, "e9", 9, false, CandidateStatus::failed, 0.0, 0.0, 0.0, ""};
    EXPECT_TRUE(delivered_final({tuned, longer}, id)->recipe == "e3");
    longer.status = CandidateStatus::done;
    EXPECT_TRUE(delivered_final({longer, tuned}, id)->recipe == "e9");
}
