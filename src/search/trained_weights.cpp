#include <paretonas/search/trained_weights.hpp>

#include <paretonas/core/error.hpp>

#include <filesystem>

namespace paretonas {

Network load_trained(const RunStore& store, const Candidate& c, c10::Device device)
{
    const auto path = store.weights_path(c.weights);
    std::error_code ec;
    if (c.weights.empty() || !std::filesystem::is_regular_file(path, ec))
        throw StorageError("run " + store.dir() + ": the weights of candidate " + std::to_string(c.id) + " (" + path +
                           ") are missing; restore the file, then resume");
    try {
        return load_network(c.arch, path, device);
    } catch (const InputError& e) {
        throw StorageError("run " + store.dir() + ": candidate " + std::to_string(c.id) + ": " + e.what() + "; restore the file, then resume");
    }
}

} // namespace paretonas
