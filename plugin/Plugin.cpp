//===- Plugin.cpp - loading the timemory pass into clang and opt --------===//
//
// Two ways in, one pass:
//  * clang -fplugin=libtimemory-instr.so: a PluginASTAction (run before the main action)
//    parses -fplugin-arg-timemory-*, collects per-function facts from the AST and hands
//    the pass to the backend through CodeGenOptions::PassBuilderCallbacks.
//  * llvmGetPassPluginInfo: -fpass-plugin= (options from TIMEMORY_INSTR_CONFIG) and
//    opt -load-pass-plugin ... -passes='timemory-instrument<key=value;...>'.
//
//===----------------------------------------------------------------------===//

#include "InstrumentPass.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Mangle.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Support/raw_ostream.h"


using namespace llvm;

namespace timemory {
namespace {

// True while the front-end action owns the current translation unit (from its consumer's
// creation to its destruction). -fplugin and -fpass-plugin given together then schedule
// the pass once, with the -fplugin-arg options. Per thread: clang may compile several
// translation units one after the other in one process.
thread_local bool FrontendActive = false;

void schedule(PassBuilder &PB, std::shared_ptr<const InstrumentOptions> Opts,
              std::shared_ptr<const SourceInfo> Sources) {
  auto Add = [Opts, Sources](ModulePassManager &MPM, OptimizationLevel) {
    MPM.addPass(InstrumentPass(Opts, Sources));
  };
  if (Opts->InlineBefore)
    PB.registerPipelineStartEPCallback(Add);
  else
    PB.registerOptimizerLastEPCallback(Add);
}

/// Records, for every function defined in the translation unit, its file and line and
/// whether it must never be instrumented, keyed by every mangled name it has.
class SourceCollector : public clang::ASTConsumer,
                        public clang::RecursiveASTVisitor<SourceCollector> {
public:
  SourceCollector(clang::CompilerInstance &CI, std::shared_ptr<SourceInfo> Info)
      : CI(CI), Info(std::move(Info)) {
    FrontendActive = true;
  }
  ~SourceCollector() override { FrontendActive = false; }

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return true; }

  void HandleTranslationUnit(clang::ASTContext &Ctx) override {
    Names = std::make_unique<clang::ASTNameGenerator>(Ctx);
    TraverseDecl(Ctx.getTranslationUnitDecl());
    Names.reset();
  }

  bool VisitFunctionDecl(clang::FunctionDecl *FD) {
    if (!FD->doesThisDeclarationHaveABody() || FD->isDependentContext())
      return true;
    FunctionSource S;
    S.NeverInstrument = FD->hasAttr<clang::NoInstrumentFunctionAttr>();
    for (const auto *A : FD->specific_attrs<clang::AnnotateAttr>())
      if (A->getAnnotation() == "timemory_never_instrument")
        S.NeverInstrument = true;
    S.IsCxx = CI.getLangOpts().CPlusPlus && !FD->isExternC();
    const clang::SourceManager &SM = CI.getSourceManager();
    clang::PresumedLoc PL = SM.getPresumedLoc(SM.getExpansionLoc(FD->getLocation()));
    if (PL.isValid()) {
      S.File = PL.getFilename();
      S.Line = PL.getLine();
    }
    for (const std::string &Name : Names->getAllManglings(FD))
      Info->ByMangledName[Name] = S;
    if (!llvm::isa<clang::CXXConstructorDecl>(FD) && !llvm::isa<clang::CXXDestructorDecl>(FD))
      Info->ByMangledName[Names->getName(FD)] = S;
    return true;
  }

private:
  clang::CompilerInstance &CI;
  std::shared_ptr<SourceInfo> Info;
  std::unique_ptr<clang::ASTNameGenerator> Names;
};

class TimemoryAction : public clang::PluginASTAction {
protected:
  bool ParseArgs(const clang::CompilerInstance &CI,
                 const std::vector<std::string> &Args) override {
    auto &Diags = CI.getDiagnostics();
    unsigned Id = Diags.getCustomDiagID(clang::DiagnosticsEngine::Error, "timemory plugin: %0");
    std::string Error;
    // The environment's config file first, so that explicit arguments refine it.
    if (!Options->loadEnvironment(Error)) {
      Diags.Report(Id) << Error;
      return false;
    }
    for (const std::string &A : Args) {
      if (!Options->setArgument(A, Error)) {
        Diags.Report(Id) << Error;
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &CI,
                                                        StringRef) override {
    auto Info = std::make_shared<SourceInfo>();
    const auto &LO = CI.getLangOpts();
    Info->DeviceCompilation = LO.CUDAIsDevice || LO.OpenMPIsTargetDevice || LO.SYCLIsDevice;
    std::shared_ptr<const InstrumentOptions> Opts = Options;
    CI.getCodeGenOpts().PassBuilderCallbacks.push_back(
        [Opts, Info](PassBuilder &PB) { schedule(PB, Opts, Info); });
    return std::make_unique<SourceCollector>(CI, Info);
  }

  ActionType getActionType() override { return AddBeforeMainAction; }

private:
  std::shared_ptr<InstrumentOptions> Options = std::make_shared<InstrumentOptions>();
};

// opt's parameter syntax: timemory-instrument<include=^foo;min-instructions=0>.
bool parsePipelineElement(StringRef Name, ModulePassManager &MPM) {
  if (!Name.consume_front("timemory-instrument"))
    return false;
  auto Opts = std::make_shared<InstrumentOptions>();
  std::string Error;
  if (!Opts->loadEnvironment(Error)) {
    errs() << "timemory-instrument: " << Error << "\n";
    return false;
  }
  if (!Name.empty()) {
    if (!Name.consume_front("<") || !Name.consume_back(">")) {
      errs() << "timemory-instrument: expected 'timemory-instrument<key=value;...>'\n";
      return false;
    }
    SmallVector<StringRef, 8> Params;
    Name.split(Params, ';', -1, /*KeepEmpty=*/false);
    for (StringRef P : Params) {
      if (!Opts->setArgument(P, Error)) {
        errs() << "timemory-instrument: " << Error << "\n";
        return false;
      }
    }
  }
  MPM.addPass(InstrumentPass(Opts));
  return true;
}

} // namespace
} // namespace timemory

static clang::FrontendPluginRegistry::Add<timemory::TimemoryAction>
    RegisterAction("timemory", "insert timemory entry/exit hooks into selected functions");

extern "C" LLVM_ATTRIBUTE_WEAK __attribute__((visibility("default"))) PassPluginLibraryInfo
llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "timemory-instrument", "0.1.0", [](PassBuilder &PB) {
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM, ArrayRef<PassBuilder::PipelineElement>) {
                  return timemory::parsePipelineElement(Name, MPM);
                });
            // -fpass-plugin: instrument the default pipelines, unless -fplugin already does.
            if (timemory::FrontendActive)
              return;
            auto Opts = std::make_shared<timemory::InstrumentOptions>();
            std::string Error;
            if (!Opts->loadEnvironment(Error)) {
              errs() << "timemory-instrument: " << Error << "; not instrumenting\n";
              return;
            }
            timemory::schedule(PB, Opts, nullptr);
          }};
}
