#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: today, training the default network
# on Fashion-MNIST and reporting its validation and test error. Extra arguments go to
# `paretonas train` (e.g. --epochs 3, --device cuda).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
install_missing_packages
configure_and_build -DPARETONAS_BUILD_TESTS=OFF
"$BUILD_DIR/paretonas" train --data fashion-mnist --epochs 6 --out "$ROOT/runs/default" "$@"
