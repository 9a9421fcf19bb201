; Selection rules. A function is instrumented when
;   it matches no exclude (demangled or mangled name) and no exclude-file,
;   and, if include rules exist, it matches one (demangled or mangled name),
;   and, if include-file rules exist, its file matches one,
;   and it has min-instructions or more, or is a leaf (calls nothing but intrinsics)
;   with a loop and min-loop-instructions or more, or an include rule names it (include
;   rules select whatever the size).
; (opt's pipeline text cannot hold parentheses or commas: put such patterns in a file
; named by TIMEMORY_INSTR_CONFIG.)
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0;include=^solve;include=_Z4initv>' -S %s | FileCheck --check-prefix=INC %s
; RUN: %opt-instr -passes='timemory-instrument<include=^solve;include=_Z4initv;verbose=1>' -S %s 2>%t.inc.err | FileCheck --check-prefix=INC %s
; RUN: FileCheck --check-prefix=INCWHY %s < %t.inc.err
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0;exclude=int.$>' -S %s | FileCheck --check-prefix=EXC %s
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0;include=.;exclude=^solve>' -S %s | FileCheck --check-prefix=BOTH %s
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0;include-file=kernels/>' -S %s | FileCheck --check-prefix=FILE %s
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=0;exclude-file=kernels/.*\.cpp$>' -S %s | FileCheck --check-prefix=XFILE %s
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=5;min-loop-instructions=0;verbose=1>' -S %s 2>%t.err | FileCheck --check-prefix=MIN %s
; RUN: FileCheck --check-prefix=MINWHY %s < %t.err
; RUN: %opt-instr -passes='timemory-instrument<min-instructions=8;min-loop-instructions=6;verbose=1>' -S %s 2>%t.leaf.err | FileCheck --check-prefix=LEAF %s
; RUN: FileCheck --check-prefix=LEAFWHY %s < %t.leaf.err

; solve(int) in kernels/solve.cpp, init() and tiny(int) in main.cpp
define void @_Z5solvei(i32 %n) !dbg !10 {
  ret void
}
define void @_Z4initv() !dbg !20 {
  ret void
}
define i32 @_Z4tinyi(i32 %n) !dbg !21 {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %j, %loop ]
  %j = add i32 %i, 1
  %c = icmp slt i32 %j, %n
  br i1 %c, label %loop, label %done
done:
  ret i32 %j
}
define i32 @_Z5smalli(i32 %n) !dbg !22 {
  %r = add i32 %n, 1
  ret i32 %r
}
; caller(int): a loop that calls small(int): not a leaf.
define i32 @_Z6calleri(i32 %n) !dbg !23 {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %j, %loop ]
  %j = call i32 @_Z5smalli(i32 %i), !dbg !24
  %c = icmp slt i32 %j, %n
  br i1 %c, label %loop, label %done
done:
  ret i32 %j
}

; INC-LABEL: define void @_Z5solvei(
; INC-NEXT:    call void @timemory_enter
; INC-LABEL: define void @_Z4initv(
; INC-NEXT:    call void @timemory_enter
; INC-LABEL: define i32 @_Z4tinyi(
; INC-NOT:     call void @timemory_enter
; INC-LABEL: define i32 @_Z5smalli(
; INC-NOT:     call void @timemory_enter

; With the default size rule (250), the two functions named by include rules are kept,
; whatever their size (1 instruction each), and say why.
; INCWHY: instrumented 'solve(int)' {{.*}}named by an include rule
; INCWHY: instrumented 'init()' {{.*}}named by an include rule

; EXC-LABEL: define void @_Z5solvei(
; EXC-NOT:     call void @timemory_enter
; EXC-LABEL: define void @_Z4initv(
; EXC-NEXT:    call void @timemory_enter

; BOTH-LABEL: define void @_Z5solvei(
; BOTH-NOT:     call void @timemory_enter
; BOTH-LABEL: define void @_Z4initv(
; BOTH-NEXT:    call void @timemory_enter

; FILE-LABEL: define void @_Z5solvei(
; FILE-NEXT:    call void @timemory_enter
; FILE-LABEL: define void @_Z4initv(
; FILE-NOT:     call void @timemory_enter

; XFILE-LABEL: define void @_Z5solvei(
; XFILE-NOT:     call void @timemory_enter
; XFILE-LABEL: define void @_Z4initv(
; XFILE-NEXT:    call void @timemory_enter

; Small functions are skipped unless they loop.
; MIN-LABEL: define void @_Z5solvei(
; MIN-NOT:     call void @timemory_enter
; MIN-LABEL: define i32 @_Z4tinyi(
; MIN-NEXT:  entry:
; MIN-NEXT:    call void @timemory_enter
; MIN-LABEL: define i32 @_Z5smalli(
; MIN-NOT:     call void @timemory_enter
; MIN-LABEL: define i32 @_Z6calleri(
; MINWHY: skipped 'solve(int)' [/src/kernels/solve.cpp:3]: 1 instructions, a leaf (< min-instructions=5)
; MINWHY: instrumented 'tiny(int)' [/src/main.cpp:9]: 6 instructions, a loop, a leaf
; MINWHY: skipped 'small(int)' [/src/main.cpp:12]: 2 instructions, a leaf (< min-instructions=5)

; A leaf with a loop is kept from min-loop-instructions; a loop that calls out is not.
; LEAF-LABEL: define i32 @_Z4tinyi(
; LEAF-NEXT:  entry:
; LEAF-NEXT:    call void @timemory_enter
; LEAF-LABEL: define i32 @_Z6calleri(
; LEAF-NOT:     call void @timemory_enter
; LEAFWHY: instrumented 'tiny(int)' [/src/main.cpp:9]: 6 instructions, a loop, a leaf
; LEAFWHY: skipped 'caller(int)' [/src/main.cpp:14]: 6 instructions, a loop (< min-instructions=8; not a leaf)

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}
!0 = distinct !DICompileUnit(language: DW_LANG_C_plus_plus_14, file: !1, emissionKind: FullDebug)
!1 = !DIFile(filename: "main.cpp", directory: "/src")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DIFile(filename: "kernels/solve.cpp", directory: "/src")
!4 = !DISubroutineType(types: !{})
!10 = distinct !DISubprogram(name: "solve", linkageName: "_Z5solvei", file: !3, line: 3, type: !4, unit: !0, spFlags: DISPFlagDefinition)
!20 = distinct !DISubprogram(name: "init", linkageName: "_Z4initv", file: !1, line: 7, type: !4, unit: !0, spFlags: DISPFlagDefinition)
!21 = distinct !DISubprogram(name: "tiny", linkageName: "_Z4tinyi", file: !1, line: 9, type: !4, unit: !0, spFlags: DISPFlagDefinition)
!22 = distinct !DISubprogram(name: "small", linkageName: "_Z5smalli", file: !1, line: 12, type: !4, unit: !0, spFlags: DISPFlagDefinition)
!23 = distinct !DISubprogram(name: "caller", linkageName: "_Z6calleri", file: !1, line: 14, type: !4, unit: !0, spFlags: DISPFlagDefinition)
!24 = !DILocation(line: 16, scope: !23)
