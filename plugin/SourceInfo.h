//===- SourceInfo.h - what the front end knows about each function ------===//
//
// The pass sees IR; some facts live only in the AST: the file and line of a function even
// without -g, and `__attribute__((no_instrument_function))`, which leaves no trace in IR.
// The front-end action fills a SourceInfo per translation unit; the pass reads it by
// mangled name. Without it (opt on a .ll file) the pass falls back to debug info.
//
//===----------------------------------------------------------------------===//
#ifndef TIMEMORY_PLUGIN_SOURCEINFO_H
#define TIMEMORY_PLUGIN_SOURCEINFO_H

#include "llvm/ADT/StringMap.h"

#include <string>

namespace timemory {

struct FunctionSource {
    std::string File;
    unsigned Line = 0;
    bool NeverInstrument = false; ///< no_instrument_function or TIMEMORY_NEVER_INSTRUMENT
    bool IsCxx = false;
    bool InSystemHeader = false; ///< e.g. libstdc++'s inline functions
};

struct SourceInfo {
    llvm::StringMap<FunctionSource> ByMangledName;
    bool DeviceCompilation = false; ///< CUDA/HIP/OpenMP device side: never instrumented
};

} // namespace timemory

#endif
