// Schedules replay from a file of `key -> schedule` records: a record for
// the kernel's key overrides the heuristic; every bad record is an error
// naming the file, line and column, and nothing is compiled.
// RUN: split-file %s %t
// RUN: ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/good.sched" | FileCheck %s
// CHECK: linalg.batch_matmul {sched.key = "op=batch_matmul batch=12 m=197 n=197 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", sched.schedule = #sched.contraction<isa = "neon", register = [4, 8, 1], cache = [5, 3, 32], parallel = 1>}
// CHECK: sched.schedule = #sched.contraction<isa = "neon", register = [4, 16, 1], cache = [2, 3, 16], parallel = 0>
//
// Attention kernels: a record sets the blocks; the heuristic's otherwise.
// RUN: ddl-opt %t/attention.mlir --ddl-select-schedules="target=x86_64 schedules-file=%t/attention.sched" | FileCheck %s --check-prefix=ATTN
// ATTN: attn.flex {{.*}}sched.key = "op=attention batch=1 heads=8 kv_heads=2 q_len=? kv_len=? d=64 dv=64 types=f32 mods=mask isa=avx512", sched.schedule = #sched.attention<block = [32, 128]>
// ATTN: attn.flex {{.*}}sched.key = "op=attention batch=2 heads=4 kv_heads=4 q_len=100 kv_len=100 d=32 dv=32 types=f32 mods=none isa=avx512", sched.schedule = #sched.attention<block = [64, 64]>
// RUN: not ddl-opt %t/attention.mlir --ddl-select-schedules="target=x86_64 schedules-file=%t/attention-kind.sched" 2>&1 | FileCheck %s --check-prefix=ATTNKIND
// ATTNKIND: attention-kind.sched:1:{{[0-9]+}}: error: expected a #sched.attention schedule, got #sched.contraction
// RUN: not ddl-opt %t/attention.mlir --ddl-select-schedules="target=x86_64 schedules-file=%t/attention-field.sched" 2>&1 | FileCheck %s --check-prefix=ATTNFIELD
// ATTNFIELD: attention-field.sched:1:1: error: unknown key field 'm' for op=attention (expected op, batch, heads, kv_heads, q_len, kv_len, d, dv, types, mods, isa)
// RUN: not ddl-opt %t/attention.mlir --ddl-select-schedules="target=x86_64 schedules-file=%t/attention-block.sched" 2>&1 | FileCheck %s --check-prefix=ATTNBLOCK
// ATTNBLOCK: error: key block BKV must be a multiple of 16 in [16, 512], got 40
// RUN: not ddl-opt %t/attention.mlir --ddl-select-schedules="target=x86_64 schedules-file=%t/unknown-op.sched" 2>&1 | FileCheck %s --check-prefix=UNKNOWNOP
// UNKNOWNOP: unknown-op.sched:1:1: error: unknown kernel 'op=conv' (expected matmul, batch_matmul or attention)
//
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/unknown-field.sched" 2>&1 | FileCheck %s --check-prefix=FIELD
// FIELD: unknown-field.sched:2:1: error: unknown key field 'rows' for op=matmul (expected op, m, n, k, types, lhs, rhs, isa)
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/batch-field.sched" 2>&1 | FileCheck %s --check-prefix=BATCHFIELD
// BATCHFIELD: batch-field.sched:1:1: error: unknown key field 'batch' for op=matmul (expected op, m, n, k, types, lhs, rhs, isa)
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/no-batch.sched" 2>&1 | FileCheck %s --check-prefix=NOBATCH
// NOBATCH: no-batch.sched:1:1: error: key has no 'batch' field
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/missing-field.sched" 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: missing-field.sched:1:1: error: key has no 'isa' field
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/no-arrow.sched" 2>&1 | FileCheck %s --check-prefix=ARROW
// ARROW: no-arrow.sched:1:1: error: expected 'key -> schedule'
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/malformed.sched" 2>&1 | FileCheck %s --check-prefix=MALFORMED
// MALFORMED: malformed.sched:1:{{[0-9]+}}: error: malformed schedule '#sched.contraction<isa = "neon", register = [8, 8], cache = [1, 1, 1], parallel = 0>'
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/illegal.sched" 2>&1 | FileCheck %s --check-prefix=ILLEGAL
// ILLEGAL: error: register tile sizes must be in [1, 64], got 0
// ILLEGAL: illegal.sched:1:{{[0-9]+}}: error: malformed schedule
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/k0.sched" 2>&1 | FileCheck %s --check-prefix=K0
// K0: k0.sched:1:{{[0-9]+}}: error: the f32 micro-kernel needs K0 = 1, the schedule has K0 = 2
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/isa.sched" 2>&1 | FileCheck %s --check-prefix=ISA
// ISA: isa.sched:1:{{[0-9]+}}: error: unknown vector ISA 'avx1024' (expected avx512, avx2, sse or neon)
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/trailing.sched" 2>&1 | FileCheck %s --check-prefix=TRAILING
// TRAILING: trailing.sched:1:{{[0-9]+}}: error: unexpected text after the schedule
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/twice.sched" 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: twice.sched:2:1: error: a second record for key 'op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon'
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 schedules-file=%t/absent.sched" 2>&1 | FileCheck %s --check-prefix=ABSENT
// ABSENT: error: cannot read schedules file '{{.*}}absent.sched'

