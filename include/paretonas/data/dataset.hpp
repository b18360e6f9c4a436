/// @file data/dataset.hpp
/// Image data held once in memory as uint8, readers for IDX and CIFAR binary files, seeded
/// splits and per-channel statistics. No LibTorch here; batching lives in data/batcher.hpp.
#ifndef PARETONAS_DATA_DATASET_HPP
#define PARETONAS_DATA_DATASET_HPP

#include <cstdint>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace paretonas {

/// A set of labelled images, NCHW uint8 pixels.
struct ImageSet {
    std::string name;
    std::int64_t channels = 0, height = 0, width = 0;
    int num_classes = 0;
    std::vector<std::uint8_t> pixels;  // size() * channels * height * width
    std::vector<std::uint8_t> labels;  // one per image, < num_classes

    std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
    std::int64_t image_bytes() const { return channels * height * width; }
    const std::uint8_t* image(std::int64_t i) const { return pixels.data() + i * image_bytes(); }
};

/// A subset of a shared ImageSet by index, so that train/validation splits do not copy pixels.
struct DataView {
    std::shared_ptr<const ImageSet> set;
    std::vector<std::int64_t> indices;

    std::int64_t size() const { return static_cast<std::int64_t>(indices.size()); }
    /// The first `n` indices (for quick runs on a subset).
    DataView head(std::int64_t n) const;
    /// Every index of `set`.
    static DataView all(std::shared_ptr<const ImageSet> set);
};

/// Per-channel mean and standard deviation of pixel values scaled to [0, 1].
struct Normalization {
    std::vector<float> mean, std;
};
Normalization channel_statistics(const DataView& view);
nlohmann::json normalization_json(const Normalization& norm);
/// Throws InputError "normalization: ..." for a malformed object.
Normalization normalization_from_json(const nlohmann::json& j);

/// Train/validation split of `view`, deterministic for a seed and stratified by class so small
/// validation sets keep the class balance. `validation_fraction` in (0, 1).
struct Split {
    DataView train, validation;
};
Split split_train_validation(const DataView& view, double validation_fraction, std::uint64_t seed);

/// Reads an IDX image file (magic 0x00000803, uint8, N x H x W) and its label file
/// (magic 0x00000801); gzip-compressed or plain, told apart by content. Throws InputError naming
/// the file and the problem: missing file, broken gzip, bad magic number, truncated data,
/// image/label count mismatch, label out of range.
ImageSet read_idx(const std::string& images_path, const std::string& labels_path, int num_classes = 10);

/// Reads only an IDX image file (what `predict` is given): labels are all 0 and num_classes 0.
ImageSet read_idx_images(const std::string& images_path);

/// Decodes PNG, JPEG, BMP, GIF or PGM/PPM files (stb_image) into one set of `channels` x
/// `height` x `width` images (grey or RGB as asked). Throws InputError naming a file that does
/// not decode or has another size.
ImageSet read_image_files(const std::vector<std::string>& paths, std::int64_t channels, std::int64_t height, std::int64_t width);

/// Reads CIFAR binary batches: per record one label byte (CIFAR-10) or coarse+fine label bytes
/// (CIFAR-100, fine label used) followed by 3 x 32 x 32 pixels. Throws InputError on a missing
/// file, a size that is not a whole number of records, or a label out of range.
ImageSet read_cifar(const std::vector<std::string>& paths, bool cifar100);

/// Train and test sets of a named or located data set.
struct DataSource {
    std::shared_ptr<const ImageSet> train, test;
};
/// `spec` is "fashion-mnist" (Debian's dataset-fashion-mnist), "mnist", "cifar10", "cifar100"
/// (looked up under `data_root`, default $PARETONAS_DATA or /usr/share/datasets), or a directory
/// holding IDX files (train-images-idx3-ubyte[.gz], ...) or CIFAR batches (data_batch_*.bin /
/// train.bin). Throws InputError listing what was looked for when nothing is found.
DataSource load_data(const std::string& spec, const std::string& data_root = "");

/// Which data a run uses: a named data set or directory (load_data), the share held out for
/// validation, and an optional subset of the first N training images.
struct DataSpec {
    std::string name = "fashion-mnist";
    std::string root;             // where named data sets live; empty: $PARETONAS_DATA or /usr/share/datasets
    double val_fraction = 0.1;
    std::int64_t subset = 0;      // 0: every training image
};

/// Loaded data, its seeded train/validation split and the train split's statistics.
struct PreparedData {
    DataSource source;
    Split split;
    Normalization norm;
    std::string summary() const;  // "data fashion-mnist: 54000 train / 6000 validation / 10000 test images"
};
/// Loads `spec` and splits it with `seed`: the same spec and seed give the same split.
/// Throws InputError naming --val-fraction when it is out of range.
PreparedData prepare_data(const DataSpec& spec, std::uint64_t seed);

} // namespace paretonas

#endif
