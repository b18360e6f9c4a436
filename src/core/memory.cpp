#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/core/memory.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <numeric>
#include <sstream>

namespace paretonas {

namespace {

constexpr std::int64_t kFloatBytes = 4;

std::int64_t elements(const Shape& shape)
{
    return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

// Per image: the sum and the largest of the node outputs, and the largest unfolded convolution
// input (in_channels / groups x k^2 x output pixels; a depthwise conv unfolds per channel).
struct ActivationSizes {
    std::int64_t total = 0, largest = 0, columns = 0;
};

ActivationSizes activation_sizes(const Architecture& arch)
{
    const auto shapes = arch.infer_shapes();
    ActivationSizes a;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const Node& n = arch.nodes()[i];
        const std::int64_t out = elements(shapes[i]);
        a.total += out;
        a.largest = std::max(a.largest, out);
        if ((n.op == OpType::conv || n.op == OpType::sep_conv) && !n.inputs.empty() && shapes[i].size() == 3) {
            const Shape& in = shapes[arch.index_of(n.inputs.front())];
            const std::int64_t per_group = n.op == OpType::conv ? in[0] / std::max(1, n.groups) : 1;
            a.columns = std::max(a.columns, per_group * n.kernel * n.kernel * shapes[i][1] * shapes[i][2]);
        }
    }
    return a;
}

std::int64_t read_number(const std::string& path)
{
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text == "max") return 0;
    try {
        return std::stoll(text);
    } catch (const std::exception&) {
        return 0;
    }
}

} // namespace

std::int64_t training_memory_bytes(const Architecture& arch, std::int64_t batch_size)
{
    const auto a = activation_sizes(arch);
    return kFloatBytes * (4 * parameter_count(arch) + batch_size * (a.total + 2 * a.largest) + a.columns);
}

std::int64_t inference_memory_bytes(const Architecture& arch, std::int64_t batch_size)
{
    const auto a = activation_sizes(arch);
    return kFloatBytes * (parameter_count(arch) + batch_size * 2 * a.largest + a.columns);
}

std::int64_t available_memory_bytes()
{
    std::int64_t available = 0;
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);)
        if (line.rfind("MemAvailable:", 0) == 0) {
            std::istringstream fields(line.substr(13));
            std::int64_t kib = 0;
            if (fields >> kib) available = kib * 1024;
        }
    // A container's limit (cgroup v2) is what the kernel enforces, whatever the host has free.
    const std::int64_t limit = read_number("/sys/fs/cgroup/memory.max");
    if (limit > 0) {
        const std::int64_t left = std::max<std::int64_t>(0, limit - read_number("/sys/fs/cgroup/memory.current"));
        available = available > 0 ? std::min(available, left) : left;
    }
    return available;
}

std::string format_bytes(std::int64_t bytes)
{
    const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return text;
}

void require_training_memory(const Architecture& arch, std::int64_t batch_size, std::int64_t limit_bytes, const std::string& what)
{
    if (limit_bytes <= 0) return;
    const auto needed = training_memory_bytes(arch, batch_size);
    if (needed <= limit_bytes) return;
    fail(what + " needs about " + format_bytes(needed) + " to train at batch " + std::to_string(batch_size) + ", more than the memory limit " +
         format_bytes(limit_bytes) + " (--max-memory)");
}

} // namespace paretonas
