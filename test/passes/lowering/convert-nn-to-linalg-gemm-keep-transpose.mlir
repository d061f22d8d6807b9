// RUN: ddl-opt %s --convert-nn-to-linalg="transpose-runtime-rhs=false" | FileCheck %s

// The GPU pipeline's form: a transposed run-time B stays a matmul indexing
// map (its kernels read either layout).
// CHECK-DAG: #[[BT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @gemm_trans_b_runtime
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul indexing_maps = [#{{.+}}, #[[BT]], #{{.+}}] ins(%arg0, %arg1 : tensor<?x8xf32>, tensor<16x8xf32>)
func.func @gemm_trans_b_runtime(%a: tensor<?x8xf32>, %b: tensor<16x8xf32>) -> tensor<?x16xf32> {
  %0 = nn.gemm %a, %b {trans_b = true} : (tensor<?x8xf32>, tensor<16x8xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}
