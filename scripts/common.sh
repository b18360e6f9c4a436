# Shared by run.sh and test.sh: install what is missing, then configure and build in Release.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${PARETONAS_BUILD_DIR:-$ROOT/build}

# Debian 12 packages the build, the tests and the benchmarks need.
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev zlib1g-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libsqlite3-dev libpagmo-dev libboost-graph-dev libonnx-dev libstb-dev libsvm-dev libxgboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-torch python3-optuna
  dataset-fashion-mnist
)

# Only the tests need a browser (the report's check): scripts/test.sh adds these.
TEST_PACKAGES=(chromium fonts-dejavu-core)

# Installs PACKAGES and any packages given as arguments that are missing.
install_missing_packages() {
  local missing=()
  for p in "${PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return; fi
  echo "installing: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

# Node packages of the test suite (onnxruntime-node, to run exported ONNX models), pinned by
# package-lock.json. Node and npm come from Debian when the machine has none.
install_node_packages() {
  if ! command -v npm >/dev/null; then
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends nodejs npm
  fi
  # The postinstall of onnxruntime-node fetches GPU binaries from a host that cannot be reached;
  # its CPU binding ships inside the package.
  (cd "$ROOT" && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --no-audit --no-fund --loglevel=error)
}

configure_and_build() {
  local launcher=()
  if command -v ccache >/dev/null; then
    # The precompiled <torch/torch.h> is only reusable by ccache with these sloppiness settings.
    # BASEDIR makes hits independent of where the checkout lives (CI builds a fresh clone).
    export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
    export CCACHE_BASEDIR="$ROOT"
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@"
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}
