// The run store's final models (RunStore::save_final / finals).
#include <paretonas/core/error.hpp>
#include <paretonas/store/run_store.hpp>

#include "statement.hpp"

#include <filesystem>

namespace paretonas {

using detail::Statement;

std::string FinalModel::name() const
{
    return std::to_string(candidate) + "-" + recipe;
}

Candidate trained_candidate(const RunStore& store, std::int64_t id)
{
    auto c = store.candidate(id);
    if (!c) fail("run " + store.dir() + " has no candidate " + std::to_string(id));
    if (c->status != CandidateStatus::done)
        fail("candidate " + std::to_string(id) + " of run " + store.dir() + " is " + status_name(c->status) + ", not trained");
    return std::move(*c);
}

std::optional<FinalModel> delivered_final(const std::vector<FinalModel>& finals, std::int64_t candidate)
{
    std::optional<FinalModel> best;
    for (const auto& f : finals) {
        if (f.candidate != candidate || f.status != CandidateStatus::done) continue;
        if (!best || f.epochs >= best->epochs) best = f;  // later rows win ties
    }
    return best;
}

void RunStore::save_final(const FinalModel& f)
{
    Statement s(m_db,
                "INSERT OR REPLACE INTO finals(candidate, recipe, epochs, from_scratch, status, test_error, latency_ms, seconds,"
                " weights) VALUES(?,?,?,?,?,?,?,?,?)");
    s.bind(1, f.candidate).bind(2, f.recipe).bind(3, std::int64_t{f.epochs}).bind(4, std::int64_t{f.from_scratch ? 1 : 0});
    s.bind(5, std::string(status_name(f.status))).bind(6, f.test_error).bind(7, f.latency_ms).bind(8, f.seconds).bind(9, f.weights);
    s.step();
}

std::vector<FinalModel> RunStore::finals() const
{
    if (!detail::has_table(m_db, "finals")) return {};  // a run from before finals, opened read-only
    Statement s(m_db,
                "SELECT candidate, recipe, epochs, from_scratch, status, test_error, latency_ms, seconds, weights FROM finals"
                " ORDER BY rowid");  // INSERT OR REPLACE gives a rewritten row a new rowid
    std::vector<FinalModel> out;
    while (s.step()) {
        FinalModel f;
        f.candidate = s.integer(0);
        f.recipe = s.text(1);
        f.epochs = static_cast<int>(s.integer(2));
        f.from_scratch = s.integer(3) != 0;
        f.status = status_from_name(s.text(4));
        f.test_error = s.real(5);
        f.latency_ms = s.real(6);
        f.seconds = s.real(7);
        f.weights = s.text(8);
        out.push_back(f);
    }
    return out;
}

std::string RunStore::final_path(const std::string& name) const
{
    return (std::filesystem::path(m_dir) / "final" / name).string();
}

} // namespace paretonas
