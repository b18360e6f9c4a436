// Runs search methods through the method interface on the bar images of test_support.hpp.
#ifndef PARETONAS_TESTS_SEARCH_SUPPORT_HPP
#define PARETONAS_TESTS_SEARCH_SUPPORT_HPP

#include "common/test_support.hpp"

#include <paretonas/search/method.hpp>
#include <paretonas/search/run_settings.hpp>

#include <torch/torch.h>

namespace paretonas::test {

/// BarSplit as the PreparedData a run gets (its test set is the whole bar set).
struct BarData : BarSplit {
    PreparedData data;
    explicit BarData(int count = 450, std::uint64_t seed = 8) : BarSplit(count, seed)
    {
        data.source.train = data.source.test = train.set;
        data.split = {train, validation};
        data.norm = norm;
    }
};

/// Settings of a run of `method` with `method_settings`, minimising (error, params) unless the
/// method says otherwise.
inline RunSettings settings_for(const std::string& method, nlohmann::json method_settings, std::uint64_t seed = 5)
{
    RunSettings s;
    s.method = method;
    s.method_settings = std::move(method_settings);
    s.objectives = method_spec(method).objectives;
    s.seed = seed;
    s.data.name = "bars";
    return s;
}

/// Runs (or resumes) `settings`' method in `store`, with `settings` as given (not the stored
/// ones: a test may change the number of generations between two calls).
inline SearchResult run_method(RunStore& store, const RunSettings& settings, const PreparedData& data,
                               const SearchCallbacks& callbacks = {}, std::function<double()> clock = {})
{
    torch::set_num_threads(1);
    const SearchContext context{store, settings, data, torch::kCPU, callbacks, std::move(clock)};
    return make_method(settings.method, settings.method_settings)->run(context);
}

/// What two runs must agree on to have done the same search.
inline void expect_same_candidates(const std::vector<Candidate>& a, const std::vector<Candidate>& b)
{
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].generation, b[i].generation) << "candidate " << a[i].id;
        EXPECT_EQ(a[i].parent, b[i].parent) << "candidate " << a[i].id;
        EXPECT_EQ(a[i].arch, b[i].arch) << "candidate " << a[i].id;
        EXPECT_EQ(a[i].operators, b[i].operators) << "candidate " << a[i].id;
        EXPECT_EQ(a[i].status, b[i].status) << "candidate " << a[i].id;
        EXPECT_EQ(a[i].epochs, b[i].epochs) << "candidate " << a[i].id;
        // When it finished is timing, like `seconds`: not part of what the search did.
        const auto without_time = [](nlohmann::json d) {
            d.erase("finished_at");
            return d;
        };
        EXPECT_EQ(without_time(a[i].data), without_time(b[i].data)) << "candidate " << a[i].id;
        EXPECT_NEAR(a[i].val_error, b[i].val_error, 1e-12) << "candidate " << a[i].id;
        EXPECT_EQ(a[i].parameters, b[i].parameters) << "candidate " << a[i].id;
    }
}

/// A run of `settings` stopped after `first` generations and resumed to `total` stores what an
/// uninterrupted run of `total` generations stores. `generations_key` names the setting.
inline void expect_resume_equals_uninterrupted(RunSettings settings, const std::string& generations_key, int first, int total)
{
    const BarData d;
    TempDir dir;
    settings.method_settings[generations_key] = total;
    auto full_settings = settings;
    auto straight = create_run(dir.file("straight"), full_settings, d.data);
    const auto full = run_method(straight, full_settings, d.data);
    EXPECT_TRUE(full.finished);
    {
        auto part_settings = settings;
        part_settings.method_settings[generations_key] = first;
        auto part = create_run(dir.file("resumed"), part_settings, d.data);
        run_method(part, part_settings, d.data);
    }
    auto resumed = RunStore::open(dir.file("resumed"));
    const auto rest = run_method(resumed, full_settings, d.data);
    EXPECT_TRUE(rest.finished);
    expect_same_candidates(straight.candidates(), resumed.candidates());
    ASSERT_EQ(straight.generations().size(), resumed.generations().size());
    for (std::size_t g = 0; g < straight.generations().size(); ++g) {
        EXPECT_EQ(straight.generations()[g].front, resumed.generations()[g].front);
        EXPECT_NEAR(straight.generations()[g].hypervolume, resumed.generations()[g].hypervolume, 1e-12);
    }
}

} // namespace paretonas::test

#endif
