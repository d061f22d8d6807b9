// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int8{min-n=1}))" | FileCheck %s --check-prefix=INT8
// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int4{group-size=32 min-n=1}))" | FileCheck %s --check-prefix=INT4
// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int8{min-n=1 keep=embed}))" | FileCheck %s --check-prefix=KEEP

// Rows of a constant [2, 64] table gathered by run-time ids (an
// embedding). int8: one scale per row, max |row| / 127: row 0 has 127 (->
// 127, 0x7F) and -63.5 (-> -64, ties to even, 0xC0); row 1 is zeros (scale
// 1, levels 0). int4 in groups of 32: row 0's first group has scale 127 /
// 7, so 127 -> 7 and -63.5 -> -3.5 -> -4 (0xC), in the low nibbles of
// bytes 0 and 1 (lowbit.matmul_int4's layout).
// INT8-LABEL: func.func @embedding
// INT8: %[[T:[0-9]+]] = nn.constant dense_resource<ddl_embedding_table> : tensor<2x64xi8>
// INT8: %[[S:[0-9]+]] = nn.constant dense_resource<ddl_embedding_scales> : tensor<2x1xf32>
// INT8: lowbit.embedding %arg0, %[[T]], %[[S]] {bits = 8 : i64, group_size = 64 : i64} : (tensor<?x?xi64>, tensor<2x64xi8>, tensor<2x1xf32>) -> tensor<?x?x64xf32>
// INT8-NOT: nn.gather %{{.*}}, %arg0
// INT8-LABEL: func.func @columns
// INT8: nn.gather
// INT8-LABEL: func.func @runtime_table
// INT8: nn.gather
// INT8: ddl_embedding_table: "0x010000007FC0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
// INT8: ddl_embedding_scales: "0x040000000000803F0000803F"
// INT4-LABEL: func.func @embedding
// INT4: lowbit.embedding %arg0, %{{.*}}, %{{.*}} {bits = 4 : i64, group_size = 32 : i64} : (tensor<?x?xi64>, tensor<2x32xi8>, tensor<2x2xf32>) -> tensor<?x?x64xf32>
// INT4: ddl_embedding_table: "0x01000000070C0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
// KEEP-LABEL: func.func @embedding
// KEEP: nn.gather
// KEEP-NOT: lowbit.embedding
func.func @embedding(%ids: tensor<?x?xi64>) -> tensor<?x?x64xf32> {
  %t = nn.constant dense<[[127.0, -63.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<2x64xf32>
  %e = nn.gather %t, %ids : (tensor<2x64xf32>, tensor<?x?xi64>) -> tensor<?x?x64xf32> loc("embed")
  return %e : tensor<?x?x64xf32>
}

// Columns (axis 1) and tables computed at run time stay f32.
func.func @columns(%ids: tensor<3xi64>) -> tensor<64x3xf32> {
  %t = nn.constant dense<1.0> : tensor<64x64xf32>
  %e = nn.gather %t, %ids {axis = 1 : i64} : (tensor<64x64xf32>, tensor<3xi64>) -> tensor<64x3xf32>
  return %e : tensor<64x3xf32>
}

func.func @runtime_table(%t: tensor<8x64xf32>, %ids: tensor<3xi64>) -> tensor<3x64xf32> {
  %e = nn.gather %t, %ids : (tensor<8x64xf32>, tensor<3xi64>) -> tensor<3x64xf32>
  return %e : tensor<3x64xf32>
}
