#include <paretonas/core/candidate.hpp>
#include <paretonas/core/error.hpp>

namespace paretonas {

const char* status_name(CandidateStatus s)
{
    switch (s) {
    case CandidateStatus::queued: return "queued";
    case CandidateStatus::training: return "training";
    case CandidateStatus::done: return "done";
    case CandidateStatus::failed: return "failed";
    }
    return "?";
}

CandidateStatus status_from_name(const std::string& s)
{
    for (auto st : {CandidateStatus::queued, CandidateStatus::training, CandidateStatus::done, CandidateStatus::failed})
        if (s == status_name(st)) return st;
    fail("run store: unknown candidate status '" + s + "'");
}

const char* candidate_event_name(CandidateEvent e)
{
    switch (e) {
    case CandidateEvent::started: return "started";
    case CandidateEvent::done: return "done";
    case CandidateEvent::stopped_early: return "stopped early";
    case CandidateEvent::failed: return "failed";
    case CandidateEvent::skipped: return "skipped";
    case CandidateEvent::deferred: return "deferred";
    }
    return "?";
}

bool Candidate::approximate() const
{
    for (const auto& m : operators)
        if (!m.exact) return true;
    return false;
}

} // namespace paretonas
