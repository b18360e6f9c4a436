#include "common/test_support.hpp"

#include <gmock/gmock.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace paretonas::test {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::HasSubstr;

std::shared_ptr<const ImageSet> shared_set(ImageSet set) { return std::make_shared<const ImageSet>(std::move(set)); }

TEST(DataView, AllAndHead)
{
    const DataView all = DataView::all(shared_set(make_set(5, 1, 2, 2)));
    EXPECT_THAT(all.indices, ElementsAre(0, 1, 2, 3, 4));
    EXPECT_THAT(all.head(3).indices, ElementsAre(0, 1, 2));
    EXPECT_EQ(all.head(3).set, all.set);
    EXPECT_EQ(all.head(99).size(), 5);
}

TEST(ChannelStatistics, MatchesHandComputedValues)
{
    // Two images, two channels of 1 x 2 pixels. Channel 0 holds {0, 1, 1, 1} after scaling
    // (mean 0.75, variance 0.1875); channel 1 holds {0.2, 0.2, 0.4, 0.4} (mean 0.3, std 0.1).
    ImageSet set;
    set.channels = 2;
    set.height = 1;
    set.width = 2;
    set.num_classes = 2;
    set.pixels = {0, 255, 51, 51, 255, 255, 102, 102};
    set.labels = {0, 1};
    const DataView all = DataView::all(shared_set(set));
    const Normalization norm = channel_statistics(all);
    EXPECT_THAT(norm.mean, ElementsAre(FloatNear(0.75f, 1e-6f), FloatNear(0.3f, 1e-6f)));
    EXPECT_THAT(norm.std, ElementsAre(FloatNear(0.4330127f, 1e-6f), FloatNear(0.1f, 1e-6f)));

    const Normalization first = channel_statistics(all.head(1));  // only the view's images count
    EXPECT_THAT(first.mean, ElementsAre(FloatNear(0.5f, 1e-6f), FloatNear(0.2f, 1e-6f)));
    EXPECT_THAT(first.std, ElementsAre(FloatNear(0.5f, 1e-6f), FloatNear(0.0f, 1e-6f)));
}

// Labels with class sizes 500, 300 and 200, interleaved.
DataView imbalanced_view()
{
    ImageSet set = make_set(1000, 1, 1, 1);
    for (std::size_t i = 0; i < set.labels.size(); ++i) set.labels[i] = i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2;
    return DataView::all(shared_set(std::move(set)));
}

TEST(Split, DeterministicBySeed)
{
    const DataView view = imbalanced_view();
    const Split a = split_train_validation(view, 0.1, 7), b = split_train_validation(view, 0.1, 7);
    const Split c = split_train_validation(view, 0.1, 8);
    EXPECT_EQ(a.validation.indices, b.validation.indices);
    EXPECT_EQ(a.train.indices, b.train.indices);
    EXPECT_NE(a.validation.indices, c.validation.indices);
}

TEST(Split, DisjointCoveringAndStratified)
{
    const DataView view = imbalanced_view();
    const Split split = split_train_validation(view, 0.1, 3);
    EXPECT_EQ(split.validation.size(), 100);
    EXPECT_EQ(split.train.size(), 900);
    std::vector<std::int64_t> both = split.train.indices;
    both.insert(both.end(), split.validation.indices.begin(), split.validation.indices.end());
    std::sort(both.begin(), both.end());
    EXPECT_EQ(both, view.indices);  // covering, and with equal sizes also disjoint

    std::vector<int> per_class(3, 0);
    for (const auto index : split.validation.indices) ++per_class[view.set->labels[index]];
    EXPECT_THAT(per_class, ElementsAre(50, 30, 20));
}

TEST(Split, SubsetViewStaysWithinTheView)
{
    const DataView view = imbalanced_view().head(101);
    const Split split = split_train_validation(view, 0.25, 1);
    EXPECT_EQ(split.validation.size(), 25);
    EXPECT_EQ(split.train.size(), 76);
    for (const auto index : split.validation.indices) EXPECT_LT(index, 101);
}

TEST(Split, RejectsBadFraction)
{
    const DataView view = imbalanced_view();
    EXPECT_THAT(error_message([&] { split_train_validation(view, 0.0, 1); }), HasSubstr("validation fraction"));
    EXPECT_THAT(error_message([&] { split_train_validation(view, 1.0, 1); }), HasSubstr("validation fraction"));
}

