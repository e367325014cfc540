# -*- Python -*-
import ctypes
import os
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "ATTN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attn_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "Inputs", "lit.cfg.py", "lit.site.cfg.py",
                   "attnrt_faults.c", "attnrt_stress.c", "attnrt_cuda_args.c",
                   "attnrt_cuda_faults.c", "attnrt_cuda_stress.c"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%attn_src_root", config.attn_src_root))
config.substitutions.append(("%attn_obj_root", config.attn_obj_root))
config.substitutions.append(("%attn_tools_dir", config.attn_tools_dir))
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(
    ("%clang", os.path.join(config.attn_llvm_tools_dir, "clang")))
# Compile the LLVM IR of a reference-lowered function into a loadable library.
config.substitutions.append(
    ("%compile-shared",
     os.path.join(config.attn_llvm_tools_dir, "clang")
     + " -shared -fPIC -O2 -Wno-override-module"))

# The -march of code the tests compile and run on this machine, and the
# committed CPU kernels compiled with it (CMakeLists.txt, attn-host-kernels).
config.substitutions.append(("%host_march", config.attn_host_cpu_march))
config.substitutions.append(("%host_kernels", config.attn_host_kernels_dir))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# `not` at the start of a RUN line is found through PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.attn_tools_dir, config.llvm_tools_dir]
tools = ["attn-opt", "attn-check", "attn-kernelgen", "mlir-translate", "split-file"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# ptxas (the CUDA toolkit's) assembles the PTX of attn-kernelgen
# --target=nvidia; tests of the cubins need it.
if config.attn_ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.attn_ptxas))

# attnrt_cuda is built where the CUDA toolkit is found. Where no driver is
# installed (no GPU), its tests run against the toolkit's stub libcuda, whose
# every call fails with CUDA_ERROR_STUB_LIBRARY.
if config.attn_cuda_runtime:
    config.available_features.add("cuda-runtime")
    try:
        ctypes.CDLL("libcuda.so.1")
    except OSError:
        llvm_config.with_environment(
            "LD_LIBRARY_PATH", config.attn_cuda_stub_dir, append_path=True)

# The sanitizer build (-DATTN_SANITIZE=ON): every finding fails the test.
# libMLIR.so is not instrumented, so std containers it shares with attn's
# code would give false container-overflow reports.
if config.attn_sanitize:
    config.available_features.add("sanitized")
    config.environment["ASAN_OPTIONS"] = (
        "detect_container_overflow=0:abort_on_error=1:detect_leaks=1")
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
