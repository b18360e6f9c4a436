#include "predict_command.hpp"

#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/train/runtime.hpp>
#include <paretonas/train/trainer.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace paretonas::cli {

namespace fs = std::filesystem;

CLI::App* add_predict_command(CLI::App& app, PredictOptions& o)
{
    auto* cmd = app.add_subcommand("predict", "classes and probabilities of images by a trained model");
    add_model_options(cmd, o.source);
    cmd->add_option("--images", o.images, "an IDX image file (plain or .gz), an image file (PNG, JPEG, ...) or a directory of them")
        ->required();
    cmd->add_option("--top", o.top, "classes to print per image")->capture_default_str()->check(CLI::PositiveNumber);
    cmd->add_flag("--json", o.json, "print JSON for tools");
    cmd->add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
    return cmd;
}

namespace {

bool is_idx(const std::string& path)
{
    const auto bytes = read_file_bytes(path, 4);  // the magic number only
    return bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0x08 && bytes[3] == 0x03;
}

// The images and a name for each: IDX entries by index, files by file name.
std::pair<ImageSet, std::vector<std::string>> read_images(const std::string& path, const Shape& shape)
{
    if (!fs::exists(path)) fail("--images " + path + ": no such file or directory");
    std::vector<std::string> files;
    if (fs::is_directory(path)) {
        for (const auto& e : fs::directory_iterator(path))
            if (e.is_regular_file()) files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
        if (files.empty()) fail("--images " + path + ": the directory holds no files");
    } else if (is_idx(path)) {
        auto set = read_idx_images(path);
        if (set.height != shape[1] || set.width != shape[2] || shape[0] != 1)
            fail(path + ": images are 1x" + std::to_string(set.height) + "x" + std::to_string(set.width) + ", the model takes " +
                 shape_string(shape));
        std::vector<std::string> names;
        for (std::int64_t i = 0; i < set.size(); ++i) names.push_back(fs::path(path).filename().string() + "[" + std::to_string(i) + "]");
        return {std::move(set), names};
    } else {
        files.push_back(path);
    }
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(fs::path(f).filename().string());
    return {read_image_files(files, shape[0], shape[1], shape[2]), names};
}

std::vector<std::string> class_names(const std::string& data, int classes)
{
    std::vector<std::string> names;
    if (data == "fashion-mnist" && classes == 10)
        names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    for (int c = static_cast<int>(names.size()); c < classes; ++c) names.push_back("class " + std::to_string(c));
    return names;
}

} // namespace

int run_predict(const PredictOptions& o, std::ostream& out)
{
    const auto device = parse_device(o.device);
    auto model = load_model(o.source, device);
    if (!model.norm)
        fail("the model has no normalization.json: without the training normalisation its predictions would be wrong");
    const auto& arch = model.net->architecture();
    auto [images, names] = read_images(o.images, arch.input_shape());
    images.num_classes = arch.num_classes();
    const auto set = std::make_shared<const ImageSet>(std::move(images));
    const auto probabilities = predict_probabilities(model.net, DataView::all(set), *model.norm, device);
    const auto labels = class_names(model.data, arch.num_classes());
    const int top = std::min(o.top, arch.num_classes());
    const auto [p, k] = probabilities.topk(top, 1);
    nlohmann::json j = nlohmann::json::array();
    for (std::int64_t i = 0; i < probabilities.size(0); ++i) {
        nlohmann::json row = {{"image", names[static_cast<std::size_t>(i)]}, {"top", nlohmann::json::array()}};
        std::string line = names[static_cast<std::size_t>(i)] + ":";
        for (int t = 0; t < top; ++t) {
            const auto cls = k[i][t].item<std::int64_t>();
            const double prob = p[i][t].item<double>();
            row["top"].push_back({{"class", cls}, {"name", labels[static_cast<std::size_t>(cls)]}, {"probability", prob}});
            char buf[160];
            std::snprintf(buf, sizeof buf, "  %s %.3f", labels[static_cast<std::size_t>(cls)].c_str(), prob);
            line += buf;
        }
        j.push_back(row);
        if (!o.json) out << line << "\n";
    }
    if (o.json) out << j.dump(1) << "\n";
    out.flush();
    return 0;
}

} // namespace paretonas::cli
