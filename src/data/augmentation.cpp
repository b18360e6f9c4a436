#include <paretonas/data/augmentation.hpp>

#include <algorithm>

namespace paretonas {

Augmentation default_augmentation(const ImageSet& data)
{
    Augmentation a;
    a.crop_padding = static_cast<int>(std::max<std::int64_t>(1, data.height / 14));
    a.horizontal_flip = data.name == "fashion-mnist" || data.name == "cifar10" || data.name == "cifar100";
    return a;
}

} // namespace paretonas
