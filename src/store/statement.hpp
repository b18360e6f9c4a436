// A prepared SQLite statement that finalises itself; shared by the run store's source files.
#ifndef PARETONAS_STORE_STATEMENT_HPP
#define PARETONAS_STORE_STATEMENT_HPP

#include <paretonas/core/error.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace paretonas::detail {

class Statement {
public:
    Statement(sqlite3* db, const std::string& sql) : m_db(db)
    {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &m_stmt, nullptr) != SQLITE_OK)
            fail(std::string("run store: ") + sqlite3_errmsg(db));
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
        if (rc != SQLITE_DONE) fail(std::string("run store: ") + sqlite3_errmsg(m_db));
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
        if (rc != SQLITE_OK) fail(std::string("run store: ") + sqlite3_errmsg(m_db));
        return *this;
    }
    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
};

} // namespace paretonas::detail

#endif
