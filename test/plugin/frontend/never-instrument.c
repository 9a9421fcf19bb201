// no_instrument_function and TIMEMORY_NEVER_INSTRUMENT leave no trace in plain IR; the
// front end tells the pass.
// RUN: %clang-instr -fplugin-arg-timemory-min-instructions=0 %rtinc -O0 -S -emit-llvm %s -o - | FileCheck %s
#include <timemory/site.h>

__attribute__((no_instrument_function)) int plain_attribute(int x) { return x + 1; }
TIMEMORY_NEVER_INSTRUMENT int our_annotation(int x) { return x + 2; }
int measured(int x) { return plain_attribute(x) + our_annotation(x); }

// The language of a C function is C (flags 0x11).
// CHECK: @__timemory_site.measured = {{.*}} { i32 0, i32 17,
// CHECK-LABEL: define {{.*}} @plain_attribute(
// CHECK-NOT:     call void @timemory_enter
// CHECK:         ret i32
// CHECK-LABEL: define {{.*}} @our_annotation(
// CHECK-NOT:     call void @timemory_enter
// CHECK:         ret i32
// CHECK-LABEL: define {{.*}} @measured(
// CHECK:         call void @timemory_enter(ptr @__timemory_site.measured)
