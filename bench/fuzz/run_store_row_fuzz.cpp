// Run-store rows edited by hand or damaged: the input becomes a candidate's architecture and data
// columns and a generation's front (split at the first two zero bytes); reading them back gives
// candidates or an InputError naming the row.
#include <paretonas/core/error.hpp>
#include <paretonas/store/run_store.hpp>

#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace {

std::string run_dir()
{
    static const std::string dir = [] {
        const auto path = std::filesystem::temp_directory_path() / ("paretonas_fuzz_run_" + std::to_string(::getpid()));
        std::filesystem::remove_all(path);
        paretonas::RunInfo info;
        info.method = "lemonade";
        info.config_json = "{}";
        info.data = "fuzz";
        info.objectives = {"error", "params"};
        info.reference = {1.0, 8.0};
        info.code_version = "fuzz";
        auto store = paretonas::RunStore::create(path.string(), info);
        paretonas::Candidate c;
        c.arch = paretonas::conv_chain({1, 8, 8}, 3, {4}, {0});
        store.add(c);
        store.record_generation({0, {1}, 0.5, 1.0});
        return path.string();
    }();
    return dir;
}

std::string field(const std::string& text, std::size_t index)
{
    std::size_t start = 0;
    for (std::size_t i = 0; i < index; ++i) {
        start = text.find('\0', start);
        if (start == std::string::npos) return "";
        ++start;
    }
    return text.substr(start, text.find('\0', start) - start);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto dir = run_dir();
    sqlite3* db = nullptr;
    sqlite3_open((dir + "/run.db").c_str(), &db);
    sqlite3_stmt* update = nullptr;
    sqlite3_prepare_v2(db, "UPDATE candidates SET arch=?, data=? WHERE id=1", -1, &update, nullptr);
    const auto arch = field(text, 0), json = field(text, 1), front = field(text, 2);
    sqlite3_bind_text(update, 1, arch.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(update, 2, json.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(update);
    sqlite3_finalize(update);
    sqlite3_prepare_v2(db, "UPDATE generations SET front=? WHERE generation=0", -1, &update, nullptr);
    sqlite3_bind_text(update, 1, front.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(update);
    sqlite3_finalize(update);
    sqlite3_close(db);
    const auto store = paretonas::RunStore::open_read_only(dir);
    for (const auto& read : {0, 1}) {
        try {
            if (read == 0) store.candidates();
            else store.generations();
        } catch (const paretonas::InputError&) {
        }
    }
    return 0;
}
