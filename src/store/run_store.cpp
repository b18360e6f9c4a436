#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/store/run_store.hpp>

#include "statement.hpp"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace paretonas {

namespace fs = std::filesystem;
using json = nlohmann::json;
using detail::Statement;
using detail::fail_sqlite;

namespace {

constexpr const char* kFormat = "paretonas-run";
constexpr int kSchemaVersion = 2;
constexpr const char* kDatabase = "run.db";
// A new database is written under this name and renamed to kDatabase once complete.
constexpr const char* kCreating = "run.db.creating";

const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE candidates(
  id INTEGER PRIMARY KEY, generation INTEGER NOT NULL, parent INTEGER, arch TEXT NOT NULL,
  hash TEXT NOT NULL, operators TEXT NOT NULL, status TEXT NOT NULL, val_error REAL NOT NULL,
  params INTEGER NOT NULL, madds INTEGER NOT NULL, latency_ms REAL NOT NULL, epochs INTEGER NOT NULL,
  seconds REAL NOT NULL, weights TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}');
CREATE TABLE generations(
  generation INTEGER PRIMARY KEY, front TEXT NOT NULL, hypervolume REAL NOT NULL, seconds REAL NOT NULL);
)sql";

// Added after schema 1 shipped (finals, then samples); created on open, so older runs gain it without a migration.
const char* kAddedTables = R"sql(
CREATE TABLE IF NOT EXISTS finals(
  candidate INTEGER NOT NULL, recipe TEXT NOT NULL, epochs INTEGER NOT NULL, from_scratch INTEGER NOT NULL,
  status TEXT NOT NULL, test_error REAL NOT NULL, latency_ms REAL NOT NULL, seconds REAL NOT NULL, weights TEXT NOT NULL,
  PRIMARY KEY(candidate, recipe));
CREATE TABLE IF NOT EXISTS samples(
  candidate INTEGER NOT NULL, idx INTEGER NOT NULL, seed TEXT NOT NULL, status TEXT NOT NULL, arch TEXT NOT NULL,
  val_error REAL NOT NULL, params INTEGER NOT NULL, madds INTEGER NOT NULL, latency_ms REAL NOT NULL, seconds REAL NOT NULL,
  detail TEXT NOT NULL, PRIMARY KEY(candidate, idx));
)sql";

// An exclusive, non-blocking lock on <dir>/lock, held until the descriptor closes (also when the
// process dies, so a killed search never leaves a stale lock).
int take_lock(const std::string& dir)
{
    const std::string path = (fs::path(dir) / "lock").string();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) fail("run " + dir + ": cannot open its lock file " + path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        std::string holder;
        std::ifstream(path) >> holder;
        ::close(fd);
        fail("run " + dir + " is in use by another paretonas process" + (holder.empty() ? "" : " (pid " + holder + ")"));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The pid is only a courtesy for the message above.
    }
    return fd;
}

// What a creation killed before its rename leaves: the lock, the empty weights directory and the
// half-written database. A directory holding only these is reused, not refused.
bool holds_only_an_unfinished_creation(const fs::path& dir)
{
    for (const auto& entry : fs::directory_iterator(dir)) {
        const auto name = entry.path().filename().string();
        const bool leftover = name == "lock" || name == kCreating || name == std::string(kCreating) + "-journal" ||
                              (name == "weights" && entry.is_directory() && fs::is_empty(entry.path()));
        if (!leftover) return false;
    }
    return true;
}

sqlite3* open_database(const std::string& path, int flags)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        fail("run store " + path + " cannot be opened: " + why);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

std::string candidate_columns(const std::string& data_expression)
{
    return "SELECT id, generation, parent, arch, operators, status, val_error, params, madds, latency_ms, epochs, seconds, weights, " +
           data_expression + " FROM candidates";
}

// Schema 1 kept method columns (genome, curve; runs older than them have neither); they read as
// the data object schema 2 stores.
std::string schema_1_data(sqlite3* db)
{
    std::string expression = "json_object(";
    for (const std::string column : {"genome", "curve"}) {
        Statement s(db, "SELECT 1 FROM pragma_table_info('candidates') WHERE name='" + column + "'");
        if (!s.step()) continue;
        if (expression.back() != '(') expression += ", ";
        expression += "'" + column + "', json(" + column + ")";
    }
    return expression + ")";
}

// Empty lists of a schema-1 column are not data: a LEMONADE candidate had no genome.
json without_empty_lists(json data)
{
    for (auto it = data.begin(); it != data.end();) {
        if (it->is_array() && it->empty()) it = data.erase(it);
        else ++it;
    }
    return data;
}

