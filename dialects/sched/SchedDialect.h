//===- SchedDialect.h - schedules as attributes -----------------*- C++ -*-===//
//
// The `sched` dialect: attributes that record code-generation schedules
// (#sched.contraction). Include this one header to use them.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_SCHED_SCHEDDIALECT_H
#define DDL_DIALECTS_SCHED_SCHEDDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/sched/SchedDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/sched/SchedAttrs.h.inc"

namespace ddl::sched {
/// The name of the discardable attribute that carries a kernel's schedule
/// on its root op.
inline constexpr llvm::StringLiteral kScheduleAttr = "sched.schedule";
} // namespace ddl::sched

#endif // DDL_DIALECTS_SCHED_SCHEDDIALECT_H
