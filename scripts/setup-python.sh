#!/usr/bin/env bash
# Sets up .venv/ for the Python package's tests: PyTorch (CPU is enough;
# PyPI's wheel, ~3.5 GB with its CUDA libraries, ~2 min the first time),
# pytest and numpy, then installs python/ (pip install ./python, which builds
# attn's runtime into the package). Idempotent: a second run reinstalls only
# the package (seconds).
#
#   scripts/setup-python.sh        # then: .venv/bin/python -m pytest python/tests
#
# Environment: ATTN_VENV (default: .venv), ATTN_TORCH_VERSION (default 2.11.0,
# the GPU machine's).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ATTN_VENV:-$root/.venv}"
torch_version="${ATTN_TORCH_VERSION:-2.11.0}"

[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
py="$venv/bin/python"
if ! "$py" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$torch_version')" 2>/dev/null; then
  echo "setup-python: installing torch==$torch_version, pytest, numpy into $venv"
  "$py" -m pip install -q --upgrade pip setuptools wheel
  "$py" -m pip install -q "torch==$torch_version" pytest numpy
fi
echo "setup-python: installing python/ (attn) into $venv"
"$py" -m pip install -q --no-build-isolation --no-deps --force-reinstall "$root/python"
rm -rf "$root/python/build" "$root/python/attn.egg-info"
"$py" -c "import attn, torch; print('setup-python: attn', attn.__version__, 'torch', torch.__version__)"
