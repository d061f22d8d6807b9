// RUN: ddl-opt %s | ddl-opt | FileCheck %s

// A schedule prints and parses back unchanged.
// CHECK-LABEL: func.func @scheduled
// CHECK-SAME: sched.schedule = #sched.contraction<isa = "avx512", register = [8, 32, 1], cache = [64, 16, 128], parallel = 1>
func.func @scheduled() attributes {sched.schedule = #sched.contraction<isa = "avx512", register = [8, 32, 1], cache = [64, 16, 128], parallel = 1>} {
  return
}

// CHECK-LABEL: func.func @attention
// CHECK-SAME: sched.schedule = #sched.attention<block = [32, 128]>
func.func @attention() attributes {sched.schedule = #sched.attention<block = [32, 128]>} {
  return
}