void read_candidate_columns(const Statement& s, Candidate& c)
{
    c.generation = static_cast<int>(s.integer(1));
    c.parent = s.integer(2);
    c.arch = Architecture::from_json(s.text(3));
    c.operators = morphisms_from_json(json::parse(s.text(4)));
    c.status = status_from_name(s.text(5));
    c.val_error = s.real(6);
    c.parameters = s.integer(7);
    c.multiply_adds = s.integer(8);
    c.latency_ms = s.real(9);
    c.epochs = static_cast<int>(s.integer(10));
    c.seconds = s.real(11);
    c.weights = s.text(12);
    c.data = without_empty_lists(json::parse(s.text(13)));
    if (!c.data.is_object()) throw std::runtime_error("its data is not a JSON object");
}

Candidate read_candidate(const Statement& s, const std::string& dir)
{
    Candidate c;
    c.id = s.integer(0);
    try {
        read_candidate_columns(s, c);
    } catch (const std::exception& e) {  // a row edited by hand or damaged: name it
        fail("run store " + dir + ": candidate " + std::to_string(c.id) + " is corrupt (" + e.what() + ")");
    }
    return c;
}

} // namespace

bool RunStore::exists(const std::string& dir) { return fs::exists(fs::path(dir) / kDatabase); }

RunStore::RunStore(std::string dir, sqlite3* db, int lock_fd) : m_dir(std::move(dir)), m_db(db), m_lock_fd(lock_fd) {}

RunStore::RunStore(RunStore&& o) noexcept
    : m_dir(std::move(o.m_dir)), m_db(o.m_db), m_lock_fd(o.m_lock_fd), m_schema(o.m_schema), m_info(std::move(o.m_info))
{
    o.m_db = nullptr;
    o.m_lock_fd = -1;
}

RunStore& RunStore::operator=(RunStore&& o) noexcept
{
    std::swap(m_dir, o.m_dir);
    std::swap(m_db, o.m_db);
    std::swap(m_lock_fd, o.m_lock_fd);
    std::swap(m_schema, o.m_schema);
    std::swap(m_info, o.m_info);
    return *this;
}

RunStore::~RunStore()
{
    if (m_db) sqlite3_close(m_db);
    if (m_lock_fd >= 0) ::close(m_lock_fd);
}

void RunStore::exec(const std::string& sql) const
{
    char* error = nullptr;
    if (const int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error); rc != SQLITE_OK) {
        sqlite3_free(error);  // the same text as sqlite3_errmsg
        fail_sqlite(m_db, rc);
    }
}

