// Pieces every CLI subcommand shares: common flags, data preparation, saving a model.
#ifndef PARETONAS_CLI_COMMON_HPP
#define PARETONAS_CLI_COMMON_HPP

#include <paretonas/train/network.hpp>
#include <paretonas/data/batcher.hpp>
#include <paretonas/data/dataset.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <optional>

#include <string>

namespace paretonas::cli {

struct CommonOptions {
    std::string device = "cpu";
    int threads = 0;
    std::uint64_t seed = 0;
    bool quiet = false;
    bool json_log = false;
};

struct DataOptions {
    std::string data = "fashion-mnist";
    std::string data_root;
    double val_fraction = 0.1;
    std::int64_t subset = 0;
};

void add_common_options(CLI::App* cmd, CommonOptions& o);
void add_data_options(CLI::App* cmd, DataOptions& o);

/// Loaded data, its seeded train/validation split and the train split's statistics.
struct PreparedData {
    DataSource source;
    Split split;
    Normalization norm;
    std::string summary() const;  // "data fashion-mnist: 54000 train / 6000 validation / 10000 test images"
};
PreparedData prepare_data(const DataOptions& o, std::uint64_t seed);

/// The architecture from `path`, checked against the data; the built-in default when empty.
Architecture architecture_for(const std::string& path, const ImageSet& data);

/// Writes `dir`/arch.json, `dir`/model.pt and, when known, `dir`/normalization.json (the
/// per-channel mean and std of pixels in [0, 1] the model was trained with), atomically.
void save_model(const std::string& dir, Network& net, const Normalization* norm = nullptr);
/// The normalization saved next to a model, if any.
std::optional<Normalization> load_normalization(const std::string& dir);
nlohmann::json normalization_json(const Normalization& norm);
Normalization normalization_from_json(const nlohmann::json& j);

/// Random crops of 1/14 of the side, and horizontal flips only for data sets whose classes are
/// mirror-symmetric (Fashion-MNIST, CIFAR): flipped digits are other digits.
Augmentation default_augmentation(const ImageSet& data);

/// The first line of `text`: errors and events are one line (CLI11 and LibTorch write more).
std::string one_line(std::string text);

/// "12.34%".
std::string percent(double fraction);

/// "90s", "30m", "1.5h" -> seconds; throws InputError naming the flag.
double parse_duration(const std::string& text, const std::string& flag);

} // namespace paretonas::cli

#endif
