#include "common/test_support.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/train/schedule.hpp>

#include <gtest/gtest.h>

#include <cmath>

using namespace paretonas;

TEST(Schedule, SgdrCurveValues)
{
    LrSchedule s;
    s.kind = LrScheduleKind::sgdr;
    s.lr_max = 0.1;
    s.lr_min = 0.001;
    s.t0 = 2;
    s.t_mult = 2;  // cycles: [0,2), [2,6), [6,14)
    const double mid = 0.001 + 0.5 * 0.099;  // cos(pi/2) = 0
    EXPECT_DOUBLE_EQ(learning_rate(s, 0.0, 14), 0.1);
    EXPECT_NEAR(learning_rate(s, 1.0, 14), mid, 1e-12);
    EXPECT_DOUBLE_EQ(learning_rate(s, 2.0, 14), 0.1);           // restart
    EXPECT_NEAR(learning_rate(s, 4.0, 14), mid, 1e-12);         // half of the 4-epoch cycle
    EXPECT_NEAR(learning_rate(s, 3.0, 14), 0.001 + 0.5 * 0.099 * (1 + std::cos(M_PI / 4)), 1e-12);
    EXPECT_DOUBLE_EQ(learning_rate(s, 6.0, 14), 0.1);
    EXPECT_NEAR(learning_rate(s, 13.999999, 14), 0.001, 1e-9);  // end of the third cycle
}

TEST(Schedule, SgdrWithoutGrowthRestartsEveryT0)
{
    LrSchedule s;
    s.kind = LrScheduleKind::sgdr;
    s.lr_max = 1.0;
    s.lr_min = 0.0;
    s.t0 = 1;
    s.t_mult = 1;
    for (int e = 0; e < 5; ++e) {
        EXPECT_DOUBLE_EQ(learning_rate(s, e, 5), 1.0);
        EXPECT_NEAR(learning_rate(s, e + 0.5, 5), 0.5, 1e-12);
    }
}

TEST(Schedule, CosineAndConstant)
{
    LrSchedule s;
    s.kind = LrScheduleKind::cosine;
    s.lr_max = 0.05;
    s.lr_min = 0.0;
    EXPECT_DOUBLE_EQ(learning_rate(s, 0, 10), 0.05);
    EXPECT_NEAR(learning_rate(s, 5, 10), 0.025, 1e-12);
    EXPECT_NEAR(learning_rate(s, 10, 10), 0.0, 1e-12);
    EXPECT_NEAR(learning_rate(s, 12, 10), 0.0, 1e-12);  // past the end stays at lr_min
    s.kind = LrScheduleKind::constant;
    EXPECT_DOUBLE_EQ(learning_rate(s, 7.3, 10), 0.05);
}

TEST(Schedule, ValidationNamesTheField)
{
    LrSchedule s;
    s.lr_min = 0.1;
    s.lr_max = 0.05;
    EXPECT_EQ(test::error_message([&] { s.validate(); }), "lr_min must be in [0, 0.05], got 0.1");
    EXPECT_THROW(schedule_kind_from_name("linear"), InputError);
    EXPECT_EQ(schedule_kind_from_name("sgdr"), LrScheduleKind::sgdr);
}

TEST(Schedule, SgdrClosedFormMatchesCycleByCycleDefinition)
{
    for (double t_mult : {1.0, 1.5, 2.0, 3.0}) {
        LrSchedule s;
        s.kind = LrScheduleKind::sgdr;
        s.lr_max = 0.2;
        s.lr_min = 0.01;
        s.t0 = 0.7;
        s.t_mult = t_mult;
        for (double epoch = 0.0; epoch < 40.0; epoch += 0.173) {
            double t = epoch, period = s.t0;  // walk the cycles one by one
            while (t >= period) {
                t -= period;
                period *= t_mult;
            }
            const double expected = 0.01 + 0.5 * 0.19 * (1 + std::cos(M_PI * t / period));
            EXPECT_NEAR(learning_rate(s, epoch, 40), expected, 1e-9) << "t_mult " << t_mult << " epoch " << epoch;
        }
    }
    LrSchedule tiny;
    tiny.kind = LrScheduleKind::sgdr;
    tiny.t0 = 1e-3;
    tiny.t_mult = 1.0;
    EXPECT_NEAR(learning_rate(tiny, 1e6 + 5e-4, 2e6), 0.025, 1e-6);  // no loop over 1e9 cycles
}
