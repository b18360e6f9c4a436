// The "svm" ranking surrogate: LIBSVM's C-SVC with an RBF kernel on ordered pairs.
//
// LIBSVM trains; the trained decision function is evaluated here, because a pool of P networks
// scored against R references needs 2PR decisions, which svm_predict_values would compute one
// by one (P = 1000, R = 50, 1,500 support vectors: 1.5e8 kernel values). With concatenated pair
// features the RBF kernel factorises, exp(-g|[a,b] - [u,v]|^2) = exp(-g|a-u|^2) exp(-g|b-v|^2),
// so all 2PR decisions cost two small tables of exponentials and one product of them.
#include <paretonas/core/error.hpp>
#include <paretonas/surrogate/learners.hpp>

#include <libsvm/svm.h>

#include <cmath>
#include <stdexcept>

namespace paretonas {

namespace {

void quiet(const char*) {}

// sklearn's gamma='scale': 1 / (features x variance of all feature values).
double scale_gamma(const PairSet& pairs)
{
    double sum = 0.0, squares = 0.0;
    for (double v : pairs.x) {
        sum += v;
        squares += v * v;
    }
    const double n = static_cast<double>(pairs.x.size());
    const double variance = squares / n - (sum / n) * (sum / n);
    return 1.0 / (static_cast<double>(pairs.width) * (variance > 1e-12 ? variance : 1.0));
}

// exp(-gamma |x - sv_k[offset .. offset + x.size())|^2) for every support vector k.
std::vector<double> kernel_row(const Features& x, const std::vector<double>& sv, std::size_t width, std::size_t offset, double gamma)
{
    const std::size_t count = sv.size() / width;
    std::vector<double> row(count);
    for (std::size_t k = 0; k < count; ++k) {
        double d2 = 0.0;
        for (std::size_t f = 0; f < x.size(); ++f) {
            const double diff = x[f] - sv[k * width + offset + f];
            d2 += diff * diff;
        }
        row[k] = std::exp(-gamma * d2);
    }
    return row;
}

class SvmSurrogate : public RankSurrogate {
public:
    explicit SvmSurrogate(const SurrogateOptions& options) : m_kind(options.features), m_max_pairs(options.max_pairs) {}

    std::string name() const override { return "svm"; }

    void fit(const std::vector<RankedPoint>& archive, std::mt19937_64& rng) override
    {
        const PairSet pairs = make_pairs(archive, m_kind, m_max_pairs, rng);
        m_width = pairs.width;
        m_gamma = scale_gamma(pairs);
        train(pairs);
        m_fitted = true;
    }

    std::vector<double> preference(const std::vector<Features>& pool, const std::vector<Features>& reference) const override
    {
        require_fitted(m_fitted, "svm");
        return m_kind == PairFeatures::concat ? factorised(pool, reference) : direct(pool, reference);
    }

private:
    void train(const PairSet& pairs)
    {
        svm_set_print_string_function(&quiet);
        std::vector<svm_node> nodes;
        nodes.reserve(pairs.size() * (pairs.width + 1));
        std::vector<double> y(pairs.label.begin(), pairs.label.end());
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            for (std::size_t f = 0; f < pairs.width; ++f) nodes.push_back({static_cast<int>(f + 1), pairs.row(i)[f]});
            nodes.push_back({-1, 0.0});
        }
        std::vector<svm_node*> rows(pairs.size());
        for (std::size_t i = 0; i < pairs.size(); ++i) rows[i] = nodes.data() + i * (pairs.width + 1);
        svm_problem problem{static_cast<int>(pairs.size()), y.data(), rows.data()};
        svm_parameter param{};
        param.svm_type = C_SVC;
        param.kernel_type = RBF;
        param.gamma = m_gamma;
        param.C = 1.0;
        param.cache_size = 200;
        param.eps = 1e-3;
        param.shrinking = 1;
        if (const char* problem_text = svm_check_parameter(&problem, &param)) throw std::runtime_error(std::string("LIBSVM: ") + problem_text);
        svm_model* model = svm_train(&problem, &param);
        if (!model) throw std::runtime_error("LIBSVM: training failed");
        copy_decision_function(*model);
        svm_free_and_destroy_model(&model);
    }

    // Dense support vectors and coefficients, signed so that a positive decision means label 1
    // (LIBSVM's decision is positive for model.label[0], the first label it met).
    void copy_decision_function(const svm_model& model)
    {
        const double sign = model.label[0] == 1 ? 1.0 : -1.0;
        m_sv.assign(static_cast<std::size_t>(model.l) * m_width, 0.0);
        m_coef.resize(static_cast<std::size_t>(model.l));
        for (int k = 0; k < model.l; ++k) {
            for (const svm_node* n = model.SV[k]; n->index != -1; ++n)
                m_sv[static_cast<std::size_t>(k) * m_width + static_cast<std::size_t>(n->index - 1)] = n->value;
            m_coef[static_cast<std::size_t>(k)] = sign * model.sv_coef[0][k];
        }
    }

    // s(x, r) = (f(x, r) - f(r, x)) / 2; the bias rho cancels.
    std::vector<double> factorised(const std::vector<Features>& pool, const std::vector<Features>& reference) const
    {
        const std::size_t half = m_width / 2;
        std::vector<std::vector<double>> pool_first, pool_second, ref_first, ref_second;
        for (const auto& x : pool) {
            pool_first.push_back(kernel_row(x, m_sv, m_width, 0, m_gamma));
            pool_second.push_back(kernel_row(x, m_sv, m_width, half, m_gamma));
        }
        for (const auto& r : reference) {
            ref_first.push_back(kernel_row(r, m_sv, m_width, 0, m_gamma));
            ref_second.push_back(kernel_row(r, m_sv, m_width, half, m_gamma));
        }
        std::vector<double> s(pool.size() * reference.size());
        for (std::size_t i = 0; i < pool.size(); ++i)
            for (std::size_t j = 0; j < reference.size(); ++j) {
                double value = 0.0;
                for (std::size_t k = 0; k < m_coef.size(); ++k)
                    value += m_coef[k] * (pool_first[i][k] * ref_second[j][k] - ref_first[j][k] * pool_second[i][k]);
                s[i * reference.size() + j] = 0.5 * value;
            }
        return s;
    }

    std::vector<double> direct(const std::vector<Features>& pool, const std::vector<Features>& reference) const
    {
        std::vector<double> s(pool.size() * reference.size());
        Features forward, backward;
        for (std::size_t i = 0; i < pool.size(); ++i)
            for (std::size_t j = 0; j < reference.size(); ++j) {
                forward.clear();
                backward.clear();
                append_pair(pool[i], reference[j], m_kind, forward);
                append_pair(reference[j], pool[i], m_kind, backward);
                double value = 0.0;
                const auto kf = kernel_row(forward, m_sv, m_width, 0, m_gamma), kb = kernel_row(backward, m_sv, m_width, 0, m_gamma);
                for (std::size_t k = 0; k < m_coef.size(); ++k) value += m_coef[k] * (kf[k] - kb[k]);
                s[i * reference.size() + j] = 0.5 * value;
            }
        return s;
    }

    PairFeatures m_kind;
    std::size_t m_max_pairs;
    std::size_t m_width = 0;
    double m_gamma = 1.0;
    std::vector<double> m_sv;    // support vectors, row-major
    std::vector<double> m_coef;  // their signed dual coefficients
    bool m_fitted = false;
};

} // namespace

std::unique_ptr<RankSurrogate> make_svm_surrogate(const SurrogateOptions& options) { return std::make_unique<SvmSurrogate>(options); }

} // namespace paretonas
