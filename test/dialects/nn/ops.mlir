// RUN: ddl-opt %s --split-input-file | ddl-opt --split-input-file | FileCheck %s

// Round-trip of every op of the nn dialect: parse, print, parse the printed
// form again and print it. Each case exercises non-default attributes, and
// checks that attributes written at their default value are elided. Result
// types agree with the ops' shape functions; some are written more precisely
// (a static size where inference says ?) or less precisely than inferred,
// which the verifier accepts.

//===----------------------------------------------------------------------===//
// Elementwise unary float ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary_float(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4xf32, #nn.dims<batch, 4>>
func.func @unary_float(%x: tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>> {
  // CHECK: %[[EXP:.+]] = nn.exp %[[X]] : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %0 = nn.exp %x : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[LOG:.+]] = nn.log %[[EXP]] : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %1 = nn.log %0 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[SQRT:.+]] = nn.sqrt %[[LOG]]
  %2 = nn.sqrt %1 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[RCP:.+]] = nn.reciprocal %[[SQRT]]
  %3 = nn.reciprocal %2 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[SIN:.+]] = nn.sin %[[RCP]]
  %4 = nn.sin %3 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[COS:.+]] = nn.cos %[[SIN]]
  %5 = nn.cos %4 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[TAN:.+]] = nn.tan %[[COS]]
  %6 = nn.tan %5 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[ASIN:.+]] = nn.asin %[[TAN]]
  %7 = nn.asin %6 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[ACOS:.+]] = nn.acos %[[ASIN]]
  %8 = nn.acos %7 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[ATAN:.+]] = nn.atan %[[ACOS]]
  %9 = nn.atan %8 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[SINH:.+]] = nn.sinh %[[ATAN]]
  %10 = nn.sinh %9 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[COSH:.+]] = nn.cosh %[[SINH]]
  %11 = nn.cosh %10 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[ASINH:.+]] = nn.asinh %[[COSH]]
  %12 = nn.asinh %11 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[ACOSH:.+]] = nn.acosh %[[ASINH]]
  %13 = nn.acosh %12 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[ATANH:.+]] = nn.atanh %[[ACOSH]]
  %14 = nn.atanh %13 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[TANH:.+]] = nn.tanh %[[ATANH]]
  %15 = nn.tanh %14 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[SIG:.+]] = nn.sigmoid %[[TANH]]
  %16 = nn.sigmoid %15 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[ERF:.+]] = nn.erf %[[SIG]]
  %17 = nn.erf %16 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[FLOOR:.+]] = nn.floor %[[ERF]]
  %18 = nn.floor %17 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[CEIL:.+]] = nn.ceil %[[FLOOR]]
  %19 = nn.ceil %18 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[ROUND:.+]] = nn.round %[[CEIL]]
  %20 = nn.round %19 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[SOFTPLUS:.+]] = nn.softplus %[[ROUND]]
  %21 = nn.softplus %20 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[SOFTSIGN:.+]] = nn.softsign %[[SOFTPLUS]]
  %22 = nn.softsign %21 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[MISH:.+]] = nn.mish %[[SOFTSIGN]]
  %23 = nn.mish %22 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[SILU:.+]] = nn.silu %[[MISH]]
  %24 = nn.silu %23 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: %[[HSWISH:.+]] = nn.hard_swish %[[SILU]] : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %25 = nn.hard_swish %24 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: return %[[HSWISH]] : tensor<?x4xf32, #nn.dims<batch, 4>>
  return %25 : tensor<?x4xf32, #nn.dims<batch, 4>>
}

// -----

// Unary float ops with attributes, at non-default and at default values, on
// several float types. Result types may be less or more precise than the
// operand's.

