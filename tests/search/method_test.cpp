// A method added from this file alone: a toy local search registered here runs through
// make_method, the driver, the store, resume and the front, with no change anywhere else.
#include "search/search_support.hpp"

#include <paretonas/core/costs.hpp>
#include <paretonas/core/pareto.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace paretonas;

namespace {

// Toy local search over the width of a one-stage chain: each generation tries `step` narrower
// and `step` wider than the best network so far. Its evaluator scores by formula (error falls
// with width to a floor), so the front trades width against error.
struct ToySettings {
    int generations = 4;
    int step = 2;
    int start_width = 6;
};

class ToyProposer : public Proposer {
public:
    ToyProposer(const ToySettings& s, const RunSettings& run) : m_settings(s), m_run(run) {}
    std::vector<Candidate> initial() override { return {chain(m_settings.start_width)}; }
    std::vector<Candidate> propose(int, const std::vector<Candidate>& all) override
    {
        const auto front = current_front(all, m_run.objectives, m_run.constraints);
        const auto best = std::min_element(front.begin(), front.end(), [](const Candidate& a, const Candidate& b) { return a.val_error < b.val_error; });
        const int width = best->data.at("width");
        std::vector<Candidate> out;
        for (int w : {width - m_settings.step, width + m_settings.step}) {
            if (w < 1) continue;
            bool seen = false;
            for (const auto& c : all) seen = seen || c.data.at("width") == w;
            if (!seen) out.push_back(chain(w));
        }
        return out;
    }

private:
    static Candidate chain(int width)
    {
        Candidate c;
        c.arch = conv_chain({1, 8, 8}, 2, {width}, {0});
        c.parameters = parameter_count(c.arch);
        c.data["width"] = width;
        return c;
    }
    const ToySettings& m_settings;
    const RunSettings& m_run;
};

class ToyEvaluator : public Evaluator {
public:
    Outcome evaluate(Candidate& c, const Deadline&) override
    {
        c.val_error = 0.1 + 1.0 / c.data.at("width").get<double>();
        c.epochs = 1;
        return {};
    }
};

class Toy : public SearchMethod {
public:
    explicit Toy(ToySettings s) : m_settings(s) {}
    std::string name() const override { return "toy-local"; }
    nlohmann::json settings() const override
    {
        return {{"generations", m_settings.generations}, {"step", m_settings.step}, {"start_width", m_settings.start_width}};
    }
    SearchResult run(const SearchContext& context) override
    {
        ToyProposer proposer(m_settings, context.run);
        ToyEvaluator evaluator;
        return run_driver(context.store, context.driver(m_settings.generations), proposer, evaluator, context.callbacks);
    }

private:
    ToySettings m_settings;
};

MethodSpec toy_spec()
{
    MethodSpec spec;
    spec.name = "toy-local";
    spec.summary = "toy local search over one width";
    spec.options = {{"/step", "--step", "width change per move"}};
    spec.make = [](const nlohmann::json& j) {
        ToySettings s;
        SettingsReader reader("toy-local", j);
        reader.read("generations", s.generations).read("step", s.step).read("start_width", s.start_width).finish();
        require_in_range("toy-local step", s.step, 1, 100);
        return std::make_unique<Toy>(s);
    };
    return spec;
}

const bool registered = (register_method(toy_spec()), true);

} // namespace

TEST(MethodRegistry, ListsTheBuiltInMethodsThenAddedOnes)
{
    ASSERT_TRUE(registered);
    std::vector<std::string> names;
    for (const auto& m : registered_methods()) names.push_back(m.name);
    EXPECT_THAT(names, ::testing::ElementsAre("lemonade", "nsga2", "random", "nash", "nago", "toy-local"));
    for (const auto& m : registered_methods()) {
        EXPECT_FALSE(m.summary.empty()) << m.name;
        // Every option points at a setting the method has, so that help can show its default.
        const auto defaults = default_settings(m.name);
        for (const auto& o : m.options)
            if (o.kind != MethodOption::Kind::flag) EXPECT_TRUE(defaults.contains(nlohmann::json::json_pointer(o.pointer))) << m.name << " " << o.flag;
    }
    EXPECT_EQ(test::error_message([] { register_method(toy_spec()); }), "search method 'toy-local' is registered twice");
    EXPECT_EQ(test::error_message([] { make_method("bogus"); }), "unknown search method 'bogus' (available: lemonade, nsga2, random, nash, nago, toy-local)");
}

TEST(MethodRegistry, SettingsTakeDefaultsAndNameABadOne)
{
    EXPECT_EQ(default_settings("toy-local"), nlohmann::json::parse(R"({"generations": 4, "step": 2, "start_width": 6})"));
    EXPECT_EQ(make_method("toy-local", {{"step", 3}})->settings().at("step"), 3);
    EXPECT_EQ(test::error_message([] { make_method("toy-local", {{"stride", 3}}); }), "toy-local has no setting 'stride'");
    EXPECT_EQ(test::error_message([] { make_method("toy-local", {{"step", 0}}); }), "toy-local step must be in [1, 100], got 0");
    EXPECT_EQ(test::error_message([] { make_method("toy-local", nlohmann::json::array()); }), "toy-local settings must be a JSON object, got an array of 0");
    // The built-in methods' settings survive a round trip through what a run stores.
    for (const std::string name : {"lemonade", "nsga2", "random", "nash"})
        EXPECT_EQ(make_method(name, default_settings(name))->settings(), default_settings(name)) << name;
}

TEST(MethodRegistry, AnAddedMethodRunsResumesAndHasAFront)
{
    const test::BarData d;
    test::TempDir dir;
    auto settings = test::settings_for("toy-local", {{"generations", 6}, {"step", 2}});
    std::size_t stopped_at = 0;
    {
        auto store = create_run(dir.file("run"), settings, d.data);
        EXPECT_EQ(RunSettings::of(store).method_settings, nlohmann::json::parse(R"({"generations": 6, "step": 2, "start_width": 6})"));
        // Stopped by its budget (the fake clock moves 10 s a reading), then resumed from the
        // stored settings without a budget, as the CLI does.
        double now = 0.0;
        const auto clock = [&now] { return now += 10.0; };
        settings.budget_seconds = 95.0;
        const auto first = test::run_method(store, settings, d.data, {}, clock);
        EXPECT_FALSE(first.finished);
        stopped_at = store.candidates().size();
        EXPECT_GT(stopped_at, 1u);
    }

    auto reopened = RunStore::open(dir.file("run"));
    auto stored = RunSettings::of(reopened);
    stored.budget_seconds = 0.0;
    const auto rest = test::run_method(reopened, stored, d.data);
    EXPECT_TRUE(rest.finished);
    const auto all = reopened.candidates();
    EXPECT_GT(all.size(), stopped_at);
    std::set<int> widths;
    for (const auto& c : all) {
        EXPECT_EQ(c.status, CandidateStatus::done);
        EXPECT_TRUE(widths.insert(c.data.at("width").get<int>()).second) << "width tried twice";
    }
    // It climbed from width 6 by steps of 2, and the front trades width for error.
    EXPECT_TRUE(widths.count(16)) << "climbed";
    ASSERT_EQ(reopened.generations().size(), 6u);
    std::vector<ObjectiveVector> points;
    for (const auto& c : rest.front) points.push_back(objective_vector(c, stored.objectives));
    ASSERT_GE(points.size(), 2u);
    for (const auto& a : points)
        for (const auto& b : points) EXPECT_FALSE(dominates(a, b));
}
