// A prepared SQLite statement that finalises itself; shared by the run store's source files.
#ifndef PARETONAS_STORE_STATEMENT_HPP
#define PARETONAS_STORE_STATEMENT_HPP

#include <paretonas/core/error.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace paretonas::detail {

/// Throws for SQLite result `rc` on `db`, naming the database file: StorageError when the machine
/// refused (a full disk, an I/O error, a read-only file), so that a search stops and resumes
/// instead of failing a candidate; InputError otherwise (a damaged or foreign run.db).
[[noreturn]] inline void fail_sqlite(sqlite3* db, int rc)
{
    const char* file = sqlite3_db_filename(db, "main");
    const std::string message = std::string("run store ") + (file && *file ? file : "(in memory)") + ": " + sqlite3_errmsg(db);
    const int primary = rc & 0xff;
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN)
        throw StorageError(message);
    fail(message);
}

class Statement {
public:
    Statement(sqlite3* db, const std::string& sql) : m_db(db)
    {
        if (const int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &m_stmt, nullptr); rc != SQLITE_OK) fail_sqlite(db, rc);
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(m_stmt, i, v)); }
    Statement& bind(int i, double v) { return check(sqlite3_bind_double(m_stmt, i, v)); }
    Statement& bind(int i, const std::string& v) { return check(sqlite3_bind_text(m_stmt, i, v.c_str(), -1, SQLITE_TRANSIENT)); }
    /// True while there is a row.
    bool step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) fail_sqlite(m_db, rc);
        return false;
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
    double real(int col) const { return sqlite3_column_double(m_stmt, col); }
    std::string text(int col) const
    {
        const auto* p = sqlite3_column_text(m_stmt, col);
        return p ? reinterpret_cast<const char*>(p) : "";
    }

private:
    Statement& check(int rc)
    {
        if (rc != SQLITE_OK) fail_sqlite(m_db, rc);
        return *this;
    }
    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
};

/// True when the database holds table `name` (a run opened read-only may predate a table that
/// opening to write would add).
inline bool has_table(sqlite3* db, const std::string& name)
{
    Statement s(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
    s.bind(1, name);
    return s.step();
}

} // namespace paretonas::detail

#endif
