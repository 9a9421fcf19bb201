// -fpass-plugin alone instruments with TIMEMORY_INSTR_CONFIG's options. Given together
// with -fplugin, the pass is scheduled once (with the -fplugin-arg options).
// RUN: printf 'min-instructions = 0\n' > %t.cfg
// RUN: env TIMEMORY_INSTR_CONFIG=%t.cfg clang -fpass-plugin=%plugin -O1 -S -emit-llvm %inputs/hello.c -o - | FileCheck %s
// RUN: env TIMEMORY_INSTR_CONFIG=%t.cfg clang -fpass-plugin=%plugin -fplugin=%plugin -fplugin-arg-timemory-include=^main$ -O1 -S -emit-llvm %inputs/hello.c -o - | FileCheck --check-prefix=ONCE %s
// CHECK: define {{.*}} @main(
// CHECK-NEXT: call void @timemory_enter(ptr @__timemory_site.main)
// ONCE:      define {{.*}} @main(
// ONCE-NEXT: call void @timemory_enter(ptr @__timemory_site.main)
// ONCE-NOT:  call void @timemory_enter(ptr @__timemory_site.main)
// ONCE:      ret i32
