//===- Options.cpp - parsing the timemory plugin's options ---------------===//

#include "Options.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdlib>

using namespace llvm;

namespace timemory {

static bool addRule(std::vector<Rule>& Rules, StringRef Key, StringRef Text, std::string& Error) {
    if (Text.empty()) {
        Error = "'" + Key.str() + "' needs a regular expression";
        return false;
    }
    re2::RE2::Options Opts;
    Opts.set_log_errors(false); // the error becomes a diagnostic, not a line on stderr
    auto Re = std::make_shared<re2::RE2>(re2::StringPiece(Text.data(), Text.size()), Opts);
    if (!Re->ok()) {
        Error = "invalid regular expression '" + Text.str() + "' for '" + Key.str() + "': " +
                Re->error() + " (RE2 syntax)";
        return false;
    }
    Rules.push_back(Rule{Text.str(), std::move(Re)});
    return true;
}

static bool parseFlag(StringRef Key, StringRef Value, bool& Out, std::string& Error) {
    std::string V = Value.lower();
    if (V == "1" || V == "on" || V == "true" || V == "yes" || V.empty()) {
        Out = true;
        return true;
    }
    if (V == "0" || V == "off" || V == "false" || V == "no") {
        Out = false;
        return true;
    }
    Error = "invalid value '" + Value.str() + "' for '" + Key.str() + "': expected 1 or 0";
    return false;
}

bool InstrumentOptions::set(StringRef Key, StringRef Value, std::string& Error) {
    Key = Key.trim();
    Value = Value.trim();
    if (Key == "include") return addRule(Include, Key, Value, Error);
    if (Key == "exclude") return addRule(Exclude, Key, Value, Error);
    if (Key == "include-file") return addRule(IncludeFile, Key, Value, Error);
    if (Key == "exclude-file") return addRule(ExcludeFile, Key, Value, Error);
    if (Key == "min-instructions" || Key == "min-loop-instructions") {
        unsigned& Out = Key == "min-instructions" ? MinInstructions : MinLoopInstructions;
        if (Value.getAsInteger(10, Out)) {
            Error = "invalid value '" + Value.str() + "' for '" + Key.str() +
                    "': expected a non-negative integer";
            return false;
        }
        return true;
    }
    if (Key == "inline") {
        if (Value != "before" && Value != "after") {
            Error =
                "invalid value '" + Value.str() + "' for 'inline': expected 'before' or 'after'";
            return false;
        }
        InlineBefore = Value == "before";
        return true;
    }
    if (Key == "verbose") return parseFlag(Key, Value, Verbose, Error);
    if (Key == "system-headers") return parseFlag(Key, Value, SystemHeaders, Error);
    if (Key == "report") {
        ReportFile = Value.str();
        return true;
    }
    if (Key == "config") return loadFile(Value, Error);
    Error = "unknown option '" + Key.str() +
            "' (known: include, exclude, include-file, exclude-file, min-instructions, "
            "min-loop-instructions, inline, "
            "system-headers, verbose, report, config)";
    return false;
}

bool InstrumentOptions::setArgument(StringRef Argument, std::string& Error) {
    auto [Key, Value] = Argument.split('=');
    return set(Key, Value, Error);
}

bool InstrumentOptions::loadFile(StringRef Path, std::string& Error) {
    auto Buffer = MemoryBuffer::getFile(Path, /*IsText=*/true);
    if (!Buffer) {
        Error = "cannot read config file '" + Path.str() + "': " + Buffer.getError().message();
        return false;
    }
    SmallVector<StringRef, 32> Lines;
    (*Buffer)->getBuffer().split(Lines, '\n');
    for (size_t I = 0; I < Lines.size(); ++I) {
        StringRef Line = Lines[I].split('#').first.trim();
        if (Line.empty()) continue;
        std::string Where = Path.str() + ":" + std::to_string(I + 1) + ": ";
        if (!Line.contains('=')) {
            Error = Where + "expected 'key = value', got '" + Line.str() + "'";
            return false;
        }
        if (!setArgument(Line, Error)) {
            Error = Where + Error;
            return false;
        }
    }
    return true;
}

bool InstrumentOptions::loadEnvironment(std::string& Error) {
    const char* Path = std::getenv("TIMEMORY_INSTR_CONFIG");
    if (!Path || !*Path) return true;
    if (!loadFile(Path, Error)) {
        Error = "TIMEMORY_INSTR_CONFIG: " + Error;
        return false;
    }
    return true;
}

} // namespace timemory