RunStore RunStore::create(const std::string& dir, const RunInfo& info)
{
    if (exists(dir)) fail("run " + dir + " already exists; resume it or choose another --out");
    if (fs::exists(dir) && (!fs::is_directory(dir) || !holds_only_an_unfinished_creation(dir)))
        fail("--out " + dir + " exists and is not an empty directory or a paretonas run; nothing was written");
    ensure_directory((fs::path(dir) / "weights").string());
    const int lock = take_lock(dir);
    RunStore store(dir, nullptr, lock);
    if (exists(dir)) fail("run " + dir + " was created by another paretonas process meanwhile");
    // Complete before it gets its name: a search killed here leaves no run.db that could neither
    // be resumed nor created again.
    const auto creating = fs::path(dir) / kCreating;
    fs::remove(creating);
    fs::remove(creating.string() + "-journal");
    store.m_db = open_database(creating.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    store.exec(std::string("BEGIN;") + kSchema + kAddedTables);
    const json meta = {{"format", kFormat},           {"schema", kSchemaVersion},     {"method", info.method},
                       {"config", info.config_json},  {"data", info.data},            {"objectives", info.objectives},
                       {"reference", info.reference}, {"seed", std::to_string(info.seed)}, {"code_version", info.code_version}};
    for (const auto& [key, value] : meta.items()) {
        Statement s(store.m_db, "INSERT INTO meta(key, value) VALUES(?, ?)");
        s.bind(1, key).bind(2, value.dump()).step();
    }
    store.exec("COMMIT;");
    sqlite3_close(store.m_db);
    store.m_db = nullptr;
    fs::rename(creating, fs::path(dir) / kDatabase);
    store.m_db = open_database((fs::path(dir) / kDatabase).string(), SQLITE_OPEN_READWRITE);
    store.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    store.m_info = info;
    store.m_schema = kSchemaVersion;
    return store;
}

RunStore RunStore::open(const std::string& dir) { return open_with(dir, false); }

RunStore RunStore::open_read_only(const std::string& dir) { return open_with(dir, true); }

RunStore RunStore::open_with(const std::string& dir, bool read_only)
{
    const auto path = (fs::path(dir) / kDatabase).string();
    if (!fs::exists(path)) fail("no run in " + dir + " (missing " + path + ")");
    RunStore store(dir, nullptr, read_only ? -1 : take_lock(dir));
    store.m_db = open_database(path, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
    store.load_info();
    if (!read_only) {
        store.exec(std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") + kAddedTables);
        // A run copied without its weights (git keeps no empty directory) still takes new ones.
        ensure_directory((fs::path(dir) / "weights").string());
    }
    if (store.m_schema == 1) store.m_data_expression = schema_1_data(store.m_db);
    if (!read_only && store.m_schema == 1) store.migrate_schema_1();
    return store;
}

void RunStore::load_info()
{
    json meta = json::object();
    try {
        Statement s(m_db, "SELECT key, value FROM meta");
        while (s.step()) meta[s.text(0)] = json::parse(s.text(1));
    } catch (const std::exception& e) {
        fail("run store " + m_dir + " is corrupt or not a paretonas run (" + e.what() + ")");
    }
    if (meta.value("format", json()) != kFormat) fail("run store " + m_dir + " is not a paretonas run");
    m_schema = meta.value("schema", 0);
    if (m_schema < 1 || m_schema > kSchemaVersion)
        fail("run store " + m_dir + " has schema " + meta.value("schema", json(0)).dump() + "; this paretonas reads schemas 1 to " +
             std::to_string(kSchemaVersion));
    try {
        m_info.method = meta.at("method").get<std::string>();
        m_info.config_json = meta.at("config").get<std::string>();
        m_info.data = meta.at("data").get<std::string>();
        m_info.objectives = meta.at("objectives").get<std::vector<std::string>>();
        m_info.reference = meta.at("reference").get<std::vector<double>>();
        m_info.seed = std::stoull(meta.at("seed").get<std::string>());
        m_info.code_version = meta.at("code_version").get<std::string>();
    } catch (const std::exception& e) {
        fail("run store " + m_dir + " has incomplete settings (" + e.what() + ")");
    }
}

std::int64_t RunStore::add(const Candidate& c) { return add_all({c}).front(); }

std::vector<std::int64_t> RunStore::add_all(const std::vector<Candidate>& cs)
{
    exec("BEGIN IMMEDIATE;");
    std::vector<std::int64_t> ids;
    try {
        for (const auto& c : cs) {
            Statement s(m_db,
                        "INSERT INTO candidates(generation, parent, arch, hash, operators, status, val_error, params, madds,"
                        " latency_ms, epochs, seconds, weights, data) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
            s.bind(1, std::int64_t{c.generation}).bind(2, c.parent).bind(3, c.arch.to_json()).bind(4, c.arch.canonical_hash());
            s.bind(5, morphisms_to_json(c.operators).dump()).bind(6, std::string(status_name(c.status))).bind(7, c.val_error);
            s.bind(8, c.parameters).bind(9, c.multiply_adds).bind(10, c.latency_ms).bind(11, std::int64_t{c.epochs});
            s.bind(12, c.seconds).bind(13, c.weights).bind(14, c.data.dump()).step();
            ids.push_back(sqlite3_last_insert_rowid(m_db));
        }
        exec("COMMIT;");
    } catch (...) {
        // SQLite may have rolled back already (I/O error, full disk): keep the first error.
        if (!sqlite3_get_autocommit(m_db)) sqlite3_exec(m_db, "ROLLBACK;", nullptr, nullptr, nullptr);
        throw;
    }
    return ids;
}

void RunStore::update(const Candidate& c)
{
    Statement s(m_db,
                "UPDATE candidates SET status=?, val_error=?, params=?, madds=?, latency_ms=?, epochs=?, seconds=?, weights=?,"
                " arch=?, hash=?, data=? WHERE id=?");
    s.bind(1, std::string(status_name(c.status))).bind(2, c.val_error).bind(3, c.parameters).bind(4, c.multiply_adds);
    s.bind(5, c.latency_ms).bind(6, std::int64_t{c.epochs}).bind(7, c.seconds).bind(8, c.weights);
    s.bind(9, c.arch.to_json()).bind(10, c.arch.canonical_hash()).bind(11, c.data.dump()).bind(12, c.id).step();
    if (sqlite3_changes(m_db) != 1) fail("run store: no candidate " + std::to_string(c.id) + " to update");
}


std::vector<Candidate> RunStore::candidates() const
{
    Statement s(m_db, candidate_columns(m_data_expression) + " ORDER BY id");
    std::vector<Candidate> out;
    while (s.step()) out.push_back(read_candidate(s, m_dir));
    return out;
}

std::vector<std::int64_t> RunStore::candidate_ids() const
{
    Statement s(m_db, "SELECT id FROM candidates ORDER BY id");
    std::vector<std::int64_t> ids;
    while (s.step()) ids.push_back(s.integer(0));
    return ids;
}

std::string RunStore::integrity_check() const
{
    Statement s(m_db, "PRAGMA integrity_check");
    std::string report;
    while (s.step()) report += (report.empty() ? "" : "; ") + s.text(0);
    return report;
}

std::optional<Candidate> RunStore::candidate(std::int64_t id) const
{
    Statement s(m_db, candidate_columns(m_data_expression) + " WHERE id=?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_candidate(s, m_dir);
}

// Schema 1 -> 2 in one transaction: the genome and curve columns become keys of `data`, and
// the schema number changes last, so a kill leaves either run intact.
void RunStore::migrate_schema_1()
{
    exec("BEGIN IMMEDIATE;");
    try {
        exec("ALTER TABLE candidates ADD COLUMN data TEXT NOT NULL DEFAULT '{}';");
        std::vector<std::pair<std::int64_t, json>> rows;
        {
            Statement s(m_db, candidate_columns(schema_1_data(m_db)) + " ORDER BY id");
            while (s.step()) rows.emplace_back(s.integer(0), without_empty_lists(json::parse(s.text(13))));
        }
        for (const auto& [id, data] : rows) {
            Statement u(m_db, "UPDATE candidates SET data=? WHERE id=?");
            u.bind(1, data.dump()).bind(2, id).step();
        }
        for (const std::string column : {"genome", "curve"}) {
            Statement has(m_db, "SELECT 1 FROM pragma_table_info('candidates') WHERE name='" + column + "'");
            if (has.step()) exec("ALTER TABLE candidates DROP COLUMN " + column + ";");
        }
        Statement v(m_db, "UPDATE meta SET value=? WHERE key='schema'");
        v.bind(1, std::to_string(kSchemaVersion)).step();
        exec("COMMIT;");
    } catch (...) {
        if (!sqlite3_get_autocommit(m_db)) sqlite3_exec(m_db, "ROLLBACK;", nullptr, nullptr, nullptr);
        throw;
    }
    m_schema = kSchemaVersion;
    m_data_expression = "data";
}

void RunStore::record_generation(const GenerationRecord& g)
{
    Statement s(m_db, "INSERT OR REPLACE INTO generations(generation, front, hypervolume, seconds) VALUES(?,?,?,?)");
    s.bind(1, std::int64_t{g.generation}).bind(2, json(g.front).dump()).bind(3, g.hypervolume).bind(4, g.seconds).step();
}

std::vector<GenerationRecord> RunStore::generations() const
{
    Statement s(m_db, "SELECT generation, front, hypervolume, seconds FROM generations ORDER BY generation");
    std::vector<GenerationRecord> out;
    while (s.step()) {
        const int generation = static_cast<int>(s.integer(0));
        try {
            const json front = json::parse(s.text(1));
            // An id such as 1e300 would convert to an integer with undefined behaviour.
            if (!front.is_array() || !std::all_of(front.begin(), front.end(), [](const json& id) { return id.is_number_integer(); }))
                throw std::runtime_error("its front is not a list of candidate ids");
            out.push_back({generation, front.get<std::vector<std::int64_t>>(), s.real(2), s.real(3)});
        } catch (const std::exception& e) {
            fail("run store " + m_dir + ": generation " + std::to_string(generation) + " is corrupt (" + e.what() + ")");
        }
    }
    return out;
}

void RunStore::set_config_json(const std::string& text)
{
    Statement s(m_db, "UPDATE meta SET value=? WHERE key='config'");
    s.bind(1, json(text).dump()).step();
    m_info.config_json = text;
}

double RunStore::elapsed_seconds() const
{
    Statement s(m_db, "SELECT value FROM meta WHERE key='elapsed'");
    return s.step() ? std::stod(s.text(0)) : 0.0;
}

void RunStore::set_elapsed_seconds(double seconds)
{
    Statement s(m_db, "INSERT OR REPLACE INTO meta(key, value) VALUES('elapsed', ?)");
    s.bind(1, std::to_string(seconds)).step();
}

std::string RunStore::weights_path(const std::string& name) const { return (fs::path(m_dir) / "weights" / name).string(); }

} // namespace paretonas
