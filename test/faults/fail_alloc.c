/* LD_PRELOAD shim: the k-th allocation of the process (TM_FAIL_ALLOC_AT=k, counted from
 * the start, malloc, calloc, realloc and the aligned ones alike) returns NULL with errno
 * ENOMEM, once; or the k-th anonymous mmap (TM_FAIL_MMAP_AT=k: how the runtime takes the
 * memory it records into) returns MAP_FAILED with ENOMEM, once. Everything else goes to
 * glibc and the kernel. tm_fail_alloc_stop(), called by the program, ends the counting and
 * writes "<allocations> <mmaps>" to the file named by TM_FAIL_ALLOC_COUNT (when set): the
 * reference run's counts bound k. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);
extern void __libc_free(void*);

static unsigned long fail_at = 0, fail_mmap_at = 0; /* 0: fail none */
static unsigned long counted = 0, counted_mmaps = 0;
static int counting = 1;

__attribute__((constructor(101))) static void read_settings(void) {
    const char* k = getenv("TM_FAIL_ALLOC_AT");
    if (k) fail_at = strtoul(k, NULL, 10);
    k = getenv("TM_FAIL_MMAP_AT");
    if (k) fail_mmap_at = strtoul(k, NULL, 10);
}

/* True when this allocation is the one to fail. */
static int fails(void) {
    if (!counting) return 0;
    counted += 1;
    if (fail_at != 0 && counted == fail_at) {
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

void* malloc(size_t n) {
    return fails() ? NULL : __libc_malloc(n);
}
void* calloc(size_t n, size_t m) {
    return fails() ? NULL : __libc_calloc(n, m);
}
void* realloc(void* p, size_t n) {
    return fails() ? NULL : __libc_realloc(p, n);
}
void free(void* p) {
    __libc_free(p);
}

void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
    if (counting && (flags & MAP_ANONYMOUS) && ++counted_mmaps == fail_mmap_at) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    return (void*)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}
void* memalign(size_t a, size_t n) {
    return fails() ? NULL : __libc_memalign(a, n);
}
void* aligned_alloc(size_t a, size_t n) {
    return fails() ? NULL : __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
    if (fails()) return ENOMEM;
    void* p = __libc_memalign(a, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

__attribute__((visibility("default"))) void tm_fail_alloc_stop(void) {
    counting = 0;
    const char* path = getenv("TM_FAIL_ALLOC_COUNT");
    if (!path) return;
    char text[48];
    int len = snprintf(text, sizeof(text), "%lu %lu\n", counted, counted_mmaps);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (write(fd, text, (size_t)len) < 0) { /* the test sees no count */
        }
        close(fd);
    }
}
