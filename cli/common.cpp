#include "common.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/core/json_text.hpp>
#include <paretonas/core/memory.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <thread>

namespace paretonas::cli {

namespace {

// CLI11 reads "-1" and 2^64 into a uint64 as 2^64-1 without a word; a seed is a whole number
// that fits.
const CLI::Validator kUnsigned64(
    [](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const auto end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || ec != std::errc() || ptr != end) return "must be a whole number in [0, 2^64-1], got " + quoted_excerpt(text);
        return {};
    },
    "UINT64");

} // namespace

const CLI::Validator& regular_file()
{
    // CLI::ExistingFile accepts a character device or a pipe, which a reader would read forever.
    static const CLI::Validator validator(
        [](std::string& path) -> std::string {
            std::error_code ec;
            const auto status = std::filesystem::status(path, ec);
            if (!std::filesystem::exists(status)) return "File does not exist: " + path;
            if (status.type() != std::filesystem::file_type::regular) return "Not a regular file: " + path;
            return {};
        },
        "FILE");
    return validator;
}

void add_common_options(CLI::App* cmd, CommonOptions& o)
{
    // More threads than a few per core only slow LibTorch down; 100,000 of them hang the machine.
    const int max_threads = 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    cmd->add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--threads", o.threads, "CPU threads for LibTorch (0: one per core)")->check(CLI::Range(0, max_threads));
    cmd->add_option("--seed", o.seed, "seed for weights, data order and splits")->check(kUnsigned64)->capture_default_str();
    cmd->add_option("--max-memory", o.max_memory,
                    "refuse a network whose estimated training memory exceeds this: auto (3/4 of the available memory), none, or e.g. 8G")
        ->capture_default_str();
    cmd->add_flag("--quiet", o.quiet, "print only the final result");
    cmd->add_flag("--json-log", o.json_log, "progress as JSON lines (one object per event) instead of text");
}

void add_data_options(CLI::App* cmd, DataOptions& o)
{
    cmd->add_option("--data", o.name, "fashion-mnist, mnist, cifar10, cifar100 or a directory")->capture_default_str();
    cmd->add_option("--data-root", o.root, "where named data sets live (default $PARETONAS_DATA or /usr/share/datasets)");
    cmd->add_option("--val-fraction", o.val_fraction, "share of the training set held out")->capture_default_str();
    cmd->add_option("--subset", o.subset, "use only the first N training images")->check(CLI::NonNegativeNumber);
}

std::string one_line(std::string text)
{
    const auto newline = text.find('\n');
    if (newline != std::string::npos) text.resize(newline);
    return text;
}

Architecture architecture_for(const std::string& path, const ImageSet& data)
{
    const Shape data_shape{data.channels, data.height, data.width};
    if (path.empty()) return default_architecture(data_shape, data.num_classes);
    auto arch = Architecture::load(path);
    if (arch.input_shape() != data_shape)
        fail(path + ": architecture expects input " + shape_string(arch.input_shape()) + " but the data set has " +
             shape_string(data_shape));
    if (arch.num_classes() != data.num_classes)
        fail(path + ": architecture has " + std::to_string(arch.num_classes()) + " classes but the data set has " +
             std::to_string(data.num_classes));
    return arch;
}

void save_model(const std::string& dir, Network& net, const Normalization* norm)
{
    ensure_directory(dir);
    const std::filesystem::path d(dir);
    net->architecture().save((d / "arch.json").string());
    save_weights(net, (d / "model.pt").string());
    if (norm) write_file_atomically((d / "normalization.json").string(), normalization_json(*norm).dump() + "\n");
}

std::optional<Normalization> load_normalization(const std::string& dir)
{
    const auto path = (std::filesystem::path(dir) / "normalization.json").string();
    if (!std::filesystem::exists(path)) return std::nullopt;
    const auto text = read_text_file(path);
    nlohmann::json parsed;
    try {
        parsed = parse_json_within_depth(text);
    } catch (const nlohmann::json::exception& e) {
        fail(path + ": " + e.what());
    } catch (const InputError& e) {  // nested too deep: the parser does not know the file
        fail(path + ": " + e.what());
    }
    return normalization_from_json(parsed);
}

std::string percent(double fraction)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * fraction);
    return buf;
}

namespace {

// "1.5h" -> {1.5, "h"}; a value of NaN when the text does not start with a number.
std::pair<double, std::string> number_and_unit(const std::string& text)
{
    std::size_t used = 0;
    double value = std::numeric_limits<double>::quiet_NaN();
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    return {used == 0 ? std::numeric_limits<double>::quiet_NaN() : value, text.substr(used)};
}

} // namespace

double parse_duration(const std::string& text, const std::string& flag)
{
    const auto [value, unit] = number_and_unit(text);
    const double scale = unit == "s" || unit.empty() ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
    if (scale < 0 || !(value > 0)) fail(flag + " must be a positive duration such as 90s, 30m or 1.5h, got '" + text + "'");
    return value * scale;
}

std::int64_t parse_memory_limit(const std::string& text, c10::Device device)
{
    if (text == "none") return 0;
    if (text == "auto") return device.is_cpu() ? available_memory_bytes() / 4 * 3 : 0;  // 0 (no limit) where unknown
    const auto [value, unit] = number_and_unit(text);
    const std::string units = "KMGT";
    const auto power = unit.size() == 1 ? units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0])))) : std::string::npos;
    const double bytes = power == std::string::npos ? -1 : value * std::pow(1024.0, static_cast<double>(power + 1));
    if (!(bytes >= 1 << 20) || bytes > 1e18)
        fail("--max-memory must be auto, none or a size of at least 1M such as 512M or 8G, got '" + quoted_excerpt(text) + "'");
    return static_cast<std::int64_t>(bytes);
}

} // namespace paretonas::cli