// CHECK-LABEL: func.func @unary_float_attrs(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x16xf32, #nn.dims<seq, 16>>, %[[H:[^:]+]]: tensor<2x?xf16>, %[[B:[^:]+]]: tensor<8xbf16>
func.func @unary_float_attrs(%x: tensor<?x16xf32, #nn.dims<seq, 16>>, %h: tensor<2x?xf16>, %b: tensor<8xbf16>) {
  // CHECK: nn.gelu %[[X]] {approximate = #nn.gelu_approximation<tanh>} : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32, #nn.dims<seq, 16>>
  %0 = nn.gelu %x {approximate = #nn.gelu_approximation<tanh>} : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32, #nn.dims<seq, 16>>
  // The default approximation is elided.
  // CHECK: nn.gelu %[[X]] : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32>
  %1 = nn.gelu %x {approximate = #nn.gelu_approximation<none>} : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32>
  // CHECK: nn.hard_sigmoid %[[X]] {alpha = 1.000000e-01 : f32, beta = 2.500000e-01 : f32} : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32, #nn.dims<seq, 16>>
  %2 = nn.hard_sigmoid %x {alpha = 0.1 : f32, beta = 0.25 : f32} : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32, #nn.dims<seq, 16>>
  // Only the non-default beta is printed.
  // CHECK: nn.hard_sigmoid %[[X]] {beta = 6.000000e-01 : f32} :
  %3 = nn.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.6 : f32} : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32, #nn.dims<seq, 16>>
  // CHECK: nn.leaky_relu %[[H]] {alpha = 2.000000e-01 : f32} : (tensor<2x?xf16>) -> tensor<2x?xf16>
  %4 = nn.leaky_relu %h {alpha = 0.2 : f32} : (tensor<2x?xf16>) -> tensor<2x?xf16>
  // A written result type may be more precise than the inferred one.
  // CHECK: nn.leaky_relu %[[H]] : (tensor<2x?xf16>) -> tensor<2x5xf16>
  %5 = nn.leaky_relu %h {alpha = 0.01 : f32} : (tensor<2x?xf16>) -> tensor<2x5xf16>
  // CHECK: nn.elu %[[B]] {alpha = 5.000000e-01 : f32} : (tensor<8xbf16>) -> tensor<8xbf16>
  %6 = nn.elu %b {alpha = 0.5 : f32} : (tensor<8xbf16>) -> tensor<8xbf16>
  // CHECK: nn.elu %[[B]] : (tensor<8xbf16>) -> tensor<?xbf16>
  %7 = nn.elu %b {alpha = 1.0 : f32} : (tensor<8xbf16>) -> tensor<?xbf16>
  // CHECK: nn.celu %[[X]] {alpha = 2.000000e+00 : f32} :
  %8 = nn.celu %x {alpha = 2.0 : f32} : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32, #nn.dims<seq, 16>>
  // CHECK: nn.celu %[[X]] : (
  %9 = nn.celu %x : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32, #nn.dims<seq, 16>>
  // CHECK: nn.selu %[[X]] {alpha = 1.500000e+00 : f32, gamma = 1.000000e+00 : f32} :
  %10 = nn.selu %x {alpha = 1.5 : f32, gamma = 1.0 : f32} : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32, #nn.dims<seq, 16>>
  // CHECK: nn.selu %[[X]] : (
  %11 = nn.selu %x {alpha = 1.67326319217681884765625 : f32, gamma = 1.05070102214813232421875 : f32} : (tensor<?x16xf32, #nn.dims<seq, 16>>) -> tensor<?x16xf32, #nn.dims<seq, 16>>
  // CHECK: nn.thresholded_relu %[[H]] {alpha = 5.000000e-01 : f32} : (tensor<2x?xf16>) -> tensor<2x?xf16>
  %12 = nn.thresholded_relu %h {alpha = 0.5 : f32} : (tensor<2x?xf16>) -> tensor<2x?xf16>
  // CHECK: nn.thresholded_relu %[[H]] : (
  %13 = nn.thresholded_relu %h {alpha = 1.0 : f32} : (tensor<2x?xf16>) -> tensor<2x?xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise unary numeric, bitwise, logical and identity ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary_numeric(
// CHECK-SAME: %[[F:[^:]+]]: tensor<?x3xf32>, %[[I:[^:]+]]: tensor<?x?xi32, #nn.dims<n, m>>, %[[P:[^:]+]]: tensor<4xi1>, %[[U:[^:]+]]: tensor<2x2xi8>
func.func @unary_numeric(%f: tensor<?x3xf32>, %i: tensor<?x?xi32, #nn.dims<n, m>>, %p: tensor<4xi1>, %u: tensor<2x2xi8>) {
  // CHECK: nn.abs %[[F]] : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %0 = nn.abs %f : (tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK: nn.abs %[[I]] : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32, #nn.dims<n, m>>
  %1 = nn.abs %i : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32, #nn.dims<n, m>>
  // CHECK: nn.neg %[[F]] : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %2 = nn.neg %f : (tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK: nn.neg %[[I]] : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32>
  %3 = nn.neg %i : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32>
  // CHECK: nn.sign %[[F]] : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %4 = nn.sign %f : (tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK: nn.sign %[[U]] : (tensor<2x2xi8>) -> tensor<2x2xi8>
  %5 = nn.sign %u : (tensor<2x2xi8>) -> tensor<2x2xi8>
  // CHECK: nn.relu %[[F]] : (tensor<?x3xf32>) -> tensor<7x3xf32>
  %6 = nn.relu %f : (tensor<?x3xf32>) -> tensor<7x3xf32>
  // CHECK: nn.relu %[[I]] : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32, #nn.dims<n, m>>
  %7 = nn.relu %i : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32, #nn.dims<n, m>>
  // CHECK: nn.bitwise_not %[[I]] : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32, #nn.dims<n, m>>
  %8 = nn.bitwise_not %i : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32, #nn.dims<n, m>>
  // CHECK: nn.bitwise_not %[[U]] : (tensor<2x2xi8>) -> tensor<2x2xi8>
  %9 = nn.bitwise_not %u : (tensor<2x2xi8>) -> tensor<2x2xi8>
  // CHECK: nn.not %[[P]] : (tensor<4xi1>) -> tensor<4xi1>
  %10 = nn.not %p : (tensor<4xi1>) -> tensor<4xi1>
  // CHECK: nn.identity %[[F]] : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %11 = nn.identity %f : (tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK: nn.identity %[[P]] : (tensor<4xi1>) -> tensor<4xi1>
  %12 = nn.identity %p : (tensor<4xi1>) -> tensor<4xi1>
  // CHECK: nn.identity %[[I]] : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32, #nn.dims<n, m>>
  %13 = nn.identity %i : (tensor<?x?xi32, #nn.dims<n, m>>) -> tensor<?x?xi32, #nn.dims<n, m>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Float predicates
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @predicates(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x8xf32, #nn.dims<batch, 8>>, %[[H:[^:]+]]: tensor<3xf16>
func.func @predicates(%x: tensor<?x8xf32, #nn.dims<batch, 8>>, %h: tensor<3xf16>) {
  // CHECK: nn.is_nan %[[X]] : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<?x8xi1, #nn.dims<batch, 8>>
  %0 = nn.is_nan %x : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<?x8xi1, #nn.dims<batch, 8>>
  // CHECK: nn.is_nan %[[H]] : (tensor<3xf16>) -> tensor<3xi1>
  %1 = nn.is_nan %h : (tensor<3xf16>) -> tensor<3xi1>
  // CHECK: nn.is_inf %[[X]] {detect_positive = false} : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<?x8xi1, #nn.dims<batch, 8>>
  %2 = nn.is_inf %x {detect_positive = false} : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<?x8xi1, #nn.dims<batch, 8>>
  // CHECK: nn.is_inf %[[H]] {detect_negative = false} : (tensor<3xf16>) -> tensor<3xi1>
  %3 = nn.is_inf %h {detect_negative = false, detect_positive = true} : (tensor<3xf16>) -> tensor<3xi1>
  // CHECK: nn.is_inf %[[H]] : (tensor<3xf16>) -> tensor<3xi1>
  %4 = nn.is_inf %h {detect_negative = true, detect_positive = true} : (tensor<3xf16>) -> tensor<3xi1>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Clip
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @clip(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4xf32, #nn.dims<batch, 4>>, %[[LO:[^:]+]]: tensor<f32>, %[[HI:[^:]+]]: tensor<1xf32>, %[[I:[^:]+]]: tensor<5xi64>, %[[IHI:[^:]+]]: tensor<i64>
func.func @clip(%x: tensor<?x4xf32, #nn.dims<batch, 4>>, %lo: tensor<f32>, %hi: tensor<1xf32>, %i: tensor<5xi64>, %ihi: tensor<i64>) {
  // CHECK: nn.clip %[[X]] min %[[LO]] max %[[HI]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<f32>, tensor<1xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %0 = nn.clip %x min %lo max %hi : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<f32>, tensor<1xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.clip %[[X]] min %[[LO]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<f32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %1 = nn.clip %x min %lo : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<f32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.clip %[[X]] max %[[HI]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<1xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %2 = nn.clip %x max %hi : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<1xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.clip %[[X]] : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %3 = nn.clip %x : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.clip %[[I]] max %[[IHI]] : (tensor<5xi64>, tensor<i64>) -> tensor<5xi64>
  %4 = nn.clip %i max %ihi : (tensor<5xi64>, tensor<i64>) -> tensor<5xi64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cast(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4xf32, #nn.dims<batch, 4>>, %[[I:[^:]+]]: tensor<3x?xi64>, %[[P:[^:]+]]: tensor<2xi1>
func.func @cast(%x: tensor<?x4xf32, #nn.dims<batch, 4>>, %i: tensor<3x?xi64>, %p: tensor<2xi1>) {
  // CHECK: nn.cast %[[X]] : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xi32, #nn.dims<batch, 4>>
  %0 = nn.cast %x : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xi32, #nn.dims<batch, 4>>
  // CHECK: nn.cast %[[X]] : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf16>
  %1 = nn.cast %x : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf16>
  // The result may refine a dynamic dimension.
  // CHECK: nn.cast %[[I]] : (tensor<3x?xi64>) -> tensor<3x7xf32>
  %2 = nn.cast %i : (tensor<3x?xi64>) -> tensor<3x7xf32>
  // CHECK: nn.cast %[[P]] : (tensor<2xi1>) -> tensor<2xf32>
  %3 = nn.cast %p : (tensor<2xi1>) -> tensor<2xf32>
  // A cast to the same type is valid (it folds away under canonicalization).
  // CHECK: nn.cast %[[I]] : (tensor<3x?xi64>) -> tensor<3x?xi64>
  %4 = nn.cast %i : (tensor<3x?xi64>) -> tensor<3x?xi64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise binary arithmetic (numpy broadcasting)
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @binary_arith(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4xf32, #nn.dims<batch, 4>>, %[[R:[^:]+]]: tensor<4xf32>, %[[C:[^:]+]]: tensor<?x1xf32>, %[[W:[^:]+]]: tensor<1x?xf32>
func.func @binary_arith(%x: tensor<?x4xf32, #nn.dims<batch, 4>>, %row: tensor<4xf32>, %col: tensor<?x1xf32>, %wide: tensor<1x?xf32>) {
  // Broadcasting a row keeps the symbolic batch dimension.
  // CHECK: %[[ADD:.+]] = nn.add %[[X]], %[[R]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %0 = nn.add %x, %row : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.add %[[ADD]], %[[ADD]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %1 = nn.add %0, %0 : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // ?x1 against 1x? broadcasts to ?x?.
  // CHECK: nn.sub %[[C]], %[[W]] : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  %2 = nn.sub %col, %wide : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  // CHECK: nn.mul %[[R]], %[[C]] : (tensor<4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  %3 = nn.mul %row, %col : (tensor<4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  // CHECK: nn.div %[[X]], %[[C]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x1xf32>) -> tensor<?x4xf32>
  %4 = nn.div %x, %col : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x1xf32>) -> tensor<?x4xf32>
  // CHECK: nn.min %[[X]], %[[R]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %5 = nn.min %x, %row : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.max %[[R]], %[[X]] : (tensor<4xf32>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %6 = nn.max %row, %x : (tensor<4xf32>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.mod %[[X]], %[[R]] {fmod = true} : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %7 = nn.mod %x, %row {fmod = true} : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.pow %[[X]], %[[R]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %8 = nn.pow %x, %row : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.prelu %[[X]], %[[R]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %9 = nn.prelu %x, %row : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  return
}

// -----

// Integer arithmetic, a scalar operand, pow with an exponent of another
// element type, and mod at its default (elided) fmod.

// CHECK-LABEL: func.func @binary_arith_int(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3xi32>, %[[S:[^:]+]]: tensor<i32>, %[[F:[^:]+]]: tensor<2x3xf16>, %[[E:[^:]+]]: tensor<3xi64>
func.func @binary_arith_int(%a: tensor<2x3xi32>, %s: tensor<i32>, %f: tensor<2x3xf16>, %e: tensor<3xi64>) {
  // CHECK: nn.add %[[A]], %[[S]] : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  %0 = nn.add %a, %s : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  // CHECK: nn.sub %[[S]], %[[A]] : (tensor<i32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %1 = nn.sub %s, %a : (tensor<i32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  // CHECK: nn.mul %[[S]], %[[S]] : (tensor<i32>, tensor<i32>) -> tensor<i32>
  %2 = nn.mul %s, %s : (tensor<i32>, tensor<i32>) -> tensor<i32>
  // CHECK: nn.div %[[A]], %[[S]] : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  %3 = nn.div %a, %s : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  // CHECK: nn.mod %[[A]], %[[S]] : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  %4 = nn.mod %a, %s {fmod = false} : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  // CHECK: nn.min %[[A]], %[[A]] : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %5 = nn.min %a, %a : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  // CHECK: nn.max %[[A]], %[[S]] : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  %6 = nn.max %a, %s : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  // CHECK: nn.pow %[[F]], %[[E]] : (tensor<2x3xf16>, tensor<3xi64>) -> tensor<2x3xf16>
  %7 = nn.pow %f, %e : (tensor<2x3xf16>, tensor<3xi64>) -> tensor<2x3xf16>
  // CHECK: nn.pow %[[A]], %[[S]] : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  %8 = nn.pow %a, %s : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  // CHECK: nn.prelu %[[F]], %[[F]] : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16>
  %9 = nn.prelu %f, %f : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Logical ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @logic(
// CHECK-SAME: %[[P:[^:]+]]: tensor<?x4xi1, #nn.dims<batch, 4>>, %[[Q:[^:]+]]: tensor<4xi1>, %[[S:[^:]+]]: tensor<i1>
func.func @logic(%p: tensor<?x4xi1, #nn.dims<batch, 4>>, %q: tensor<4xi1>, %s: tensor<i1>) {
  // CHECK: nn.and %[[P]], %[[Q]] : (tensor<?x4xi1, #nn.dims<batch, 4>>, tensor<4xi1>) -> tensor<?x4xi1, #nn.dims<batch, 4>>
  %0 = nn.and %p, %q : (tensor<?x4xi1, #nn.dims<batch, 4>>, tensor<4xi1>) -> tensor<?x4xi1, #nn.dims<batch, 4>>
  // CHECK: nn.or %[[Q]], %[[S]] : (tensor<4xi1>, tensor<i1>) -> tensor<4xi1>
  %1 = nn.or %q, %s : (tensor<4xi1>, tensor<i1>) -> tensor<4xi1>
  // CHECK: nn.xor %[[P]], %[[P]] : (tensor<?x4xi1, #nn.dims<batch, 4>>, tensor<?x4xi1, #nn.dims<batch, 4>>) -> tensor<?x4xi1, #nn.dims<batch, 4>>
  %2 = nn.xor %p, %p : (tensor<?x4xi1, #nn.dims<batch, 4>>, tensor<?x4xi1, #nn.dims<batch, 4>>) -> tensor<?x4xi1, #nn.dims<batch, 4>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Bitwise ops and shifts
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @bitwise(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?x8xi32>, %[[B:[^:]+]]: tensor<8xi32>, %[[U:[^:]+]]: tensor<3xui8>, %[[N:[^:]+]]: tensor<ui8>
func.func @bitwise(%a: tensor<?x8xi32>, %b: tensor<8xi32>, %u: tensor<3xui8>, %n: tensor<ui8>) {
  // CHECK: nn.bitwise_and %[[A]], %[[B]] : (tensor<?x8xi32>, tensor<8xi32>) -> tensor<?x8xi32>
  %0 = nn.bitwise_and %a, %b : (tensor<?x8xi32>, tensor<8xi32>) -> tensor<?x8xi32>
  // CHECK: nn.bitwise_or %[[B]], %[[A]] : (tensor<8xi32>, tensor<?x8xi32>) -> tensor<?x8xi32>
  %1 = nn.bitwise_or %b, %a : (tensor<8xi32>, tensor<?x8xi32>) -> tensor<?x8xi32>
  // CHECK: nn.bitwise_xor %[[U]], %[[N]] : (tensor<3xui8>, tensor<ui8>) -> tensor<3xui8>
  %2 = nn.bitwise_xor %u, %n : (tensor<3xui8>, tensor<ui8>) -> tensor<3xui8>
  // CHECK: nn.bit_shift <left> %[[U]], %[[N]] : (tensor<3xui8>, tensor<ui8>) -> tensor<3xui8>
  %3 = nn.bit_shift <left> %u, %n : (tensor<3xui8>, tensor<ui8>) -> tensor<3xui8>
  // CHECK: nn.bit_shift <right> %[[A]], %[[B]] : (tensor<?x8xi32>, tensor<8xi32>) -> tensor<?x8xi32>
  %4 = nn.bit_shift <right> %a, %b : (tensor<?x8xi32>, tensor<8xi32>) -> tensor<?x8xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Comparisons
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @compare(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4xf32, #nn.dims<batch, 4>>, %[[Y:[^:]+]]: tensor<f32>, %[[I:[^:]+]]: tensor<3xi64>, %[[J:[^:]+]]: tensor<2x1xi64>
func.func @compare(%x: tensor<?x4xf32, #nn.dims<batch, 4>>, %y: tensor<f32>, %i: tensor<3xi64>, %j: tensor<2x1xi64>) {
  // CHECK: nn.equal %[[X]], %[[Y]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<f32>) -> tensor<?x4xi1, #nn.dims<batch, 4>>
  %0 = nn.equal %x, %y : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<f32>) -> tensor<?x4xi1, #nn.dims<batch, 4>>
  // CHECK: nn.equal %[[I]], %[[J]] : (tensor<3xi64>, tensor<2x1xi64>) -> tensor<2x3xi1>
  %1 = nn.equal %i, %j : (tensor<3xi64>, tensor<2x1xi64>) -> tensor<2x3xi1>
  // CHECK: nn.less %[[X]], %[[Y]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<f32>) -> tensor<?x4xi1, #nn.dims<batch, 4>>
  %2 = nn.less %x, %y : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<f32>) -> tensor<?x4xi1, #nn.dims<batch, 4>>
  // CHECK: nn.less_equal %[[J]], %[[I]] : (tensor<2x1xi64>, tensor<3xi64>) -> tensor<2x3xi1>
  %3 = nn.less_equal %j, %i : (tensor<2x1xi64>, tensor<3xi64>) -> tensor<2x3xi1>
  // CHECK: nn.greater %[[Y]], %[[X]] : (tensor<f32>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xi1>
  %4 = nn.greater %y, %x : (tensor<f32>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xi1>
  // CHECK: nn.greater_equal %[[I]], %[[I]] : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %5 = nn.greater_equal %i, %i : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Where
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @where(
// CHECK-SAME: %[[C:[^:]+]]: tensor<?x1xi1, #nn.dims<batch, 1>>, %[[T:[^:]+]]: tensor<4xf32>, %[[F:[^:]+]]: tensor<f32>, %[[I:[^:]+]]: tensor<2x?xi64>
func.func @where(%c: tensor<?x1xi1, #nn.dims<batch, 1>>, %t: tensor<4xf32>, %f: tensor<f32>, %i: tensor<2x?xi64>) {
  // All three operands broadcast together.
  // CHECK: nn.where %[[C]], %[[T]], %[[F]] : (tensor<?x1xi1, #nn.dims<batch, 1>>, tensor<4xf32>, tensor<f32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %0 = nn.where %c, %t, %f : (tensor<?x1xi1, #nn.dims<batch, 1>>, tensor<4xf32>, tensor<f32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.where %[[C]], %[[I]], %[[I]] : (tensor<?x1xi1, #nn.dims<batch, 1>>, tensor<2x?xi64>, tensor<2x?xi64>) -> tensor<2x?xi64>
  %1 = nn.where %c, %i, %i : (tensor<?x1xi1, #nn.dims<batch, 1>>, tensor<2x?xi64>, tensor<2x?xi64>) -> tensor<2x?xi64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// MatMul and Gemm
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x64xf32, #nn.dims<batch, seq, 64>>, %[[W:[^:]+]]: tensor<64x128xf32>, %[[A:[^:]+]]: tensor<2x1x3x4xf16>, %[[B:[^:]+]]: tensor<5x4x6xf16>, %[[V:[^:]+]]: tensor<64xf32>, %[[I:[^:]+]]: tensor<?x3xi32>, %[[J:[^:]+]]: tensor<3x?xi32>
func.func @matmul(%x: tensor<?x?x64xf32, #nn.dims<batch, seq, 64>>, %w: tensor<64x128xf32>,
                  %a: tensor<2x1x3x4xf16>, %b: tensor<5x4x6xf16>, %v: tensor<64xf32>,
                  %i: tensor<?x3xi32>, %j: tensor<3x?xi32>) {
  // Batched by a 2-D weight: the symbols carry over.
  // CHECK: nn.matmul %[[X]], %[[W]] : (tensor<?x?x64xf32, #nn.dims<batch, seq, 64>>, tensor<64x128xf32>) -> tensor<?x?x128xf32, #nn.dims<batch, seq, 128>>
  %0 = nn.matmul %x, %w : (tensor<?x?x64xf32, #nn.dims<batch, seq, 64>>, tensor<64x128xf32>) -> tensor<?x?x128xf32, #nn.dims<batch, seq, 128>>
  // Batch dimensions broadcast.
  // CHECK: nn.matmul %[[A]], %[[B]] : (tensor<2x1x3x4xf16>, tensor<5x4x6xf16>) -> tensor<2x5x3x6xf16>
  %1 = nn.matmul %a, %b : (tensor<2x1x3x4xf16>, tensor<5x4x6xf16>) -> tensor<2x5x3x6xf16>
  // A 1-D rhs: its trailing 1 is dropped from the result.
  // CHECK: nn.matmul %[[X]], %[[V]] : (tensor<?x?x64xf32, #nn.dims<batch, seq, 64>>, tensor<64xf32>) -> tensor<?x?xf32, #nn.dims<batch, seq>>
  %2 = nn.matmul %x, %v : (tensor<?x?x64xf32, #nn.dims<batch, seq, 64>>, tensor<64xf32>) -> tensor<?x?xf32, #nn.dims<batch, seq>>
  // A 1-D lhs: its leading 1 is dropped.
  // CHECK: nn.matmul %[[V]], %[[W]] : (tensor<64xf32>, tensor<64x128xf32>) -> tensor<128xf32>
  %3 = nn.matmul %v, %w : (tensor<64xf32>, tensor<64x128xf32>) -> tensor<128xf32>
  // 1-D by 1-D: a 0-d dot product.
  // CHECK: nn.matmul %[[V]], %[[V]] : (tensor<64xf32>, tensor<64xf32>) -> tensor<f32>
  %4 = nn.matmul %v, %v : (tensor<64xf32>, tensor<64xf32>) -> tensor<f32>
  // Integer operands, dynamic M and N.
  // CHECK: nn.matmul %[[I]], %[[J]] : (tensor<?x3xi32>, tensor<3x?xi32>) -> tensor<?x?xi32>
  %5 = nn.matmul %i, %j : (tensor<?x3xi32>, tensor<3x?xi32>) -> tensor<?x?xi32>
  return
}

// -----

// CHECK-LABEL: func.func @gemm(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?x32xf32, #nn.dims<batch, 32>>, %[[BT:[^:]+]]: tensor<16x32xf32>, %[[C:[^:]+]]: tensor<16xf32>, %[[AT:[^:]+]]: tensor<32x8xf32>, %[[B:[^:]+]]: tensor<32x16xf32>, %[[C2:[^:]+]]: tensor<8x1xf32>
func.func @gemm(%a: tensor<?x32xf32, #nn.dims<batch, 32>>, %bt: tensor<16x32xf32>, %c: tensor<16xf32>,
                %at: tensor<32x8xf32>, %b: tensor<32x16xf32>, %c2: tensor<8x1xf32>) {
  // A linear layer: trans_b with a bias row.
  // CHECK: nn.gemm %[[A]], %[[BT]], %[[C]] {trans_b = true} : (tensor<?x32xf32, #nn.dims<batch, 32>>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<?x16xf32, #nn.dims<batch, 16>>
  %0 = nn.gemm %a, %bt, %c {trans_b = true} : (tensor<?x32xf32, #nn.dims<batch, 32>>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<?x16xf32, #nn.dims<batch, 16>>
  // CHECK: nn.gemm %[[AT]], %[[B]], %[[C2]] {alpha = 5.000000e-01 : f32, beta = 2.000000e+00 : f32, trans_a = true} : (tensor<32x8xf32>, tensor<32x16xf32>, tensor<8x1xf32>) -> tensor<8x16xf32>
  %1 = nn.gemm %at, %b, %c2 {alpha = 0.5 : f32, beta = 2.0 : f32, trans_a = true, trans_b = false} : (tensor<32x8xf32>, tensor<32x16xf32>, tensor<8x1xf32>) -> tensor<8x16xf32>
  // Without c; default alpha, beta and transposes are elided.
  // CHECK: nn.gemm %[[A]], %[[B]] : (tensor<?x32xf32, #nn.dims<batch, 32>>, tensor<32x16xf32>) -> tensor<?x16xf32, #nn.dims<batch, 16>>
  %2 = nn.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false} : (tensor<?x32xf32, #nn.dims<batch, 32>>, tensor<32x16xf32>) -> tensor<?x16xf32, #nn.dims<batch, 16>>
  return
}


// -----

// Einsum: explicit and implicit forms, diagonals, '...' broadcasting.
// CHECK-LABEL: func.func @einsum(
func.func @einsum(%a: tensor<?x2x3xf32, #nn.dims<batch, 2, 3>>, %b: tensor<?x3x4xf32>,
                  %m: tensor<3x3xf32>, %e: tensor<5x?x4x4xf32>, %f: tensor<?x4x6xf32>,
                  %w: tensor<?xf32, #nn.dims<n>>, %c: tensor<2x?xi32>, %d: tensor<?x7xi32>) {
  // Batched matmul: the batch symbol carries over.
  // CHECK: nn.einsum "bij,bjk->bik" %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<?x2x3xf32, #nn.dims<batch, 2, 3>>, tensor<?x3x4xf32>) -> tensor<?x2x4xf32, #nn.dims<batch, 2, 4>>
  %0 = nn.einsum "bij,bjk->bik" %a, %b : (tensor<?x2x3xf32, #nn.dims<batch, 2, 3>>, tensor<?x3x4xf32>) -> tensor<?x2x4xf32, #nn.dims<batch, 2, 4>>
  // Implicit form: the letters used once, sorted (a transpose).
  // CHECK: nn.einsum "ji" %{{[^ ,]+}} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %1 = nn.einsum "ji" %m : (tensor<3x3xf32>) -> tensor<3x3xf32>
  // Implicit trace: a repeated letter is summed.
  // CHECK: nn.einsum "ii" %{{[^ ,]+}} : (tensor<3x3xf32>) -> tensor<f32>
  %2 = nn.einsum "ii" %m : (tensor<3x3xf32>) -> tensor<f32>
  // A batched diagonal; spaces are ignored.
  // CHECK: nn.einsum "...ii ->...i" %{{[^ ,]+}} : (tensor<5x?x4x4xf32>) -> tensor<5x?x4xf32>
  %3 = nn.einsum "...ii ->...i" %e : (tensor<5x?x4x4xf32>) -> tensor<5x?x4xf32>
  // '...' dimensions broadcast and lead an implicit result.
  // CHECK: nn.einsum "...ij,...jk" %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<5x?x4x4xf32>, tensor<?x4x6xf32>) -> tensor<5x?x4x6xf32>
  %4 = nn.einsum "...ij,...jk" %e, %f : (tensor<5x?x4x4xf32>, tensor<?x4x6xf32>) -> tensor<5x?x4x6xf32>
  // Inner product of two symbol-sized vectors.
  // CHECK: nn.einsum "n,n->" %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<?xf32, #nn.dims<n>>, tensor<?xf32, #nn.dims<n>>) -> tensor<f32>
  %5 = nn.einsum "n,n->" %w, %w : (tensor<?xf32, #nn.dims<n>>, tensor<?xf32, #nn.dims<n>>) -> tensor<f32>
  // A letter's symbol carries over.
  // CHECK: nn.einsum "n->n" %{{[^ ,]+}} : (tensor<?xf32, #nn.dims<n>>) -> tensor<?xf32, #nn.dims<n>>
  %6 = nn.einsum "n->n" %w : (tensor<?xf32, #nn.dims<n>>) -> tensor<?xf32, #nn.dims<n>>
  // Explicit order; A has no static size anywhere.
  // CHECK: nn.einsum "bA,Ac->Acb" %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<2x?xi32>, tensor<?x7xi32>) -> tensor<?x7x2xi32>
  %7 = nn.einsum "bA,Ac->Acb" %c, %d : (tensor<2x?xi32>, tensor<?x7xi32>) -> tensor<?x7x2xi32>
  // Implicit order is ASCII: uppercase before lowercase.
  // CHECK: nn.einsum "bA" %{{[^ ,]+}} : (tensor<2x?xi32>) -> tensor<?x2xi32>
  %11 = nn.einsum "bA" %c : (tensor<2x?xi32>) -> tensor<?x2xi32>
  // An explicit result without '...' sums those dimensions.
  // CHECK: nn.einsum "i...->..." %{{[^ ,]+}} : (tensor<5x?x4x4xf32>) -> tensor<?x4x4xf32>
  %8 = nn.einsum "i...->..." %e : (tensor<5x?x4x4xf32>) -> tensor<?x4x4xf32>
  // A full sum.
  // CHECK: nn.einsum "ij->" %{{[^ ,]+}} : (tensor<3x3xf32>) -> tensor<f32>
  %9 = nn.einsum "ij->" %m : (tensor<3x3xf32>) -> tensor<f32>
  // An empty '...' in operand and result.
  // CHECK: nn.einsum "ij...->...ji" %{{[^ ,]+}} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %10 = nn.einsum "ij...->...ji" %m : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Convolution and transposed convolution
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @conv(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x8x32x32xf32>, %[[W:[^:]+]]: tensor<16x4x3x3xf32>, %[[BIAS:[^:]+]]: tensor<16xf32>, %[[D:[^:]+]]: tensor<?x3x?x?xf32, #nn.dims<batch, 3, h, w>>, %[[DW:[^:]+]]: tensor<8x3x3x3xf32>, %[[S:[^:]+]]: tensor<1x4x10xf16>, %[[SW:[^:]+]]: tensor<6x4x3xf16>
func.func @conv(%x: tensor<1x8x32x32xf32>, %w: tensor<16x4x3x3xf32>, %bias: tensor<16xf32>,
                %d: tensor<?x3x?x?xf32, #nn.dims<batch, 3, h, w>>, %dw: tensor<8x3x3x3xf32>,
                %s: tensor<1x4x10xf16>, %sw: tensor<6x4x3xf16>) {
  // Grouped, strided, padded, dilated 2-D convolution with a bias:
  // (32 + 1 + 1 - ((3 - 1) * 2 + 1)) / 2 + 1 = 15.
  // CHECK: nn.conv %[[X]], %[[W]], %[[BIAS]] {dilations = array<i64: 2, 2>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x32x32xf32>, tensor<16x4x3x3xf32>, tensor<16xf32>) -> tensor<1x16x15x15xf32>
  %0 = nn.conv %x, %w, %bias {group = 2 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 2>} : (tensor<1x8x32x32xf32>, tensor<16x4x3x3xf32>, tensor<16xf32>) -> tensor<1x16x15x15xf32>
  // Dynamic batch and spatial sizes; group = 1 and auto_pad = notset are
  // elided.
  // CHECK: nn.conv %[[D]], %[[DW]] : (tensor<?x3x?x?xf32, #nn.dims<batch, 3, h, w>>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32, #nn.dims<batch, 8, ?, ?>>
  %1 = nn.conv %d, %dw {group = 1 : i64, auto_pad = #nn.auto_pad<notset>} : (tensor<?x3x?x?xf32, #nn.dims<batch, 3, h, w>>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32, #nn.dims<batch, 8, ?, ?>>
  // 1-D convolution with auto_pad = same_upper: ceil(10 / 3) = 4.
  // CHECK: nn.conv %[[S]], %[[SW]] {auto_pad = #nn.auto_pad<same_upper>, strides = array<i64: 3>} : (tensor<1x4x10xf16>, tensor<6x4x3xf16>) -> tensor<1x6x4xf16>
  %2 = nn.conv %s, %sw {auto_pad = #nn.auto_pad<same_upper>, strides = array<i64: 3>} : (tensor<1x4x10xf16>, tensor<6x4x3xf16>) -> tensor<1x6x4xf16>
  // auto_pad = valid: (10 - 3) / 2 + 1 = 4.
  // CHECK: nn.conv %[[S]], %[[SW]] {auto_pad = #nn.auto_pad<valid>, strides = array<i64: 2>} : (tensor<1x4x10xf16>, tensor<6x4x3xf16>) -> tensor<1x6x4xf16>
  %3 = nn.conv %s, %sw {auto_pad = #nn.auto_pad<valid>, strides = array<i64: 2>} : (tensor<1x4x10xf16>, tensor<6x4x3xf16>) -> tensor<1x6x4xf16>
  // CHECK: nn.conv %[[S]], %[[SW]] {auto_pad = #nn.auto_pad<same_lower>} : (tensor<1x4x10xf16>, tensor<6x4x3xf16>) -> tensor<1x6x10xf16>
  %4 = nn.conv %s, %sw {auto_pad = #nn.auto_pad<same_lower>} : (tensor<1x4x10xf16>, tensor<6x4x3xf16>) -> tensor<1x6x10xf16>
  return
}

// -----

// CHECK-LABEL: func.func @conv_transpose(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x8x5x5xf32>, %[[W:[^:]+]]: tensor<8x2x3x3xf32>, %[[BIAS:[^:]+]]: tensor<4xf32>, %[[D:[^:]+]]: tensor<?x8x?xf32, #nn.dims<batch, 8, len>>, %[[DW:[^:]+]]: tensor<8x3x4xf32>
func.func @conv_transpose(%x: tensor<1x8x5x5xf32>, %w: tensor<8x2x3x3xf32>, %bias: tensor<4xf32>,
                          %d: tensor<?x8x?xf32, #nn.dims<batch, 8, len>>, %dw: tensor<8x3x4xf32>) {
  // 2 * (5 - 1) + 1 + 3 - 2 = 10 per spatial axis; 2 groups of 2 channels.
  // CHECK: nn.conv_transpose %[[X]], %[[W]], %[[BIAS]] {group = 2 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x10x10xf32>
  %0 = nn.conv_transpose %x, %w, %bias {group = 2 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x10x10xf32>
  // output_shape sets the spatial sizes.
  // CHECK: nn.conv_transpose %[[X]], %[[W]] {group = 2 : i64, output_shape = array<i64: 12, 11>, strides = array<i64: 2, 2>} : (tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32>) -> tensor<1x4x12x11xf32>
  %1 = nn.conv_transpose %x, %w {group = 2 : i64, strides = array<i64: 2, 2>, output_shape = array<i64: 12, 11>} : (tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32>) -> tensor<1x4x12x11xf32>
  // Dynamic 1-D input, dilated: the batch symbol survives.
  // CHECK: nn.conv_transpose %[[D]], %[[DW]] {dilations = array<i64: 2>} : (tensor<?x8x?xf32, #nn.dims<batch, 8, len>>, tensor<8x3x4xf32>) -> tensor<?x3x?xf32, #nn.dims<batch, 3, ?>>
  %2 = nn.conv_transpose %d, %dw {dilations = array<i64: 2>} : (tensor<?x8x?xf32, #nn.dims<batch, 8, len>>, tensor<8x3x4xf32>) -> tensor<?x3x?xf32, #nn.dims<batch, 3, ?>>
  // auto_pad = same_upper: in * stride.
  // CHECK: nn.conv_transpose %[[X]], %[[W]] {auto_pad = #nn.auto_pad<same_upper>, group = 2 : i64, strides = array<i64: 3, 3>} : (tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32>) -> tensor<1x4x15x15xf32>
  %3 = nn.conv_transpose %x, %w {group = 2 : i64, strides = array<i64: 3, 3>, auto_pad = #nn.auto_pad<same_upper>} : (tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32>) -> tensor<1x4x15x15xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @pooling(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>, %[[D:[^:]+]]: tensor<1x16x?xf32>, %[[V:[^:]+]]: tensor<2x4x8x8x8xf16>
func.func @pooling(%x: tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>, %d: tensor<1x16x?xf32>, %v: tensor<2x4x8x8x8xf16>) {
  // floor((6 - 3) / 2) + 1 = 2.
  // CHECK: nn.max_pool %[[X]] {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x2x2xf32, #nn.dims<batch, 3, 2, 2>>
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = false} : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x2x2xf32, #nn.dims<batch, 3, 2, 2>>
  // ceil_mode: ceil((6 - 3) / 2) + 1 = 3.
  // CHECK: nn.max_pool %[[X]] {ceil_mode = true, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x3x3xf32, #nn.dims<batch, 3, 3, 3>>
  %1 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x3x3xf32, #nn.dims<batch, 3, 3, 3>>
  // CHECK: nn.max_pool %[[D]] {dilations = array<i64: 2>, kernel_shape = array<i64: 2>, pads = array<i64: 1, 0>} : (tensor<1x16x?xf32>) -> tensor<1x16x?xf32>
  %2 = nn.max_pool %d {kernel_shape = array<i64: 2>, pads = array<i64: 1, 0>, dilations = array<i64: 2>} : (tensor<1x16x?xf32>) -> tensor<1x16x?xf32>
  // CHECK: nn.avg_pool %[[X]] {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>
  %3 = nn.avg_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>
  // CHECK: nn.avg_pool %[[V]] {auto_pad = #nn.auto_pad<same_upper>, kernel_shape = array<i64: 3, 3, 3>, strides = array<i64: 2, 2, 2>} : (tensor<2x4x8x8x8xf16>) -> tensor<2x4x4x4x4xf16>
  %4 = nn.avg_pool %v {kernel_shape = array<i64: 3, 3, 3>, strides = array<i64: 2, 2, 2>, auto_pad = #nn.auto_pad<same_upper>, count_include_pad = false} : (tensor<2x4x8x8x8xf16>) -> tensor<2x4x4x4x4xf16>
  // CHECK: nn.lp_pool %[[X]] {kernel_shape = array<i64: 2, 2>, p = 3 : i64, strides = array<i64: 2, 2>} : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x3x3xf32, #nn.dims<batch, 3, 3, 3>>
  %5 = nn.lp_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, p = 3 : i64} : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x3x3xf32, #nn.dims<batch, 3, 3, 3>>
  // The default p = 2 is elided.
  // CHECK: nn.lp_pool %[[D]] {kernel_shape = array<i64: 4>} : (tensor<1x16x?xf32>) -> tensor<1x16x?xf32>
  %6 = nn.lp_pool %d {kernel_shape = array<i64: 4>, p = 2 : i64} : (tensor<1x16x?xf32>) -> tensor<1x16x?xf32>
  // CHECK: nn.global_avg_pool %[[X]] : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x1x1xf32, #nn.dims<batch, 3, 1, 1>>
  %7 = nn.global_avg_pool %x : (tensor<?x3x6x6xf32, #nn.dims<batch, 3, 6, 6>>) -> tensor<?x3x1x1xf32, #nn.dims<batch, 3, 1, 1>>
  // CHECK: nn.global_max_pool %[[D]] : (tensor<1x16x?xf32>) -> tensor<1x16x1xf32>
  %8 = nn.global_max_pool %d : (tensor<1x16x?xf32>) -> tensor<1x16x1xf32>
  // CHECK: nn.global_max_pool %[[V]] : (tensor<2x4x8x8x8xf16>) -> tensor<2x4x1x1x1xf16>
  %9 = nn.global_max_pool %v : (tensor<2x4x8x8x8xf16>) -> tensor<2x4x1x1x1xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Reductions and arg reductions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reduce(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>, %[[I:[^:]+]]: tensor<3x4xi32>
func.func @reduce(%x: tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>, %i: tensor<3x4xi32>) {
  // keepdims (the default) keeps the reduced axis as size 1.
  // CHECK: nn.reduce <sum> %[[X]] {axes = array<i64: 2>} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?x?x1xf32, #nn.dims<batch, seq, 1>>
  %0 = nn.reduce <sum> %x {axes = array<i64: 2>, keepdims = true} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?x?x1xf32, #nn.dims<batch, seq, 1>>
  // CHECK: nn.reduce <mean> %[[X]] {axes = array<i64: 1>, keepdims = false} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  %1 = nn.reduce <mean> %x {axes = array<i64: 1>, keepdims = false} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  // Negative axes count from the back.
  // CHECK: nn.reduce <max> %[[X]] {axes = array<i64: -1, -2>, keepdims = false} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?xf32, #nn.dims<batch>>
  %2 = nn.reduce <max> %x {axes = array<i64: -1, -2>, keepdims = false} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?xf32, #nn.dims<batch>>
  // No axes: every axis is reduced.
  // CHECK: nn.reduce <min> %[[X]] : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<1x1x1xf32>
  %3 = nn.reduce <min> %x : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<1x1x1xf32>
  // CHECK: nn.reduce <prod> %[[I]] {keepdims = false} : (tensor<3x4xi32>) -> tensor<i32>
  %4 = nn.reduce <prod> %i {keepdims = false} : (tensor<3x4xi32>) -> tensor<i32>
  // CHECK: nn.reduce <l1> %[[I]] {axes = array<i64: 0>} : (tensor<3x4xi32>) -> tensor<1x4xi32>
  %5 = nn.reduce <l1> %i {axes = array<i64: 0>} : (tensor<3x4xi32>) -> tensor<1x4xi32>
  // CHECK: nn.reduce <l2> %[[X]] {axes = array<i64: 0, 2>} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<1x?x1xf32, #nn.dims<1, seq, 1>>
  %6 = nn.reduce <l2> %x {axes = array<i64: 0, 2>} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<1x?x1xf32, #nn.dims<1, seq, 1>>
  // CHECK: nn.reduce <log_sum> %[[X]] {axes = array<i64: 2>, keepdims = false} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?x?xf32, #nn.dims<batch, seq>>
  %7 = nn.reduce <log_sum> %x {axes = array<i64: 2>, keepdims = false} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?x?xf32, #nn.dims<batch, seq>>
  // CHECK: nn.reduce <log_sum_exp> %[[X]] {axes = array<i64: -1>} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?x?x1xf32>
  %8 = nn.reduce <log_sum_exp> %x {axes = array<i64: -1>} : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>) -> tensor<?x?x1xf32>
  // noop_with_empty_axes without axes reduces nothing.
  // CHECK: nn.reduce <sum_square> %[[I]] {noop_with_empty_axes = true} : (tensor<3x4xi32>) -> tensor<3x4xi32>
  %9 = nn.reduce <sum_square> %i {noop_with_empty_axes = true} : (tensor<3x4xi32>) -> tensor<3x4xi32>
  // CHECK: nn.reduce <sum_square> %[[I]] {axes = array<i64: 1>, keepdims = false, noop_with_empty_axes = true} : (tensor<3x4xi32>) -> tensor<3xi32>
  %10 = nn.reduce <sum_square> %i {axes = array<i64: 1>, keepdims = false, noop_with_empty_axes = true} : (tensor<3x4xi32>) -> tensor<3xi32>
  return
}

// -----

// CHECK-LABEL: func.func @arg_reduce(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x10xf32, #nn.dims<batch, 10>>, %[[I:[^:]+]]: tensor<4x5x6xi32>
func.func @arg_reduce(%x: tensor<?x10xf32, #nn.dims<batch, 10>>, %i: tensor<4x5x6xi32>) {
  // CHECK: nn.argmax %[[X]] {axis = 1 : i64, keepdims = false} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> tensor<?xi64, #nn.dims<batch>>
  %0 = nn.argmax %x {axis = 1 : i64, keepdims = false} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> tensor<?xi64, #nn.dims<batch>>
  // The defaults (axis 0, keepdims, first index) are elided.
  // CHECK: nn.argmax %[[I]] : (tensor<4x5x6xi32>) -> tensor<1x5x6xi64>
  %1 = nn.argmax %i {axis = 0 : i64, keepdims = true, select_last_index = false} : (tensor<4x5x6xi32>) -> tensor<1x5x6xi64>
  // CHECK: nn.argmin %[[I]] {axis = -1 : i64, select_last_index = true} : (tensor<4x5x6xi32>) -> tensor<4x5x1xi64>
  %2 = nn.argmin %i {axis = -1 : i64, select_last_index = true} : (tensor<4x5x6xi32>) -> tensor<4x5x1xi64>
  // CHECK: nn.argmin %[[X]] {keepdims = false} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> tensor<10xi64>
  %3 = nn.argmin %x {keepdims = false} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> tensor<10xi64>
  return
}


// -----

// CumSum and TopK: shape kept / axis replaced by k.
// CHECK-LABEL: func.func @cumsum(
func.func @cumsum(%x: tensor<?x8xf32, #nn.dims<batch, 8>>, %axis: tensor<i64>, %a1: tensor<1xi32>, %i: tensor<4xi64>) {
  // CHECK: nn.cumsum %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  %0 = nn.cumsum %x, %axis : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  // CHECK: nn.cumsum %{{[^ ,]+}}, %{{[^ ,]+}} {exclusive = true, reverse = true} : (tensor<4xi64>, tensor<1xi32>) -> tensor<4xi64>
  %1 = nn.cumsum %i, %a1 {exclusive = true, reverse = true} : (tensor<4xi64>, tensor<1xi32>) -> tensor<4xi64>
  %c = nn.constant dense<-1> : tensor<i64>
  // CHECK: nn.cumsum %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64>) -> tensor<?x8xf32>
  %2 = nn.cumsum %x, %c {exclusive = false} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64>) -> tensor<?x8xf32>
  return
}

// -----

// CHECK-LABEL: func.func @top_k(
func.func @top_k(%x: tensor<?x8xf32, #nn.dims<batch, 8>>, %k: tensor<1xi64>, %i: tensor<4x5xi32>) {
  %c = nn.constant dense<3> : tensor<1xi64>
  // CHECK: nn.top_k %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<1xi64>) -> (tensor<?x3xf32, #nn.dims<batch, 3>>, tensor<?x3xi64, #nn.dims<batch, 3>>)
  %0:2 = nn.top_k %x, %c : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<1xi64>) -> (tensor<?x3xf32, #nn.dims<batch, 3>>, tensor<?x3xi64, #nn.dims<batch, 3>>)
  // CHECK: nn.top_k %{{[^ ,]+}}, %{{[^ ,]+}} {axis = 0 : i64, largest = false, sorted = false} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<1xi64>) -> (tensor<?x8xf32>, tensor<?x8xi64>)
  %1:2 = nn.top_k %x, %k {axis = 0 : i64, largest = false, sorted = false} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<1xi64>) -> (tensor<?x8xf32>, tensor<?x8xi64>)
  // CHECK: nn.top_k %{{[^ ,]+}}, %{{[^ ,]+}} {axis = -2 : i64} : (tensor<4x5xi32>, tensor<1xi64>) -> (tensor<?x5xi32>, tensor<?x5xi64>)
  %2:2 = nn.top_k %i, %k {axis = -2 : i64, largest = true} : (tensor<4x5xi32>, tensor<1xi64>) -> (tensor<?x5xi32>, tensor<?x5xi64>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>, %[[H:[^:]+]]: tensor<4x7xf16>
func.func @softmax(%x: tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>, %h: tensor<4x7xf16>) {
  // The default axis -1 is elided.
  // CHECK: nn.softmax %[[X]] : (tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>) -> tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>
  %0 = nn.softmax %x {axis = -1 : i64} : (tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>) -> tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>
  // CHECK: nn.softmax %[[H]] {axis = 0 : i64} : (tensor<4x7xf16>) -> tensor<4x7xf16>
  %1 = nn.softmax %h {axis = 0 : i64} : (tensor<4x7xf16>) -> tensor<4x7xf16>
  // CHECK: nn.log_softmax %[[X]] {axis = 1 : i64} : (tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>) -> tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>
  %2 = nn.log_softmax %x {axis = 1 : i64} : (tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>) -> tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>
  // CHECK: nn.log_softmax %[[H]] : (tensor<4x7xf16>) -> tensor<4x7xf16>
  %3 = nn.log_softmax %h : (tensor<4x7xf16>) -> tensor<4x7xf16>
  // CHECK: nn.hardmax %[[H]] {axis = -2 : i64} : (tensor<4x7xf16>) -> tensor<4x7xf16>
  %4 = nn.hardmax %h {axis = -2 : i64} : (tensor<4x7xf16>) -> tensor<4x7xf16>
  // CHECK: nn.hardmax %[[X]] : (tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>) -> tensor<?x12x?x?xf32>
  %5 = nn.hardmax %x : (tensor<?x12x?x?xf32, #nn.dims<batch, 12, seq, seq>>) -> tensor<?x12x?x?xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @normalization(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>, %[[C:[^:]+]]: tensor<16xf32>, %[[T:[^:]+]]: tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>, %[[G:[^:]+]]: tensor<768xf32>, %[[G2:[^:]+]]: tensor<?x768xf32, #nn.dims<seq, 768>>, %[[Y:[^:]+]]: tensor<2x4xf16>, %[[Y4:[^:]+]]: tensor<4xf16>
func.func @normalization(%x: tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>, %c: tensor<16xf32>,
                         %t: tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>, %g: tensor<768xf32>,
                         %g2: tensor<?x768xf32, #nn.dims<seq, 768>>, %y: tensor<2x4xf16>, %y4: tensor<4xf16>) {
  // CHECK: nn.batch_norm %[[X]], %[[C]], %[[C]], %[[C]], %[[C]] {epsilon = 1.000000e-03 : f32} : (tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-3 : f32} : (tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>
  // A 2-D input (N x C); the default epsilon is elided.
  // CHECK: nn.batch_norm %[[Y]], %[[Y4]], %[[Y4]], %[[Y4]], %[[Y4]] : (tensor<2x4xf16>, tensor<4xf16>, tensor<4xf16>, tensor<4xf16>, tensor<4xf16>) -> tensor<2x4xf16>
  %1 = nn.batch_norm %y, %y4, %y4, %y4, %y4 {epsilon = 1.0e-5 : f32} : (tensor<2x4xf16>, tensor<4xf16>, tensor<4xf16>, tensor<4xf16>, tensor<4xf16>) -> tensor<2x4xf16>
  // CHECK: nn.layer_norm %[[T]], %[[G]], %[[G]] : (tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>, tensor<768xf32>, tensor<768xf32>) -> tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>
  %2 = nn.layer_norm %t, %g, %g : (tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>, tensor<768xf32>, tensor<768xf32>) -> tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>
  // Normalizing the last two axes, without a bias.
  // CHECK: nn.layer_norm %[[T]], %[[G2]] {axis = 1 : i64, epsilon = 9.99999996E-13 : f32} : (tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>, tensor<?x768xf32, #nn.dims<seq, 768>>) -> tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>
  %3 = nn.layer_norm %t, %g2 {axis = 1 : i64, epsilon = 1.0e-12 : f32} : (tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>, tensor<?x768xf32, #nn.dims<seq, 768>>) -> tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>
  // CHECK: nn.group_norm %[[X]], %[[C]], %[[C]] {num_groups = 4 : i64} : (tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>
  %4 = nn.group_norm %x, %c, %c {num_groups = 4 : i64} : (tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>
  // CHECK: nn.group_norm %[[Y]], %[[Y4]], %[[Y4]] {epsilon = 2.500000e-01 : f32, num_groups = 2 : i64} : (tensor<2x4xf16>, tensor<4xf16>, tensor<4xf16>) -> tensor<2x4xf16>
  %5 = nn.group_norm %y, %y4, %y4 {num_groups = 2 : i64, epsilon = 0.25 : f32} : (tensor<2x4xf16>, tensor<4xf16>, tensor<4xf16>) -> tensor<2x4xf16>
  // CHECK: nn.instance_norm %[[X]], %[[C]], %[[C]] {epsilon = 1.000000e-03 : f32} : (tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>
  %6 = nn.instance_norm %x, %c, %c {epsilon = 1.0e-3 : f32} : (tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>
  // CHECK: nn.instance_norm %[[X]], %[[C]], %[[C]] : (
  %7 = nn.instance_norm %x, %c, %c : (tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32, #nn.dims<batch, 16, 8, 8>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Reshape family
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>, %[[S:[^:]+]]: tensor<3xi64>, %[[Y:[^:]+]]: tensor<2x3x4xf16>
func.func @reshape(%x: tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>, %s: tensor<3xi64>, %y: tensor<2x3x4xf16>) {
  // CHECK: %[[MERGE:.+]] = nn.constant dense<[0, 0, -1]> : tensor<3xi64>
  %merge = nn.constant dense<[0, 0, -1]> : tensor<3xi64>
  // 0 copies the input's size and -1 is solved symbolically:
  // batch * seq * 12 * 64 / (batch * seq) = 768.
  // CHECK: nn.reshape %[[X]], %[[MERGE]] : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>, tensor<3xi64>) -> tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>
  %0 = nn.reshape %x, %merge : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>, tensor<3xi64>) -> tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>
  // A shape computed at run time: only the rank is known.
  // CHECK: nn.reshape %[[Y]], %[[S]] : (tensor<2x3x4xf16>, tensor<3xi64>) -> tensor<?x?x?xf16>
  %1 = nn.reshape %y, %s : (tensor<2x3x4xf16>, tensor<3xi64>) -> tensor<?x?x?xf16>
  // CHECK: %[[FLAT:.+]] = nn.constant dense<[-1, 6]> : tensor<2xi32>
  %flat = nn.constant dense<[-1, 6]> : tensor<2xi32>
  // CHECK: nn.reshape %[[Y]], %[[FLAT]] {allowzero = true} : (tensor<2x3x4xf16>, tensor<2xi32>) -> tensor<4x6xf16>
  %2 = nn.reshape %y, %flat {allowzero = true} : (tensor<2x3x4xf16>, tensor<2xi32>) -> tensor<4x6xf16>
  // CHECK: nn.reshape %[[Y]], %[[FLAT]] : (tensor<2x3x4xf16>, tensor<2xi32>) -> tensor<4x6xf16>
  %3 = nn.reshape %y, %flat {allowzero = false} : (tensor<2x3x4xf16>, tensor<2xi32>) -> tensor<4x6xf16>
  return
}

// -----

// CHECK-LABEL: func.func @flatten_squeeze_unsqueeze(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>, %[[O:[^:]+]]: tensor<1x?x1x8xf32, #nn.dims<1, n, 1, 8>>
func.func @flatten_squeeze_unsqueeze(%x: tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>, %o: tensor<1x?x1x8xf32, #nn.dims<1, n, 1, 8>>) {
  // The default axis 1 is elided; the batch symbol survives the product.
  // CHECK: nn.flatten %[[X]] : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<?x60xf32, #nn.dims<batch, 60>>
  %0 = nn.flatten %x {axis = 1 : i64} : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<?x60xf32, #nn.dims<batch, 60>>
  // CHECK: nn.flatten %[[X]] {axis = -1 : i64} : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<?x5xf32>
  %1 = nn.flatten %x {axis = -1 : i64} : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<?x5xf32>
  // axis 0 and axis = rank put everything in one dimension.
  // CHECK: nn.flatten %[[X]] {axis = 0 : i64} : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<1x?xf32>
  %2 = nn.flatten %x {axis = 0 : i64} : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<1x?xf32>
  // CHECK: nn.flatten %[[X]] {axis = 4 : i64} : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<?x1xf32>
  %3 = nn.flatten %x {axis = 4 : i64} : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<?x1xf32>
  // CHECK: nn.squeeze %[[O]] {axes = array<i64: 0, 2>} : (tensor<1x?x1x8xf32, #nn.dims<1, n, 1, 8>>) -> tensor<?x8xf32, #nn.dims<n, 8>>
  %4 = nn.squeeze %o {axes = array<i64: 0, 2>} : (tensor<1x?x1x8xf32, #nn.dims<1, n, 1, 8>>) -> tensor<?x8xf32, #nn.dims<n, 8>>
  // A dynamic dimension may be squeezed when named in axes.
  // CHECK: nn.squeeze %[[O]] {axes = array<i64: -3>} : (tensor<1x?x1x8xf32, #nn.dims<1, n, 1, 8>>) -> tensor<1x1x8xf32>
  %5 = nn.squeeze %o {axes = array<i64: -3>} : (tensor<1x?x1x8xf32, #nn.dims<1, n, 1, 8>>) -> tensor<1x1x8xf32>
  // CHECK: %[[SQ:.+]] = nn.squeeze %[[X]] {axes = array<i64: 0>} : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<3x4x5xf32>
  %6 = nn.squeeze %x {axes = array<i64: 0>} : (tensor<?x3x4x5xf32, #nn.dims<batch, 3, 4, 5>>) -> tensor<3x4x5xf32>
  // CHECK: %[[U:.+]] = nn.unsqueeze %[[SQ]] {axes = array<i64: 0, -1>} : (tensor<3x4x5xf32>) -> tensor<1x3x4x5x1xf32>
  %7 = nn.unsqueeze %6 {axes = array<i64: 0, -1>} : (tensor<3x4x5xf32>) -> tensor<1x3x4x5x1xf32>
  // Without axes every static 1 goes (all dimensions must be static).
  // CHECK: nn.squeeze %[[U]] : (tensor<1x3x4x5x1xf32>) -> tensor<3x4x5xf32>
  %8 = nn.squeeze %7 : (tensor<1x3x4x5x1xf32>) -> tensor<3x4x5xf32>
  // CHECK: nn.unsqueeze %[[O]] {axes = array<i64: 2>} : (tensor<1x?x1x8xf32, #nn.dims<1, n, 1, 8>>) -> tensor<1x?x1x1x8xf32, #nn.dims<1, n, 1, 1, 8>>
  %9 = nn.unsqueeze %o {axes = array<i64: 2>} : (tensor<1x?x1x8xf32, #nn.dims<1, n, 1, 8>>) -> tensor<1x?x1x1x8xf32, #nn.dims<1, n, 1, 1, 8>>
  return
}

// -----

// CHECK-LABEL: func.func @transpose(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>, %[[Y:[^:]+]]: tensor<2x?x4xi8>
func.func @transpose(%x: tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>, %y: tensor<2x?x4xi8>) {
  // CHECK: nn.transpose %[[X]] {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<?x12x?x64xf32, #nn.dims<batch, 12, seq, 64>>
  %0 = nn.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<?x12x?x64xf32, #nn.dims<batch, 12, seq, 64>>
  // Without perm the dimensions are reversed.
  // CHECK: nn.transpose %[[Y]] : (tensor<2x?x4xi8>) -> tensor<4x?x2xi8>
  %1 = nn.transpose %y : (tensor<2x?x4xi8>) -> tensor<4x?x2xi8>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Slice, concat, split
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @slice(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, %[[DS:[^:]+]]: tensor<1xi32>, %[[DE:[^:]+]]: tensor<1xi32>, %[[DA:[^:]+]]: tensor<1xi32>, %[[DT:[^:]+]]: tensor<1xi32>
func.func @slice(%x: tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, %ds: tensor<1xi32>, %de: tensor<1xi32>, %da: tensor<1xi32>, %dt: tensor<1xi32>) {
  // CHECK-DAG: %[[STARTS:.+]] = nn.constant dense<[1, -1]> : tensor<2xi64>
  // CHECK-DAG: %[[ENDS:.+]] = nn.constant dense<[9, -9]> : tensor<2xi64>
  // CHECK-DAG: %[[AXES:.+]] = nn.constant dense<[1, 2]> : tensor<2xi64>
  // CHECK-DAG: %[[STEPS:.+]] = nn.constant dense<[2, -1]> : tensor<2xi64>
  %starts = nn.constant dense<[1, -1]> : tensor<2xi64>
  %ends = nn.constant dense<[9, -9]> : tensor<2xi64>
  %axes = nn.constant dense<[1, 2]> : tensor<2xi64>
  %steps = nn.constant dense<[2, -1]> : tensor<2xi64>
  // Axis 1: [1, 9) step 2 gives 4; axis 2 reversed whole gives 8.
  // CHECK: nn.slice %[[X]], %[[STARTS]], %[[ENDS]] axes %[[AXES]] steps %[[STEPS]] : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x4x8xf32, #nn.dims<batch, 4, 8>>
  %0 = nn.slice %x, %starts, %ends axes %axes steps %steps : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x4x8xf32, #nn.dims<batch, 4, 8>>
  // Axes without steps; an end past the dimension is clamped.
  // CHECK: %[[S2:.+]] = nn.constant dense<[2, 3]> : tensor<2xi64>
  // CHECK: %[[E2:.+]] = nn.constant dense<[9223372036854775807, 100]> : tensor<2xi64>
  %s2 = nn.constant dense<[2, 3]> : tensor<2xi64>
  %e2 = nn.constant dense<[9223372036854775807, 100]> : tensor<2xi64>
  // CHECK: nn.slice %[[X]], %[[S2]], %[[E2]] axes %[[AXES]] : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x8x5xf32, #nn.dims<batch, 8, 5>>
  %1 = nn.slice %x, %s2, %e2 axes %axes : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x8x5xf32, #nn.dims<batch, 8, 5>>
  // Without axes the bounds apply to the leading dimensions.
  // CHECK: nn.slice %[[X]], %[[S2]], %[[E2]] : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x7x8xf32>
  %2 = nn.slice %x, %s2, %e2 : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x7x8xf32>
  // Run-time bounds: the sliced dimension is dynamic.
  // CHECK: %[[A1:.+]] = nn.constant dense<1> : tensor<1xi32>
  %a1 = nn.constant dense<1> : tensor<1xi32>
  // CHECK: nn.slice %[[X]], %[[DS]], %[[DE]] axes %[[A1]] : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x?x8xf32, #nn.dims<batch, ?, 8>>
  %3 = nn.slice %x, %ds, %de axes %a1 : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x?x8xf32, #nn.dims<batch, ?, 8>>
  // Run-time axes and steps. A run-time step only makes the sliced
  // dimension dynamic; a run-time axis may pick any dimension.
  // CHECK: nn.slice %[[X]], %[[DS]], %[[DE]] axes %[[A1]] steps %[[DT]] : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x?x8xf32, #nn.dims<batch, ?, 8>>
  %4 = nn.slice %x, %ds, %de axes %a1 steps %dt : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x?x8xf32, #nn.dims<batch, ?, 8>>
  // CHECK: nn.slice %[[X]], %[[DS]], %[[DE]] axes %[[DA]] steps %[[DT]] : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x?x?xf32>
  %5 = nn.slice %x, %ds, %de axes %da steps %dt : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x?x?xf32>
  // CHECK: %[[S1:.+]] = nn.constant dense<0> : tensor<1xi32>
  // CHECK: %[[E1:.+]] = nn.constant dense<4> : tensor<1xi32>
  %s1 = nn.constant dense<[0]> : tensor<1xi32>
  %e1 = nn.constant dense<[4]> : tensor<1xi32>
  // CHECK: nn.slice %[[X]], %[[S1]], %[[E1]] axes %[[DA]] : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x?x?xf32>
  %6 = nn.slice %x, %s1, %e1 axes %da : (tensor<?x10x8xf32, #nn.dims<batch, 10, 8>>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x?x?xf32>
  return
}

// -----

// CHECK-LABEL: func.func @concat(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?x4xf32, #nn.dims<batch, 4>>, %[[B:[^:]+]]: tensor<?x2xf32, #nn.dims<batch, 2>>, %[[C:[^:]+]]: tensor<?x?xf32>, %[[I:[^:]+]]: tensor<3xi64>
func.func @concat(%a: tensor<?x4xf32, #nn.dims<batch, 4>>, %b: tensor<?x2xf32, #nn.dims<batch, 2>>, %c: tensor<?x?xf32>, %i: tensor<3xi64>) {
  // CHECK: nn.concat %[[A]], %[[B]], %[[A]] {axis = 1 : i64} : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x2xf32, #nn.dims<batch, 2>>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x10xf32, #nn.dims<batch, 10>>
  %0 = nn.concat %a, %b, %a {axis = 1 : i64} : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x2xf32, #nn.dims<batch, 2>>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x10xf32, #nn.dims<batch, 10>>
  // A dynamic size along the axis makes the result dynamic; the other
  // dimension keeps the most precise knowledge.
  // CHECK: nn.concat %[[C]], %[[A]] {axis = -1 : i64} : (tensor<?x?xf32>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x?xf32, #nn.dims<batch, ?>>
  %1 = nn.concat %c, %a {axis = -1 : i64} : (tensor<?x?xf32>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x?xf32, #nn.dims<batch, ?>>
  // CHECK: nn.concat %[[A]], %[[A]] {axis = 0 : i64} : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32>
  %2 = nn.concat %a, %a {axis = 0 : i64} : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32>
  // A single input.
  // CHECK: nn.concat %[[I]] {axis = 0 : i64} : (tensor<3xi64>) -> tensor<3xi64>
  %3 = nn.concat %i {axis = 0 : i64} : (tensor<3xi64>) -> tensor<3xi64>
  return
}

// -----

// CHECK-LABEL: func.func @split(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x10xf32, #nn.dims<batch, 10>>, %[[D:[^:]+]]: tensor<?x6xi32>
func.func @split(%x: tensor<?x10xf32, #nn.dims<batch, 10>>, %d: tensor<?x6xi32>) {
  // With sizes.
  // CHECK: %{{.+}}:2 = nn.split %[[X]] {axis = 1 : i64, num_outputs = 2 : i64, sizes = array<i64: 3, 7>} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> (tensor<?x3xf32, #nn.dims<batch, 3>>, tensor<?x7xf32, #nn.dims<batch, 7>>)
  %0:2 = nn.split %x {axis = 1 : i64, num_outputs = 2 : i64, sizes = array<i64: 3, 7>} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> (tensor<?x3xf32, #nn.dims<batch, 3>>, tensor<?x7xf32, #nn.dims<batch, 7>>)
  // Equal pieces, the last one smaller: 4, 4, 2.
  // CHECK: %{{.+}}:3 = nn.split %[[X]] {axis = -1 : i64, num_outputs = 3 : i64} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x2xf32, #nn.dims<batch, 2>>)
  %1:3 = nn.split %x {axis = -1 : i64, num_outputs = 3 : i64} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x2xf32, #nn.dims<batch, 2>>)
  // Along a dynamic axis (the default axis 0 is elided).
  // CHECK: %{{.+}}:2 = nn.split %[[D]] {num_outputs = 2 : i64} : (tensor<?x6xi32>) -> (tensor<?x6xi32>, tensor<?x6xi32>)
  %2:2 = nn.split %d {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<?x6xi32>) -> (tensor<?x6xi32>, tensor<?x6xi32>)
  // Static sizes along a dynamic axis.
  // CHECK: %{{.+}}:2 = nn.split %[[D]] {num_outputs = 2 : i64, sizes = array<i64: 1, 5>} : (tensor<?x6xi32>) -> (tensor<1x6xi32>, tensor<5x6xi32>)
  %3:2 = nn.split %d {num_outputs = 2 : i64, sizes = array<i64: 1, 5>} : (tensor<?x6xi32>) -> (tensor<1x6xi32>, tensor<5x6xi32>)
  // A single output.
  // CHECK: %{{.+}} = nn.split %[[X]] {axis = 1 : i64, num_outputs = 1 : i64} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> tensor<?x10xf32, #nn.dims<batch, 10>>
  %4 = nn.split %x {axis = 1 : i64, num_outputs = 1 : i64} : (tensor<?x10xf32, #nn.dims<batch, 10>>) -> tensor<?x10xf32, #nn.dims<batch, 10>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Gather and scatter
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gather(
// CHECK-SAME: %[[T:[^:]+]]: tensor<1000x16xf32>, %[[IDS:[^:]+]]: tensor<?x?xi64, #nn.dims<batch, seq>>, %[[D:[^:]+]]: tensor<3x5x7xf16>, %[[I:[^:]+]]: tensor<2xi32>, %[[S:[^:]+]]: tensor<i64>
func.func @gather(%table: tensor<1000x16xf32>, %ids: tensor<?x?xi64, #nn.dims<batch, seq>>, %d: tensor<3x5x7xf16>, %i: tensor<2xi32>, %s: tensor<i64>) {
  // An embedding lookup: data.shape[:0] + indices.shape + data.shape[1:].
  // CHECK: nn.gather %[[T]], %[[IDS]] : (tensor<1000x16xf32>, tensor<?x?xi64, #nn.dims<batch, seq>>) -> tensor<?x?x16xf32, #nn.dims<batch, seq, 16>>
  %0 = nn.gather %table, %ids {axis = 0 : i64} : (tensor<1000x16xf32>, tensor<?x?xi64, #nn.dims<batch, seq>>) -> tensor<?x?x16xf32, #nn.dims<batch, seq, 16>>
  // CHECK: nn.gather %[[D]], %[[I]] {axis = 1 : i64} : (tensor<3x5x7xf16>, tensor<2xi32>) -> tensor<3x2x7xf16>
  %1 = nn.gather %d, %i {axis = 1 : i64} : (tensor<3x5x7xf16>, tensor<2xi32>) -> tensor<3x2x7xf16>
  // A 0-d index removes the axis.
  // CHECK: nn.gather %[[D]], %[[S]] {axis = -1 : i64} : (tensor<3x5x7xf16>, tensor<i64>) -> tensor<3x5xf16>
  %2 = nn.gather %d, %s {axis = -1 : i64} : (tensor<3x5x7xf16>, tensor<i64>) -> tensor<3x5xf16>
  return
}

// -----

// CHECK-LABEL: func.func @gather_elements_nd(
// CHECK-SAME: %[[D:[^:]+]]: tensor<3x5xf32>, %[[I:[^:]+]]: tensor<3x2xi64>, %[[DI:[^:]+]]: tensor<?x2xi32, #nn.dims<n, 2>>, %[[B:[^:]+]]: tensor<2x3x4xf32>, %[[BI:[^:]+]]: tensor<2x1xi64>, %[[ND:[^:]+]]: tensor<5x4x3xi8>, %[[NI:[^:]+]]: tensor<?x2xi64>
func.func @gather_elements_nd(%d: tensor<3x5xf32>, %i: tensor<3x2xi64>, %di: tensor<?x2xi32, #nn.dims<n, 2>>,
                              %b: tensor<2x3x4xf32>, %bi: tensor<2x1xi64>, %nd: tensor<5x4x3xi8>, %ni: tensor<?x2xi64>) {
  // The result has the indices' shape.
  // CHECK: nn.gather_elements %[[D]], %[[I]] {axis = 1 : i64} : (tensor<3x5xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %0 = nn.gather_elements %d, %i {axis = 1 : i64} : (tensor<3x5xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  // CHECK: nn.gather_elements %[[D]], %[[DI]] : (tensor<3x5xf32>, tensor<?x2xi32, #nn.dims<n, 2>>) -> tensor<?x2xf32, #nn.dims<n, 2>>
  %1 = nn.gather_elements %d, %di {axis = 0 : i64} : (tensor<3x5xf32>, tensor<?x2xi32, #nn.dims<n, 2>>) -> tensor<?x2xf32, #nn.dims<n, 2>>
  // batch_dims = 1: indices.shape[:-1] + data.shape[1 + 1:].
  // CHECK: nn.gather_nd %[[B]], %[[BI]] {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  %2 = nn.gather_nd %b, %bi {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  // CHECK: nn.gather_nd %[[ND]], %[[NI]] : (tensor<5x4x3xi8>, tensor<?x2xi64>) -> tensor<?x3xi8>
  %3 = nn.gather_nd %nd, %ni : (tensor<5x4x3xi8>, tensor<?x2xi64>) -> tensor<?x3xi8>
  return
}

// -----

// CHECK-LABEL: func.func @scatter(
// CHECK-SAME: %[[D:[^:]+]]: tensor<?x8xf32, #nn.dims<batch, 8>>, %[[I:[^:]+]]: tensor<?x2xi64, #nn.dims<batch, 2>>, %[[U:[^:]+]]: tensor<?x2xf32, #nn.dims<batch, 2>>, %[[ND:[^:]+]]: tensor<4x5x6xi32>, %[[NI:[^:]+]]: tensor<2x1xi64>, %[[NU:[^:]+]]: tensor<2x5x6xi32>
func.func @scatter(%d: tensor<?x8xf32, #nn.dims<batch, 8>>, %i: tensor<?x2xi64, #nn.dims<batch, 2>>, %u: tensor<?x2xf32, #nn.dims<batch, 2>>,
                   %nd: tensor<4x5x6xi32>, %ni: tensor<2x1xi64>, %nu: tensor<2x5x6xi32>) {
  // CHECK: nn.scatter_elements %[[D]], %[[I]], %[[U]] {axis = 1 : i64, reduction = #nn.scatter_reduction<add>} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<?x2xi64, #nn.dims<batch, 2>>, tensor<?x2xf32, #nn.dims<batch, 2>>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  %0 = nn.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = #nn.scatter_reduction<add>} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<?x2xi64, #nn.dims<batch, 2>>, tensor<?x2xf32, #nn.dims<batch, 2>>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  // The default reduction (none) and axis are elided.
  // CHECK: nn.scatter_elements %[[D]], %[[I]], %[[U]] : (
  %1 = nn.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = #nn.scatter_reduction<none>} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<?x2xi64, #nn.dims<batch, 2>>, tensor<?x2xf32, #nn.dims<batch, 2>>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  // CHECK: nn.scatter_nd %[[ND]], %[[NI]], %[[NU]] {reduction = #nn.scatter_reduction<mul>} : (tensor<4x5x6xi32>, tensor<2x1xi64>, tensor<2x5x6xi32>) -> tensor<4x5x6xi32>
  %2 = nn.scatter_nd %nd, %ni, %nu {reduction = #nn.scatter_reduction<mul>} : (tensor<4x5x6xi32>, tensor<2x1xi64>, tensor<2x5x6xi32>) -> tensor<4x5x6xi32>
  // CHECK: nn.scatter_nd %[[ND]], %[[NI]], %[[NU]] {reduction = #nn.scatter_reduction<max>} :
  %3 = nn.scatter_nd %nd, %ni, %nu {reduction = #nn.scatter_reduction<max>} : (tensor<4x5x6xi32>, tensor<2x1xi64>, tensor<2x5x6xi32>) -> tensor<4x5x6xi32>
  // CHECK: nn.scatter_nd %[[ND]], %[[NI]], %[[NU]] : (tensor<4x5x6xi32>, tensor<2x1xi64>, tensor<2x5x6xi32>) -> tensor<4x5x6xi32>
  %4 = nn.scatter_nd %nd, %ni, %nu : (tensor<4x5x6xi32>, tensor<2x1xi64>, tensor<2x5x6xi32>) -> tensor<4x5x6xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Pad, expand, tile, resize
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @pad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4xf32, #nn.dims<batch, 4>>, %[[V:[^:]+]]: tensor<f32>, %[[Y:[^:]+]]: tensor<3x4xi32>, %[[P:[^:]+]]: tensor<4xi64>
func.func @pad(%x: tensor<?x4xf32, #nn.dims<batch, 4>>, %v: tensor<f32>, %y: tensor<3x4xi32>, %p: tensor<4xi64>) {
  // CHECK: %[[PADS:.+]] = nn.constant dense<[0, 1, 0, 2]> : tensor<4xi64>
  %pads = nn.constant dense<[0, 1, 0, 2]> : tensor<4xi64>
  // Zero pads keep the batch symbol; 4 + 1 + 2 = 7.
  // CHECK: nn.pad %[[X]], %[[PADS]], %[[V]] : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xi64>, tensor<f32>) -> tensor<?x7xf32, #nn.dims<batch, 7>>
  %0 = nn.pad %x, %pads, %v {mode = #nn.pad_mode<constant>} : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xi64>, tensor<f32>) -> tensor<?x7xf32, #nn.dims<batch, 7>>
  // CHECK: %[[PADS2:.+]] = nn.constant dense<[1, 2, 1, -1]> : tensor<4xi32>
  %pads2 = nn.constant dense<[1, 2, 1, -1]> : tensor<4xi32>
  // A negative pad crops: 3 + 1 + 1 = 5, 4 + 2 - 1 = 5.
  // CHECK: nn.pad %[[Y]], %[[PADS2]] {mode = #nn.pad_mode<reflect>} : (tensor<3x4xi32>, tensor<4xi32>) -> tensor<5x5xi32>
  %1 = nn.pad %y, %pads2 {mode = #nn.pad_mode<reflect>} : (tensor<3x4xi32>, tensor<4xi32>) -> tensor<5x5xi32>
  // CHECK: nn.pad %[[Y]], %[[PADS2]] {mode = #nn.pad_mode<edge>} : (tensor<3x4xi32>, tensor<4xi32>) -> tensor<5x5xi32>
  %2 = nn.pad %y, %pads2 {mode = #nn.pad_mode<edge>} : (tensor<3x4xi32>, tensor<4xi32>) -> tensor<5x5xi32>
  // Pads computed at run time.
  // CHECK: nn.pad %[[X]], %[[P]] {mode = #nn.pad_mode<wrap>} : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xi64>) -> tensor<?x?xf32>
  %3 = nn.pad %x, %p {mode = #nn.pad_mode<wrap>} : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<4xi64>) -> tensor<?x?xf32>
  return
}

// -----

// CHECK-LABEL: func.func @expand_tile(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3x1xf32>, %[[B:[^:]+]]: tensor<?x1xf32, #nn.dims<batch, 1>>, %[[R:[^:]+]]: tensor<2xi64>, %[[Y:[^:]+]]: tensor<?x4xi8, #nn.dims<batch, 4>>
func.func @expand_tile(%x: tensor<3x1xf32>, %b: tensor<?x1xf32, #nn.dims<batch, 1>>, %r: tensor<2xi64>, %y: tensor<?x4xi8, #nn.dims<batch, 4>>) {
  // CHECK: %[[S3:.+]] = nn.constant dense<[2, 1, 6]> : tensor<3xi64>
  %s3 = nn.constant dense<[2, 1, 6]> : tensor<3xi64>
  // Bidirectional broadcast of [3, 1] and [2, 1, 6].
  // CHECK: nn.expand %[[X]], %[[S3]] : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x6xf32>
  %0 = nn.expand %x, %s3 : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x6xf32>
  // CHECK: %[[S2:.+]] = nn.constant dense<[1, 5]> : tensor<2xi32>
  %s2 = nn.constant dense<[1, 5]> : tensor<2xi32>
  // CHECK: nn.expand %[[B]], %[[S2]] : (tensor<?x1xf32, #nn.dims<batch, 1>>, tensor<2xi32>) -> tensor<?x5xf32, #nn.dims<batch, 5>>
  %1 = nn.expand %b, %s2 : (tensor<?x1xf32, #nn.dims<batch, 1>>, tensor<2xi32>) -> tensor<?x5xf32, #nn.dims<batch, 5>>
  // A run-time shape: sizes that are 1 in the input become dynamic.
  // CHECK: nn.expand %[[X]], %[[R]] : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x?xf32>
  %2 = nn.expand %x, %r : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x?xf32>
  // CHECK: %[[REP:.+]] = nn.constant dense<[1, 3]> : tensor<2xi64>
  %rep = nn.constant dense<[1, 3]> : tensor<2xi64>
  // CHECK: nn.tile %[[Y]], %[[REP]] : (tensor<?x4xi8, #nn.dims<batch, 4>>, tensor<2xi64>) -> tensor<?x12xi8, #nn.dims<batch, 12>>
  %3 = nn.tile %y, %rep : (tensor<?x4xi8, #nn.dims<batch, 4>>, tensor<2xi64>) -> tensor<?x12xi8, #nn.dims<batch, 12>>
  // CHECK: nn.tile %[[X]], %[[R]] : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %4 = nn.tile %x, %r : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

// CHECK-LABEL: func.func @resize(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x3x32x32xf32>, %[[B:[^:]+]]: tensor<?x3x32x32xf32, #nn.dims<batch, 3, 32, 32>>, %[[RS:[^:]+]]: tensor<4xf32>
func.func @resize(%x: tensor<1x3x32x32xf32>, %b: tensor<?x3x32x32xf32, #nn.dims<batch, 3, 32, 32>>, %rs: tensor<4xf32>) {
  // CHECK: %[[SIZES:.+]] = nn.constant dense<[1, 3, 64, 48]> : tensor<4xi64>
  %sizes = nn.constant dense<[1, 3, 64, 48]> : tensor<4xi64>
  // With sizes.
  // CHECK: nn.resize %[[X]] sizes %[[SIZES]] {coordinate_transform = #nn.coordinate_transform<align_corners>, mode = #nn.resize_mode<linear>} : (tensor<1x3x32x32xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  %0 = nn.resize %x sizes %sizes {mode = #nn.resize_mode<linear>, coordinate_transform = #nn.coordinate_transform<align_corners>} : (tensor<1x3x32x32xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  // CHECK: %[[SCALES:.+]] = nn.constant dense<[1.000000e+00, 1.000000e+00, 2.000000e+00, 5.000000e-01]> : tensor<4xf32>
  %scales = nn.constant dense<[1.0, 1.0, 2.0, 0.5]> : tensor<4xf32>
  // With scales: a scale of 1 keeps the batch symbol.
  // CHECK: nn.resize %[[B]] scales %[[SCALES]] {cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = true, mode = #nn.resize_mode<cubic>} : (tensor<?x3x32x32xf32, #nn.dims<batch, 3, 32, 32>>, tensor<4xf32>) -> tensor<?x3x64x16xf32, #nn.dims<batch, 3, 64, 16>>
  %1 = nn.resize %b scales %scales {mode = #nn.resize_mode<cubic>, cubic_coeff_a = -0.5 : f32, exclude_outside = true} : (tensor<?x3x32x32xf32, #nn.dims<batch, 3, 32, 32>>, tensor<4xf32>) -> tensor<?x3x64x16xf32, #nn.dims<batch, 3, 64, 16>>
  // Nearest with non-default rounding and transform; the defaults of the
  // other attributes are elided.
  // CHECK: nn.resize %[[X]] scales %[[SCALES]] {coordinate_transform = #nn.coordinate_transform<asymmetric>, nearest_rounding = #nn.nearest_rounding<floor>} : (tensor<1x3x32x32xf32>, tensor<4xf32>) -> tensor<1x3x64x16xf32>
  %2 = nn.resize %x scales %scales {mode = #nn.resize_mode<nearest>, coordinate_transform = #nn.coordinate_transform<asymmetric>, nearest_rounding = #nn.nearest_rounding<floor>, cubic_coeff_a = -0.75 : f32, exclude_outside = false, extrapolation_value = 0.0 : f32} : (tensor<1x3x32x32xf32>, tensor<4xf32>) -> tensor<1x3x64x16xf32>
  // Scales computed at run time.
  // CHECK: nn.resize %[[B]] scales %[[RS]] : (tensor<?x3x32x32xf32, #nn.dims<batch, 3, 32, 32>>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  %3 = nn.resize %b scales %rs : (tensor<?x3x32x32xf32, #nn.dims<batch, 3, 32, 32>>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  // tf_crop_and_resize reads roi.
  // CHECK: %[[ROI:.+]] = nn.constant dense<[0.000000e+00, 0.000000e+00, 2.500000e-01, 2.500000e-01, 1.000000e+00, 1.000000e+00, 7.500000e-01, 7.500000e-01]> : tensor<8xf32>
  %roi = nn.constant dense<[0.0, 0.0, 0.25, 0.25, 1.0, 1.0, 0.75, 0.75]> : tensor<8xf32>
  // CHECK: nn.resize %[[X]] roi %[[ROI]] sizes %[[SIZES]] {coordinate_transform = #nn.coordinate_transform<tf_crop_and_resize>, extrapolation_value = 1.000000e+00 : f32, mode = #nn.resize_mode<linear>} : (tensor<1x3x32x32xf32>, tensor<8xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  %4 = nn.resize %x roi %roi sizes %sizes {mode = #nn.resize_mode<linear>, coordinate_transform = #nn.coordinate_transform<tf_crop_and_resize>, extrapolation_value = 1.0 : f32} : (tensor<1x3x32x32xf32>, tensor<8xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  // CHECK: nn.resize %[[X]] sizes %[[SIZES]] {coordinate_transform = #nn.coordinate_transform<pytorch_half_pixel>, nearest_rounding = #nn.nearest_rounding<round_prefer_ceil>} :
  %5 = nn.resize %x sizes %sizes {coordinate_transform = #nn.coordinate_transform<pytorch_half_pixel>, nearest_rounding = #nn.nearest_rounding<round_prefer_ceil>} : (tensor<1x3x32x32xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  // CHECK: nn.resize %[[X]] sizes %[[SIZES]] {coordinate_transform = #nn.coordinate_transform<half_pixel_symmetric>, nearest_rounding = #nn.nearest_rounding<ceil>} :
  %6 = nn.resize %x sizes %sizes {coordinate_transform = #nn.coordinate_transform<half_pixel_symmetric>, nearest_rounding = #nn.nearest_rounding<ceil>} : (tensor<1x3x32x32xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  // Scales and sizes: the sizes give the result's shape (the scales map
  // coordinates).
  // CHECK: nn.resize %[[X]] scales %[[SCALES]] sizes %[[SIZES]] : (tensor<1x3x32x32xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  %7 = nn.resize %x scales %scales sizes %sizes : (tensor<1x3x32x32xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  // CHECK: nn.resize %[[X]] scales %[[SCALES]] {antialias = true, mode = #nn.resize_mode<linear>} : (tensor<1x3x32x32xf32>, tensor<4xf32>) -> tensor<1x3x64x16xf32>
  %8 = nn.resize %x scales %scales {antialias = true, mode = #nn.resize_mode<linear>} : (tensor<1x3x32x32xf32>, tensor<4xf32>) -> tensor<1x3x64x16xf32>
  return
}

// -----

// The output size is floor(size * scale) computed in the scale's precision,
// as ONNX does: with f32 scales 10 * 0.7 is exactly 7 (in f64, 10 times the
// f32 0.7 = 0.699999988 would be 6.99999988, floored to 6).
// CHECK-LABEL: func.func @resize_scale_precision(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x1x10x10xf32>
func.func @resize_scale_precision(%x: tensor<1x1x10x10xf32>) {
  // CHECK: %[[SCALES:.+]] = nn.constant dense<[1.000000e+00, 1.000000e+00, 0.699999988, 0.699999988]> : tensor<4xf32>
  %scales = nn.constant dense<[1.0, 1.0, 0.7, 0.7]> : tensor<4xf32>
  // CHECK: nn.resize %[[X]] scales %[[SCALES]] : (tensor<1x1x10x10xf32>, tensor<4xf32>) -> tensor<1x1x7x7xf32>
  %0 = nn.resize %x scales %scales : (tensor<1x1x10x10xf32>, tensor<4xf32>) -> tensor<1x1x7x7xf32>
  // A scale that leaves less than one element gives a size of 0.
  // CHECK: %[[SMALL:.+]] = nn.constant dense<[1.000000e+00, 1.000000e+00, 5.000000e-02, 1.000000e+00]> : tensor<4xf32>
  %small = nn.constant dense<[1.0, 1.0, 0.05, 1.0]> : tensor<4xf32>
  // CHECK: nn.resize %[[X]] scales %[[SMALL]] : (tensor<1x1x10x10xf32>, tensor<4xf32>) -> tensor<1x1x0x10xf32>
  %1 = nn.resize %x scales %small : (tensor<1x1x10x10xf32>, tensor<4xf32>) -> tensor<1x1x0x10xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Shape queries and constants
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @shape_of_size(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>, %[[S:[^:]+]]: tensor<f16>
func.func @shape_of_size(%x: tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>, %s: tensor<f16>) {
  // CHECK: nn.shape_of %[[X]] : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<4xi64>
  %0 = nn.shape_of %x {start = 0 : i64} : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<4xi64>
  // CHECK: nn.shape_of %[[X]] {end = -1 : i64, start = 1 : i64} : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<2xi64>
  %1 = nn.shape_of %x {start = 1 : i64, end = -1 : i64} : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<2xi64>
  // Out-of-range bounds are clamped, as in ONNX Shape.
  // CHECK: nn.shape_of %[[X]] {end = 10 : i64, start = -2 : i64} : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<2xi64>
  %2 = nn.shape_of %x {start = -2 : i64, end = 10 : i64} : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<2xi64>
  // CHECK: nn.shape_of %[[S]] : (tensor<f16>) -> tensor<0xi64>
  %3 = nn.shape_of %s : (tensor<f16>) -> tensor<0xi64>
  // CHECK: nn.size %[[X]] : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<i64>
  %4 = nn.size %x : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>) -> tensor<i64>
  // CHECK: nn.size %[[S]] : (tensor<f16>) -> tensor<i64>
  %5 = nn.size %s : (tensor<f16>) -> tensor<i64>
  return
}


// -----

// NonZero: rank x (data-dependent count).
// CHECK-LABEL: func.func @non_zero(
func.func @non_zero(%x: tensor<?x8xf32, #nn.dims<batch, 8>>, %b: tensor<i1>, %i: tensor<2x3x4xi32>) {
  // CHECK: nn.non_zero %{{[^ ,]+}} : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<2x?xi64>
  %0 = nn.non_zero %x : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<2x?xi64>
  // CHECK: nn.non_zero %{{[^ ,]+}} : (tensor<i1>) -> tensor<0x?xi64>
  %1 = nn.non_zero %b : (tensor<i1>) -> tensor<0x?xi64>
  // CHECK: nn.non_zero %{{[^ ,]+}} : (tensor<2x3x4xi32>) -> tensor<3x?xi64, #nn.dims<3, nnz>>
  %2 = nn.non_zero %i : (tensor<2x3x4xi32>) -> tensor<3x?xi64, #nn.dims<3, nnz>>
  return
}

// -----

// CHECK-LABEL: func.func @constant(
func.func @constant() -> (tensor<2x2xf32>, tensor<3xi64>, tensor<i1>, tensor<2x3xf32>, tensor<4xf16>, tensor<0xi64>) {
  // CHECK: nn.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: nn.constant dense<[1, -1, 9223372036854775807]> : tensor<3xi64>
  %1 = nn.constant dense<[1, -1, 9223372036854775807]> : tensor<3xi64>
  // CHECK: nn.constant dense<true> : tensor<i1>
  %2 = nn.constant dense<true> : tensor<i1>
  // CHECK: nn.constant dense<5.000000e-01> : tensor<2x3xf32>
  %3 = nn.constant dense<0.5> : tensor<2x3xf32>
  // CHECK: nn.constant dense_resource<weights> : tensor<4xf16>
  %4 = nn.constant dense_resource<weights> : tensor<4xf16>
  // CHECK: nn.constant dense<> : tensor<0xi64>
  %5 = nn.constant dense<> : tensor<0xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<2x2xf32>, tensor<3xi64>, tensor<i1>, tensor<2x3xf32>, tensor<4xf16>, tensor<0xi64>
}

// The blob survives both round trips: 4 bytes of alignment (2), then four
// f16 values 1.0, 2.0, 3.0, 4.0.
// CHECK: {-#
// CHECK-NEXT: dialect_resources: {
// CHECK-NEXT: builtin: {
// CHECK-NEXT: weights: "0x02000000003C004000420044"
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: #-}
{-#
  dialect_resources: {
    builtin: {
      weights: "0x02000000003C004000420044"
    }
  }
#-}

// -----

// CHECK-LABEL: func.func @constant_of_shape(
// CHECK-SAME: %[[S:[^:]+]]: tensor<3xi64>
func.func @constant_of_shape(%s: tensor<3xi64>) {
  // CHECK: %[[SHAPE:.+]] = nn.constant dense<[2, 3]> : tensor<2xi64>
  %shape = nn.constant dense<[2, 3]> : tensor<2xi64>
  // CHECK: nn.constant_of_shape %[[SHAPE]], dense<1.000000e+00> : tensor<1xf32> : (tensor<2xi64>) -> tensor<2x3xf32>
  %0 = nn.constant_of_shape %shape, dense<1.0> : tensor<1xf32> : (tensor<2xi64>) -> tensor<2x3xf32>
  // A run-time shape; the value's element type sets the result's.
  // CHECK: nn.constant_of_shape %[[S]], dense<0> : tensor<1xi32> : (tensor<3xi64>) -> tensor<?x?x?xi32>
  %1 = nn.constant_of_shape %s, dense<0> : tensor<1xi32> : (tensor<3xi64>) -> tensor<?x?x?xi32>
  // CHECK: %[[EMPTY:.+]] = nn.constant dense<> : tensor<0xi64>
  %empty = nn.constant dense<> : tensor<0xi64>
  // An empty shape gives a 0-d tensor.
  // CHECK: nn.constant_of_shape %[[EMPTY]], dense<true> : tensor<1xi1> : (tensor<0xi64>) -> tensor<i1>
  %2 = nn.constant_of_shape %empty, dense<true> : tensor<1xi1> : (tensor<0xi64>) -> tensor<i1>
  return
}

// -----

// CHECK-LABEL: func.func @random(
// CHECK-SAME: %[[S:[^:]+]]: tensor<2xi64>
func.func @random(%s: tensor<2xi64>) {
  // CHECK: nn.random %[[S]] {a = -1.000000e+00 : f64, b = 2.000000e+00 : f64, distribution = #nn.random_distribution<uniform>, dtype = f32, seed = 5.000000e+00 : f64} : (tensor<2xi64>) -> tensor<?x?xf32>
  %0 = nn.random %s {distribution = #nn.random_distribution<uniform>, a = -1.0 : f64, b = 2.0 : f64, dtype = f32, seed = 5.0 : f64} : (tensor<2xi64>) -> tensor<?x?xf32>
  // No seed; a static shape from a constant.
  %c = nn.constant dense<[3, 4]> : tensor<2xi64>
  // CHECK: nn.random %{{.+}} {a = 0.000000e+00 : f64, b = 1.000000e+00 : f64, distribution = #nn.random_distribution<normal>, dtype = bf16} : (tensor<2xi64>) -> tensor<3x4xbf16>
  %1 = nn.random %c {distribution = #nn.random_distribution<normal>, a = 0.0 : f64, b = 1.0 : f64, dtype = bf16} : (tensor<2xi64>) -> tensor<3x4xbf16>
  return
}

// -----

// CHECK-LABEL: func.func @range(
// CHECK-SAME: %[[N:[^:]+]]: tensor<i64>, %[[F:[^:]+]]: tensor<f32>
func.func @range(%n: tensor<i64>, %f: tensor<f32>) {
  // CHECK-DAG: %[[ZERO:.+]] = nn.constant dense<0> : tensor<i64>
  // CHECK-DAG: %[[TEN:.+]] = nn.constant dense<10> : tensor<i64>
  // CHECK-DAG: %[[THREE:.+]] = nn.constant dense<3> : tensor<i64>
  %zero = nn.constant dense<0> : tensor<i64>
  %ten = nn.constant dense<10> : tensor<i64>
  %three = nn.constant dense<3> : tensor<i64>
  // ceil((10 - 0) / 3) = 4.
  // CHECK: nn.range %[[ZERO]], %[[TEN]], %[[THREE]] : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<4xi64>
  %0 = nn.range %zero, %ten, %three : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<4xi64>
  // A negative delta counts down: 10, 7, 4, 1.
  // CHECK: %[[MINUS3:.+]] = nn.constant dense<-3> : tensor<1xi64>
  %minus3 = nn.constant dense<-3> : tensor<1xi64>
  // CHECK: nn.range %[[TEN]], %[[ZERO]], %[[MINUS3]] : (tensor<i64>, tensor<i64>, tensor<1xi64>) -> tensor<4xi64>
  %1 = nn.range %ten, %zero, %minus3 : (tensor<i64>, tensor<i64>, tensor<1xi64>) -> tensor<4xi64>
  // A run-time limit.
  // CHECK: nn.range %[[ZERO]], %[[N]], %[[THREE]] : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %2 = nn.range %zero, %n, %three : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK-DAG: %[[FZERO:.+]] = nn.constant dense<0.000000e+00> : tensor<f32>
  // CHECK-DAG: %[[FONE:.+]] = nn.constant dense<1.000000e+00> : tensor<f32>
  // CHECK-DAG: %[[FSTEP:.+]] = nn.constant dense<2.500000e-01> : tensor<f32>
  %fzero = nn.constant dense<0.0> : tensor<f32>
  %fone = nn.constant dense<1.0> : tensor<f32>
  %fstep = nn.constant dense<0.25> : tensor<f32>
  // CHECK: nn.range %[[FZERO]], %[[FONE]], %[[FSTEP]] : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  %3 = nn.range %fzero, %fone, %fstep : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  // CHECK: nn.range %[[FZERO]], %[[F]], %[[FSTEP]] : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %4 = nn.range %fzero, %f, %fstep : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @if(
// CHECK-SAME: %[[C:[^:]+]]: tensor<i1>, %[[A:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<?xf32>, %[[X:[^:]+]]: tensor<?x8xf32, #nn.dims<batch, 8>>, %[[C1:[^:]+]]: tensor<1xi1>
func.func @if(%c: tensor<i1>, %a: tensor<4xf32>, %b: tensor<?xf32>, %x: tensor<?x8xf32, #nn.dims<batch, 8>>, %c1: tensor<1xi1>) -> tensor<?xf32> {
  // A branch may yield a more precise type than the result.
  // CHECK: %[[R:.+]] = nn.if %[[C]] : tensor<i1> -> tensor<?xf32> {
  // CHECK-NEXT: nn.yield %[[A]] : tensor<4xf32>
  // CHECK-NEXT: } else {
  // CHECK-NEXT: nn.yield %[[B]] : tensor<?xf32>
  // CHECK-NEXT: }
  %r = nn.if %c : tensor<i1> -> tensor<?xf32> {
    nn.yield %a : tensor<4xf32>
  } else {
    nn.yield %b : tensor<?xf32>
  }
  // Several results, computed in the branches; a one-element condition.
  // CHECK: %{{.+}}:2 = nn.if %[[C1]] : tensor<1xi1> -> tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64> {
  // CHECK-NEXT: %[[E:.+]] = nn.exp %[[X]]
  // CHECK-NEXT: %[[N:.+]] = nn.size %[[X]]
  // CHECK-NEXT: nn.yield %[[E]], %[[N]] : tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64>
  // CHECK-NEXT: } else {
  // CHECK-NEXT: %[[K:.+]] = nn.constant dense<0> : tensor<i64>
  // CHECK-NEXT: nn.yield %[[X]], %[[K]] : tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64>
  // CHECK-NEXT: }
  %s:2 = nn.if %c1 : tensor<1xi1> -> tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64> {
    %e = nn.exp %x : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
    %n = nn.size %x : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<i64>
    nn.yield %e, %n : tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64>
  } else {
    %k = nn.constant dense<0> : tensor<i64>
    nn.yield %x, %k : tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<i64>
  }
  // No results.
  // CHECK: nn.if %[[C]] : tensor<i1> {
  // CHECK-NEXT: nn.yield{{$}}
  // CHECK-NEXT: } else {
  // CHECK-NEXT: nn.yield{{$}}
  // CHECK-NEXT: }
  nn.if %c : tensor<i1> {
    nn.yield
  } else {
    nn.yield
  }
  // Attributes are printed with the attributes keyword.
  // CHECK: nn.if %[[C]] : tensor<i1> -> tensor<4xf32> attributes {tag = "branch"} {
  %t = nn.if %c : tensor<i1> -> tensor<4xf32> attributes {tag = "branch"} {
    nn.yield %a : tensor<4xf32>
  } else {
    nn.yield %a : tensor<4xf32>
  }
  // CHECK: return %[[R]] : tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @loop(
// CHECK-SAME: %[[N:[^:]+]]: tensor<i64>, %[[C:[^:]+]]: tensor<i1>, %[[INIT:[^:]+]]: tensor<4xf32>, %[[STEP:[^:]+]]: tensor<4xf32>
func.func @loop(%n: tensor<i64>, %c: tensor<i1>, %init: tensor<4xf32>, %step: tensor<4xf32>) {
  // Trip count, condition, a carried value and a scan output.
  // CHECK: %{{.+}}:2 = nn.loop trip_count %[[N]] : tensor<i64> condition %[[C]] : tensor<i1> iter_args(%[[INIT]] : tensor<4xf32>) -> tensor<4xf32>, tensor<?x4xf32> {
  // CHECK-NEXT: ^bb0(%[[I:.+]]: tensor<i64>, %[[COND:.+]]: tensor<i1>, %[[ACC:.+]]: tensor<4xf32>):
  // CHECK-NEXT: %[[NEXT:.+]] = nn.add %[[ACC]], %[[STEP]]
  // CHECK-NEXT: nn.yield %[[COND]], %[[NEXT]], %[[ACC]] : tensor<i1>, tensor<4xf32>, tensor<4xf32>
  // CHECK-NEXT: }
  %r:2 = nn.loop trip_count %n : tensor<i64> condition %c : tensor<i1> iter_args(%init : tensor<4xf32>) -> tensor<4xf32>, tensor<?x4xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<4xf32>):
    %next = nn.add %acc, %step : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    nn.yield %cond, %next, %acc : tensor<i1>, tensor<4xf32>, tensor<4xf32>
  }
  // A while loop: condition only, the body computes the next condition.
  // CHECK: %{{.+}} = nn.loop condition %[[C]] : tensor<i1> iter_args(%[[N]] : tensor<i64>) -> tensor<i64> {
  // CHECK-NEXT: ^bb0(%{{.+}}: tensor<i64>, %{{.+}}: tensor<i1>, %[[K:.+]]: tensor<i64>):
  // CHECK: nn.less
  // CHECK: nn.yield
  %w = nn.loop condition %c : tensor<i1> iter_args(%n : tensor<i64>) -> tensor<i64> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %k: tensor<i64>):
    %k1 = nn.add %k, %i : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %more = nn.less %k1, %n : (tensor<i64>, tensor<i64>) -> tensor<i1>
    nn.yield %more, %k1 : tensor<i1>, tensor<i64>
  }
  // A counted loop without carried values, with a scan output only.
  // CHECK: %{{.+}} = nn.loop trip_count %[[N]] : tensor<i64> -> tensor<?x4xf32> {
  // CHECK-NEXT: ^bb0(%{{.+}}: tensor<i64>, %[[C2:.+]]: tensor<i1>):
  // CHECK-NEXT: nn.yield %[[C2]], %[[STEP]] : tensor<i1>, tensor<4xf32>
  %s = nn.loop trip_count %n : tensor<i64> -> tensor<?x4xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>):
    nn.yield %cond, %step : tensor<i1>, tensor<4xf32>
  }
  // A carried result may be less precise than its init (compatible types).
  // CHECK: %{{.+}} = nn.loop trip_count %[[N]] : tensor<i64> iter_args(%[[INIT]] : tensor<4xf32>) -> tensor<?xf32> {
  // CHECK-NEXT: ^bb0(%{{.+}}: tensor<i64>, %[[C4:.+]]: tensor<i1>, %[[V:.+]]: tensor<4xf32>):
  // CHECK-NEXT: nn.yield %[[C4]], %[[V]] : tensor<i1>, tensor<4xf32>
  %l = nn.loop trip_count %n : tensor<i64> iter_args(%init : tensor<4xf32>) -> tensor<?xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %v: tensor<4xf32>):
    nn.yield %cond, %v : tensor<i1>, tensor<4xf32>
  }
  // Neither a trip count nor a condition, nor results.
  // CHECK: nn.loop {
  // CHECK-NEXT: ^bb0(%{{.+}}: tensor<i64>, %[[C3:.+]]: tensor<i1>):
  // CHECK-NEXT: nn.yield %[[C3]] : tensor<i1>
  nn.loop {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>):
    nn.yield %cond : tensor<i1>
  }
  return
}

// -----

// CHECK-LABEL: func.func @grid_sample
func.func @grid_sample(%x: tensor<?x3x8x8xf32, #nn.dims<batch, 3, 8, 8>>, %grid: tensor<?x5x6x2xf32, #nn.dims<batch, 5, 6, 2>>) {
  // The defaults (bilinear, zeros, align_corners false) are elided; the
  // batch symbol carries over.
  // CHECK: nn.grid_sample %{{.*}}, %{{.*}} : (tensor<?x3x8x8xf32, #nn.dims<batch, 3, 8, 8>>, tensor<?x5x6x2xf32, #nn.dims<batch, 5, 6, 2>>) -> tensor<?x3x5x6xf32, #nn.dims<batch, 3, 5, 6>>
  %0 = nn.grid_sample %x, %grid {mode = #nn.grid_sample_mode<bilinear>, padding_mode = #nn.grid_sample_padding<zeros>, align_corners = false} : (tensor<?x3x8x8xf32, #nn.dims<batch, 3, 8, 8>>, tensor<?x5x6x2xf32, #nn.dims<batch, 5, 6, 2>>) -> tensor<?x3x5x6xf32, #nn.dims<batch, 3, 5, 6>>
  // CHECK: nn.grid_sample %{{.*}}, %{{.*}} {align_corners = true, mode = #nn.grid_sample_mode<bicubic>, padding_mode = #nn.grid_sample_padding<reflection>}
  %1 = nn.grid_sample %x, %grid {mode = #nn.grid_sample_mode<bicubic>, padding_mode = #nn.grid_sample_padding<reflection>, align_corners = true} : (tensor<?x3x8x8xf32, #nn.dims<batch, 3, 8, 8>>, tensor<?x5x6x2xf32, #nn.dims<batch, 5, 6, 2>>) -> tensor<?x3x5x6xf32, #nn.dims<batch, 3, 5, 6>>
  return
}

// -----

// CHECK-LABEL: func.func @roi_align
func.func @roi_align(%x: tensor<2x3x16x16xf32>, %rois: tensor<?x4xf32, #nn.dims<boxes, 4>>, %b: tensor<?xi64, #nn.dims<boxes>>) {
  // The box count carries over; avg and half_pixel (the defaults) are
  // elided.
  // CHECK: nn.roi_align %{{.*}}, %{{.*}}, %{{.*}} {output_height = 7 : i64, output_width = 5 : i64, sampling_ratio = 2 : i64} : (tensor<2x3x16x16xf32>, tensor<?x4xf32, #nn.dims<boxes, 4>>, tensor<?xi64, #nn.dims<boxes>>) -> tensor<?x3x7x5xf32, #nn.dims<boxes, 3, 7, 5>>
  %0 = nn.roi_align %x, %rois, %b {mode = #nn.roi_align_mode<avg>, output_height = 7 : i64, output_width = 5 : i64, sampling_ratio = 2 : i64, half_pixel = true} : (tensor<2x3x16x16xf32>, tensor<?x4xf32, #nn.dims<boxes, 4>>, tensor<?xi64, #nn.dims<boxes>>) -> tensor<?x3x7x5xf32, #nn.dims<boxes, 3, 7, 5>>
  // CHECK: nn.roi_align %{{.*}}, %{{.*}}, %{{.*}} {half_pixel = false, mode = #nn.roi_align_mode<max>, output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 1 : i64, spatial_scale = 2.500000e-01 : f32}
  %1 = nn.roi_align %x, %rois, %b {mode = #nn.roi_align_mode<max>, output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 1 : i64, spatial_scale = 0.25 : f32, half_pixel = false} : (tensor<2x3x16x16xf32>, tensor<?x4xf32, #nn.dims<boxes, 4>>, tensor<?xi64, #nn.dims<boxes>>) -> tensor<?x3x2x2xf32, #nn.dims<boxes, 3, 2, 2>>
  return
}

// -----

// CHECK-LABEL: func.func @non_max_suppression
func.func @non_max_suppression(%boxes: tensor<2x?x4xf32, #nn.dims<2, n, 4>>, %scores: tensor<2x3x?xf32, #nn.dims<2, 3, n>>, %max: tensor<1xi64>, %iou: tensor<f32>, %score: tensor<1xf32>) {
  // The row count depends on the data; the score threshold is optional.
  // CHECK: nn.non_max_suppression %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : {{.*}} -> tensor<?x3xi64>
  %0 = nn.non_max_suppression %boxes, %scores, %max, %iou, %score : (tensor<2x?x4xf32, #nn.dims<2, n, 4>>, tensor<2x3x?xf32, #nn.dims<2, 3, n>>, tensor<1xi64>, tensor<f32>, tensor<1xf32>) -> tensor<?x3xi64>
  // CHECK: nn.non_max_suppression %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {center_point_box = true}
  %1 = nn.non_max_suppression %boxes, %scores, %max, %iou {center_point_box = true} : (tensor<2x?x4xf32, #nn.dims<2, n, 4>>, tensor<2x3x?xf32, #nn.dims<2, 3, n>>, tensor<1xi64>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// -----

// Sequences and optionals.
// CHECK-LABEL: func.func @sequences
// CHECK: nn.seq_empty : <tensor<*xf32>>
// CHECK: nn.seq_construct %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<4x3xf32> -> <tensor<?x3xf32>>
// CHECK: nn.seq_insert %{{.*}}, %{{.*}} at %{{.*}} : tensor<i64> : <tensor<?x3xf32>>, tensor<1x3xf32> -> <tensor<?x3xf32>>
// CHECK: nn.seq_erase %{{.*}} : <tensor<?x3xf32>> -> <tensor<?x3xf32>>
// CHECK: nn.seq_at %{{.*}}[%{{.*}}] : <tensor<?x3xf32>>, tensor<i64> -> tensor<?x3xf32>
// CHECK: nn.seq_length %{{.*}} : <tensor<?x3xf32>> -> tensor<i64>
// CHECK: nn.optional_some %{{.*}} : !nn.seq<tensor<?x3xf32>> -> <!nn.seq<tensor<?x3xf32>>>
// CHECK: nn.optional_none : <tensor<3xf32>>
// CHECK: nn.optional_has %{{.*}} : <tensor<3xf32>> -> tensor<i1>
// CHECK: nn.optional_get %{{.*}} : <!nn.seq<tensor<?x3xf32>>> -> !nn.seq<tensor<?x3xf32>>
func.func @sequences(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %c: tensor<1x3xf32>,
                     %p: tensor<i64>) -> (!nn.seq<tensor<?x3xf32>>, tensor<?x3xf32>, tensor<i64>, tensor<i1>) {
  %e = nn.seq_empty : <tensor<*xf32>>
  %s = nn.seq_construct %a, %b : tensor<2x3xf32>, tensor<4x3xf32> -> <tensor<?x3xf32>>
  %s1 = nn.seq_insert %s, %c at %p : tensor<i64> : <tensor<?x3xf32>>, tensor<1x3xf32> -> <tensor<?x3xf32>>
  %s2 = nn.seq_erase %s1 : <tensor<?x3xf32>> -> <tensor<?x3xf32>>
  %x = nn.seq_at %s2[%p] : <tensor<?x3xf32>>, tensor<i64> -> tensor<?x3xf32>
  %n = nn.seq_length %s2 : <tensor<?x3xf32>> -> tensor<i64>
  %o = nn.optional_some %s2 : !nn.seq<tensor<?x3xf32>> -> <!nn.seq<tensor<?x3xf32>>>
  %none = nn.optional_none : <tensor<3xf32>>
  %has = nn.optional_has %none : <tensor<3xf32>> -> tensor<i1>
  %back = nn.optional_get %o : <!nn.seq<tensor<?x3xf32>>> -> !nn.seq<tensor<?x3xf32>>
  return %back, %x, %n, %has : !nn.seq<tensor<?x3xf32>>, tensor<?x3xf32>, tensor<i64>, tensor<i1>
}

// -----

// A loop carries a sequence whose elements' rank is unknown at first.
// CHECK-LABEL: func.func @carried_sequence
// CHECK: nn.loop trip_count %{{.*}} : tensor<i64> iter_args(%{{.*}} : !nn.seq<tensor<*xf32>>) -> !nn.seq<tensor<*xf32>>
func.func @carried_sequence(%n: tensor<i64>, %x: tensor<5xf32>) -> !nn.seq<tensor<*xf32>> {
  %e = nn.seq_empty : <tensor<*xf32>>
  %r = nn.loop trip_count %n : tensor<i64> iter_args(%e : !nn.seq<tensor<*xf32>>) -> !nn.seq<tensor<*xf32>> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %s: !nn.seq<tensor<*xf32>>):
    %s1 = nn.seq_insert %s, %x : <tensor<*xf32>>, tensor<5xf32> -> <tensor<?xf32>>
    nn.yield %c, %s1 : tensor<i1>, !nn.seq<tensor<?xf32>>
  }
  return %r : !nn.seq<tensor<*xf32>>
}

// -----

// String tensors: StringNormalizer and casts to and from numbers.
// CHECK-LABEL: func.func @strings
// CHECK: nn.string_normalize %{{.*}} {case_change = 2 : i64, stopwords = ["monday"]} : tensor<4x!nn.string> -> tensor<?x!nn.string>
// CHECK: nn.cast %{{.*}} : (tensor<?x!nn.string>) -> tensor<?xf32>
func.func @strings(%s: tensor<4x!nn.string>) -> tensor<?xf32> {
  %n = nn.string_normalize %s {case_change = 2, stopwords = ["monday"]} : tensor<4x!nn.string> -> tensor<?x!nn.string>
  %f = nn.cast %n : (tensor<?x!nn.string>) -> tensor<?xf32>
  return %f : tensor<?xf32>
}

// -----

// A run-time check.
// CHECK-LABEL: func.func @check
// CHECK: nn.check %{{.*}}, "the sizes differ" : tensor<i1>
func.func @check(%ok: tensor<i1>) {
  nn.check %ok, "the sizes differ" : tensor<i1>
  return
}
