// -fpass-plugin alone instruments with TIMEMORY_INSTR_CONFIG's options. Given together
// with -fplugin, the pass is scheduled once (with the -fplugin-arg options). A bad
// configuration fails the compile (at -O0 and -O2), as it does with -fplugin.
// RUN: printf 'min-instructions = 0\n' > %t.cfg
// RUN: env TIMEMORY_INSTR_CONFIG=%t.cfg clang -fpass-plugin=%plugin -O1 -S -emit-llvm %inputs/hello.c -o - | FileCheck %s
// RUN: env TIMEMORY_INSTR_CONFIG=%t.cfg clang -fpass-plugin=%plugin -fplugin=%plugin -fplugin-arg-timemory-include=^main$ -O1 -S -emit-llvm %inputs/hello.c -o - | FileCheck --check-prefix=ONCE %s
// RUN: printf 'include = (unclosed\n' > %t.bad.cfg
// RUN: env TIMEMORY_INSTR_CONFIG=%t.bad.cfg not clang -fpass-plugin=%plugin -O0 -c %inputs/hello.c -o /dev/null 2>&1 | FileCheck --check-prefix=BAD %s
// RUN: env TIMEMORY_INSTR_CONFIG=%t.bad.cfg not clang -fpass-plugin=%plugin -O2 -c %inputs/hello.c -o /dev/null 2>&1 | FileCheck --check-prefix=BAD %s
// RUN: env TIMEMORY_INSTR_CONFIG=%t.missing not clang -fpass-plugin=%plugin -O1 -c %inputs/hello.c -o /dev/null 2>&1 | FileCheck --check-prefix=MISSING %s
// BAD: error: timemory-instrument: TIMEMORY_INSTR_CONFIG: {{.*}}invalid regular expression '(unclosed'
// MISSING: error: timemory-instrument: TIMEMORY_INSTR_CONFIG: cannot read config file
// CHECK: define {{.*}} @main(
// CHECK-NEXT: call void @timemory_enter(ptr @__timemory_site.main)
// ONCE:      define {{.*}} @main(
// ONCE-NEXT: call void @timemory_enter(ptr @__timemory_site.main)
// ONCE-NOT:  call void @timemory_enter(ptr @__timemory_site.main)
// ONCE:      ret i32
