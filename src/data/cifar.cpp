#include <paretonas/core/error.hpp>
#include <paretonas/core/files.hpp>
#include <paretonas/data/dataset.hpp>

namespace paretonas {

ImageSet read_cifar(const std::vector<std::string>& paths, bool cifar100)
{
    if (paths.empty()) fail("read_cifar: no files given");
    ImageSet set;
    set.channels = 3;
    set.height = set.width = 32;
    set.num_classes = cifar100 ? 100 : 10;
    // CIFAR-100 records carry the coarse label before the fine one; the fine one is the class.
    const std::size_t label_bytes = cifar100 ? 2 : 1;
    const std::size_t record = label_bytes + static_cast<std::size_t>(set.image_bytes());

    for (const std::string& path : paths) {
        const std::vector<std::uint8_t> bytes = read_whole_file(path);
        if (bytes.empty()) fail(path + ": empty file");
        if (bytes.size() % record != 0)
            fail(path + ": size " + std::to_string(bytes.size()) + " bytes is not a multiple of the record size " +
                 std::to_string(record) + (cifar100 ? " (CIFAR-100)" : " (CIFAR-10)"));
        for (std::size_t offset = 0; offset < bytes.size(); offset += record) {
            const std::uint8_t label = bytes[offset + label_bytes - 1];
            if (label >= set.num_classes)
                fail(path + ": label out of range (label " + std::to_string(label) + " in record " +
                     std::to_string(offset / record) + ", expected < " + std::to_string(set.num_classes) + ")");
            set.labels.push_back(label);
            set.pixels.insert(set.pixels.end(), bytes.begin() + offset + label_bytes, bytes.begin() + offset + record);
        }
    }
    set.name = paths.front();
    return set;
}

} // namespace paretonas