//--- kernel.mlir
func.func @scores(%q: tensor<12x197x64xf32>, %k: tensor<12x64x197xf32>, %init: tensor<12x197x197xf32>) -> tensor<12x197x197xf32> {
  %s = linalg.batch_matmul ins(%q, %k : tensor<12x197x64xf32>, tensor<12x64x197xf32>) outs(%init : tensor<12x197x197xf32>) -> tensor<12x197x197xf32>
  return %s : tensor<12x197x197xf32>
}
func.func @linear(%x: tensor<32x64xf32>, %init: tensor<32x96xf32>) -> tensor<32x96xf32> {
  %w = arith.constant dense<1.0> : tensor<64x96xf32>
  %y = linalg.matmul ins(%x, %w : tensor<32x64xf32>, tensor<64x96xf32>) outs(%init : tensor<32x96xf32>) -> tensor<32x96xf32>
  return %y : tensor<32x96xf32>
}

//--- good.sched
// Fields in any order; comments after //.
isa=neon op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn -> #sched.contraction<isa = "neon", register = [4, 16, 1], cache = [2, 3, 16], parallel = 0>
op=matmul m=1 n=1 k=1 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 1> // another kernel
op=batch_matmul m=197 batch=12 n=197 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [4, 8, 1], cache = [5, 3, 32], parallel = 1>

//--- attention.mlir
func.func @gqa(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = attn.flex %q, %k, %k scale 0.125
      : tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32> -> tensor<1x8x?x64xf32>
      mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index):
        %keep = arith.cmpi uge, %i, %j : index
        attn.yield %keep : i1
      }
  return %o : tensor<1x8x?x64xf32>
}
func.func @full(%q: tensor<2x4x100x32xf32>) -> tensor<2x4x100x32xf32> {
  %o = attn.flex %q, %q, %q scale 0.125
      : tensor<2x4x100x32xf32>, tensor<2x4x100x32xf32>, tensor<2x4x100x32xf32> -> tensor<2x4x100x32xf32>
  return %o : tensor<2x4x100x32xf32>
}

//--- attention.sched
op=attention batch=1 heads=8 kv_heads=2 q_len=? kv_len=? d=64 dv=64 types=f32 mods=mask isa=avx512 -> #sched.attention<block = [32, 128]>

//--- attention-kind.sched
op=attention batch=1 heads=8 kv_heads=2 q_len=? kv_len=? d=64 dv=64 types=f32 mods=mask isa=avx512 -> #sched.contraction<isa = "avx512", register = [8, 8, 1], cache = [1, 1, 1], parallel = 0>

//--- attention-field.sched
op=attention m=1 batch=1 heads=8 kv_heads=2 q_len=? kv_len=? d=64 dv=64 types=f32 mods=mask isa=avx512 -> #sched.attention<block = [32, 128]>

//--- attention-block.sched
op=attention batch=1 heads=8 kv_heads=2 q_len=? kv_len=? d=64 dv=64 types=f32 mods=mask isa=avx512 -> #sched.attention<block = [32, 40]>

//--- unknown-op.sched
op=conv m=1 -> #sched.attention<block = [32, 128]>

//--- unknown-field.sched

op=matmul rows=2 m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 0>

//--- batch-field.sched
op=matmul batch=2 m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 0>

//--- no-batch.sched
op=batch_matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 0>

//--- missing-field.sched
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 0>

//--- no-arrow.sched
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 0>

//--- malformed.sched
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8], cache = [1, 1, 1], parallel = 0>

//--- illegal.sched
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [0, 8, 1], cache = [1, 1, 1], parallel = 0>

//--- k0.sched
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 2], cache = [1, 1, 1], parallel = 0>

//--- isa.sched
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "avx1024", register = [8, 8, 1], cache = [1, 1, 1], parallel = 0>

//--- trailing.sched
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 0> extra

//--- twice.sched
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 0>
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 1>
