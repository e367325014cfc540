#!/usr/bin/env bash
# The one command to run on the GPU machine, from the repo root:
#
#   scripts/gpu-box.sh [OUT_DIR]          # OUT_DIR defaults to gpu-out/
#
# That machine has nvcc, g++, python3 with torch and compute-sanitizer, but no
# cmake or MLIR: the kernels come prebuilt in kernels-generated/nvidia/ (made
# here by attn-kernelgen --target nvidia), and this script builds only the
# runtime, from source. Steps:
#   1. build libattnrt.so and libattnrt_cuda.so into build-gpu/ (g++, the
#      flags of lib/Runtime/CMakeLists.txt);
#   2. print the GPU, driver, toolkit and torch, and build and run the
#      example application's GPU mode (examples/gpu_app, a C program linking
#      kernels-generated/nvidia/attn_gpu_kernels.o);
#   3. bench/gpu_check.py: every manifest kernel against float64 / fp32
#      references, plus the runtime's argument errors, through the attn
#      package (python/, pip-installed into build-gpu/site);
#   3a. the package's pytest suite on CUDA tensors (graphs, torch.compile);
#   3b. the runtime's fault table on the GPU, 8 threads on 8 streams, a
#      soak of 100k calls (test/Runtime/attnrt_cuda_{faults,stress}.c);
#   4. compute-sanitizer memcheck, racecheck, synccheck and initcheck on
#      gpu_check.py --sanitize-case (one tiny case per kernel), checking the
#      generated kernels only;
#   5. bench/gpu_bench.py: ours vs torch SDPA (flash, cuDNN) vs FlexAttention.
# Every step's output is also saved under OUT_DIR (check.log, faults.log,
# stress.log, pytest.log, memcheck.log, racecheck.log, synccheck.log, initcheck.log,
# bench.md, gpu_check.json, gpu_bench.json, gpu_bench.png).
# Exits non-zero if the build or any check fails.
#
# Environment:
#   GPU_BOX_QUICK=1          fewer check cases, a shorter benchmark
#   GPU_BOX_SKIP_BENCH=1     no step 5
#   GPU_BOX_SKIP_CHECK=1     no step 3     (to split the run over two calls
#   GPU_BOX_SKIP_PYTEST=1    no step 3a     under a per-command time limit)
#   GPU_BOX_SKIP_RUNTIME=1   no step 3b
#   GPU_BOX_SKIP_SANITIZE=1  no step 4
#   GPU_BOX_SANITIZER_TIMEOUT=S  seconds per sanitizer run (default 300)
#   GPU_BOX_SANITIZERS="..."  the compute-sanitizer tools of step 4 (default:
#                            memcheck racecheck synccheck initcheck)
#   ATTN_GPU_MANIFEST=PATH   another kernel set (default
#                            kernels-generated/nvidia/attn_gpu_kernels.json)
#   CUDA_HOME, PYTHON        the toolkit (default: nvcc's) and python3
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/gpu-out}"
mkdir -p "$out" && out="$(cd "$out" && pwd)"   # absolute, before the cd
cd "$root" || exit 1
build="$root/build-gpu"
python="${PYTHON:-python3}"
manifest="${ATTN_GPU_MANIFEST:-kernels-generated/nvidia/attn_gpu_kernels.json}"
quick="${GPU_BOX_QUICK:-0}"

if [[ -z "${CUDA_HOME:-}" ]]; then
  if command -v nvcc >/dev/null; then
    CUDA_HOME="$(cd "$(dirname "$(command -v nvcc)")/.." && pwd)"
  else
    CUDA_HOME=/usr/local/cuda
  fi
fi

failed=()   # names of the steps that failed
step() { echo; echo "=== $* ($(date -u +%H:%M:%S) UTC)"; }

# --- 1. the runtime --------------------------------------------------------
step "1. build the runtime into build-gpu/"
mkdir -p "$build"
# libcuda: link against the toolkit's stub (soname libcuda.so.1, like the
# driver's), so that the build needs no driver development symlink; the
# driver's libcuda.so.1 resolves at load time.
stubs=""
for d in "$CUDA_HOME/lib64/stubs" "$CUDA_HOME/targets/x86_64-linux/lib/stubs" \
         "$CUDA_HOME/targets/sbsa-linux/lib/stubs"; do
  [[ -e "$d/libcuda.so" ]] && { stubs="$d"; break; }
