#include <paretonas/search/run_check.hpp>

#include <paretonas/core/error.hpp>
#include <paretonas/core/objectives.hpp>
#include <paretonas/search/run_settings.hpp>
#include <paretonas/store/run_store.hpp>
#include <paretonas/train/network.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace paretonas {

namespace {

std::string candidate_name(std::int64_t id) { return "candidate " + std::to_string(id); }

// When a candidate finished, in the run's time; 0 for runs made before it was recorded.
double finished_at(const Candidate& c)
{
    const auto it = c.data.find("finished_at");
    return it != c.data.end() && it->is_number() ? it->get<double>() : 0.0;
}

// The readable candidates by id; a row that cannot be read is a problem, not the end of the check.
std::map<std::int64_t, Candidate> read_candidates(const RunStore& store, RunCheck& check)
{
    std::map<std::int64_t, Candidate> out;
    for (const auto id : store.candidate_ids()) {
        try {
            out.emplace(id, *store.candidate(id));
        } catch (const InputError& e) {
            check.problems.push_back({e.what(), "mark " + candidate_name(id) + " failed, so that a resume and a report skip its row"});
        }
    }
    check.candidates = static_cast<std::int64_t>(out.size());
    return out;
}

void check_weights(const RunStore& store, const std::map<std::int64_t, Candidate>& candidates, RunCheck& check)
{
    for (const auto& [id, c] : candidates) {
        if (c.status != CandidateStatus::done) continue;
        const auto path = store.weights_path(c.weights);
        const std::string requeue = "queue " + candidate_name(id) + " again, so that a resume trains it";
        std::error_code ec;
        if (c.weights.empty() || !std::filesystem::is_regular_file(path, ec)) {
            check.problems.push_back({candidate_name(id) + ": weights " + path + " are missing", requeue});
            continue;
        }
        try {
            load_network(c.arch, path, torch::kCPU);
            ++check.weights_loaded;
        } catch (const InputError& e) {
            check.problems.push_back({candidate_name(id) + ": " + e.what(), requeue});
        }
    }
}

// A recorded front: trained members, none dominating another, the hypervolume it records; for
// the last one, no trained candidate that had finished by then left off it.
void check_front(const GenerationRecord& g, bool last, const std::map<std::int64_t, Candidate>& candidates, const RunSettings& settings,
                 const ObjectiveVector& reference, RunCheck& check)
{
    const std::string name = "generation " + std::to_string(g.generation) + "'s front";
    const std::string repair = "recompute " + name + " from the trained candidates";
    std::vector<ObjectiveVector> points;
    for (const auto id : g.front) {
        const auto it = candidates.find(id);
        if (it == candidates.end() || it->second.status != CandidateStatus::done) {
            check.problems.push_back({name + " holds " + candidate_name(id) + ", which is " +
                                          (it == candidates.end() ? "not in the run" : std::string("not trained")),
                                      repair});
            return;
        }
        points.push_back(objective_vector(it->second, settings.objectives));
    }
    for (std::size_t i = 0; i < points.size(); ++i)
        for (std::size_t j = 0; j < points.size(); ++j)
            if (i != j && dominates(points[i], points[j])) {
                check.problems.push_back({name + ": " + candidate_name(g.front[i]) + " dominates " + candidate_name(g.front[j]), repair});
                return;
            }
    const double hv = hypervolume(points, reference);
    if (std::abs(hv - g.hypervolume) > 1e-9 * std::max(1.0, std::abs(hv)))
        check.problems.push_back({name + " records hypervolume " + std::to_string(g.hypervolume) + " but its members give " +
                                      std::to_string(hv),
                                  repair});
    if (!last) return;
    std::vector<Candidate> finished;
    for (const auto& [id, c] : candidates)
        if (c.generation <= g.generation && finished_at(c) <= g.seconds) finished.push_back(c);
    for (const auto& c : current_front(finished, settings.objectives, settings.constraints))
        if (std::find(g.front.begin(), g.front.end(), c.id) == g.front.end())
            check.problems.push_back({name + " leaves off " + candidate_name(c.id) + ", which no member dominates", repair});
}

void check_finals(const RunStore& store, RunCheck& check)
{
    for (const auto& f : store.finals()) {
        if (f.status != CandidateStatus::done) continue;
        std::error_code ec;
        if (std::filesystem::is_regular_file(store.final_path(f.weights), ec)) {
            ++check.finals;
            continue;
        }
        check.problems.push_back({"final model of " + candidate_name(f.candidate) + " (" + f.recipe + "): weights " +
                                      store.final_path(f.weights) + " are missing",
                                  "forget that final model, so that finalize trains it again"});
    }
}

} // namespace

RunCheck check_run(const std::string& dir)
{
    const auto store = RunStore::open_read_only(dir);
    RunCheck check;
    if (const auto integrity = store.integrity_check(); integrity != "ok")
        check.problems.push_back({"run.db fails SQLite's integrity check: " + integrity, "restore run.db from a copy; nothing else repairs it"});
    const auto settings = RunSettings::of(store);
    const auto candidates = read_candidates(store, check);
    check_weights(store, candidates, check);
    std::vector<GenerationRecord> generations;
    try {
        generations = store.generations();
    } catch (const InputError& e) {
        check.problems.push_back({e.what(), "recompute every generation's front from the trained candidates"});
    }
    check.generations = static_cast<std::int64_t>(generations.size());
    const ObjectiveVector reference = store.info().reference;
    for (std::size_t i = 0; i < generations.size(); ++i)
        check_front(generations[i], i + 1 == generations.size(), candidates, settings, reference, check);
    check_finals(store, check);
    return check;
}

} // namespace paretonas
