/* timemory/timemory.h: the C interface of libtimemory-rt.so.
 *
 * Every function here may be called before timemory_init (the runtime then initialises
 * itself from the environment) and after timemory_finalize (calls become no-ops). None
 * throws, aborts or exits the host program.
 */
#ifndef TIMEMORY_TIMEMORY_H
#define TIMEMORY_TIMEMORY_H

#include <stdbool.h>

#include "timemory/site.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Initialises the runtime: reads the config file and TIMEMORY_* variables, selects the
 *  component bundle and registers the exit handler that writes the reports.
 *  `argc`/`argv` (may be 0/NULL) are recorded in metadata.json and name the output folder.
 *  Idempotent: later calls only update the recorded command line. */
TIMEMORY_API void timemory_init(int argc, char** argv);

/** Closes the calling thread's open regions, merges all threads and writes the reports
 *  (when TIMEMORY_AUTO_OUTPUT is on). Later enter/exit calls are ignored.
 *  Idempotent. Not safe while other threads are still inside measured regions: their
 *  open regions are not included. */
TIMEMORY_API void timemory_finalize(void);

/** Opens a region named `name` on the calling thread. The name is copied; regions with
 *  equal names share one site. Slower than timemory_enter (one lookup by name). */
TIMEMORY_API void timemory_push_region(const char* name);

/** Closes the innermost region named `name` on the calling thread (see timemory_exit for
 *  how a mismatched name is reconciled). */
TIMEMORY_API void timemory_pop_region(const char* name);

/** The site of (name, linkage, file, line, language), made once per distinct value and kept
 *  for the life of the process (the strings are copied): for producers whose sites are not
 *  static data, such as regions named at run time, interpreted functions or GPU operations.
 *  `linkage` NULL: the name; `file` NULL: none. Never NULL: out of memory, every such site
 *  is one shared site named "<no memory for region name>". Thread-safe. */
TIMEMORY_API struct timemory_site* timemory_intern_site(const char* name, const char* linkage,
                                                 const char* file, unsigned line,
                                                 unsigned language);

/** A token for "the region the calling thread has open now", for a thread it is about to
 *  start through a mechanism the runtime does not see (an interpreter's threads). 0 when
 *  nothing is open. pthread_create is already handled without it. */
TIMEMORY_API unsigned long long timemory_capture_parent(void);

/** Called first thing in a new thread with a token from timemory_capture_parent: the
 *  thread's graph is merged under that region (TIMEMORY_COLLAPSE_THREADS). Ignored once
 *  the thread has recorded anything, or for token 0. */
TIMEMORY_API void timemory_adopt_parent(unsigned long long token);

/** Turns measurement on or off for all threads. While off, enter/exit/push/pop return at
 *  once; regions opened before turning it off still close normally. */
TIMEMORY_API void timemory_set_enabled(bool enabled);

/** True when measurement is on (initialised, TIMEMORY_ENABLED, not finalised). */
TIMEMORY_API bool timemory_is_enabled(void);

#ifdef __cplusplus
}
#endif

#endif /* TIMEMORY_TIMEMORY_H */
