// Options from a file named by -fplugin-arg-timemory-config or TIMEMORY_INSTR_CONFIG,
// with comments; explicit arguments add to what the file set.
// RUN: printf '# only greet\ninclude = ^greet$   # trailing comment\nmin-instructions = 0\n' > %t.cfg
// RUN: %clang-instr -fplugin-arg-timemory-config=%t.cfg -O0 -S -emit-llvm %inputs/hello.c -o - | FileCheck %s
// RUN: env TIMEMORY_INSTR_CONFIG=%t.cfg %clang-instr -O0 -S -emit-llvm %inputs/hello.c -o - | FileCheck %s
// RUN: env TIMEMORY_INSTR_CONFIG=%t.cfg %clang-instr -fplugin-arg-timemory-include=^main$ -O0 -S -emit-llvm %inputs/hello.c -o - | FileCheck --check-prefix=BOTH %s
// CHECK-NOT: @__timemory_site.main =
// CHECK:     @__timemory_site.greet =
// CHECK-NOT: @__timemory_site.main =
// BOTH-DAG: @__timemory_site.greet =
// BOTH-DAG: @__timemory_site.main =
