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
    std::string max_memory = "auto";
};

using DataOptions = DataSpec;

/// A flag's check: an existing regular file (not a directory, a device or a pipe).
const CLI::Validator& regular_file();

void add_common_options(CLI::App* cmd, CommonOptions& o);
void add_data_options(CLI::App* cmd, DataOptions& o);


/// The architecture from `path`, checked against the data; the built-in default when empty.
Architecture architecture_for(const std::string& path, const ImageSet& data);

/// Writes `dir`/arch.json, `dir`/model.pt and, when known, `dir`/normalization.json (the
/// per-channel mean and std of pixels in [0, 1] the model was trained with), atomically.
void save_model(const std::string& dir, Network& net, const Normalization* norm = nullptr);
/// The normalization saved next to a model, if any.
std::optional<Normalization> load_normalization(const std::string& dir);


/// The first line of `text`: errors and events are one line (CLI11 and LibTorch write more).
std::string one_line(std::string text);

/// "12.34%".
std::string percent(double fraction);

/// "90s", "30m", "1.5h" -> seconds; throws InputError naming the flag.
double parse_duration(const std::string& text, const std::string& flag);

/// --max-memory: "auto" (three quarters of what the machine has available now; no limit on a GPU,
/// whose memory the estimate does not describe), "none", or a size such as 8G or 512M (binary
/// units) -> bytes, 0 for no limit; InputError otherwise.
std::int64_t parse_memory_limit(const std::string& text, c10::Device device);

} // namespace paretonas::cli

#endif
