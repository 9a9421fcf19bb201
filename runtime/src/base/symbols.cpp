#include "base/symbols.hpp"

#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

namespace timemory::rt {

std::string demangle(const char* name) {
    int status = 0;
    char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    std::string out = status == 0 && d ? d : name;
    std::free(d);
    return out;
}

namespace {

// The functions of one module's .symtab, by address relative to its load bias.
struct module_symbols {
    struct fn {
        uint64_t start, size;
        std::string name;
    };
    std::vector<fn> fns; // sorted by start
};

// Reads the .symtab of an ELF file (64-bit); empty when it has none (stripped) or the file
// cannot be read. Every offset is checked against the file size: a truncated or foreign
// file gives no names, never a crash.
module_symbols read_symtab(const char* path) {
    module_symbols out;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return out;
    struct stat st {};
    if (fstat(fd, &st) != 0 || st.st_size < off_t(sizeof(Elf64_Ehdr))) {
        close(fd);
        return out;
    }
    const size_t size = size_t(st.st_size);
    void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return out;
    const auto* base = static_cast<const unsigned char*>(map);
    const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(base);
    auto fits = [&](uint64_t off, uint64_t len) { return off <= size && len <= size - off; };
    if (std::memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
        eh->e_shentsize == sizeof(Elf64_Shdr) &&
        fits(eh->e_shoff, uint64_t(eh->e_shnum) * sizeof(Elf64_Shdr))) {
        const auto* sh = reinterpret_cast<const Elf64_Shdr*>(base + eh->e_shoff);
        for (unsigned i = 0; i < eh->e_shnum; ++i) {
            if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
            const Elf64_Shdr& strs = sh[sh[i].sh_link];
            if (!fits(sh[i].sh_offset, sh[i].sh_size) || !fits(strs.sh_offset, strs.sh_size))
                continue;
            const auto* syms = reinterpret_cast<const Elf64_Sym*>(base + sh[i].sh_offset);
            const char* names = reinterpret_cast<const char*>(base + strs.sh_offset);
            for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); ++k) {
                const Elf64_Sym& s = syms[k];
                if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_size == 0 ||
                    s.st_name >= strs.sh_size)
                    continue;
                const char* n = names + s.st_name;
                const size_t len = strnlen(n, strs.sh_size - s.st_name);
                out.fns.push_back({s.st_value, s.st_size, std::string(n, len)});
            }
        }
    }
    munmap(map, size);
    std::sort(out.fns.begin(), out.fns.end(),
              [](const auto& a, const auto& b) { return a.start < b.start; });
    return out;
}

// Whether `addr` lies in a loaded segment of the main program (the first object the
// dynamic linker lists).
bool in_main_program(uintptr_t addr) {
    struct query {
        uintptr_t addr;
        bool found = false;
    } q{addr};
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) -> int {
            auto* q = static_cast<query*>(data);
            for (int i = 0; i < info->dlpi_phnum; ++i) {
                const ElfW(Phdr)& ph = info->dlpi_phdr[i];
                const uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
                if (ph.p_type == PT_LOAD && q->addr >= lo && q->addr < lo + ph.p_memsz)
                    q->found = true;
            }
            return 1; // the first object only: the main program
        },
        &q);
    return q.found;
}

// Created at load, not under a function-local guard (see region_site).
auto* const g_symbol_cache = new std::map<uintptr_t, module_symbols>();

} // namespace

std::string function_at(const void* addr, std::string* module, size_t* offset) {
    Dl_info info{};
    void* entry = nullptr;
    if (!addr || !dladdr1(addr, &info, &entry, RTLD_DL_SYMENT) || !info.dli_fbase) return "";
    const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
    const uintptr_t fbase = reinterpret_cast<uintptr_t>(info.dli_fbase);
    if (module) *module = info.dli_fname ? info.dli_fname : "";
    if (offset) *offset = size_t(a - fbase);
    // The dynamic symbol is the function only when the address lies inside it (a static
    // function has no entry: the exported one before it would be named instead).
    const auto* sym = static_cast<const ElfW(Sym)*>(entry);
    const uintptr_t start = reinterpret_cast<uintptr_t>(info.dli_saddr);
    if (info.dli_sname && sym && a >= start && a < start + sym->st_size)
        return demangle(info.dli_sname);

    // The module's .symtab, read once per module. The main program's file name may be
    // relative (as it was run): /proc/self/exe is the same file.
    static std::mutex mutex; // constant-initialized: no guard a fork could copy held
    auto* cache = g_symbol_cache;
    std::lock_guard<std::mutex> lk(mutex);
    auto it = cache->find(fbase);
    if (it == cache->end()) {
        module_symbols syms;
        if (info.dli_fname && info.dli_fname[0] == '/') syms = read_symtab(info.dli_fname);
        if (syms.fns.empty() && in_main_program(a)) syms = read_symtab("/proc/self/exe");
        it = cache->emplace(fbase, std::move(syms)).first;
    }
    // Symbol values are link-time addresses: a shared object or PIE (ET_DYN) is linked at
    // 0 and loaded at its base; an ET_EXEC executable at its own addresses.
    const ElfW(Ehdr)* eh = static_cast<const ElfW(Ehdr)*>(info.dli_fbase);
    const uintptr_t rel = eh->e_type == ET_DYN ? a - fbase : a;
    const auto& fns = it->second.fns;
    auto f = std::upper_bound(fns.begin(), fns.end(), rel,
                              [](uintptr_t v, const auto& fn) { return v < fn.start; });
    if (f == fns.begin()) return "";
    --f;
    return rel < f->start + f->size ? demangle(f->name.c_str()) : "";
}

} // namespace timemory::rt