done
[[ -n "$stubs" ]] || { echo "no stub libcuda.so under $CUDA_HOME"; exit 1; }
cxx="${CXX:-g++}"
flags=(-std=c++17 -O2 -fPIC -shared -Wall -I include)
set -x
"$cxx" "${flags[@]}" -pthread lib/Runtime/attnrt.cpp lib/Runtime/attnrt_abi.cpp \
  -Wl,-soname,libattnrt.so -Wl,--no-undefined -o "$build/libattnrt.so" || exit 1
# Exports only its C API (attnrt_cuda.map); finds libattnrt.so beside itself
# (the rpath is a literal $ORIGIN, for the loader).
# shellcheck disable=SC2016
"$cxx" "${flags[@]}" -I "$CUDA_HOME/include" lib/Runtime/attnrt_cuda.cpp \
  -Wl,-soname,libattnrt_cuda.so -Wl,--version-script=lib/Runtime/attnrt_cuda.map \
  -Wl,--no-undefined -L "$build" -lattnrt -L "$stubs" -lcuda \
  -Wl,-rpath,'$ORIGIN' -o "$build/libattnrt_cuda.so" || exit 1
{ set +x; } 2>/dev/null
# The Python package (python/attn), installed as a user would (pip builds its
# own copy of the runtime into it); gpu_check, gpu_bench and the pytest suite
# run through it. No index there: setuptools from the image, no dependencies.
rm -rf "$build/site"
CUDA_HOME="$CUDA_HOME" "$python" -m pip install -q --no-build-isolation --no-deps \
  --no-cache-dir --target "$build/site" ./python || exit 1
rm -rf python/build python/attn.egg-info
export PYTHONPATH="$build/site${PYTHONPATH:+:$PYTHONPATH}"
[[ "${GPU_BOX_BUILD_ONLY:-0}" == 1 ]] && exit 0

# --- 2. the machine --------------------------------------------------------
step "2. the machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader \
  || nvidia-smi --query-gpu=name,driver_version --format=csv,noheader \
  || echo "nvidia-smi failed"
"$CUDA_HOME/bin/nvcc" --version | tail -n 2
"$python" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda,
      "device", torch.cuda.get_device_name() if torch.cuda.is_available() else "none")'
[[ -e "$manifest" ]] || { echo "no kernels: $manifest is missing"; exit 1; }
"$python" - "$manifest" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
print("kernels:", sys.argv[1], m["target"], "\n ", m.get("command", "?"))
for k in m["kernels"]:
    print(f"  {k['name']}: {k.get('op', 'attn.sdpa')} {k['dtype']} d={k['head_dim']}"
          f" mask {k['mask']} lse={k['lse']} tiles={k['tiles']} threads={k['threads']}"
          f" smem={k['smem_bytes']} registers={k.get('registers', '?')}"
          f" spills={k.get('spills', '?')}")
EOF

# The example application's GPU mode: C, the committed object, the runtime.
gcc -O2 -I include -I kernels-generated/nvidia -I "$CUDA_HOME/include" \
  examples/gpu_app/main.c kernels-generated/nvidia/attn_gpu_kernels.o \
  -L "$build" -lattnrt_cuda -lattnrt -L "$stubs" -lcuda -lm \
  -Wl,-rpath,"$build" -o "$build/attn-example-gpu" \
  && "$build/attn-example-gpu" | tee "$out/example.log" \
  && grep -q "^PASS" "$out/example.log" \
  && "$build/attn-example-gpu" linear | tee "$out/example_linear.log" \
  && grep -q "^PASS" "$out/example_linear.log" || failed+=("example")

common=(--manifest "$manifest")

# --- 3. correctness --------------------------------------------------------
if [[ "${GPU_BOX_SKIP_CHECK:-0}" != 1 ]]; then
  step "3. bench/gpu_check.py$([[ $quick == 1 ]] && echo ' --quick')"
  args=("${common[@]}" --out "$out/gpu_check.json")
  [[ "$quick" == 1 ]] && args+=(--quick)
  "$python" bench/gpu_check.py "${args[@]}" 2>&1 | tee "$out/check.log"
  [[ "${PIPESTATUS[0]}" == 0 ]] || failed+=("gpu_check")
fi

