; Every defined function gets one site in the timemory_sites section, an enter call after
; its allocas and an exit call before each return.
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0>' -S %s | FileCheck %s

; CHECK: @__timemory_site.two_returns = private global %timemory.site { i32 0, i32 17, ptr @[[NAME:__timemory_str[.0-9]*]], ptr @[[NAME]], ptr @{{.*}}, i32 0, i32 1 }, section "timemory_sites", align 8
; CHECK: @__timemory_str{{[.0-9]*}} = private unnamed_addr constant [9 x i8] c"shared()\00"
; CHECK: @__timemory_site._Z6sharedv = linkonce_odr hidden global %timemory.site { i32 0, i32 18, {{.*}} }, section "timemory_sites", comdat, align 8

define internal i32 @two_returns(i32 %x) {
; CHECK-LABEL: define internal i32 @two_returns(
; CHECK-NEXT:    %slot = alloca i32
; CHECK-NEXT:    call void @timemory_enter(ptr @__timemory_site.two_returns)
; CHECK-NEXT:    store i32 %x, ptr %slot
  %slot = alloca i32
  store i32 %x, ptr %slot
  %c = icmp sgt i32 %x, 0
  br i1 %c, label %pos, label %neg
pos:
; CHECK:       pos:
; CHECK-NEXT:    call void @timemory_exit(ptr @__timemory_site.two_returns)
; CHECK-NEXT:    ret i32 1
  ret i32 1
neg:
; CHECK:       neg:
; CHECK-NEXT:    call void @timemory_exit(ptr @__timemory_site.two_returns)
; CHECK-NEXT:    ret i32 0
  ret i32 0
}

define linkonce_odr i32 @_Z6sharedv() {
; CHECK-LABEL: define linkonce_odr i32 @_Z6sharedv()
; CHECK-SAME:    #[[ATTR:[0-9]+]] {
; CHECK-NEXT:    call void @timemory_enter(ptr @__timemory_site._Z6sharedv)
; CHECK-NEXT:    call void @timemory_exit(ptr @__timemory_site._Z6sharedv)
; CHECK-NEXT:    ret i32 7
  ret i32 7
}

; The hooks never throw, and are bound without a PLT stub.
; CHECK: declare void @timemory_enter(ptr) [[NOUNWIND:#[0-9]+]]
; CHECK: declare void @timemory_exit(ptr) [[NOUNWIND]]
; CHECK: attributes #[[ATTR]] = { "timemory-instrumented" }
; CHECK: attributes [[NOUNWIND]] = { nounwind nonlazybind }
; CHECK: !timemory.instrumented = !{}
