// RUN: attn-opt %s --convert-attn-to-cpu="tile-kv=512" --verify-diagnostics

// The kernel's scratch lives on the stack of the threads that run it:
// d = d_v = 256 with 512-key steps would take 1.3 MB of it.
// expected-error @+1 {{convert-attn-to-cpu: the kernel would keep 1312576 bytes of scratch on the stack, more than 1048576: use a smaller tile-kv or rows-per-task}}
func.func @wide(%q: tensor<?x?x?x256xf32>, %k: tensor<?x?x?x256xf32>, %v: tensor<?x?x?x256xf32>) -> tensor<?x?x?x256xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32> -> tensor<?x?x?x256xf32>
  return %o : tensor<?x?x?x256xf32>
}
