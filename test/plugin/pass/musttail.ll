; A musttail call must stay immediately before its ret: the exit hook goes before the
; call. An ordinary tail call keeps the exit hook between call and ret.
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0>' -S %s | FileCheck %s
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0>' %s | opt -passes=verify -disable-output

declare i32 @callee(i32)

define i32 @forwards(i32 %x) {
; CHECK-LABEL: define i32 @forwards(
; CHECK:         call void @timemory_enter(ptr @__timemory_site.forwards)
; CHECK-NEXT:    call void @timemory_exit(ptr @__timemory_site.forwards)
; CHECK-NEXT:    %r = musttail call i32 @callee(i32 %x)
; CHECK-NEXT:    ret i32 %r
  %r = musttail call i32 @callee(i32 %x)
  ret i32 %r
}

define i32 @plain_tail(i32 %x) {
; CHECK-LABEL: define i32 @plain_tail(
; CHECK:         %r = tail call i32 @callee(i32 %x)
; CHECK-NEXT:    call void @timemory_exit(ptr @__timemory_site.plain_tail)
; CHECK-NEXT:    ret i32 %r
  %r = tail call i32 @callee(i32 %x)
  ret i32 %r
}
