//===- FrontendAction.cpp - the clang -fplugin side of timemory ----------===//
//
// Registered as plugin "timemory" (so options are -fplugin-arg-timemory-<key>=<value>).
// Runs before the main action: parses the options, collects per-function facts from the
// AST and hands the pass to the backend through CodeGenOptions::PassBuilderCallbacks.
// Lives in libtimemory-instr-clang.so, which libtimemory-instr.so loads inside clang.
//
//===----------------------------------------------------------------------===//

#include "Registration.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Mangle.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "llvm/Passes/PassBuilder.h"

using namespace llvm;

namespace timemory {
namespace {

/// Records, for every function defined in the translation unit, its file and line and
/// whether it must never be instrumented, keyed by every mangled name it has.
class SourceCollector : public clang::ASTConsumer,
                        public clang::RecursiveASTVisitor<SourceCollector> {
public:
    SourceCollector(clang::CompilerInstance& CI, std::shared_ptr<SourceInfo> Info)
        : CI(CI), Info(std::move(Info)) {
        setFrontendActive(true);
    }
    ~SourceCollector() override { setFrontendActive(false); }

    bool shouldVisitTemplateInstantiations() const { return true; }
    bool shouldVisitImplicitCode() const { return true; }

    void HandleTranslationUnit(clang::ASTContext& Ctx) override {
        Names = std::make_unique<clang::ASTNameGenerator>(Ctx);
        TraverseDecl(Ctx.getTranslationUnitDecl());
        Names.reset();
    }

    bool VisitFunctionDecl(clang::FunctionDecl* FD) {
        if (!FD->doesThisDeclarationHaveABody() || FD->isDependentContext()) return true;
        FunctionSource S;
        S.NeverInstrument = FD->hasAttr<clang::NoInstrumentFunctionAttr>();
        for (const auto* A : FD->specific_attrs<clang::AnnotateAttr>())
            if (A->getAnnotation() == "timemory_never_instrument") S.NeverInstrument = true;
        S.IsCxx = CI.getLangOpts().CPlusPlus && !FD->isExternC();
        const clang::SourceManager& SM = CI.getSourceManager();
        clang::PresumedLoc PL = SM.getPresumedLoc(SM.getExpansionLoc(FD->getLocation()));
        S.InSystemHeader = SM.isInSystemHeader(SM.getExpansionLoc(FD->getLocation()));
        if (PL.isValid()) {
            S.File = PL.getFilename();
            S.Line = PL.getLine();
        }
        for (const std::string& Name : Names->getAllManglings(FD))
            Info->ByMangledName[Name] = S;
        if (!llvm::isa<clang::CXXConstructorDecl>(FD) && !llvm::isa<clang::CXXDestructorDecl>(FD))
            Info->ByMangledName[Names->getName(FD)] = S;
        return true;
    }

private:
    clang::CompilerInstance& CI;
    std::shared_ptr<SourceInfo> Info;
    std::unique_ptr<clang::ASTNameGenerator> Names;
};

class TimemoryAction : public clang::PluginASTAction {
protected:
    bool ParseArgs(const clang::CompilerInstance& CI,
                   const std::vector<std::string>& Args) override {
        auto& Diags = CI.getDiagnostics();
        unsigned Id = Diags.getCustomDiagID(clang::DiagnosticsEngine::Error, "timemory plugin: %0");
        std::string Error;
        // The environment's config file first, so that explicit arguments refine it.
        if (!Options->loadEnvironment(Error)) {
            Diags.Report(Id) << Error;
            return false;
        }
        for (const std::string& A : Args) {
            if (!Options->setArgument(A, Error)) {
                Diags.Report(Id) << Error;
                return false;
            }
        }
        return true;
    }

    std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& CI,
                                                          StringRef) override {
        auto Info = std::make_shared<SourceInfo>();
        const auto& LO = CI.getLangOpts();
        Info->DeviceCompilation = LO.CUDAIsDevice || LO.OpenMPIsTargetDevice || LO.SYCLIsDevice;
        std::shared_ptr<const InstrumentOptions> Opts = Options;
        CI.getCodeGenOpts().PassBuilderCallbacks.push_back(
            [Opts, Info](PassBuilder& PB) { schedule(PB, Opts, Info); });
        return std::make_unique<SourceCollector>(CI, Info);
    }

    ActionType getActionType() override { return AddBeforeMainAction; }

private:
    std::shared_ptr<InstrumentOptions> Options = std::make_shared<InstrumentOptions>();
};

} // namespace
} // namespace timemory

static clang::FrontendPluginRegistry::Add<timemory::TimemoryAction>
    RegisterAction("timemory", "insert timemory entry/exit hooks into selected functions");
