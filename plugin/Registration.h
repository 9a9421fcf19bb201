//===- Registration.h - what the Clang front-end part uses of the pass ---===//
//
// libtimemory-instr.so holds the pass and has no dependency on Clang, so opt can load
// it. Inside clang it loads libtimemory-instr-clang.so, which registers the front-end
// action and calls back into these functions.
//
//===----------------------------------------------------------------------===//
#ifndef TIMEMORY_PLUGIN_REGISTRATION_H
#define TIMEMORY_PLUGIN_REGISTRATION_H

#include "Options.h"
#include "SourceInfo.h"

#include <memory>

namespace llvm {
class PassBuilder;
}

#define TIMEMORY_PLUGIN_API __attribute__((visibility("default")))

namespace timemory {

/// Adds the pass to PB's default pipelines: after inlining, or at the start with
/// inline=before.
TIMEMORY_PLUGIN_API void schedule(llvm::PassBuilder& PB,
                                  std::shared_ptr<const InstrumentOptions> Opts,
                                  std::shared_ptr<const SourceInfo> Sources);

/// Set while the front-end action owns the current translation unit: -fpass-plugin then
/// does not schedule a second copy of the pass.
TIMEMORY_PLUGIN_API void setFrontendActive(bool Active);

} // namespace timemory

#endif
