//===- PassPlugin.cpp - loading the timemory pass into opt and clang -----===//
//
//  * opt -load-pass-plugin libtimemory-instr.so -passes='timemory-instrument<k=v;...>'
//  * clang -fpass-plugin=libtimemory-instr.so (options from TIMEMORY_INSTR_CONFIG)
//  * clang -fplugin=libtimemory-instr.so: loading this library into clang loads
//    libtimemory-instr-clang.so beside it, which registers the front-end action (options
//    from -fplugin-arg-timemory-*, facts from the AST).
//
//===----------------------------------------------------------------------===//

#include "InstrumentPass.h"
#include "Registration.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

#include <string>

using namespace llvm;

namespace timemory {

namespace {

// Per thread: clang may compile several translation units one after the other in one
// process, and each has its own front-end action.
thread_local bool FrontendActive = false;

// opt's parameter syntax: timemory-instrument<include=^foo;min-instructions=0>.
bool parsePipelineElement(StringRef Name, ModulePassManager& MPM) {
    if (!Name.consume_front("timemory-instrument")) return false;
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

// Inside clang (its AST library is loaded), load the front-end part from this library's
// own folder. In opt there is no Clang, and nothing more to load.
__attribute__((constructor)) void loadFrontendInsideClang() {
    if (!dlsym(RTLD_DEFAULT, "_ZN5clang11ASTConsumer18HandleTopLevelDeclENS_12DeclGroupRefE"))
        return;
    Dl_info Self;
    if (!dladdr(reinterpret_cast<void*>(&loadFrontendInsideClang), &Self) || !Self.dli_fname)
        return;
    std::string Path = Self.dli_fname;
    Path = Path.substr(0, Path.find_last_of('/') + 1) + "libtimemory-instr-clang.so";
    if (!dlopen(Path.c_str(), RTLD_NOW | RTLD_GLOBAL))
        errs() << "timemory plugin: cannot load its Clang part '" << Path << "': " << dlerror()
               << "\n";
}

// A configuration error under -fpass-plugin, reported as a compile error by the first pass
// that runs: the plugin's registration has no way to fail the compile by itself, and a
// bad configuration must not build silently uninstrumented (-fplugin fails it too).
struct ConfigErrorPass : PassInfoMixin<ConfigErrorPass> {
    std::string Message;
    PreservedAnalyses run(Module& M, ModuleAnalysisManager&) {
        M.getContext().emitError("timemory-instrument: " + Message);
        return PreservedAnalyses::all();
    }
    static bool isRequired() { return true; }
};

} // namespace

static void reportConfigError(PassBuilder& PB, const std::string& Message) {
    PB.registerPipelineStartEPCallback([Message](ModulePassManager& MPM, OptimizationLevel) {
        MPM.addPass(ConfigErrorPass{{}, Message});
    });
}

void setFrontendActive(bool Active) {
    FrontendActive = Active;
}

void schedule(PassBuilder& PB, std::shared_ptr<const InstrumentOptions> Opts,
              std::shared_ptr<const SourceInfo> Sources) {
    auto Add = [Opts, Sources](ModulePassManager& MPM, OptimizationLevel) {
        MPM.addPass(InstrumentPass(Opts, Sources));
    };
    if (Opts->InlineBefore)
        PB.registerPipelineStartEPCallback(Add);
    else
        PB.registerOptimizerLastEPCallback(Add);
}

} // namespace timemory

extern "C" LLVM_ATTRIBUTE_WEAK __attribute__((visibility("default"))) PassPluginLibraryInfo
llvmGetPassPluginInfo() {
    return {LLVM_PLUGIN_API_VERSION, "timemory-instrument", "0.1.0", [](PassBuilder& PB) {
                PB.registerPipelineParsingCallback([](StringRef Name, ModulePassManager& MPM,
                                                      ArrayRef<PassBuilder::PipelineElement>) {
                    return timemory::parsePipelineElement(Name, MPM);
                });
                // -fpass-plugin: instrument the default pipelines, unless -fplugin does.
                if (timemory::FrontendActive) return;
                auto Opts = std::make_shared<timemory::InstrumentOptions>();
                std::string Error;
                if (!Opts->loadEnvironment(Error)) {
                    timemory::reportConfigError(PB, Error);
                    return;
                }
                timemory::schedule(PB, Opts, nullptr);
            }};
}
