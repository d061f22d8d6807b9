// RUN: ddl-opt %s --split-input-file --verify-diagnostics

// expected-error @below {{register tile needs 3 sizes (M0, N0, K0), got 2}}
func.func @f() attributes {s = #sched.contraction<isa = "avx512", register = [8, 32], cache = [1, 1, 1], parallel = 1>}

// -----

// expected-error @below {{cache tile needs 3 sizes (Mc, Nc, Kc), got 4}}
func.func @f() attributes {s = #sched.contraction<isa = "avx512", register = [8, 32, 1], cache = [1, 1, 1, 1], parallel = 1>}

// -----

// expected-error @below {{register tile sizes must be in [1, 64], got 128}}
func.func @f() attributes {s = #sched.contraction<isa = "avx512", register = [8, 128, 1], cache = [1, 1, 1], parallel = 1>}

// -----

// expected-error @below {{register tile 64x64 has more than 1024 accumulators}}
func.func @f() attributes {s = #sched.contraction<isa = "avx512", register = [64, 64, 1], cache = [1, 1, 1], parallel = 1>}

// -----

// expected-error @below {{cache tile sizes must be in [1, 2^20], got 0}}
func.func @f() attributes {s = #sched.contraction<isa = "avx512", register = [8, 32, 1], cache = [1, 0, 1], parallel = 1>}

// -----

// expected-error @below {{parallel must be 0 (m) or 1 (n), got 2}}
func.func @f() attributes {s = #sched.contraction<isa = "avx512", register = [8, 32, 1], cache = [1, 1, 1], parallel = 2>}

// -----

// expected-error @below {{attention block needs 2 sizes (BQ, BKV), got 1}}
func.func @f() attributes {s = #sched.attention<block = [64]>}

// -----

// expected-error @below {{query block BQ must be in [1, 1024], got 0}}
func.func @f() attributes {s = #sched.attention<block = [0, 64]>}

// -----

// expected-error @below {{key block BKV must be a multiple of 16 in [16, 512], got 1024}}
func.func @f() attributes {s = #sched.attention<block = [64, 1024]>}