TEST(LoadData, IdxDirectoryIsDetected)
{
    TempDir dir;
    const ImageSet train = make_set(6, 1, 3, 3), test = make_set(2, 1, 3, 3);
    write_idx_set(dir, "train", train, true);
    write_idx_set(dir, "t10k", test);
    const DataSource data = load_data(dir.path());
    EXPECT_EQ(data.train->pixels, train.pixels);
    EXPECT_EQ(data.test->labels, test.labels);
    EXPECT_EQ(data.train->name, std::filesystem::path(dir.path()).filename().string());
    EXPECT_EQ(data.test->name, data.train->name);
}

TEST(LoadData, IdxDirectoryMissingTestFiles)
{
    TempDir dir;
    write_idx_set(dir, "train", make_set(6, 1, 3, 3));
    EXPECT_THAT(error_message([&] { load_data(dir.path()); }),
                AllOf(HasSubstr(dir.file("t10k-images-idx3-ubyte")), HasSubstr("missing file")));
}

TEST(LoadData, AnEmptyIdxSetIsNamedBeforeAnyTraining)
{
    TempDir dir;
    write_idx_set(dir, "train", make_set(6, 1, 3, 3));
    write_idx_set(dir, "t10k", make_set(0, 1, 3, 3));
    EXPECT_EQ(error_message([&] { load_data(dir.path()); }), dir.file("t10k-images-idx3-ubyte") + ": holds no images (the test set)");
    write_idx_set(dir, "train", make_set(0, 1, 3, 3));
    EXPECT_EQ(error_message([&] { load_data(dir.path()); }), dir.file("train-images-idx3-ubyte") + ": holds no images");
}

TEST(LoadData, CifarDirectoriesAreDetected)
{
    TempDir cifar10, cifar100;
    const ImageSet batch = make_set(2, 3, 32, 32, 10);
    for (const char* name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                             "data_batch_5.bin", "test_batch.bin"})
        write_bytes(cifar10.file(name), cifar_bytes(batch, false));
    const DataSource ten = load_data(cifar10.path());
    EXPECT_EQ(ten.train->size(), 10);
    EXPECT_EQ(ten.test->size(), 2);
    EXPECT_EQ(ten.train->num_classes, 10);

    const ImageSet fine = make_set(3, 3, 32, 32, 100);
    write_bytes(cifar100.file("train.bin"), cifar_bytes(fine, true));
    write_bytes(cifar100.file("test.bin"), cifar_bytes(fine, true));
    const DataSource hundred = load_data(cifar100.path() + "/");
    EXPECT_EQ(hundred.train->num_classes, 100);
    EXPECT_EQ(hundred.test->labels, fine.labels);
    EXPECT_EQ(hundred.train->name, std::filesystem::path(cifar100.path()).filename().string());
}

TEST(LoadData, NamedSetUnderDataRootAndEnvironment)
{
    TempDir root;
    std::filesystem::create_directories(root.file("mnist"));
    const std::string mnist = root.file("mnist") + "/";
    write_bytes(mnist + "train-images-idx3-ubyte.gz", idx_bytes({1, 1, 1}, {9}), true);
    write_bytes(mnist + "train-labels-idx1-ubyte.gz", idx_bytes({1}, {3}), true);
    write_bytes(mnist + "t10k-images-idx3-ubyte", idx_bytes({1, 1, 1}, {8}));
    write_bytes(mnist + "t10k-labels-idx1-ubyte", idx_bytes({1}, {4}));
    const DataSource data = load_data("mnist", root.path());
    EXPECT_EQ(data.train->name, "mnist");
    EXPECT_THAT(data.train->labels, ElementsAre(3));
    EXPECT_THAT(data.test->pixels, ElementsAre(8));

    ::setenv("PARETONAS_DATA", root.path().c_str(), 1);
    EXPECT_THAT(load_data("mnist").test->labels, ElementsAre(4));
    ::unsetenv("PARETONAS_DATA");
}

TEST(LoadData, ErrorsNameWhatWasLookedFor)
{
    TempDir root;
    EXPECT_THAT(error_message([&] { load_data("cifar10", root.path()); }),
                AllOf(HasSubstr(root.file("cifar-10-batches-bin")), HasSubstr("not found")));
    EXPECT_THAT(error_message([&] { load_data(root.file("absent")); }),
                AllOf(HasSubstr(root.file("absent")), HasSubstr("unknown data set")));
    EXPECT_THAT(error_message([&] { load_data(root.path()); }),
                AllOf(HasSubstr(root.path()), HasSubstr("train-images-idx3-ubyte"), HasSubstr("data_batch_1.bin"),
                      HasSubstr("train.bin")));
}

} // namespace
} // namespace paretonas::test
