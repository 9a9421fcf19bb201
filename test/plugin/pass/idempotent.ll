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
