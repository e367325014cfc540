#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for attn and builds it. Idempotent: when
# the packages are installed and the build is current, it takes seconds.
#
#   scripts/setup.sh              # install packages, configure build/, build
#   scripts/setup.sh --sanitize   # the same for build-san/: ASan + UBSan and
#                                 # the libFuzzer target attn-fuzz
#
# Environment: ATTN_BUILD_DIR (default: build), ATTN_SAN_BUILD_DIR (default:
# build-san), ATTN_JOBS (default: nproc).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${ATTN_JOBS:-$(nproc)}"
sanitize=0
case "${1:-}" in
  "") ;;
  --sanitize) sanitize=1 ;;
  *) echo "usage: scripts/setup.sh [--sanitize]" >&2; exit 2 ;;
esac
if ((sanitize)); then
  build="${ATTN_SAN_BUILD_DIR:-$root/build-san}"
else
  build="${ATTN_BUILD_DIR:-$root/build}"
fi

# LLVM/MLIR 22 from Debian's bookworm-security suite, and the build tools
# (libclang-rt-22-dev: the sanitizer and libFuzzer runtimes).
packages=(libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22
          libclang-rt-22-dev lld-22 ninja-build cmake python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

llvm=/usr/lib/llvm-22
if [[ ! -f "$build/build.ninja" ]]; then
  echo "setup: configuring $build"
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$llvm/bin/clang" \
    -DCMAKE_CXX_COMPILER="$llvm/bin/clang++" \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR="$llvm/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$llvm/bin/lit" \
    -DATTN_SANITIZE="$( ((sanitize)) && echo ON || echo OFF)" >/dev/null
fi

echo "setup: building $build with $jobs jobs"
targets=(all mlir-doc)
((sanitize)) && targets+=(attn-fuzz)
cmake --build "$build" -j "$jobs" --target "${targets[@]}"
