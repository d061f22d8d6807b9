// A tuning database (ddl-tune's JSON lines) replays: the fastest usable
// record per key sets the schedule; a bad record is a warning naming the
// file and line (or the key and why) and is skipped, never an error: the
// kernels it would have tuned get the heuristic's schedule.
// RUN: split-file %s %t
// RUN: ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 tuning-db=%t/db.jsonl report=true policy=heuristic" 2>%t/err | FileCheck %s
// CHECK: linalg.batch_matmul {sched.key = "op=batch_matmul batch=12 m=197 n=197 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", sched.schedule = #sched.contraction<isa = "neon", register = [4, 8, 1], cache = [5, 3, 32], parallel = 1>}
// The faster of two records for the linear layer wins.
// CHECK: sched.schedule = #sched.contraction<isa = "neon", register = [4, 16, 1], cache = [2, 3, 16], parallel = 0>
// RUN: FileCheck %s --check-prefix=WARN < %t/err
// WARN-DAG: db.jsonl:3: not JSON
// WARN-DAG: db.jsonl:10: not a JSON object, skipped
// WARN-DAG: db.jsonl:4: no positive number "latency_ms", skipped
// WARN-DAG: db.jsonl:5: kernel key 'op=matmul m=32': no 'n' field, skipped
// WARN-DAG: db.jsonl:6: key is for isa=neon but the record's target is avx512, skipped
// WARN-DAG: db.jsonl:7: a #sched.attention schedule for a contraction key, skipped
// WARN-DAG: record for 'op=matmul m=8 n=8 k=8 types=f32,f32,f32 lhs=mk rhs=kn isa=neon' was written by 'ddl-tune 0', this ddl reads 'ddl-tune 1' records, skipped
// WARN-DAG: record for 'op=matmul m=16 n=8 k=8 types=f32,f32,f32 lhs=mk rhs=kn isa=neon': schedule {{.*}} is not usable ({{.*}}K0 = 2{{.*}}), skipped
// WARN: schedules: 2 kernels: 2 tuned (database), 0 from the schedules file, 0 by the cost model, 0 by the heuristic
//
// A schedules file wins over the database.
// RUN: ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 tuning-db=%t/db.jsonl schedules-file=%t/override.sched report=true" 2>&1 | FileCheck %s --check-prefix=FILE
// FILE: schedules: 2 kernels: 1 tuned (database), 1 from the schedules file
// FILE: register = [8, 8, 1], cache = [1, 1, 1], parallel = 1
//
// A database that does not exist is an error.
// RUN: not ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 tuning-db=%t/missing.jsonl" 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: cannot read tuning database '{{.*}}missing.jsonl'
//
// The features the cost model sees of a scheduled kernel (golden values,
// worked by hand in docs/cost-model.md).
// RUN: ddl-opt %t/kernel.mlir --ddl-select-schedules="target=aarch64 print-features=true policy=heuristic" -o /dev/null | FileCheck %s --check-prefix=FEATURES
// FEATURES: features op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon: is_matmul=1 is_batch_matmul=0 is_attention=0 constant_rhs=1 lhs_transposed=0 rhs_transposed=0 log2_batch=1 log2_m=5.04439 log2_n=6.59991 log2_k=6.02237 log2_flops=18.585 m0=8 n0=8 mc=4 nc=6 kc=64 parallel_dim=1 block_q=0 block_kv=0 m_tiles=4 n_tiles=12 k_blocks=1 m_blocks=1 n_blocks=2 log2_microkernel_calls=5.61471 m_waste=0 n_waste=0 accumulator_registers=16 register_demand=19 register_spill=0 fma_per_load=1.6 l1_footprint_ratio=0.0625 l2_footprint_ratio=0.0195312 log2_bytes_moved=16 arithmetic_intensity=6 parallel_chunks=2 chunks_per_core=1 load_balance=1 log2_flops_per_chunk=17.585 vector_lanes=4 vector_registers=32 cores=2

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

//--- db.jsonl
{"key": "op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", "target": "neon", "schedule": "#sched.contraction<isa = \"neon\", register = [8, 8, 1], cache = [4, 6, 64], parallel = 1>", "latency_ms": 0.02, "default_ms": 0.02, "trials": 10, "date": "2026-12-07", "version": "ddl-tune 1"}
{"key": "op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", "target": "neon", "schedule": "#sched.contraction<isa = \"neon\", register = [4, 16, 1], cache = [2, 3, 16], parallel = 0>", "latency_ms": 0.01, "default_ms": 0.02, "trials": 10, "date": "2026-12-07", "version": "ddl-tune 1"}
{"key": "op=matmul m=32 n=96 k=64 types
{"key": "op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", "target": "neon", "schedule": "#sched.contraction<isa = \"neon\", register = [4, 16, 1], cache = [2, 3, 16], parallel = 0>", "latency_ms": -1, "version": "ddl-tune 1"}
{"key": "op=matmul m=32", "target": "neon", "schedule": "#sched.contraction<isa = \"neon\", register = [4, 16, 1], cache = [2, 3, 16], parallel = 0>", "latency_ms": 0.001, "version": "ddl-tune 1"}
{"key": "op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", "target": "avx512", "schedule": "#sched.contraction<isa = \"neon\", register = [4, 16, 1], cache = [2, 3, 16], parallel = 0>", "latency_ms": 0.001, "version": "ddl-tune 1"}
{"key": "op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", "target": "neon", "schedule": "#sched.attention<block = [64, 64]>", "latency_ms": 0.001, "version": "ddl-tune 1"}
{"key": "op=matmul m=8 n=8 k=8 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", "target": "neon", "schedule": "#sched.contraction<isa = \"neon\", register = [4, 16, 1], cache = [2, 3, 16], parallel = 0>", "latency_ms": 0.001, "version": "ddl-tune 0"}
{"key": "op=matmul m=16 n=8 k=8 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", "target": "neon", "schedule": "#sched.contraction<isa = \"neon\", register = [4, 16, 2], cache = [2, 3, 16], parallel = 0>", "latency_ms": 0.001, "version": "ddl-tune 1"}
[1, 2]
{"key": "isa=neon op=batch_matmul m=197 batch=12 n=197 k=64 types=f32,f32,f32 lhs=mk rhs=kn", "target": "neon", "schedule": "#sched.contraction<isa = \"neon\", register = [4, 8, 1], cache = [5, 3, 32], parallel = 1>", "latency_ms": 0.5, "version": "ddl-tune 1"}

//--- override.sched
op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 1], parallel = 1>
