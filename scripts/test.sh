#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
install_missing_packages "${TEST_PACKAGES[@]}"
install_node_packages
configure_and_build
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" --timeout 900

# The torch-free unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
SANITIZE_DIR=${PARETONAS_SANITIZE_BUILD_DIR:-$ROOT/build-sanitize}
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$ROOT/tests/sanitize" -B "$SANITIZE_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug "${launcher[@]}"
cmake --build "$SANITIZE_DIR" -j"$(nproc)"
cd "$SANITIZE_DIR"
ctest --output-on-failure -j"$(nproc)" --timeout 300
