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

// RUN: ddl-opt %s --ddl-lowbit-dot-to-llvm=target=x86_64 | FileCheck %s --check-prefix=X86
// RUN: ddl-opt %s --ddl-lowbit-dot-to-llvm=target=aarch64 | FileCheck %s --check-prefix=ARM
// RUN: not ddl-opt %s --ddl-lowbit-dot-to-llvm=target=riscv 2>&1 | FileCheck %s --check-prefix=BAD
// Byte table lookups: x86's pshufb of the vector's width; Arm's tbl with
// one table register, per 16 bytes.
// X86-LABEL: func.func @lookups
// X86: llvm.call_intrinsic "llvm.x86.ssse3.pshuf.b.128"({{.*}}) : (vector<16xi8>, vector<16xi8>) -> vector<16xi8>
// X86: llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"({{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
// X86: llvm.call_intrinsic "llvm.x86.avx512.pshuf.b.512"({{.*}}) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
// X86-NOT: lowbit.lookup16
// ARM-LABEL: func.func @lookups
// ARM-COUNT-7: llvm.call_intrinsic "llvm.aarch64.neon.tbl1.v16i8"({{.*}}) : (vector<16xi8>, vector<16xi8>) -> vector<16xi8>
// ARM-NOT: lowbit.lookup16
// BAD: unknown target 'riscv' (expected host, x86_64 or aarch64)
func.func @lookups(%t16: vector<16xi8>, %t32: vector<32xi8>, %t64: vector<64xi8>)
    -> (vector<16xi8>, vector<32xi8>, vector<64xi8>) {
  %a = lowbit.lookup16 %t16, %t16 : vector<16xi8>
  %b = lowbit.lookup16 %t32, %t32 : vector<32xi8>
  %c = lowbit.lookup16 %t64, %t64 : vector<64xi8>
  return %a, %b, %c : vector<16xi8>, vector<32xi8>, vector<64xi8>
}

// bf16 pair dots: vdpbf16ps where the target has AVX512-BF16 (this RUN's
// host may not: the x86_64 cross target assumes none, so both spell the
// fallback); elsewhere each operand's 32-bit lanes give the even bf16
// shifted up 16 bits and the odd one masked, as f32, for two FMAs.
// RUN: ddl-opt %s --ddl-lowbit-dot-to-llvm=target=aarch64 | FileCheck %s --check-prefix=WIDEN
// WIDEN-LABEL: func.func @bf16_dots
// WIDEN: %[[L:.*]] = vector.bitcast %arg1 : vector<32xbf16> to vector<16xi32>
// WIDEN: %[[LE:.*]] = arith.shli %[[L]], %{{.*}} : vector<16xi32>
// WIDEN: %[[LO:.*]] = arith.andi %[[L]], %{{.*}} : vector<16xi32>
// WIDEN: vector.bitcast %[[LE]] : vector<16xi32> to vector<16xf32>
// WIDEN: %[[FIRST:.*]] = vector.fma %{{.*}}, %{{.*}}, %arg0 : vector<16xf32>
// WIDEN: vector.fma %{{.*}}, %{{.*}}, %[[FIRST]] : vector<16xf32>
// WIDEN-NOT: lowbit.dot_bf16
// RUN: %if host-bf16 %{ ddl-opt %s --ddl-lowbit-dot-to-llvm=target=host | FileCheck %s --check-prefix=VDP %}
// VDP-LABEL: func.func @bf16_dots
// VDP: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"(%arg0, %arg1, %arg2) : (vector<16xf32>, vector<32xbf16>, vector<32xbf16>) -> vector<16xf32>
func.func @bf16_dots(%acc: vector<16xf32>, %a: vector<32xbf16>, %b: vector<32xbf16>) -> vector<16xf32> {
  %r = lowbit.dot_bf16 %acc, %a, %b : vector<32xbf16>, vector<32xbf16> into vector<16xf32>
  return %r : vector<16xf32>
}
