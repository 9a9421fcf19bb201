// Memory taken straight from the kernel (mmap), never from malloc: for everything the entry
// points may allocate while the program runs (call-graph nodes, the shadow stack, a thread's
// state, the registry of sites and threads, interned names). An entry point may run in a
// signal handler that interrupted malloc; were it to call malloc there, it would corrupt
// the program's heap. mmap and munmap are plain system calls, safe in a signal handler.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace timemory::rt {

/// `bytes` of zeroed memory from the kernel (rounded up to whole pages by it), or nullptr.
/// Never calls malloc, never changes errno, safe in a signal handler. Under AddressSanitizer
/// the rest of the last page is poisoned, so an access past `bytes` is still reported.
void* pages_alloc(size_t bytes) noexcept;
/// Returns memory from pages_alloc(bytes), with the same `bytes`. Same guarantees.
void pages_free(void* p, size_t bytes) noexcept;

/// A standard allocator over pages_alloc: containers the entry points grow. Each allocation
/// is at least a page: give such containers a first capacity of a page's worth.
template <typename T>
struct page_allocator {
    using value_type = T;
    page_allocator() noexcept = default;
    template <typename U>
    page_allocator(const page_allocator<U>&) noexcept {}
    T* allocate(size_t n) {
        if (n > size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
        void* p = pages_alloc(n * sizeof(T));
        if (!p) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, size_t n) noexcept { pages_free(p, n * sizeof(T)); }
    template <typename U>
    bool operator==(const page_allocator<U>&) const noexcept {
        return true;
    }
};

template <typename T>
using page_vector = std::vector<T, page_allocator<T>>;

/// Elements of T that fill one 4 KiB page (at least one): a first capacity.
template <typename T>
constexpr size_t page_of() {
    return sizeof(T) >= 4096 ? 1 : 4096 / sizeof(T);
}

/// Makes room for `more` elements in `v` (a page_vector, or any vector): geometric growth,
/// and never less than a page's worth, so that a container grown one element at a time
/// from empty makes a system call per doubling of pages, not per doubling of elements.
template <typename V>
void reserve_more(V& v, size_t more) {
    const size_t need = v.size() + more;
    if (need <= v.capacity()) return;
    size_t cap = v.capacity() * 2;
    if (cap < need) cap = need;
    if (cap < page_of<typename V::value_type>()) cap = page_of<typename V::value_type>();
    v.reserve(cap);
}

/// Memory that is never given back, handed out in small pieces from 64 KiB blocks of pages:
/// for what lives as long as the process (interned sites and their names). Not thread-safe:
/// the caller holds the lock of what it allocates for.
class page_arena {
public:
    /// `bytes` aligned to 16, or nullptr when the kernel has no more pages.
    void* allocate(size_t bytes) noexcept;

private:
    char* next_ = nullptr;
    size_t left_ = 0;
};

/// A standard allocator over page_arena `Arena` (a container of what is never freed, under
/// the arena's lock). Deallocation gives nothing back: a hash table's old buckets stay,
/// bounded by its last ones.
template <typename T, page_arena& Arena>
struct arena_allocator {
    using value_type = T;
    template <typename U>
    struct rebind {
        using other = arena_allocator<U, Arena>;
    };
    arena_allocator() noexcept = default;
    template <typename U>
    arena_allocator(const arena_allocator<U, Arena>&) noexcept {}
    T* allocate(size_t n) {
        void* p = n <= size_t(-1) / sizeof(T) ? Arena.allocate(n * sizeof(T)) : nullptr;
        if (!p) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T*, size_t) noexcept {}
    template <typename U>
    bool operator==(const arena_allocator<U, Arena>&) const noexcept {
        return true;
    }
};

} // namespace timemory::rt
