#include <paretonas/core/costs.hpp>
#include <paretonas/core/error.hpp>
#include <paretonas/train/trainer.hpp>

#include <torch/torch.h>

#include <chrono>
#include <cmath>

namespace paretonas {

namespace F = torch::nn::functional;

// Measured on 2 cores (docs/performance.md, "Memory layout"): NHWC trains wide dense
// convolutions 1.2x faster, but a graph of many small convolutions and merges (NAGO's, LEMONADE's
// small chains) runs level or up to 3x slower in NHWC at 2 threads, where oneDNN's reorders
// outweigh the arithmetic. The average work per convolution separates the two.
bool use_channels_last(MemoryLayout layout, c10::Device device, const Architecture& arch)
{
    if (layout != MemoryLayout::automatic) return layout == MemoryLayout::nhwc;
    if (!device.is_cpu()) return false;
    std::int64_t convolutions = 0;
    for (const auto& node : arch.nodes())
        if (node.op == OpType::conv || node.op == OpType::sep_conv) ++convolutions;
    if (convolutions == 0) return false;
    return static_cast<double>(multiply_adds(arch)) / static_cast<double>(convolutions) >= channels_last_min_madds_per_conv;
}

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Tensor prepare(const torch::Tensor& images, bool channels_last)
{
    return channels_last ? images.contiguous(torch::MemoryFormat::ChannelsLast) : images;
}

// Puts a network in eval mode and restores its mode on scope exit, exceptions included.
class EvalModeGuard {
public:
    explicit EvalModeGuard(NetworkImpl& net) : m_net(net), m_was_training(net.is_training()) { m_net.eval(); }
    ~EvalModeGuard() { m_net.train(m_was_training); }
    EvalModeGuard(const EvalModeGuard&) = delete;
    EvalModeGuard& operator=(const EvalModeGuard&) = delete;

private:
    NetworkImpl& m_net;
    bool m_was_training;
};

// Runs `net` in eval mode over `data` and hands each batch's logits and labels to `sink`.
template <class Sink>
void for_each_eval_batch(Network& net, const DataView& data, const Normalization& norm, c10::Device device,
                         int batch_size, Sink&& sink)
{
    if (data.size() == 0) fail("cannot evaluate on an empty data set");
    torch::NoGradGuard no_grad;
    net->to(device);
    EvalModeGuard eval_mode(*net);
    Batcher batches(data, norm, batch_size, false, {}, 0, device);
    batches.start_epoch();
    Batch batch;
    while (batches.next(batch)) sink(net->forward(batch.images), batch.labels);
}

void check_teacher(const NetworkImpl& student, const NetworkImpl& teacher)
{
    const auto& s = student.architecture();
    const auto& t = teacher.architecture();
    if (s.input_shape() != t.input_shape() || s.num_classes() != t.num_classes())
        fail("teacher network (input " + shape_string(t.input_shape()) + ", " + std::to_string(t.num_classes()) +
             " classes) does not match the student (input " + shape_string(s.input_shape()) + ", " +
             std::to_string(s.num_classes()) + " classes)");
}

} // namespace

Evaluation evaluate(Network& net, const DataView& data, const Normalization& norm, c10::Device device, int batch_size)
{
    auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
    auto wrong = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(device));
    for_each_eval_batch(net, data, norm, device, batch_size, [&](const torch::Tensor& logits, const torch::Tensor& labels) {
        loss_sum += F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().reduction(torch::kSum)).to(torch::kDouble);
        wrong += logits.argmax(1).ne(labels).sum();
    });
    Evaluation e;
    e.count = data.size();
    e.loss = loss_sum.item<double>() / static_cast<double>(e.count);
    e.error = static_cast<double>(wrong.item<std::int64_t>()) / static_cast<double>(e.count);
    return e;
}

torch::Tensor predict_probabilities(Network& net, const DataView& data, const Normalization& norm, c10::Device device,
                                    int batch_size)
{
    std::vector<torch::Tensor> parts;
    for_each_eval_batch(net, data, norm, device, batch_size, [&](const torch::Tensor& logits, const torch::Tensor&) {
        parts.push_back(torch::softmax(logits, 1).to(torch::kCPU));
    });
    return torch::cat(parts, 0);
}

