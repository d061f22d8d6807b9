// RUN: ddl-opt %s --ddl-approximate-math | FileCheck %s

// f32 exp, tanh and erf become inline arithmetic (vectorizable); f16 is
// computed in f32; f64 and the logarithms keep their calls.
// CHECK-LABEL: func.func @approximated
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK: math.fma
// CHECK: return
func.func @approximated(%x: f32, %v: vector<16xf32>, %h: f16) -> (f32, vector<16xf32>, f16) {
  %0 = math.exp %x : f32
  %1 = math.tanh %v : vector<16xf32>
  %2 = math.erf %h : f16
  return %0, %1, %2 : f32, vector<16xf32>, f16
}

// CHECK-LABEL: func.func @kept
// CHECK: math.exp %{{.+}} : f64
// CHECK: math.log %{{.+}} : f32
// CHECK: math.sin %{{.+}} : f32
func.func @kept(%d: f64, %x: f32) -> (f64, f32, f32) {
  %0 = math.exp %d : f64
  %1 = math.log %x : f32
  %2 = math.sin %x : f32
  return %0, %1, %2 : f64, f32, f32
}
