// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-fp8{min-n=1}))" | FileCheck %s
// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-fp8{min-n=1 format=e5m2}))" | FileCheck %s --check-prefix=E5M2
// RUN: not ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-fp8{format=e3m4}))" 2>&1 | FileCheck %s --check-prefix=BAD

// A linear layer with [K, N] = [64, 2] weights, one scale for the tensor:
// max |w| / 448 = 4 / 448. Output 0: 4 -> 448 (0x7E, the largest code),
// -0.5 -> -56 = -1.75 2^5 (0xE6); output 1: 1 -> 112 = 1.75 2^6 (0x6E),
// 1.25 2^-14 -> 0.0085, below E4M3's smallest normal 2^-6: 4.375 steps of
// 2^-9, rounded to 4 (0x04). Weights are stored [N, K]. The
// activations get one scale for the tensor at run time (max |x| / 448),
// lowbit.quantize_fp8, then lowbit.matmul_fp8 into f32 and both scales.
// CHECK-LABEL: func.func @linear
// CHECK: %[[W:[0-9]+]] = nn.constant dense_resource<ddl_fp8_weights_0> : tensor<2x64xi8>
// CHECK: nn.abs %arg0
// CHECK: nn.reduce <max> %{{.*}} {axes = array<i64: 0, 1>, keepdims = false} : (tensor<?x64xf32>) -> tensor<f32>
// CHECK: %[[S:[0-9]+]] = nn.max
// CHECK: %[[XQ:[0-9]+]] = lowbit.quantize_fp8 %arg0, %[[S]] : (tensor<?x64xf32>, tensor<f32>) -> tensor<?x64xi8>
// CHECK: %[[Y:[0-9]+]] = lowbit.matmul_fp8 %[[XQ]], %[[W]] : (tensor<?x64xi8>, tensor<2x64xi8>) -> tensor<?x2xf32>
// CHECK: nn.mul %[[Y]], %[[S]]
// CHECK: nn.constant dense<0.00892857183> : tensor<f32>
// CHECK-NOT: nn.matmul
// CHECK: ddl_fp8_weights_0: "0x010000007EE600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006E040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
// With format=e5m2 the scale is 4 / 57344; 4 -> 57344, the largest
// finite (0x7B); -0.5 -> -7168 = -1.75 2^12 (0xEF); 1 -> 14336 (0x73);
// 1.25 2^-14 -> 1.09375, rounded to 1 (0x3C). Both ops carry the format.
// E5M2-LABEL: func.func @linear
// E5M2: lowbit.quantize_fp8 %arg0, %{{.*}} {format = "e5m2"}
// E5M2: lowbit.matmul_fp8 %{{.*}}, %{{.*}} {format = "e5m2"}
// E5M2: nn.constant dense<6.97544674E-5> : tensor<f32>
// E5M2: ddl_fp8_weights_0: "0x010000007BEF{{(00)+}}733C{{(00)+}}"
// BAD: nn-quantize-fp8: unknown format 'e3m4' (expected e4m3 or e5m2)
func.func @linear(%x: tensor<?x64xf32>) -> tensor<?x2xf32> {
  %w = nn.constant dense<[[4.0, 1.0], [-0.5, 7.62939453125E-5], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]> : tensor<64x2xf32>
  %y = nn.matmul %x, %w : (tensor<?x64xf32>, tensor<64x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