TrainResult train(Network& net, const DataView& train_data, const DataView* validation, const Normalization& norm,
                  const TrainConfig& config, c10::Device device, const TrainCallbacks& callbacks, Network* teacher)
{
    config.validate();
    // Batch norm needs two samples to estimate a variance in training mode.
    if (train_data.size() < 2) fail("cannot train on fewer than 2 images (got " + std::to_string(train_data.size()) + ")");
    if (teacher) check_teacher(*net, **teacher);
    net->to(device);
    const bool channels_last = use_channels_last(config.layout, device, net->architecture());
    if (channels_last) {
        torch::NoGradGuard no_grad;
        for (auto& p : net->parameters())
            if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
    }
    if (teacher) {
        (*teacher)->to(device);
        (*teacher)->eval();
    }
    torch::optim::SGD optimizer(net->parameters(), torch::optim::SGDOptions(config.lr.lr_max)
                                                       .momentum(config.momentum)
                                                       .nesterov(config.nesterov)
                                                       .weight_decay(config.weight_decay));
    Batcher batches(train_data, norm, config.batch_size, true, config.augment, config.seed, device,
                    /*drop_last=*/train_data.size() > config.batch_size);
    const auto per_epoch = batches.batches_per_epoch();
    const double total_epochs = config.epochs;
    const auto ce_options = F::CrossEntropyFuncOptions().label_smoothing(config.label_smoothing);
    const double temperature = config.distill_temperature;

    TrainResult result;
    const auto run_start = Clock::now();
    std::int64_t images_seen = 0;
    for (int epoch = 1; epoch <= config.epochs; ++epoch) {
        net->train();
        const auto epoch_start = Clock::now();
        batches.start_epoch();
        // Sums stay on the device and are read only when reported, so a GPU is not stalled
        // by a host sync after every batch.
        auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
        auto wrong = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(device));
        std::int64_t seen = 0, index = 0;
        double lr = config.lr.lr_max;
        Batch batch;
        while (batches.next(batch)) {
            lr = learning_rate(config.lr, (epoch - 1) + static_cast<double>(index) / per_epoch, total_epochs);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
            const auto images = prepare(batch.images, channels_last);
            optimizer.zero_grad();
            const auto logits = net->forward(images);
            auto loss = F::cross_entropy(logits, batch.labels, ce_options);
            if (teacher) {
                torch::Tensor soft_targets;
                {
                    torch::NoGradGuard no_grad;
                    soft_targets = torch::softmax((*teacher)->forward(images) / temperature, 1);
                }
                const auto kd = F::kl_div(torch::log_softmax(logits / temperature, 1), soft_targets,
                                          F::KLDivFuncOptions().reduction(torch::kBatchMean)) *
                                (temperature * temperature);
                loss = (1.0 - config.distill_weight) * loss + config.distill_weight * kd;
            }
            loss.backward();
            optimizer.step();
            const auto n = batch.labels.size(0);
            {
                torch::NoGradGuard no_grad;
                loss_sum += loss.detach().to(torch::kDouble) * static_cast<double>(n);
                wrong += logits.detach().argmax(1).ne(batch.labels).sum();
            }
            seen += n;
            ++index;
            if (callbacks.on_batch && (index % config.progress_every == 0 || index == per_epoch)) {
                const double mean_loss = loss_sum.item<double>() / static_cast<double>(seen);
                if (!std::isfinite(mean_loss)) fail("training diverged (loss is " + std::to_string(mean_loss) + "); lower the learning rate");
                BatchProgress p;
                p.epoch = epoch;
                p.epochs = config.epochs;
                p.batch = index;
                p.batches = per_epoch;
                p.loss = mean_loss;
                p.lr = lr;
                p.elapsed_seconds = seconds_since(run_start);
                p.images_per_second = static_cast<double>(images_seen + seen) / std::max(p.elapsed_seconds, 1e-9);
                const double done = (epoch - 1) + static_cast<double>(index) / per_epoch;
                p.eta_seconds = p.elapsed_seconds / done * (total_epochs - done);
                callbacks.on_batch(p);
            }
        }
        images_seen += seen;
        EpochStats stats;
        stats.epoch = epoch;
        stats.lr = lr;
        stats.train_loss = loss_sum.item<double>() / static_cast<double>(seen);
        stats.train_error = static_cast<double>(wrong.item<std::int64_t>()) / static_cast<double>(seen);
        if (!std::isfinite(stats.train_loss))
            fail("training diverged in epoch " + std::to_string(epoch) + " (loss is not finite); lower the learning rate");
        stats.seconds = seconds_since(epoch_start);
        stats.images_per_second = static_cast<double>(seen) / std::max(stats.seconds, 1e-9);
        if (validation && validation->size() > 0) {
            const auto eval = evaluate(net, *validation, norm, device, config.eval_batch_size);
            stats.val_loss = eval.loss;
            stats.val_error = eval.error;
        }
        result.history.push_back(stats);
        if (callbacks.on_epoch && !callbacks.on_epoch(stats)) {
            result.stopped_early = epoch < config.epochs;
            break;
        }
    }
    net->eval();
    result.seconds = seconds_since(run_start);
    return result;
}

} // namespace paretonas
