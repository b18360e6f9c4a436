// The "xgboost" (boosted trees on ordered pairs) and "xgboost-rank" (boosted trees with the
// pairwise ranking objective on the points) ranking surrogates, through XGBoost's C API.
#include <paretonas/core/error.hpp>
#include <paretonas/surrogate/learners.hpp>

#include <xgboost/c_api.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace paretonas {

namespace {

constexpr int boosting_rounds = 100;

void check(int status)
{
    if (status != 0) throw std::runtime_error(std::string("XGBoost: ") + XGBGetLastError());
}

using MatrixPtr = std::unique_ptr<void, int (*)(DMatrixHandle)>;
using BoosterPtr = std::unique_ptr<void, int (*)(BoosterHandle)>;

MatrixPtr make_matrix(const std::vector<float>& rows, std::size_t width)
{
    DMatrixHandle handle = nullptr;
    check(XGDMatrixCreateFromMat(rows.data(), rows.size() / width, width, std::nanf(""), &handle));
    return MatrixPtr(handle, &XGDMatrixFree);
}

void append_floats(const Features& x, std::vector<float>& out) { out.insert(out.end(), x.begin(), x.end()); }

BoosterPtr train_booster(DMatrixHandle data, const std::string& objective, int threads)
{
    BoosterHandle handle = nullptr;
    check(XGBoosterCreate(&data, 1, &handle));
    BoosterPtr booster(handle, &XGBoosterFree);
    const std::pair<const char*, std::string> params[] = {
        {"objective", objective}, {"max_depth", "4"},   {"eta", "0.1"}, {"tree_method", "hist"},
        {"nthread", std::to_string(threads)}, {"seed", "0"}, {"verbosity", "0"}};
    for (const auto& [key, value] : params) check(XGBoosterSetParam(handle, key, value.c_str()));
    for (int round = 0; round < boosting_rounds; ++round) check(XGBoosterUpdateOneIter(handle, round, data));
    return booster;
}

// The booster's raw margins (before the logistic link) for every row of `rows`.
std::vector<double> margins(BoosterHandle booster, const std::vector<float>& rows, std::size_t width)
{
    if (rows.empty()) return {};
    const auto matrix = make_matrix(rows, width);
    bst_ulong length = 0;
    const float* out = nullptr;
    check(XGBoosterPredict(booster, matrix.get(), 1, 0, 0, &length, &out));
    return std::vector<double>(out, out + length);
}

class XgboostPairSurrogate : public RankSurrogate {
public:
    explicit XgboostPairSurrogate(const SurrogateOptions& options)
        : m_kind(options.features), m_max_pairs(options.max_pairs), m_threads(options.threads), m_booster(nullptr, &XGBoosterFree)
    {
    }

    std::string name() const override { return "xgboost"; }

    void fit(const std::vector<RankedPoint>& archive, std::mt19937_64& rng) override
    {
        const PairSet pairs = make_pairs(archive, m_kind, m_max_pairs, rng);
        m_width = pairs.width;
        const auto matrix = make_matrix(std::vector<float>(pairs.x.begin(), pairs.x.end()), pairs.width);
        const std::vector<float> labels(pairs.label.begin(), pairs.label.end());
        check(XGDMatrixSetFloatInfo(matrix.get(), "label", labels.data(), labels.size()));
        m_booster = train_booster(matrix.get(), "binary:logistic", m_threads);
    }

    std::vector<double> preference(const std::vector<Features>& pool, const std::vector<Features>& reference) const override
    {
        require_fitted(m_booster != nullptr, "xgboost");
        std::vector<double> forward, backward;
        for (const auto& x : pool)
            for (const auto& r : reference) {
                append_pair(x, r, m_kind, forward);
                append_pair(r, x, m_kind, backward);
            }
        const auto f = margins(m_booster.get(), std::vector<float>(forward.begin(), forward.end()), m_width);
        const auto b = margins(m_booster.get(), std::vector<float>(backward.begin(), backward.end()), m_width);
        std::vector<double> s(f.size());
        for (std::size_t i = 0; i < s.size(); ++i) s[i] = 0.5 * (f[i] - b[i]);
        return s;
    }

private:
    PairFeatures m_kind;
    std::size_t m_max_pairs;
    int m_threads;
    std::size_t m_width = 0;
    BoosterPtr m_booster;
};

// Learns a score f(x) whose order follows the archive's (XGBoost's rank:pairwise draws the
// pairs itself, inside one query group holding the whole archive).
class XgboostRankSurrogate : public RankSurrogate {
public:
    explicit XgboostRankSurrogate(const SurrogateOptions& options) : m_threads(options.threads), m_booster(nullptr, &XGBoosterFree) {}

    std::string name() const override { return "xgboost-rank"; }

    void fit(const std::vector<RankedPoint>& archive, std::mt19937_64&) override
    {
        check_archive(archive);
        m_width = archive.front().features.size();
        std::vector<float> rows;
        // Relevance: how many archive points are worse, so the best point is the most relevant.
        std::vector<float> relevance;
        for (const auto& p : archive) {
            append_floats(p.features, rows);
            float worse = 0;
            for (const auto& q : archive) worse += q.value > p.value;
            relevance.push_back(worse);
        }
        const auto matrix = make_matrix(rows, m_width);
        check(XGDMatrixSetFloatInfo(matrix.get(), "label", relevance.data(), relevance.size()));
        const unsigned group = static_cast<unsigned>(archive.size());
        check(XGDMatrixSetGroup(matrix.get(), &group, 1));
        m_booster = train_booster(matrix.get(), "rank:pairwise", m_threads);
    }

    std::vector<double> preference(const std::vector<Features>& pool, const std::vector<Features>& reference) const override
    {
        require_fitted(m_booster != nullptr, "xgboost-rank");
        std::vector<float> rows;
        for (const auto& x : pool) append_floats(x, rows);
        for (const auto& r : reference) append_floats(r, rows);
        const auto f = margins(m_booster.get(), rows, m_width);
        std::vector<double> s(pool.size() * reference.size());
        for (std::size_t i = 0; i < pool.size(); ++i)
            for (std::size_t j = 0; j < reference.size(); ++j) s[i * reference.size() + j] = f[i] - f[pool.size() + j];
        return s;
    }

private:
    int m_threads;
    std::size_t m_width = 0;
    BoosterPtr m_booster;
};

} // namespace

std::unique_ptr<RankSurrogate> make_xgboost_pair_surrogate(const SurrogateOptions& options)
{
    return std::make_unique<XgboostPairSurrogate>(options);
}

std::unique_ptr<RankSurrogate> make_xgboost_rank_surrogate(const SurrogateOptions& options)
{
    return std::make_unique<XgboostRankSurrogate>(options);
}

} // namespace paretonas
