//===- InstrumentPass.cpp - timemory entry/exit instrumentation ---------===//
//
// For each selected function: one `timemory_site` constant in the `timemory_sites`
// section, a call to timemory_enter(site) at entry, timemory_exit(site) before every
// return (before a musttail call, which must stay in tail position) and before every
// `resume` (the frame is left by unwinding), and timemory_unwind_to(site) at every
// landing pad and after every setjmp-like call, so frames skipped by an exception or a
// longjmp are closed as soon as control is back in this function.
//
//===----------------------------------------------------------------------===//

#include "InstrumentPass.h"

#include "timemory/site.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

#include <optional>
#include <set>

using namespace llvm;

namespace timemory {

namespace {

constexpr const char* InstrumentedAttr = "timemory-instrumented";
constexpr const char* NeverAttr = "timemory-never-instrument";
constexpr const char* NeverAnnotation = "timemory_never_instrument";
constexpr const char* ModuleMarker = "timemory.instrumented";

struct Placement {
    std::string File;
    unsigned Line = 0;
    bool IsCxx = false;
    bool NeverInstrument = false;
    bool InSystemHeader = false;
};

/// Functions annotated with TIMEMORY_NEVER_INSTRUMENT, read from llvm.global.annotations.
std::set<const Function*> annotatedNever(Module& M) {
    std::set<const Function*> Out;
    auto* GV = M.getGlobalVariable("llvm.global.annotations");
    if (!GV || !GV->hasInitializer()) return Out;
    auto* Array = dyn_cast<ConstantArray>(GV->getInitializer());
    if (!Array) return Out;
    for (const Use& U : Array->operands()) {
        auto* Entry = dyn_cast<ConstantStruct>(U.get());
        if (!Entry || Entry->getNumOperands() < 2) continue;
        auto* Fn = dyn_cast<Function>(Entry->getOperand(0)->stripPointerCasts());
        auto* Str = dyn_cast<GlobalVariable>(Entry->getOperand(1)->stripPointerCasts());
        if (!Fn || !Str || !Str->hasInitializer()) continue;
        if (auto* Data = dyn_cast<ConstantDataSequential>(Str->getInitializer()))
            if (Data->isCString() && Data->getAsCString() == NeverAnnotation) Out.insert(Fn);
    }
    return Out;
}

bool isGpuDevice(const Module& M) {
    Triple T(M.getTargetTriple());
    return T.isNVPTX() || T.isAMDGPU() || T.isSPIRV();
}

bool isRuntimeSymbol(StringRef Name) {
    return Name.starts_with("timemory_") || Name.starts_with("_ZN8timemory") ||
           Name.starts_with("__timemory");
}

bool isCompilerInitializer(StringRef Name) {
    return Name.starts_with("__cxx_global_var_init") || Name.starts_with("_GLOBAL__sub_I") ||
           Name.starts_with("__cxx_global_array_dtor") || Name.starts_with("__dtor_");
}

/// What the size rules look at: IR instructions (debug intrinsics not counted), whether
/// the function has a loop, and whether it is a leaf (calls nothing but intrinsics).
struct Shape {
    unsigned Instructions = 0;
    bool HasLoop = false;
    bool Leaf = true;
    std::string describe() const;
};

class Instrumenter {
public:
    Instrumenter(Module& M, ModuleAnalysisManager& MAM, const InstrumentOptions& O,
                 const SourceInfo* S)
        : M(M), Ctx(M.getContext()), O(O), Sources(S),
          FAM(MAM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager()) {}

    bool run();

private:
    Placement placementOf(const Function& F) const;
    std::optional<std::string> skipReason(Function& F, StringRef Demangled, const Placement& P);
    Shape shapeOf(Function& F);
    Constant* stringConstant(StringRef S);
    GlobalVariable* makeSite(Function& F, StringRef Demangled, const Placement& P);
    void insertHooks(Function& F, GlobalVariable* Site);
    void startAtLoad();
    void decide(StringRef What, StringRef Demangled, const Placement& P, StringRef Why = "");

