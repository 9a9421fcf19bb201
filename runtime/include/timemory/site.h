/* timemory/site.h: the static description of one measured place.
 *
 * This header is the one interface shared by the three producers of events:
 * the Clang plugin (one constant site per instrumented function, emitted in the
 * `timemory_sites` section), the Python profiler (one site per code object) and
 * manual markers (one static site per TIMEMORY_MARKER). The hot path only ever
 * passes a pointer to a site, never a string.
 *
 * Layout rules: the struct is plain C, 40 bytes on LP64, and only grows at the end.
 * A producer writes `abi = TIMEMORY_SITE_ABI`; the runtime refuses (and counts) sites
 * whose `abi` it does not know instead of misreading them.
 */
#ifndef TIMEMORY_SITE_H
#define TIMEMORY_SITE_H

#include <stdint.h>

#if defined(__GNUC__)
#define TIMEMORY_API __attribute__((visibility("default")))
#else
#define TIMEMORY_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the `timemory_site` layout. Bumped on any incompatible change. */
#define TIMEMORY_SITE_ABI 1u

/** Name of the ELF section that holds compiler-emitted sites. */
#define TIMEMORY_SITE_SECTION "timemory_sites"

/** Language of a site (low 4 bits of `flags`). */
enum timemory_site_language {
    TIMEMORY_LANG_UNKNOWN = 0,
    TIMEMORY_LANG_C = 1,
    TIMEMORY_LANG_CXX = 2,
    TIMEMORY_LANG_PYTHON = 3,
    TIMEMORY_LANG_REGION = 4 /* a manual, named region */
};

/** Flag bits of `flags`. Producers set only the language bits and
 *  TIMEMORY_SITE_STATIC; the other bits belong to the runtime. */
enum timemory_site_flag {
    TIMEMORY_SITE_LANG_MASK = 0x0fu,
    TIMEMORY_SITE_STATIC = 0x10u,    /* storage outlives the runtime (not heap) */
    TIMEMORY_SITE_DISABLED = 0x100u, /* excluded by a runtime filter: enter/exit return at once */
    TIMEMORY_SITE_THROTTLED = 0x200u /* too short to be worth measuring; still counted */
};

/** One measured place. Producers fill every field but `id`, which must start at 0. */
struct timemory_site {
    uint32_t id;         /**< 0 until registered, then a dense index >= 1 (runtime-owned) */
    uint32_t flags;      /**< language bits | runtime flag bits */
    const char* name;    /**< human-readable (demangled) name; never NULL */
    const char* linkage; /**< mangled or fully qualified name; may equal `name` */
    const char* file;    /**< source file, or "" when unknown */
    uint32_t line;       /**< first line, or 0 when unknown */
    uint32_t abi;        /**< TIMEMORY_SITE_ABI of the producer */
};

/* The Clang plugin emits this layout as IR ({i32, i32, ptr, ptr, ptr, i32, i32}). */
#if defined(__cplusplus)
static_assert(sizeof(void*) != 8 || sizeof(struct timemory_site) == 40, "site layout changed");
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(void*) != 8 || sizeof(struct timemory_site) == 40, "site layout changed");
#endif

/** Records entry into `site` on the calling thread.
 *  Thread-safe; lock-free after the site's first use on the thread. Never throws, never
 *  aborts. A no-op when the runtime is disabled, the site is disabled, or the call comes
 *  from inside the runtime itself. The first call of the process initialises the runtime. */
TIMEMORY_API void timemory_enter(struct timemory_site* site);

/** Records exit from `site` on the calling thread.
 *  An exit whose site is not the innermost open one is reconciled: open frames above the
 *  matching one are closed (they were skipped by an exception or longjmp); an exit with no
 *  matching open frame (opened before profiling started) is ignored and counted. */
TIMEMORY_API void timemory_exit(struct timemory_site* site);

/** Closes the innermost frame of `site` like timemory_exit, but the call is not over (a
 *  generator or coroutine was suspended): its time so far is kept and added to the call's
 *  value when it finally exits, and its count is not incremented. Resuming is a plain
 *  timemory_enter. */
TIMEMORY_API void timemory_suspend(struct timemory_site* site);

/** Opens a frame of `site` for the next segment of a call that timemory_suspend left in
 *  flight (a generator or coroutine resumed, or thrown into). The call is counted once:
 *  when this segment ends with timemory_exit, or, when it never does (a generator closed
 *  early or dropped while suspended), in the reports, with the time its segments ran. */
TIMEMORY_API void timemory_resume(struct timemory_site* site);

/** Closes every open frame above the innermost open frame of `site`, which stays open.
 *  Called where control re-enters a function after unwinding skipped frames: at a
 *  landing pad (an exception caught here or passing through a cleanup) and after a
 *  setjmp returns. A no-op when `site` is the innermost frame or not open at all. */
TIMEMORY_API void timemory_unwind_to(struct timemory_site* site);

/** Called once per instrumented module when it loads (a constructor the Clang plugin
 *  adds): starts the runtime there, in an ordinary context, so that no later first call
 *  (one made from a signal handler, say) has to start it. Does nothing in a Python
 *  interpreter, where the profiler chooses the components and starts the runtime, nor when
 *  the runtime runs already. Never throws, aborts or exits. */
TIMEMORY_API void timemory_module_loaded(void);

/** Marks a function that the Clang plugin must never instrument. */
#if defined(__clang__)
#define TIMEMORY_NEVER_INSTRUMENT __attribute__((annotate("timemory_never_instrument")))
#else
#define TIMEMORY_NEVER_INSTRUMENT
#endif

#ifdef __cplusplus
}
#endif

#endif /* TIMEMORY_SITE_H */
