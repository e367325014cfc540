/* What the CUDA runtime tests on the GPU share (attnrt_cuda_faults.c,
 * attnrt_cuda_stress.c): driver calls that must succeed, device 0's primary
 * context, and bf16 inputs in device memory. */
#ifndef ATTN_TEST_RUNTIME_CUDA_TESTING_H
#define ATTN_TEST_RUNTIME_CUDA_TESTING_H

#include <cuda.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Exits with "FAIL: <what>: <error>" unless `r` is CUDA_SUCCESS. */
static void check(CUresult r, const char *what) {
  if (r != CUDA_SUCCESS) {
    const char *name = "?";
    cuGetErrorName(r, &name);
    printf("FAIL: %s: %s\n", what, name);
    exit(1);
  }
}

/* Device 0's primary context, made current; the number of devices in
 * `devices` (0 and no context when there is no usable driver or GPU). */
static CUcontext open_device(int *devices) {
  CUcontext context = NULL;
  CUdevice device;
  *devices = 0;
  if (cuInit(0) != CUDA_SUCCESS || cuDeviceGetCount(devices) != CUDA_SUCCESS ||
      *devices == 0)
    return NULL;
  check(cuDeviceGet(&device, 0), "cuDeviceGet");
  check(cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
  check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
  return context;
}

/* `count` bf16 values in [-1/64, 1/64] of alternating sign, in device
 * memory; `salt` varies them. */
static CUdeviceptr upload_bf16(size_t count, unsigned salt) {
  uint16_t *host = malloc(2 * count);
  for (size_t i = 0; i < count; ++i)
    host[i] = (uint16_t)(0x3c00 + ((i + salt) * 2654435761u >> 20) % 0x80) ^
              (i & 1 ? 0x8000 : 0);
  CUdeviceptr device;
  check(cuMemAlloc(&device, 2 * count), "cuMemAlloc");
  check(cuMemcpyHtoD(device, host, 2 * count), "cuMemcpyHtoD");
  free(host);
  return device;
}

#endif /* ATTN_TEST_RUNTIME_CUDA_TESTING_H */
