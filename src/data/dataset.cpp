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

std::vector<std::uint8_t> read_file_bytes(const std::string& path)
{
    std::error_code error;
    if (!fs::is_regular_file(path, error)) fail(path + ": missing file");
    const auto file_size = fs::file_size(path, error);
    // gzread also reads plain files, so one loop serves both forms.
    std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
    if (!file) fail(path + ": cannot open file");
    gzbuffer(file.get(), 1u << 18);
    const bool gzipped = gzdirect(file.get()) == 0;

    // One spare byte lets a plain file end with a zero-length read instead of a buffer doubling.
    std::vector<std::uint8_t> bytes(std::max<std::uintmax_t>(error ? 0 : file_size + 1, 1u << 16));
    std::size_t used = 0;
    for (;;) {
        if (used == bytes.size()) bytes.resize(2 * bytes.size());
        const auto chunk = static_cast<unsigned>(std::min<std::size_t>(bytes.size() - used, 1u << 30));
        const int got = gzread(file.get(), bytes.data() + used, chunk);
        if (got < 0) {
            int code = 0;
            fail(path + ": broken gzip (" + gzerror(file.get(), &code) + ")");
        }
        if (got == 0) break;
        used += static_cast<std::size_t>(got);
    }
    int code = Z_OK;
    gzerror(file.get(), &code);
    // zlib reports a stream cut short only as Z_BUF_ERROR after the final read.
    if (gzipped && code == Z_BUF_ERROR) fail(path + ": broken gzip (compressed stream ends early)");
    bytes.resize(used);
    return bytes;
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

} // namespace paretonas
