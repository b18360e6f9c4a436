#include <paretonas/core/error.hpp>
#include <paretonas/train/config.hpp>

namespace paretonas {

TrainConfig cosine_cycle(const TrainConfig& base, int epochs, double lr_start, double lr_end, std::uint64_t seed)
{
    TrainConfig t = base;
    t.epochs = epochs;
    t.lr.kind = LrScheduleKind::cosine;
    t.lr.lr_max = lr_start;
    t.lr.lr_min = lr_end;
    t.seed = seed;
    return t;
}

void TrainConfig::validate() const
{
    require_in_range("epochs", epochs, 1, 1e6);
    require_in_range("batch_size", batch_size, 1, 1 << 20);
    require_in_range("eval_batch_size", eval_batch_size, 1, 1 << 20);
    require_in_range("momentum", momentum, 0.0, 0.999);
    require_in_range("weight_decay", weight_decay, 0.0, 1.0);
    require_in_range("label_smoothing", label_smoothing, 0.0, 0.99);
    require_in_range("distill_temperature", distill_temperature, 1e-3, 1e3);
    require_in_range("distill_weight", distill_weight, 0.0, 1.0);
    require_in_range("progress_every", progress_every, 1, 1e9);
    require_in_range("crop_padding", augment.crop_padding, 0, 64);
    if (nesterov && momentum <= 0.0) fail("nesterov needs momentum > 0");
    lr.validate();
}

MemoryLayout memory_layout_from_name(const std::string& name)
{
    if (name == "auto") return MemoryLayout::automatic;
    if (name == "nchw") return MemoryLayout::nchw;
    if (name == "nhwc") return MemoryLayout::nhwc;
    fail("unknown memory layout '" + name + "' (known: auto, nchw, nhwc)");
}

void LatencyOptions::validate() const
{
    require_in_range("latency batch_size", batch_size, 1, 1 << 16);
    require_in_range("latency warmup", warmup, 0, 1e6);
    require_in_range("latency repeats", repeats, 1, 1e6);
}

} // namespace paretonas
