// After inlining (the default), an inlined function has no hooks of its own; with
// inline=before every source function keeps its hooks, also where it was inlined.
// RUN: %clangxx-instr -fplugin-arg-timemory-min-instructions=0 -O2 -S -emit-llvm %s -o - | FileCheck --check-prefix=AFTER %s
// RUN: %clangxx-instr -fplugin-arg-timemory-min-instructions=0 -fplugin-arg-timemory-inline=before -O2 -S -emit-llvm %s -o - | FileCheck --check-prefix=BEFORE %s
static int helper(int x) { return x * 3; }
int api(int x) { return helper(x) + 1; }

// AFTER-LABEL: define {{.*}} @_Z3apii(
// AFTER:         call void @timemory_enter(ptr {{(nonnull )?}}@__timemory_site._Z3apii)
// AFTER-NOT:     __timemory_site._ZL6helperi
// AFTER:         ret i32

// BEFORE-LABEL: define {{.*}} @_Z3apii(
// BEFORE:         call void @timemory_enter(ptr {{(nonnull )?}}@__timemory_site._Z3apii)
// BEFORE:         call void @timemory_enter(ptr {{(nonnull )?}}@__timemory_site._ZL6helperi)
// BEFORE:         call void @timemory_exit(ptr {{(nonnull )?}}@__timemory_site._ZL6helperi)
// BEFORE:         call void @timemory_exit(ptr {{(nonnull )?}}@__timemory_site._Z3apii)
