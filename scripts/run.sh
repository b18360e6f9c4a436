#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: a LEMONADE search on Fashion-MNIST
# (default budget 60 minutes on 2 cores) that prints the Pareto front, then writes the run's
# HTML report with every front member as ONNX and JSON next to it. Running it again resumes the
# same run (runs/lemonade). Extra arguments go to `paretonas search`
# (e.g. --budget 2h, --objectives error,params,latency, --max-params 1e6, --device cuda).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
install_missing_packages
configure_and_build -DPARETONAS_BUILD_TESTS=OFF
RUN="$ROOT/runs/lemonade"
"$BUILD_DIR/paretonas" search --method lemonade --data fashion-mnist --out "$RUN" "$@"
"$BUILD_DIR/paretonas" report --run "$RUN"
echo "next: $BUILD_DIR/paretonas finalize --run $RUN --epochs 10   (trains the front on train + validation, reports test errors)"
