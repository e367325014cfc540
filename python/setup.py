"""Builds attn's runtime (libattnrt, and libattnrt_cuda where the CUDA
toolkit's cuda.h is found) from ../lib/Runtime into the package, so that an
installed package needs neither MLIR nor attn's CMake build:

  pip install ./python                    # from the repository root

Environment: CXX (default c++), CUDA_HOME (default: nvcc's, else
/usr/local/cuda), ATTN_NO_CUDA=1 (skip libattnrt_cuda).
"""
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNTIME = os.path.join(ROOT, "lib", "Runtime")
INCLUDE = os.path.join(ROOT, "include")


def cuda_home():
    if os.environ.get("CUDA_HOME"):
        return os.environ["CUDA_HOME"]
    nvcc = shutil.which("nvcc")
    return os.path.dirname(os.path.dirname(nvcc)) if nvcc else "/usr/local/cuda"


def stub_dir(home):
    """The directory of the toolkit's stub libcuda.so (soname libcuda.so.1):
    linking it needs no driver, which resolves when the library loads."""
    for sub in ("lib64/stubs", "targets/x86_64-linux/lib/stubs",
                "targets/sbsa-linux/lib/stubs"):
        if os.path.exists(os.path.join(home, sub, "libcuda.so")):
            return os.path.join(home, sub)
    return None


def run(cmd):
    print(" ".join(cmd), flush=True)
    subprocess.check_call(cmd)


def build_runtime(out):
    """libattnrt.so and, where it can, libattnrt_cuda.so into `out`, with the
    flags of lib/Runtime/CMakeLists.txt."""
    if not os.path.isdir(RUNTIME):
        raise RuntimeError(f"{RUNTIME} not found: build the package from attn's "
                           "repository (pip install ./python)")
    os.makedirs(out, exist_ok=True)
    cxx = os.environ.get("CXX", "c++")
    flags = ["-std=c++17", "-O2", "-fPIC", "-shared", "-I", INCLUDE]
    run([cxx, *flags, "-pthread", os.path.join(RUNTIME, "attnrt.cpp"),
         os.path.join(RUNTIME, "attnrt_abi.cpp"), "-Wl,-soname,libattnrt.so",
         "-Wl,--no-undefined", "-o", os.path.join(out, "libattnrt.so")])
    home = cuda_home()
    stubs = stub_dir(home)
    if os.environ.get("ATTN_NO_CUDA") == "1":
        return
    if not os.path.exists(os.path.join(home, "include", "cuda.h")) or not stubs:
        print(f"attn: no cuda.h or stub libcuda.so under {home}: "
              "building without libattnrt_cuda (CPU kernels only)")
        return
    run([cxx, *flags, "-I", os.path.join(home, "include"),
         os.path.join(RUNTIME, "attnrt_cuda.cpp"), "-Wl,-soname,libattnrt_cuda.so",
         "-Wl,--version-script=" + os.path.join(RUNTIME, "attnrt_cuda.map"),
         "-Wl,--no-undefined", "-L", out, "-lattnrt", "-L", stubs, "-lcuda",
         "-Wl,-rpath,$ORIGIN", "-o", os.path.join(out, "libattnrt_cuda.so")])


class BuildWithRuntime(build_py):
    def run(self):
        super().run()
        build_runtime(os.path.join(self.build_lib, "attn", "_lib"))


class BinaryDistribution(Distribution):
    """The wheel holds shared libraries: tag it for this platform."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithRuntime}, distclass=BinaryDistribution)
