// Without -g the front end still gives each site its function's own file and line, and
// include-file rules see a header's path, not the translation unit's.
// RUN: %clangxx-instr -fplugin-arg-timemory-min-instructions=0 -I%inputs -O0 -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx-instr -fplugin-arg-timemory-min-instructions=0 -fplugin-arg-timemory-include-file=header\.h -I%inputs -O0 -S -emit-llvm %s -o - | FileCheck --check-prefix=HDR %s
#include "header.h"

namespace ns {
struct Widget {
    int value(int x) const { return from_header(x) + 1; }
};
} // namespace ns

int main() {
    ns::Widget w;
    return w.value(3);
}

// CHECK-DAG: c"ns::Widget::value(int) const\00"
// CHECK-DAG: c"_ZNK2ns6Widget5valueEi\00"
// CHECK-DAG: c"{{.*}}Inputs{{/|\\\\}}header.h\00"
// CHECK-DAG: c"{{.*}}file-line.cpp\00"
// CHECK-DAG: @__timemory_site.main = {{.*}} i32 18, {{.*}}, i32 13, i32 1 }
// CHECK-DAG: @__timemory_site._ZNK2ns6Widget5valueEi = {{.*}}, i32 9, i32 1 }
// CHECK-DAG: @__timemory_site._Z11from_headeri = {{.*}}, i32 3, i32 1 }

// HDR: @__timemory_site._Z11from_headeri =
// HDR-NOT: @__timemory_site.main =
// HDR-NOT: @__timemory_site._ZNK2ns6Widget5valueEi =