    Module& M;
    LLVMContext& Ctx;
    const InstrumentOptions& O;
    const SourceInfo* Sources;
    FunctionAnalysisManager& FAM;
    std::set<const Function*> Never;
    StringMap<GlobalVariable*> Strings;
    std::string ReportText;
};

Placement Instrumenter::placementOf(const Function& F) const {
    Placement P;
    if (Sources) {
        auto It = Sources->ByMangledName.find(F.getName());
        if (It != Sources->ByMangledName.end()) {
            P.File = It->second.File;
            P.Line = It->second.Line;
            P.IsCxx = It->second.IsCxx;
            P.NeverInstrument = It->second.NeverInstrument;
            P.InSystemHeader = It->second.InSystemHeader;
            return P;
        }
    }
    P.IsCxx = F.getName().starts_with("_Z");
    if (const DISubprogram* SP = F.getSubprogram()) {
        SmallString<256> Path(SP->getFilename());
        if (!sys::path::is_absolute(Path) && !SP->getDirectory().empty()) {
            SmallString<256> Full(SP->getDirectory());
            sys::path::append(Full, Path);
            Path = Full;
        }
        P.File = std::string(Path);
        P.Line = SP->getLine();
        if (SP->getUnit() && dwarf::isCPlusPlus(static_cast<dwarf::SourceLanguage>(
                                 SP->getUnit()->getSourceLanguage())))
            P.IsCxx = true;
    } else {
        P.File = M.getSourceFileName();
    }
    return P;
}

static bool callsReturnsTwice(const Function& F) {
    for (const BasicBlock& BB : F)
        for (const Instruction& I : BB)
            if (const auto* CB = dyn_cast<CallBase>(&I))
                if (CB->hasFnAttr(Attribute::ReturnsTwice)) return true;
    return false;
}

static bool anyMatch(const std::vector<Rule>& Rules, StringRef A, StringRef B, std::string* Which) {
    for (const Rule& R : Rules) {
        if (R.search(A) || (!B.empty() && R.search(B))) {
            if (Which) *Which = R.Text;
            return true;
        }
    }
    return false;
}

std::optional<std::string> Instrumenter::skipReason(Function& F, StringRef Demangled,
                                                    const Placement& P) {
    // Kinds that can never be instrumented come first: their reason is the useful one.
    if (F.isDeclaration()) return std::string("declaration");
    if (F.hasAvailableExternallyLinkage())
        return std::string("available_externally (its body is emitted elsewhere)");
    if (F.hasFnAttribute(Attribute::Naked))
        return std::string("naked (no prologue to put a call in)");
    if (F.hasFnAttribute(InstrumentedAttr)) return std::string("already instrumented");
    if (F.hasFnAttribute(NeverAttr) || P.NeverInstrument || Never.count(&F))
        return std::string("marked no_instrument_function or TIMEMORY_NEVER_INSTRUMENT");
    if (isRuntimeSymbol(F.getName())) return std::string("part of the timemory runtime");
    if (isCompilerInitializer(F.getName()))
        return std::string("compiler-generated static initializer");

    if (P.InSystemHeader && !O.SystemHeaders)
        return std::string("defined in a system header (system-headers=1 instruments these)");

    std::string Which;
    if (anyMatch(O.Exclude, Demangled, F.getName(), &Which))
        return "excluded by exclude='" + Which + "'";
    if (anyMatch(O.ExcludeFile, P.File, "", &Which))
        return "file excluded by exclude-file='" + Which + "'";
    if (!O.Include.empty() && !anyMatch(O.Include, Demangled, F.getName(), nullptr))
        return std::string("matches no include rule");
    if (!O.IncludeFile.empty() && !anyMatch(O.IncludeFile, P.File, "", nullptr))
        return std::string("file matches no include-file rule");

    // Exempt from the size rule: main (the root every other node hangs from), a function an
    // include rule names (what the user asked to see, whatever its size), and a function
    // that calls setjmp, vfork or another returns_twice function (its hooks close the
    // frames a longjmp back into it skips; left out, they would stay open for good).
    if (O.MinInstructions > 0 && F.getName() != "main" && O.Include.empty() &&
        !callsReturnsTwice(F)) {
        const Shape S = shapeOf(F);
        const bool LeafLoop = S.HasLoop && S.Leaf;
        if (S.Instructions < O.MinInstructions &&
            (!LeafLoop || S.Instructions < O.MinLoopInstructions))
            return S.describe() + " (< min-instructions=" + std::to_string(O.MinInstructions) +
                   (LeafLoop ? ", < min-loop-instructions=" + std::to_string(O.MinLoopInstructions)
                             : std::string(S.HasLoop ? "; not a leaf" : "")) +
                   ")";
    }
    return std::nullopt;
}

Shape Instrumenter::shapeOf(Function& F) {
    Shape S;
    for (BasicBlock& BB : F) {
        for (Instruction& I : BB.instructionsWithoutDebug()) {
            ++S.Instructions;
            if (auto* CB = dyn_cast<CallBase>(&I)) {
                const Function* Callee = CB->getCalledFunction();
                if (!Callee || !Callee->isIntrinsic()) S.Leaf = false;
            }
        }
    }
    S.HasLoop = !FAM.getResult<LoopAnalysis>(F).empty();
    return S;
}

std::string Shape::describe() const {
    return std::to_string(Instructions) + " instructions" + (HasLoop ? ", a loop" : "") +
           (Leaf ? ", a leaf" : "");
}

Constant* Instrumenter::stringConstant(StringRef S) {
    GlobalVariable*& GV = Strings[S];
    if (!GV) {
        Constant* Init = ConstantDataArray::getString(Ctx, S);
        GV = new GlobalVariable(M, Init->getType(), /*isConstant=*/true,
                                GlobalValue::PrivateLinkage, Init, "__timemory_str");
        GV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
        GV->setAlignment(Align(1));
    }
    return GV;
}

GlobalVariable* Instrumenter::makeSite(Function& F, StringRef Demangled, const Placement& P) {
    Type* I32 = Type::getInt32Ty(Ctx);
    Type* Ptr = PointerType::getUnqual(Ctx);
    // Must match struct timemory_site in timemory/site.h (static_assert'ed there by size).
    StructType* SiteTy = StructType::getTypeByName(Ctx, "timemory.site");
    if (!SiteTy)
        SiteTy = StructType::create(Ctx, {I32, I32, Ptr, Ptr, Ptr, I32, I32}, "timemory.site");
    uint32_t Flags =
        uint32_t(P.IsCxx ? TIMEMORY_LANG_CXX : TIMEMORY_LANG_C) | uint32_t(TIMEMORY_SITE_STATIC);
    Constant* Init = ConstantStruct::get(
        SiteTy, {ConstantInt::get(I32, 0), ConstantInt::get(I32, Flags), stringConstant(Demangled),
                 stringConstant(F.getName()), stringConstant(P.File), ConstantInt::get(I32, P.Line),
                 ConstantInt::get(I32, TIMEMORY_SITE_ABI)});
    std::string Name = "__timemory_site." + F.getName().str();
    // Writable: the runtime stores the site's id and filter flags into it. One site per
    // function across translation units (and so one node) when the function is shared.
    auto* GV = new GlobalVariable(M, SiteTy, /*isConstant=*/false, GlobalValue::PrivateLinkage,
                                  Init, Name);
    if (!F.hasLocalLinkage() && Triple(M.getTargetTriple()).supportsCOMDAT()) {
        GV->setLinkage(GlobalValue::LinkOnceODRLinkage);
        GV->setVisibility(GlobalValue::HiddenVisibility);
        GV->setComdat(M.getOrInsertComdat(GV->getName()));
    }
    GV->setSection(TIMEMORY_SITE_SECTION);
    GV->setAlignment(Align(8));
    return GV;
}

void Instrumenter::insertHooks(Function& F, GlobalVariable* Site) {
    Type* Void = Type::getVoidTy(Ctx);
    Type* Ptr = PointerType::getUnqual(Ctx);
    // nounwind: the hooks never throw, so calls need no landing pads. nonlazybind: call
    // through the GOT directly, without a PLT stub's extra jump on every call.
    AttributeList NoUnwind = AttributeList::get(Ctx, AttributeList::FunctionIndex,
                                                {Attribute::NoUnwind, Attribute::NonLazyBind});
    FunctionType* HookTy = FunctionType::get(Void, {Ptr}, false);
    FunctionCallee Enter = M.getOrInsertFunction("timemory_enter", HookTy, NoUnwind);
    FunctionCallee Exit = M.getOrInsertFunction("timemory_exit", HookTy, NoUnwind);
    FunctionCallee UnwindTo = M.getOrInsertFunction("timemory_unwind_to", HookTy, NoUnwind);

    DILocation* FnLoc = nullptr;
    if (DISubprogram* SP = F.getSubprogram())
        FnLoc = DILocation::get(Ctx, SP->getScopeLine(), 0, SP);
    auto call = [&](FunctionCallee Callee, Instruction* Before) {
        IRBuilder<> B(Before);
        CallInst* CI = B.CreateCall(Callee, {Site});
        DebugLoc Loc = Before->getDebugLoc();
        if (FnLoc)
            CI->setDebugLoc(Loc && Loc->getScope()->getSubprogram() == F.getSubprogram()
                                ? Loc
                                : DebugLoc(FnLoc));
    };

    // Collect first: inserting while walking would visit the new calls.
    SmallVector<Instruction*, 8> Exits, UnwindPoints;
    for (BasicBlock& BB : F) {
        Instruction* T = BB.getTerminator();
        if (isa<ReturnInst>(T)) {
            // Nothing may sit between a musttail call and its ret: exit before the call (the
            // tail-called function then appears as a sibling, which is what really happens).
            CallInst* Tail = BB.getTerminatingMustTailCall();
            Exits.push_back(Tail ? static_cast<Instruction*>(Tail) : T);
        } else if (isa<ResumeInst>(T)) {
            Exits.push_back(T);
        }
        if (BB.isLandingPad()) UnwindPoints.push_back(&*BB.getFirstInsertionPt());
        for (Instruction& I : BB)
            if (auto* CB = dyn_cast<CallInst>(&I))
                if (CB->hasFnAttr(Attribute::ReturnsTwice) && I.getNextNode())
                    UnwindPoints.push_back(I.getNextNode());
    }
    call(Enter, &*F.getEntryBlock().getFirstNonPHIOrDbgOrAlloca());
    // Unwind points before exits: where both go in front of the same instruction (a
    // landing pad followed by resume), the skipped frames must close before this one.
    for (Instruction* I : UnwindPoints)
        call(UnwindTo, I);
    for (Instruction* I : Exits)
        call(Exit, I);
    F.addFnAttr(InstrumentedAttr);
}

void Instrumenter::decide(StringRef What, StringRef Demangled, const Placement& P, StringRef Why) {
    if (!O.Verbose && O.ReportFile.empty()) return;
    std::string Line = ("timemory-instr: " + What + " '" + Demangled + "' [" + P.File + ":" +
                        std::to_string(P.Line) + "]")
                           .str();
    if (!Why.empty()) Line += ": " + Why.str();
    Line += "\n";
    if (O.Verbose) errs() << Line;
    ReportText += Line;
}

// A constructor that calls timemory_module_loaded(): the runtime starts when the module
// loads, an ordinary context, rather than at the first measured call, which may come from a
// signal handler that interrupted malloc (starting reads files and allocates).
void Instrumenter::startAtLoad() {
    auto* VoidTy = FunctionType::get(Type::getVoidTy(Ctx), false);
    AttributeList NoUnwind = AttributeList().addFnAttribute(Ctx, Attribute::NoUnwind);
    FunctionCallee Loaded = M.getOrInsertFunction("timemory_module_loaded", VoidTy, NoUnwind);
    Function* Ctor =
        Function::Create(VoidTy, GlobalValue::InternalLinkage, "timemory.module_loaded", M);
    Ctor->addFnAttr(Attribute::NoUnwind);
    Ctor->addFnAttr(NeverAttr);
    IRBuilder<> B(BasicBlock::Create(Ctx, "entry", Ctor));
    B.CreateCall(Loaded);
    B.CreateRetVoid();
    appendToGlobalCtors(M, Ctor, 65535);
}

bool Instrumenter::run() {
    if (isGpuDevice(M) || (Sources && Sources->DeviceCompilation))
        return false; // device code runs on the GPU, where the runtime does not exist
    // One instrumentation per module: a second run (the pass scheduled twice, or opt run
    // again on instrumented IR) changes nothing.
    if (M.getNamedMetadata(ModuleMarker)) return false;
    M.getOrInsertNamedMetadata(ModuleMarker);
    Never = annotatedNever(M);
    SmallVector<Function*, 64> Work;
    for (Function& F : M)
        Work.push_back(&F);
    bool Changed = false;
    for (Function* F : Work) {
        if (F->isIntrinsic()) continue;
        std::string Demangled = demangle(F->getName().str());
        Placement P = placementOf(*F);
        if (auto Why = skipReason(*F, Demangled, P)) {
            if (!F->isDeclaration()) decide("skipped", Demangled, P, *Why);
            continue;
        }
        std::string Why;
        if (O.Verbose || !O.ReportFile.empty()) {
            Why = shapeOf(*F).describe();
            if (!O.Include.empty())
                Why += " (named by an include rule: kept whatever its size)";
            else if (callsReturnsTwice(*F))
                Why += " (calls a returns_twice function such as setjmp: kept whatever its "
                       "size, to close the frames a longjmp skips)";
        }
        insertHooks(*F, makeSite(*F, Demangled, P));
        decide("instrumented", Demangled, P, Why);
        Changed = true;
    }
    if (Changed) startAtLoad();
    if (!O.ReportFile.empty() && !ReportText.empty()) {
        std::error_code EC;
        raw_fd_ostream Out(O.ReportFile, EC, sys::fs::OF_Append | sys::fs::OF_Text);
        if (!EC)
            Out << ReportText;
        else
            errs() << "timemory-instr: cannot write report file '" << O.ReportFile
                   << "': " << EC.message() << "\n";
    }
    return Changed;
}

} // namespace

PreservedAnalyses InstrumentPass::run(Module& M, ModuleAnalysisManager& MAM) {
    Instrumenter I(M, MAM, *Options, Sources.get());
    return I.run() ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace timemory
