; Exceptions: a landing pad closes the frames the unwinder skipped (unwind_to), a resume
; leaves the function (exit). setjmp's second return does the same as a landing pad.
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0>' -S %s | FileCheck %s

declare void @may_throw()
declare i32 @__gxx_personality_v0(...)
declare i32 @_setjmp(ptr) returns_twice

define void @cleanup_and_rethrow() personality ptr @__gxx_personality_v0 {
; CHECK-LABEL: define void @cleanup_and_rethrow()
; CHECK:         call void @timemory_enter(ptr @__timemory_site.cleanup_and_rethrow)
; CHECK:       lpad:
; CHECK-NEXT:    %lp = landingpad { ptr, i32 }
; CHECK-NEXT:            cleanup
; CHECK-NEXT:    call void @timemory_unwind_to(ptr @__timemory_site.cleanup_and_rethrow)
; CHECK-NEXT:    call void @timemory_exit(ptr @__timemory_site.cleanup_and_rethrow)
; CHECK-NEXT:    resume { ptr, i32 } %lp
  invoke void @may_throw() to label %ok unwind label %lpad
ok:
  ret void
lpad:
  %lp = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %lp
}

define i32 @uses_setjmp(ptr %buf) {
; CHECK-LABEL: define i32 @uses_setjmp(
; CHECK:         %r = call i32 @_setjmp(ptr %buf)
; CHECK-NEXT:    call void @timemory_unwind_to(ptr @__timemory_site.uses_setjmp)
  %r = call i32 @_setjmp(ptr %buf) returns_twice
  ret i32 %r
}

; With the default size rule (250 instructions), a small function that calls setjmp is
; still instrumented: the Lua pattern (luaD_rawrunprotected: setjmp, a call, 22
; instructions), where every error's longjmp would otherwise leave frames open for good.
; RUN: %opt-instr -passes='timemory-instrument<verbose=1>' -S %s 2>%t.err | FileCheck --check-prefix=SIZE %s
; RUN: FileCheck --check-prefix=SIZEWHY %s < %t.err
; SIZE-LABEL: define void @cleanup_and_rethrow()
; SIZE-NOT:     call void @timemory_enter
; SIZE-LABEL: define i32 @uses_setjmp(
; SIZE:         call void @timemory_enter(ptr @__timemory_site.uses_setjmp)
; SIZE:         %r = call i32 @_setjmp(ptr %buf)
; SIZE-NEXT:    call void @timemory_unwind_to(ptr @__timemory_site.uses_setjmp)
; SIZEWHY: instrumented 'uses_setjmp' {{.*}}calls a returns_twice function such as setjmp