# --- 3c. linear attention: the numerics matrix of the linear kernels --------
if [[ "${GPU_BOX_SKIP_CHECK:-0}" != 1 ]]; then
  step "3c. bench/linear_gpu.py --check"
  "$python" bench/linear_gpu.py "${common[@]}" --check 2>&1 | tee "$out/linear_check.log"
  [[ "${PIPESTATUS[0]}" == 0 ]] || failed+=("linear_gpu --check")
fi

# --- 3a. the Python package's tests on CUDA tensors ------------------------
# python/tests: every committed GPU kernel through attn.load and attn.sdpa
# against float64, CUDA graph capture and replay, torch's current stream,
# torch.compile (fullgraph), the error paths; the CPU tests too where this
# CPU runs the committed (x86-64-v4) kernels. attn.compile's tests skip: no
# attn-kernelgen here.
if [[ "${GPU_BOX_SKIP_PYTEST:-0}" != 1 ]]; then
  step "3a. pytest python/tests (the attn package, CUDA)"
  ATTN_GPU_MANIFEST="$manifest" "$python" -m pytest -q -rs -p no:cacheprovider \
    python/tests 2>&1 | tee "$out/pytest.log"
  [[ "${PIPESTATUS[0]}" == 0 ]] || failed+=("pytest")
fi

# --- 3b. the runtime under faults and load -----------------------------------
# The fault table on the GPU (test/Runtime/attnrt_cuda_faults.c: host and
# other-device pointers, images that do not load or lack metadata, structs
# that do not match their image, every row leaving O and LSE untouched),
# then 8 threads on 8 streams and a soak of 100k calls
# (test/Runtime/attnrt_cuda_stress.c).
if [[ "${GPU_BOX_SKIP_RUNTIME:-0}" != 1 ]]; then
  step "3b. attnrt_cuda: fault table, 8 streams at once, 100k-call soak"
  cc_now="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d ' .')"
  # a chip of another major version: its cubin cannot load here
  other=80; [[ "${cc_now:0:1}" == 8 ]] && other=90
  runtime_ok=1
  "$CUDA_HOME/bin/nvcc" -cubin -arch="sm_$other" test/Runtime/Inputs/not_attn.cu \
    -o "$build/not_attn_other_chip.cubin" \
    && "$CUDA_HOME/bin/nvcc" -cubin -arch="sm_${cc_now}" test/Runtime/Inputs/not_attn.cu \
    -o "$build/not_attn_no_meta.cubin" || runtime_ok=0
  for prog in attnrt_cuda_faults attnrt_cuda_stress; do
    gcc -O2 -I include -I kernels-generated/nvidia -I "$CUDA_HOME/include" \
      "test/Runtime/$prog.c" kernels-generated/nvidia/attn_gpu_kernels.o \
      -L "$build" -lattnrt_cuda -lattnrt -L "$stubs" -lcuda -lpthread \
      -Wl,-rpath,"$build" -o "$build/$prog" || runtime_ok=0
  done
  if ((runtime_ok)); then
    "$build/attnrt_cuda_faults" "$build/not_attn_other_chip.cubin" \
      "$build/not_attn_no_meta.cubin" 2>&1 | tee "$out/faults.log"
    [[ "${PIPESTATUS[0]}" == 0 ]] || runtime_ok=0
    { "$build/attnrt_cuda_stress" streams 8 500 \
        && "$build/attnrt_cuda_stress" soak 100000; } 2>&1 | tee "$out/stress.log"
    [[ "${PIPESTATUS[0]}" == 0 ]] || runtime_ok=0
  fi
  ((runtime_ok)) || failed+=("runtime faults/stress")
fi

