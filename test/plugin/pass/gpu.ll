; Device code is never instrumented: the runtime does not exist on the GPU.
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0>' -S %s | FileCheck %s
target triple = "nvptx64-nvidia-cuda"

; CHECK-NOT: timemory_enter
; CHECK-NOT: timemory_sites
define void @kernel() {
  ret void
}
