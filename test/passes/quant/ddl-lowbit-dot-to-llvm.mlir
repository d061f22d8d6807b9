// RUN: ddl-opt %s --ddl-lowbit-dot-to-llvm | FileCheck %s

// vpdpbusd as one intrinsic call; Arm's sdot as four, one per 4-lane
// quarter of the accumulator and 16-byte quarter of each operand.
// CHECK-LABEL: func.func @dots
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK-COUNT-4: llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"({{.*}}) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// CHECK-NOT: lowbit.dot
func.func @dots(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>)
    -> (vector<16xi32>, vector<16xi32>) {
  %u = lowbit.dot_u8s8 %acc, %a, %b : vector<64xi8>, vector<64xi8> into vector<16xi32>
  %s = lowbit.dot_s8s8 %acc, %a, %b : vector<64xi8>, vector<64xi8> into vector<16xi32>
  return %u, %s : vector<16xi32>, vector<16xi32>
}
