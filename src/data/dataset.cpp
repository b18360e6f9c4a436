#include <paretonas/core/error.hpp>
#include <paretonas/data/dataset.hpp>

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <optional>
#include <random>

namespace paretonas {

namespace fs = std::filesystem;

DataView DataView::head(std::int64_t n) const
{
    if (n < 0) fail("DataView::head: n must be >= 0, got " + std::to_string(n));
    DataView view{set, {}};
    view.indices.assign(indices.begin(), indices.begin() + std::min(n, size()));
    return view;
}

DataView DataView::all(std::shared_ptr<const ImageSet> set)
{
    if (!set) fail("DataView::all: no image set");
    DataView view{std::move(set), {}};
    view.indices.resize(static_cast<std::size_t>(view.set->size()));
    std::iota(view.indices.begin(), view.indices.end(), std::int64_t{0});
    return view;
}

Normalization channel_statistics(const DataView& view)
{
    if (!view.set || view.size() == 0) fail("channel_statistics: empty data view");
    const ImageSet& set = *view.set;
    const std::int64_t plane = set.height * set.width;
    // Integer sums are exact, so the result does not depend on the order of the images.
    std::vector<std::uint64_t> sum(set.channels, 0), sum_sq(set.channels, 0);
    for (const std::int64_t index : view.indices) {
        const std::uint8_t* pixel = set.image(index);
        for (std::int64_t c = 0; c < set.channels; ++c) {
            std::uint64_t s = 0, sq = 0;
            for (std::int64_t i = 0; i < plane; ++i, ++pixel) {
                s += *pixel;
                sq += std::uint64_t{*pixel} * *pixel;
            }
            sum[c] += s;
            sum_sq[c] += sq;
        }
    }
    const double count = static_cast<double>(view.size()) * static_cast<double>(plane);
    Normalization norm;
    for (std::int64_t c = 0; c < set.channels; ++c) {
        const double mean = static_cast<double>(sum[c]) / count / 255.0;
        const double mean_sq = static_cast<double>(sum_sq[c]) / count / (255.0 * 255.0);
        norm.mean.push_back(static_cast<float>(mean));
        norm.std.push_back(static_cast<float>(std::sqrt(std::max(0.0, mean_sq - mean * mean))));
    }
    return norm;
}

Split split_train_validation(const DataView& view, double validation_fraction, std::uint64_t seed)
{
    if (!(validation_fraction > 0.0 && validation_fraction < 1.0))
        fail("validation fraction must be in (0, 1), got " + std::to_string(validation_fraction));
    if (!view.set || view.size() < 2)
        fail("cannot split " + std::to_string(view.size()) + " images into train and validation");

    std::vector<std::vector<std::int64_t>> by_class(256);
    for (const std::int64_t index : view.indices) by_class[view.set->labels[index]].push_back(index);

    // Per-class quotas by largest remainder, so the total is exactly round(n * fraction) rather
    // than drifting by one per class as independent rounding would.
    const auto n = static_cast<double>(view.size());
    const auto total = std::clamp<std::int64_t>(std::llround(n * validation_fraction), 1, view.size() - 1);
    std::vector<std::int64_t> quota(by_class.size());
    std::vector<std::pair<double, std::size_t>> remainders;
    std::int64_t assigned = 0;
    for (std::size_t k = 0; k < by_class.size(); ++k) {
        const double exact = static_cast<double>(by_class[k].size()) * static_cast<double>(total) / n;
        quota[k] = static_cast<std::int64_t>(std::floor(exact));
        assigned += quota[k];
        if (!by_class[k].empty()) remainders.emplace_back(exact - static_cast<double>(quota[k]), k);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t r = 0; assigned < total && r < remainders.size(); ++r, ++assigned)
        ++quota[remainders[r].second];

    std::mt19937_64 rng(seed);
    Split split{{view.set, {}}, {view.set, {}}};
    for (std::size_t k = 0; k < by_class.size(); ++k) {
        auto& members = by_class[k];
        std::shuffle(members.begin(), members.end(), rng);
        const auto cut = members.begin() + std::min<std::int64_t>(quota[k], members.size());
        split.validation.indices.insert(split.validation.indices.end(), members.begin(), cut);
        split.train.indices.insert(split.train.indices.end(), cut, members.end());
    }
    // Data order keeps reads sequential; the Batcher shuffles anyway.
    std::sort(split.train.indices.begin(), split.train.indices.end());
    std::sort(split.validation.indices.begin(), split.validation.indices.end());
    return split;
}


namespace {

enum class Format { idx, cifar10, cifar100 };

struct KnownSet {
    const char* name;
    const char* directory;
    Format format;
};

constexpr KnownSet known_sets[] = {
    {"fashion-mnist", "fashion-mnist", Format::idx},
    {"mnist", "mnist", Format::idx},
    {"cifar10", "cifar-10-batches-bin", Format::cifar10},
    {"cifar100", "cifar-100-binary", Format::cifar100},
};

constexpr const char* idx_train_images = "train-images-idx3-ubyte";

// The plain file if present, else the .gz one; empty when neither exists.
std::string find_idx_file(const fs::path& directory, const std::string& base)
{
    for (const std::string& name : {base, base + ".gz"})
        if (fs::is_regular_file(directory / name)) return (directory / name).string();
    return {};
}

std::string require_idx_file(const fs::path& directory, const std::string& base)
{
    std::string path = find_idx_file(directory, base);
    if (path.empty()) fail((directory / base).string() + "[.gz]: missing file");
    return path;
}

std::optional<Format> detect_format(const fs::path& directory)
{
    if (!find_idx_file(directory, idx_train_images).empty()) return Format::idx;
    if (fs::is_regular_file(directory / "data_batch_1.bin")) return Format::cifar10;
    if (fs::is_regular_file(directory / "train.bin")) return Format::cifar100;
    return std::nullopt;
}

std::vector<std::string> paths_in(const fs::path& directory, const std::vector<std::string>& names)
{
    std::vector<std::string> paths;
    for (const auto& name : names) paths.push_back((directory / name).string());
    return paths;
}

DataSource load_directory(const fs::path& directory, Format format, const std::string& name)
{
    ImageSet train, test;
    switch (format) {
    case Format::idx: {
        // Resolved in this order before any reading, so a missing file is reported up front.
        const std::string paths[] = {require_idx_file(directory, idx_train_images),
                                     require_idx_file(directory, "train-labels-idx1-ubyte"),
                                     require_idx_file(directory, "t10k-images-idx3-ubyte"),
                                     require_idx_file(directory, "t10k-labels-idx1-ubyte")};
        train = read_idx(paths[0], paths[1]);
        test = read_idx(paths[2], paths[3]);
        // An empty set fails here, naming its file, not after a whole training.
        if (train.size() == 0) fail(paths[0] + ": holds no images");
        if (test.size() == 0) fail(paths[2] + ": holds no images (the test set)");
        break;
    }
    case Format::cifar10:
        train = read_cifar(paths_in(directory, {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                                "data_batch_4.bin", "data_batch_5.bin"}),
                           false);
        test = read_cifar(paths_in(directory, {"test_batch.bin"}), false);
        break;
    case Format::cifar100:
        train = read_cifar(paths_in(directory, {"train.bin"}), true);
        test = read_cifar(paths_in(directory, {"test.bin"}), true);
        break;
    }
    train.name = test.name = name;
    return {std::make_shared<const ImageSet>(std::move(train)),
            std::make_shared<const ImageSet>(std::move(test))};
}

std::string default_data_root()
{
    const char* env = std::getenv("PARETONAS_DATA");
    return env && *env ? env : "/usr/share/datasets";
}

} // namespace

DataSource load_data(const std::string& spec, const std::string& data_root)
{
    const fs::path root = data_root.empty() ? default_data_root() : data_root;
    for (const KnownSet& known : known_sets) {
        if (spec != known.name) continue;
        const fs::path directory = root / known.directory;
        if (!fs::is_directory(directory))
            fail("data set " + spec + ": directory " + directory.string() +
                 " not found (data root comes from $PARETONAS_DATA, default /usr/share/datasets)");
        return load_directory(directory, known.format, spec);
    }
    if (!fs::is_directory(spec))
        fail("unknown data set '" + spec +
             "': expected fashion-mnist, mnist, cifar10, cifar100 or a directory of IDX or CIFAR files");
    const auto format = detect_format(spec);
    if (!format)
        fail("no data set in directory " + spec + ": looked for " + idx_train_images +
             "[.gz] (IDX), data_batch_1.bin (CIFAR-10) and train.bin (CIFAR-100)");
    return load_directory(spec, *format, fs::canonical(spec).filename().string());
}

std::string PreparedData::summary() const
{
    return "data " + source.train->name + ": " + std::to_string(split.train.size()) + " train / " +
           std::to_string(split.validation.size()) + " validation / " + std::to_string(source.test->size()) + " test images";
}

PreparedData prepare_data(const DataSpec& o, std::uint64_t seed)
{
    require_in_range("--val-fraction", o.val_fraction, 0.001, 0.9);
    PreparedData d;
    d.source = load_data(o.name, o.root);
    auto all = DataView::all(d.source.train);
    if (o.subset > 0) all = all.head(o.subset);
    d.split = split_train_validation(all, o.val_fraction, seed);
    d.norm = channel_statistics(d.split.train);
    return d;
}

nlohmann::json normalization_json(const Normalization& norm) { return {{"mean", norm.mean}, {"std", norm.std}}; }

Normalization normalization_from_json(const nlohmann::json& j)
{
    Normalization n;
    try {
        n.mean = j.at("mean").get<std::vector<float>>();
        n.std = j.at("std").get<std::vector<float>>();
    } catch (const nlohmann::json::exception& e) {
        fail(std::string("normalization: ") + e.what());
    }
    if (n.mean.size() != n.std.size() || n.mean.empty()) fail("normalization: mean and std must be non-empty and of one length");
    for (float s : n.std)
        if (!(s > 0)) fail("normalization: every std must be positive");
    return n;
}

} // namespace paretonas