# --- 4. compute-sanitizer --------------------------------------------------
# Only the generated kernels are instrumented: one exact-name filter per
# manifest entry (any filter matching selects a kernel), so torch's own
# kernels neither slow the run down nor add their reports. The option is
# --kernel-name on current compute-sanitizer (CUDA 12.x, 13.x); older ones
# called it --kernel-regex or --filter, same key=value syntax (kne = the exact
# mangled name; the generated entries are unmangled).
if [[ "${GPU_BOX_SKIP_SANITIZE:-0}" != 1 ]]; then
  sanitizer="$(command -v compute-sanitizer || true)"
  for c in "$CUDA_HOME/bin/compute-sanitizer" "$CUDA_HOME/compute-sanitizer/compute-sanitizer"; do
    [[ -z "$sanitizer" && -x "$c" ]] && sanitizer="$c"
  done
  if [[ -z "$sanitizer" ]]; then
    step "4. compute-sanitizer: not found"
    failed+=("compute-sanitizer (not found)")
  else
    help="$("$sanitizer" --help 2>&1)"
    if grep -qE -- '--kernel-name([^-]|$)' <<<"$help"; then opt=--kernel-name
    elif grep -qE -- '--kernel-regex([^-]|$)' <<<"$help"; then opt=--kernel-regex
    elif grep -qE -- '--filter([^-]|$)' <<<"$help"; then opt=--filter
    else opt=""; echo "warning: no kernel filter option: every kernel is checked"
    fi
    filters=()
    if [[ -n "$opt" ]]; then
      while read -r entry; do filters+=("$opt" "kne=$entry"); done < <(
        "$python" -c 'import json, sys
for k in json.load(open(sys.argv[1]))["kernels"]: print(k.get("entry", k["name"]))' "$manifest")
    fi
    # torch probes the CUDA API and some probes fail by design; those
    # failures are API errors, counted in the summary like kernel errors
    # whatever the kernel filter. Ours are the runtime's statuses, which
    # gpu_check already fails on: so no API error reports.
    common_san=()
    grep -q -- '--report-api-errors' <<<"$help" && common_san+=(--report-api-errors no)
    "$sanitizer" --version | tail -n 1
    for tool in ${GPU_BOX_SANITIZERS:-memcheck racecheck synccheck initcheck}; do
      step "4. compute-sanitizer --tool $tool (${filters[*]:-no filter})"
      extra=("${common_san[@]}")
      # initcheck: our kernels' reads only. Host copies of what torch's own
      # (unwatched) kernels wrote would all look uninitialised.
      [[ "$tool" == initcheck ]] && grep -q -- '--check-api-memory-access' <<<"$help" \
        && extra+=(--check-api-memory-access no)
      # racecheck: every hazard report, not only its analysis summary
      [[ "$tool" == racecheck ]] && grep -q -- '--racecheck-report' <<<"$help" \
        && extra+=(--racecheck-report all)
      # No caching allocator: every tensor is its own allocation, so memcheck
      # sees an access past a tensor's end as out of bounds.
      PYTORCH_NO_CUDA_MEMORY_CACHING=1 timeout "${GPU_BOX_SANITIZER_TIMEOUT:-300}" \
        "$sanitizer" --tool "$tool" "${extra[@]}" "${filters[@]}" --error-exitcode 86 \
        "$python" bench/gpu_check.py "${common[@]}" --sanitize-case 2>&1 \
        | tee "$out/$tool.log"
      rc="${PIPESTATUS[0]}"
      log="$out/$tool.log"
      # Pass: the run exited 0 (the checks passed, no sanitizer error), it
      # printed a summary, and no summary counts an error. memcheck prints
      # "ERROR SUMMARY: 0 errors"; racecheck "RACECHECK SUMMARY: N hazards
      # displayed (E errors, W warnings)" (warnings don't fail).
      if [[ "$rc" == 86 ]]; then
        echo "$tool: the sanitizer reported errors (see $log)"; failed+=("$tool")
      elif [[ "$rc" != 0 ]]; then
        echo "$tool: exit status $rc (a check failed, or the run crashed or timed out: see $log)"
        failed+=("$tool")
      elif ! grep -qE 'ERROR SUMMARY:|RACECHECK SUMMARY:' "$log"; then
        echo "$tool: no summary line in $log"; failed+=("$tool")
      elif grep -qE 'ERROR SUMMARY: [1-9]|\([1-9][0-9]* errors?' "$log"; then
        echo "$tool: errors reported"; failed+=("$tool")
      else
        echo "$tool: clean ($(grep -hE 'ERROR SUMMARY:|RACECHECK SUMMARY:' "$log" | tail -n 2 | tr '\n' ' '))"
      fi
    done
  fi
fi

# --- 5. the benchmark ------------------------------------------------------
if [[ "${GPU_BOX_SKIP_BENCH:-0}" != 1 ]]; then
  step "5. bench/gpu_bench.py"
  args=("${common[@]}" --out "$out/gpu_bench.json" --plot "$out/gpu_bench.png")
  [[ "$quick" == 1 ]] && args+=(--quick)
  "$python" bench/gpu_bench.py "${args[@]}" 2>&1 | tee "$out/bench.md"
  [[ "${PIPESTATUS[0]}" == 0 ]] || failed+=("gpu_bench")
fi

step "done: results in $out/"
if (( ${#failed[@]} )); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all steps passed"
