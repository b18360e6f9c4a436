// Gives the precompiled-header target one source file; CMake builds <torch/torch.h> once here
// and every target that links paretonas_torch_pch reuses it.
