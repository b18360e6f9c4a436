#include "common/test_support.hpp"

#include <paretonas/store/run_store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>

using namespace paretonas;
using ::testing::AllOf;
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
    if (parent >= 0) c.operators = {Morphism{MorphOp::prune, 1, -1, 2, false, {0, 3}}, Morphism{MorphOp::add_skip, 4, 2, 0, true, {}}};
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

TEST(RunStore, FinalModelsArePerRecipeAndOlderRunsGainTheirTable)
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
        ASSERT_EQ(sqlite3_exec(db, "DROP TABLE finals", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    EXPECT_TRUE(RunStore::open_read_only(path).finals().empty());
    auto store = RunStore::open(path);
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

namespace {

// A database as schema 1 wrote it (the code of sessions 1-5): per-method columns `genome` and
// `curve`, or neither in runs older than them.
void write_schema_1_run(const std::string& path, bool method_columns)
{
    fs::create_directories(path + "/weights");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((path + "/run.db").c_str(), &db), SQLITE_OK);
    const std::string columns = method_columns ? ", genome TEXT NOT NULL DEFAULT '[]', curve TEXT NOT NULL DEFAULT '[]'" : "";
    const std::string sql =
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE candidates(id INTEGER PRIMARY KEY, generation INTEGER NOT NULL, parent INTEGER, arch TEXT NOT NULL,"
        " hash TEXT NOT NULL, operators TEXT NOT NULL, status TEXT NOT NULL, val_error REAL NOT NULL, params INTEGER NOT NULL,"
        " madds INTEGER NOT NULL, latency_ms REAL NOT NULL, epochs INTEGER NOT NULL, seconds REAL NOT NULL, weights TEXT NOT NULL" +
        columns + ");"
        "CREATE TABLE generations(generation INTEGER PRIMARY KEY, front TEXT NOT NULL, hypervolume REAL NOT NULL, seconds REAL NOT NULL);"
        "INSERT INTO meta VALUES('format', '\"paretonas-run\"'), ('schema', '1'), ('method', '\"nsga2\"'),"
        " ('config', '\"{}\"'), ('data', '\"bars\"'), ('objectives', '[\"error\",\"params\"]'), ('reference', '[1.0,8.0]'),"
        " ('seed', '\"3\"'), ('code_version', '\"0.1.0\"');";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    const auto arch = conv_chain({1, 12, 12}, 3, {4}, {0}).to_json();
    for (int i = 0; i < 2; ++i) {
        sqlite3_stmt* st = nullptr;
        const std::string insert = std::string("INSERT INTO candidates(generation, parent, arch, hash, operators, status, val_error, params,"
                                               " madds, latency_ms, epochs, seconds, weights") +
                                   (method_columns ? ", genome, curve) VALUES(0,-1,?,'h','[]','done',0.5,10,20,1.0,1,2.0,'1.pt',?,?)"
                                                   : ") VALUES(0,-1,?,'h','[]','done',0.5,10,20,1.0,1,2.0,'1.pt')");
        ASSERT_EQ(sqlite3_prepare_v2(db, insert.c_str(), -1, &st, nullptr), SQLITE_OK);
        sqlite3_bind_text(st, 1, arch.c_str(), -1, SQLITE_TRANSIENT);
        if (method_columns) {
            sqlite3_bind_text(st, 2, i == 0 ? "[2,0,1]" : "[]", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, i == 0 ? "[0.7,0.5]" : "[]", -1, SQLITE_STATIC);
        }
        ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

} // namespace

TEST(RunStore, Schema1RunsReadAsMigratedAndMigrateWhenOpenedToWrite)
{
    test::TempDir dir;
    const auto path = dir.file("v1");
    write_schema_1_run(path, true);
    {
        // Read-only: read as schema 2 would store it, nothing changed on disk.
        const auto store = RunStore::open_read_only(path);
        EXPECT_EQ(store.schema(), 1);
        const auto all = store.candidates();
        ASSERT_EQ(all.size(), 2u);
        EXPECT_EQ(all[0].data, nlohmann::json::parse(R"({"genome": [2, 0, 1], "curve": [0.7, 0.5]})"));
        EXPECT_EQ(all[1].data, nlohmann::json::object());  // empty lists of a schema-1 column are no data
    }
    {
        auto store = RunStore::open(path);
        EXPECT_EQ(store.schema(), 2);
        EXPECT_EQ(store.info().method, "nsga2");
        const auto all = store.candidates();
        EXPECT_EQ(all[0].data.at("genome"), nlohmann::json::parse("[2, 0, 1]"));
        auto c = all[1];
        c.data["curve"] = {0.4};
        store.update(c);
        store.add(sample_candidate(1, c.id));
    }
    const auto store = RunStore::open_read_only(path);
    EXPECT_EQ(store.schema(), 2);
    EXPECT_EQ(store.candidates().size(), 3u);
    EXPECT_EQ(store.candidate(2)->data, nlohmann::json::parse(R"({"curve": [0.4]})"));

    // Runs older than the method columns migrate too.
    const auto older = dir.file("older");
    write_schema_1_run(older, false);
    EXPECT_EQ(RunStore::open_read_only(older).candidates()[0].data, nlohmann::json::object());
    EXPECT_EQ(RunStore::open(older).schema(), 2);
    EXPECT_EQ(RunStore::open_read_only(older).candidates().size(), 2u);
}

TEST(RunStore, MethodDataRoundTripsAndAFutureSchemaIsRefused)
{
    test::TempDir dir;
    const auto path = dir.file("run");
    {
        auto store = RunStore::create(path, sample_info());
        auto c = sample_candidate(0, -1);
        c.data = {{"genome", {1, 2}}, {"scores", {{"rank", 0.25}}}};
        store.add(c);
    }
    EXPECT_EQ(RunStore::open_read_only(path).candidate(1)->data, nlohmann::json::parse(R"({"genome": [1, 2], "scores": {"rank": 0.25}})"));
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((path + "/run.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE meta SET value='3' WHERE key='schema'", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    EXPECT_EQ(test::error_message([&] { RunStore::open_read_only(path); }),
              "run store " + path + " has schema 3; this paretonas reads schemas 1 to 2");
}

TEST(RunStore, ACorruptRowOrAMissingTableIsNamed)
{
    test::TempDir dir;
    const auto path = dir.file("run");
    {
        auto store = RunStore::create(path, sample_info());
        store.add_all({sample_candidate(0, -1), sample_candidate(0, -1)});
        store.record_generation({0, {1, 2}, 0.5, 1.0});
    }
    const auto edit = [&](const char* sql) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((path + "/run.db").c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    };
    edit("UPDATE candidates SET data='{\"a\": [' WHERE id=2");
    const auto store = RunStore::open_read_only(path);
    EXPECT_THAT(test::error_message([&] { store.candidates(); }),
                AllOf(HasSubstr("run store " + path + ": candidate 2 is corrupt ("), HasSubstr("parse error")));
    EXPECT_THAT(test::error_message([&] { store.candidate(2); }), HasSubstr("candidate 2 is corrupt"));
    EXPECT_NO_THROW(store.candidate(1));
    edit("UPDATE candidates SET data='[1]' WHERE id=2");
    EXPECT_THAT(test::error_message([&] { store.candidates(); }), HasSubstr("candidate 2 is corrupt (its data is not a JSON object)"));
    edit("UPDATE generations SET front='{' WHERE generation=0");
    EXPECT_THAT(test::error_message([&] { store.generations(); }), HasSubstr("run store " + path + ": generation 0 is corrupt ("));
    edit("DROP TABLE generations");
    // SQLite names the file by its resolved path.
    EXPECT_THAT(test::error_message([&] { store.generations(); }), AllOf(HasSubstr("run store /"), HasSubstr("/run.db: no such table: generations")));
}

TEST(RunStore, GeneratorSamplesRoundTripWithFullSeedsAndACorruptOneIsNamed)
{
    test::TempDir dir;
    const auto path = dir.file("run");
    {
        auto store = RunStore::create(path, sample_info());
        store.add(sample_candidate(0, -1));
        GeneratorSample a;
        a.candidate = 1;
        a.index = 1;
        a.seed = 18446744073709551615ull;  // beyond SQLite's signed integers
        a.status = CandidateStatus::done;
        a.arch = conv_chain({1, 12, 12}, 3, {6}, {0});
        a.val_error = 0.25;
        a.parameters = 321;
        a.multiply_adds = 9876;
        a.latency_ms = 0.5;
        a.seconds = 3.0;
        GeneratorSample b = a;
        b.index = 0;
        b.seed = 7;
        b.status = CandidateStatus::failed;
        b.arch = Architecture();  // its graphs never connected: no network (one that would not validate)
        b.detail = "graphs not connected";
        store.save_sample(a);
        store.save_sample(b);
        b.detail = "replaced";
        store.save_sample(b);
    }
    const auto samples = RunStore::open_read_only(path).samples();
    ASSERT_EQ(samples.size(), 2u);  // by candidate and index
    EXPECT_EQ(samples[0].index, 0);
    EXPECT_EQ(samples[0].status, CandidateStatus::failed);
    EXPECT_EQ(samples[0].detail, "replaced");
    EXPECT_EQ(samples[1].seed, 18446744073709551615ull);
    EXPECT_EQ(samples[1].arch, conv_chain({1, 12, 12}, 3, {6}, {0}));
    EXPECT_DOUBLE_EQ(samples[1].val_error, 0.25);
    EXPECT_EQ(samples[1].parameters, 321);
    EXPECT_EQ(samples[1].multiply_adds, 9876);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((path + "/run.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE samples SET seed='-1' WHERE idx=1", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    EXPECT_EQ(test::error_message([&] { RunStore::open_read_only(path).samples(); }),
              "run store " + path + ": sample 1 of candidate 1 is corrupt (its seed is '-1')");
}
