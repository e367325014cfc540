// RUN: attn-opt %s --split-input-file --attn-distinct-results | FileCheck %s

// The second and later occurrences of a returned tensor become copies.
// CHECK-LABEL: func.func @twice(
// CHECK: %[[O:.+]] = attn.sdpa
// CHECK: %[[E:.+]] = tensor.empty(%{{.+}}) : tensor<?x1x4x8xf32>
// CHECK: %[[C:.+]] = linalg.copy ins(%[[O]] : tensor<?x1x4x8xf32>) outs(%[[E]] : tensor<?x1x4x8xf32>)
// CHECK: %[[C2:.+]] = linalg.copy ins(%[[O]] : tensor<?x1x4x8xf32>)
// CHECK: return %[[O]], %[[C]], %[[C2]] :
func.func @twice(%q: tensor<?x1x4x8xf32>, %k: tensor<?x1x4x8xf32>, %v: tensor<?x1x4x8xf32>) -> (tensor<?x1x4x8xf32>, tensor<?x1x4x8xf32>, tensor<?x1x4x8xf32>) {
  %o = attn.sdpa %q, %k, %v : tensor<?x1x4x8xf32>, tensor<?x1x4x8xf32>, tensor<?x1x4x8xf32> -> tensor<?x1x4x8xf32>
  return %o, %o, %o : tensor<?x1x4x8xf32>, tensor<?x1x4x8xf32>, tensor<?x1x4x8xf32>
}

// -----

// Distinct results are left alone.
// CHECK-LABEL: func.func @distinct(
// CHECK-NOT: linalg.copy
// CHECK: return %arg0, %arg1
func.func @distinct(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}
