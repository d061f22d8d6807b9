// Malformed sizes are refused with a message naming the problem.
// RUN: not ddl-opt %s --nn-specialize-shapes="sizes=batch" 2>&1 | FileCheck %s --check-prefix=FORM
// RUN: not ddl-opt %s --nn-specialize-shapes="sizes=batch=0" 2>&1 | FileCheck %s --check-prefix=SIZE
// RUN: not ddl-opt %s --nn-specialize-shapes="sizes=batch=2,2" 2>&1 | FileCheck %s --check-prefix=REPEAT
// RUN: not ddl-opt %s --nn-specialize-shapes="sizes=batch=1,2,3,4,5;seq=1,2,3,4" 2>&1 | FileCheck %s --check-prefix=MANY
// FORM: error: nn-specialize-shapes: 'batch' is not symbol=size,size,... (e.g. batch=1,8,32)
// SIZE: error: nn-specialize-shapes: size '0' of 'batch' is not an integer >= 1
// REPEAT: error: nn-specialize-shapes: size 2 of 'batch' is repeated
// MANY: error: nn-specialize-shapes: 20 combinations of sizes; at most 16
func.func @main(%x: tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<?x8xf32, #nn.dims<batch, 8>> {
  return %x : tensor<?x8xf32, #nn.dims<batch, 8>>
}
