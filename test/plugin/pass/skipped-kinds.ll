; Kinds that are never instrumented, each with the reason the verbose report gives.
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0;verbose=1>' -S %s 2>%t.err | FileCheck %s
; RUN: FileCheck --check-prefix=WHY %s < %t.err

; CHECK-LABEL: define void @naked_fn()
; CHECK-NOT:     timemory_enter
; CHECK:         unreachable
define void @naked_fn() naked {
  call void asm sideeffect "ret", ""()
  unreachable
}

; CHECK-LABEL: define available_externally void @elsewhere()
; CHECK-NOT:     timemory_enter
define available_externally void @elsewhere() {
  ret void
}

; CHECK-LABEL: define void @never()
; CHECK-NOT:     timemory_enter
define void @never() "timemory-never-instrument" {
  ret void
}

; CHECK-LABEL: define void @annotated()
; CHECK-NOT:     timemory_enter
define void @annotated() {
  ret void
}

; CHECK-LABEL: define void @timemory_internal_helper()
; CHECK-NOT:     timemory_enter
define void @timemory_internal_helper() {
  ret void
}

; CHECK-LABEL: define internal void @__cxx_global_var_init()
; CHECK-NOT:     timemory_enter
define internal void @__cxx_global_var_init() {
  ret void
}

; CHECK-LABEL: define void @ordinary()
; CHECK-NEXT:    call void @timemory_enter
define void @ordinary() {
  ret void
}

declare void @only_declared()

@.ann = private unnamed_addr constant [26 x i8] c"timemory_never_instrument\00", section "llvm.metadata"
@.file = private unnamed_addr constant [6 x i8] c"x.cpp\00", section "llvm.metadata"
@llvm.global.annotations = appending global [1 x { ptr, ptr, ptr, i32, ptr }] [{ ptr, ptr, ptr, i32, ptr } { ptr @annotated, ptr @.ann, ptr @.file, i32 1, ptr null }], section "llvm.metadata"

; WHY-DAG: skipped 'naked_fn' [{{.*}}]: naked (no prologue to put a call in)
; WHY-DAG: skipped 'elsewhere' [{{.*}}]: available_externally (its body is emitted elsewhere)
; WHY-DAG: skipped 'never' [{{.*}}]: marked no_instrument_function or TIMEMORY_NEVER_INSTRUMENT
; WHY-DAG: skipped 'annotated' [{{.*}}]: marked no_instrument_function or TIMEMORY_NEVER_INSTRUMENT
; WHY-DAG: skipped 'timemory_internal_helper' [{{.*}}]: part of the timemory runtime
; WHY-DAG: skipped '__cxx_global_var_init' [{{.*}}]: compiler-generated static initializer
; WHY-DAG: instrumented 'ordinary'
; WHY-NOT: only_declared
