// verbose=1 lists each decision on stderr; report=FILE appends the same lines.
// RUN: rm -f %t.report
// RUN: %clang-instr -fplugin-arg-timemory-verbose=1 -fplugin-arg-timemory-report=%t.report -fplugin-arg-timemory-min-instructions=0 -O0 -c %inputs/hello.c -o %t.o 2>&1 | FileCheck %s
// RUN: FileCheck %s < %t.report
// RUN: %clang-instr -fplugin-arg-timemory-report=%t.report -fplugin-arg-timemory-min-instructions=0 -O0 -c %inputs/hello.c -o %t.o
// RUN: grep -c "instrumented 'main'" %t.report | FileCheck --check-prefix=TWICE %s
// CHECK-DAG: timemory-instr: instrumented 'greet' [{{.*}}hello.c:3]
// CHECK-DAG: timemory-instr: instrumented 'main' [{{.*}}hello.c:7]
// TWICE: 2
