; Scheduling the pass twice, or running opt again on its output, instruments once.
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0>,timemory-instrument<min-instructions=0>' -S %s | FileCheck %s
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0>' %s \
; RUN:   | %opt-instr -passes='timemory-instrument<min-instructions=0>' -S | FileCheck %s

define void @f() {
  ret void
}
; CHECK-LABEL: define void @f()
; CHECK-COUNT-1: call void @timemory_enter
; CHECK-NOT:     call void @timemory_enter
; CHECK-COUNT-1: call void @timemory_exit
; CHECK-NOT:     call void @timemory_exit
; CHECK:         ret void
; One site for f, not two:
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0>,timemory-instrument<min-instructions=0>' -S %s \
; RUN:   | grep -c '^@__timemory_site.f = ' | FileCheck --check-prefix=ONE %s
; ONE: {{^}}1{{$}}
; One constructor that starts the runtime when the module loads, not two:
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0>,timemory-instrument<min-instructions=0>' -S %s \
; RUN:   | FileCheck --check-prefix=CTOR %s
; CTOR: @llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @timemory.module_loaded, ptr null }]
; CTOR: define internal void @timemory.module_loaded()
; CTOR-NEXT: entry:
; CTOR-NEXT: call void @timemory_module_loaded()
; CTOR-NEXT: ret void
; A module with nothing instrumented gets none:
; RUN: %opt-instr -passes='timemory-instrument<exclude=.>' -S %s | FileCheck --check-prefix=NOCTOR %s
; NOCTOR-NOT: global_ctors
; NOCTOR-NOT: timemory_module_loaded
