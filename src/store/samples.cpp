// The run store's generator samples (RunStore::save_sample / samples).
#include <paretonas/core/error.hpp>
#include <paretonas/store/run_store.hpp>

#include "statement.hpp"

namespace paretonas {

using detail::Statement;

void RunStore::save_sample(const GeneratorSample& g)
{
    Statement s(m_db,
                "INSERT OR REPLACE INTO samples(candidate, idx, seed, status, arch, val_error, params, madds, latency_ms, seconds, detail)"
                " VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    // The seed is a full 64-bit value, more than SQLite's signed integers hold: stored as text.
    s.bind(1, g.candidate).bind(2, std::int64_t{g.index}).bind(3, std::to_string(g.seed)).bind(4, std::string(status_name(g.status)));
    // A failed draw has no network (its graphs never connected): only a trained one's is stored.
    s.bind(5, g.status == CandidateStatus::done ? g.arch.to_json() : std::string()).bind(6, g.val_error).bind(7, g.parameters);
    s.bind(8, g.multiply_adds).bind(9, g.latency_ms).bind(10, g.seconds).bind(11, g.detail);
    s.step();
}

std::vector<GeneratorSample> RunStore::samples() const
{
    if (!detail::has_table(m_db, "samples")) return {};  // a run never sampled, opened read-only
    Statement s(m_db,
                "SELECT candidate, idx, seed, status, arch, val_error, params, madds, latency_ms, seconds, detail FROM samples"
                " ORDER BY candidate, idx");
    std::vector<GeneratorSample> out;
    while (s.step()) {
        GeneratorSample g;
        g.candidate = s.integer(0);
        g.index = static_cast<int>(s.integer(1));
        const auto corrupt = [&](const std::string& why) {
            fail("run store " + m_dir + ": sample " + std::to_string(g.index) + " of candidate " + std::to_string(g.candidate) +
                 " is corrupt (" + why + ")");
        };
        const auto seed = s.text(2);
        if (seed.empty() || seed.size() > 20 || seed.find_first_not_of("0123456789") != std::string::npos) corrupt("its seed is '" + seed + "'");
        try {
            g.seed = std::stoull(seed);
            g.status = status_from_name(s.text(3));
            if (g.status == CandidateStatus::done) g.arch = Architecture::from_json(s.text(4));
        } catch (const std::out_of_range&) {
            corrupt("its seed is '" + seed + "'");
        } catch (const InputError& e) {
            corrupt(e.what());
        }
        g.val_error = s.real(5);
        g.parameters = s.integer(6);
        g.multiply_adds = s.integer(7);
        g.latency_ms = s.real(8);
        g.seconds = s.real(9);
        g.detail = s.text(10);
        out.push_back(std::move(g));
    }
    return out;
}

} // namespace paretonas
