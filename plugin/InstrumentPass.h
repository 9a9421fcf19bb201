//===- InstrumentPass.h - timemory entry/exit instrumentation -----------===//
#ifndef TIMEMORY_PLUGIN_INSTRUMENTPASS_H
#define TIMEMORY_PLUGIN_INSTRUMENTPASS_H

#include "Options.h"
#include "SourceInfo.h"

#include "llvm/IR/PassManager.h"

#include <memory>

namespace timemory {

/// Inserts timemory_enter/timemory_exit calls, with one static site per selected function.
struct InstrumentPass : llvm::PassInfoMixin<InstrumentPass> {
    InstrumentPass(std::shared_ptr<const InstrumentOptions> Options,
                   std::shared_ptr<const SourceInfo> Sources = nullptr)
        : Options(std::move(Options)), Sources(std::move(Sources)) {}

    llvm::PreservedAnalyses run(llvm::Module& M, llvm::ModuleAnalysisManager& MAM);
    static bool isRequired() { return true; } // also at -O0, where functions are optnone

private:
    std::shared_ptr<const InstrumentOptions> Options;
    std::shared_ptr<const SourceInfo> Sources;
};

} // namespace timemory

#endif
