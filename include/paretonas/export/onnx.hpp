/// @file export/onnx.hpp
/// ONNX export written by paretonas: LibTorch's C++ API has no ONNX exporter. An Architecture
/// and its trained tensors become one ONNX model (opset 13) with a dynamic batch dimension,
/// input "input" [N, C, H, W] and output "logits" [N, classes].
/// Protobuf types and the checker are Debian's libonnx (the library LibTorch itself links).
#ifndef PARETONAS_EXPORT_ONNX_HPP
#define PARETONAS_EXPORT_ONNX_HPP

#include <paretonas/train/network.hpp>

#include <string>
#include <vector>

namespace paretonas {

struct OnnxOptions {
    int opset = 13;
    /// Folds a batch norm into the conv or linear layer that is its only input, where that layer
    /// feeds nothing else: exact in eval mode, one op less at inference.
    bool fold_batch_norm = true;
    /// Per-channel mean and std of pixels in [0, 1] (training's normalisation). When given, the
    /// model starts with (input - mean) / std, so it takes pixels scaled to [0, 1]; when empty,
    /// it takes inputs normalised already.
    std::vector<float> mean, std;
};

/// The serialised ONNX model of `net` in eval mode. Throws InputError if the model fails the
/// ONNX checker (a bug, named as such).
std::string onnx_model(const NetworkImpl& net, const OnnxOptions& options = {});

/// Writes onnx_model(net) to `path` atomically.
void export_onnx(const NetworkImpl& net, const std::string& path, const OnnxOptions& options = {});

/// Runs the ONNX checker on serialised model bytes; throws InputError naming the problem.
void check_onnx(const std::string& bytes);

} // namespace paretonas

#endif
