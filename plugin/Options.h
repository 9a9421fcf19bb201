//===- Options.h - what the timemory plugin instruments ------------------===//
//
// The selection rules and settings of the instrumentation pass. The same keys come from
// -fplugin-arg-timemory-<key>=<value>, from a config file (config=FILE or the
// TIMEMORY_INSTR_CONFIG environment variable), and from opt's pass parameters
// (-passes='timemory-instrument<key=value;...>'). docs/plugin.md documents them.
//
//===----------------------------------------------------------------------===//
#ifndef TIMEMORY_PLUGIN_OPTIONS_H
#define TIMEMORY_PLUGIN_OPTIONS_H

#include "llvm/ADT/StringRef.h"

#include <re2/re2.h>

#include <memory>
#include <string>
#include <vector>

namespace timemory {

/// One regular expression as written by the user, with its compiled form (RE2: linear
/// time and bounded stack, whatever the pattern and however long the name).
struct Rule {
    std::string Text;
    std::shared_ptr<re2::RE2> Re;
    /// True when the rule matches somewhere in `S`.
    bool search(llvm::StringRef S) const {
        return re2::RE2::PartialMatch(re2::StringPiece(S.data(), S.size()), *Re);
    }
};

struct __attribute__((visibility("default"))) InstrumentOptions {
    std::vector<Rule> Include, Exclude;         ///< on the demangled or mangled name
    std::vector<Rule> IncludeFile, ExcludeFile; ///< on the function's source file
    /// Functions with fewer IR instructions after inlining (debug intrinsics not counted)
    /// are skipped (main excepted), unless the next rule keeps them: a call costs the hooks
    /// 10-30 ns, and small functions are called often. See docs/plugin.md for the choice.
    unsigned MinInstructions = 250;
    /// A leaf function (it calls nothing but intrinsics) with a loop is kept from this many
    /// instructions: the inner kernels where running time concentrates.
    unsigned MinLoopInstructions = 10;
    bool InlineBefore = false;  ///< instrument before inlining (every source function)
    bool SystemHeaders = false; ///< also instrument functions defined in system headers
    bool Verbose = false;       ///< list every decision on stderr
    std::string ReportFile;     ///< append every decision to this file

    /// Applies one `key=value`. On failure returns false and sets `Error` to a sentence
    /// naming the key, the text and the problem (a broken regex, an unknown key, ...).
    bool set(llvm::StringRef Key, llvm::StringRef Value, std::string& Error);
    /// Applies `key=value` written as one string.
    bool setArgument(llvm::StringRef Argument, std::string& Error);
    /// Applies every `key = value` line of a file (`#` comments). False with `Error` set
    /// (file, line and problem) on the first bad line or when unreadable.
    bool loadFile(llvm::StringRef Path, std::string& Error);
    /// Applies TIMEMORY_INSTR_CONFIG when set.
    bool loadEnvironment(std::string& Error);
};

} // namespace timemory

#endif
