/// @file data/augmentation.hpp
/// Which random augmentation a training run applies; torch-free, so that settings and their
/// tests compile without LibTorch.
#ifndef PARETONAS_DATA_AUGMENTATION_HPP
#define PARETONAS_DATA_AUGMENTATION_HPP

#include <paretonas/data/dataset.hpp>

namespace paretonas {

struct Augmentation {
    int crop_padding = 0;     // random crop of the original size from the zero-padded image
    bool horizontal_flip = false;
    bool enabled() const { return crop_padding > 0 || horizontal_flip; }
};

/// Random crops of 1/14 of the side, and horizontal flips only for data sets whose classes are
/// mirror-symmetric (Fashion-MNIST, CIFAR): flipped digits are other digits.
Augmentation default_augmentation(const ImageSet& data);

} // namespace paretonas

#endif
