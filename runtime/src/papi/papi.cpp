// PAPI support (built when libpapi-dev was found).
#include "papi/papi.hpp"

#include "papi/papi_library.hpp"
#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "base/log.hpp"
#include "components/fields.hpp"
#include "settings/settings.hpp"

namespace timemory::rt::papi {

namespace {

// Events counted by one PAPI component: an event set holds events of one component only.
// CPU counters (perf_event) count the thread that started them, so each thread has its
// own set. Every other component counts for the whole process or machine (software-
// defined counters are a library's globals; starting a second set over one would move
// the first set's baseline), so one set, started once, is shared and read under a lock.
struct component_events {
    int cidx;
    std::vector<int> codes;
    std::vector<int> fields; ///< offset from field::counter_first of each event
    bool per_thread = true;
    int shared = PAPI_NULL; ///< the running set of a process-wide component
};

struct process_state {
    std::once_flag init_once;
    const library* lib = nullptr; ///< libpapi, opened by initialize()
    bool ok = false;
    std::string why;
    bool checked = false; ///< TIMEMORY_PAPI_EVENTS has been resolved
    std::vector<std::string> names, descriptions;
    std::vector<component_events> by_component;
    std::vector<int> vector_ids, array_ids; ///< catalog indices of the group values
    bool multiplex = false;
    std::mutex shared_mutex; ///< serialises reads of the shared sets
};

process_state& state() {
    static auto* s = new process_state; // never destroyed: threads read it until exit
    return *s;
}

// The loaded libpapi. Only called once available() said yes (it loads the library).
const library& api() {
    return *state().lib;
}

std::string error_text(int rc) {
    const char* s = api().strerror(rc);
    return std::string(s ? s : "unknown error") + " (" + std::to_string(rc) + ")";
}

// PAPI's long description of an event, else its short one ("" when it has neither).
std::string describe(const PAPI_event_info_t& info) {
    return info.long_descr[0] ? info.long_descr : info.short_descr;
}

void report(const std::string& msg) {
    if (!settings::current().papi_quiet) warn(msg);
}

void initialize() {
    process_state& s = state();
    if (!(s.lib = load_library(&s.why))) return;
    int rc = api().library_init(PAPI_VER_CURRENT);
    if (rc != PAPI_VER_CURRENT) {
        s.why = "PAPI_library_init failed: " + error_text(rc);
        return;
    }
    rc = api().thread_init([]() -> unsigned long { return (unsigned long)pthread_self(); });
    if (rc != PAPI_OK) {
        s.why = "PAPI_thread_init failed: " + error_text(rc);
        return;
    }
    if (settings::current().papi_multiplexing) {
        rc = api().multiplex_init();
        if (rc == PAPI_OK)
            s.multiplex = true;
        else
            report("PAPI multiplexing unavailable, counting without it: " + error_text(rc));
    }
    s.ok = true;
}

// The events of TIMEMORY_PAPI_EVENTS, each once, in order.
std::vector<std::string> split_events(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& e : settings::split_list(text))
        if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
    return out;
}

// Whether `cidx` counts CPU events of the thread that starts it (perf_event).
bool is_cpu_component(int cidx) {
    const PAPI_component_info_t* ci = api().get_component_info(cidx);
    return ci && std::strcmp(ci->name, "perf_event") == 0;
}

// Creates an event set for component `cidx`, multiplexed when asked and possible (only
// CPU counters multiplex; other components' sets stay plain).
int create_set(int cidx, bool multiplex, std::string* err) {
    multiplex = multiplex && is_cpu_component(cidx);
    int es = PAPI_NULL;
    int rc = api().create_eventset(&es);
    if (rc == PAPI_OK) rc = api().assign_eventset_component(es, cidx);
    if (rc != PAPI_OK) {
        if (err) *err = "cannot create a PAPI event set: " + error_text(rc);
        if (es != PAPI_NULL) api().destroy_eventset(&es);
        return PAPI_NULL;
    }
    if (multiplex) {
        rc = api().set_multiplex(es);
        if (rc != PAPI_OK) {
            const PAPI_component_info_t* ci = api().get_component_info(cidx);
            report(std::string("PAPI multiplexing not supported by component ") +
                   (ci ? ci->name : "?") + ": " + error_text(rc));
        }
    }
    return es;
}

void destroy_set(int es) {
    long long ignored[max_counters];
    api().stop(es, ignored);
    api().cleanup_eventset(es);
    api().destroy_eventset(&es);
}

// Resolves TIMEMORY_PAPI_EVENTS: each event is tried in an event set of its component in
// this thread, so conflicts between events show up here, by name, not later per thread.
void check_events() {
    process_state& s = state();
    s.checked = true;
    const auto& v = settings::current();
    std::vector<std::string> wanted = split_events(v.papi_events);
    if (wanted.empty()) {
        report("TIMEMORY_PAPI_EVENTS is empty: the PAPI components count nothing (for "
               "example TIMEMORY_PAPI_EVENTS=PAPI_TOT_CYC,PAPI_TOT_INS; `timemory-avail "
               "--hw-counters` lists the events of this machine)");
        return;
    }
    std::vector<std::pair<int, int>> sets; // (cidx, event set)
    std::vector<std::string> failures, no_hardware;
    std::string hw_reason;
    for (const auto& name : wanted) {
        int code = 0;
        int rc = api().event_name_to_code(name.c_str(), &code);
        if (rc != PAPI_OK) {
            failures.push_back("'" + name + "' is not known here: " + error_text(rc));
            continue;
        }
        int cidx = api().get_event_component(code);
        const PAPI_component_info_t* ci = api().get_component_info(cidx < 0 ? 0 : cidx);
        if (ci && ci->disabled) {
            no_hardware.push_back(name);
            if (hw_reason.empty())
                hw_reason = std::string("PAPI component ") + ci->name +
                            " is disabled: " + ci->disabled_reason;
            continue;
        }
        if ((code & PAPI_PRESET_MASK) && api().query_event(code) != PAPI_OK) {
            no_hardware.push_back(name);
            if (hw_reason.empty())
                hw_reason = "PAPI reports " + std::to_string(api().num_hwctrs()) +
                            " hardware counters and no native event behind this preset";
            continue;
        }
        if (int(s.names.size()) == max_counters) {
            failures.push_back("'" + name + "': more than " + std::to_string(max_counters) +
                               " events");
            continue;
        }
        int es = PAPI_NULL;
        for (auto& [c, set] : sets)
            if (c == cidx) es = set;
        if (es == PAPI_NULL) {
            std::string err;
            es = create_set(cidx, s.multiplex, &err);
            if (es == PAPI_NULL) {
                failures.push_back("'" + name + "': " + err);
                continue;
            }
            sets.emplace_back(cidx, es);
        }
        rc = api().add_event(es, code);
        if (rc == PAPI_ENOEVNT && is_cpu_component(cidx)) {
            // A VM without a PMU: perf_event is enabled and the preset is mapped, but the
            // kernel has no counter behind it. The same cause as a disabled component.
            no_hardware.push_back(name);
            if (hw_reason.empty())
                hw_reason = "the kernel has no hardware counter for " + name + " (" +
                            error_text(rc) + "; PAPI reports " +
                            std::to_string(api().num_hwctrs()) + " counters)";
            continue;
        }
        if (rc != PAPI_OK) {
            failures.push_back("'" + name + "': " + error_text(rc));
            continue;
        }
        PAPI_event_info_t info;
        std::string desc = api().get_event_info(code, &info) == PAPI_OK ? describe(info) : "";
        if (desc.empty()) desc = name;
        component_events* ce = nullptr;
        for (auto& c : s.by_component)
            if (c.cidx == cidx) ce = &c;
        if (!ce) {
            s.by_component.push_back({cidx, {}, {}});
            ce = &s.by_component.back();
            ce->per_thread = is_cpu_component(cidx);
        }
        ce->codes.push_back(code);
        ce->fields.push_back(int(s.names.size()));
        s.names.push_back(name);
        s.descriptions.push_back(desc);
    }
    // Process-wide components keep their checked set, started now; per-thread ones are
    // recreated by each thread.
    for (auto& [c, es] : sets) {
        component_events* ce = nullptr;
        for (auto& x : s.by_component)
            if (x.cidx == c) ce = &x;
        if (ce && !ce->per_thread) {
            int rc = api().start(es);
            if (rc == PAPI_OK) {
                ce->shared = es;
                continue;
            }
            report("a shared PAPI event set did not start (" + error_text(rc) +
                   "); each thread starts its own instead");
            ce->per_thread = true;
        }
        destroy_set(es);
    }

    if (!no_hardware.empty()) {
        std::string list;
        for (const auto& n : no_hardware)
            list += (list.empty() ? "" : ", ") + n;
        report("hardware counters are not available here: " + hw_reason +
               "; /proc/sys/kernel/perf_event_paranoid is " + paranoid_level() + ". Not counting " +
               list + "; the run continues with the other components");
    }
    for (const auto& f : failures)
        report("PAPI event " + f + "; not counted");
    if (v.papi_fail_on_error && (!failures.empty() || !no_hardware.empty()) && !s.names.empty()) {
        report("TIMEMORY_PAPI_FAIL_ON_ERROR: not counting any PAPI event because of the "
               "errors above");
        s.names.clear();
        s.descriptions.clear();
        s.by_component.clear();
    }
}

// The calling thread's event sets, parallel to state().by_component.
struct thread_sets {
    bool ok = false;
    std::vector<int> handles;
};
__thread thread_sets* t_sets __attribute__((tls_model("initial-exec"))) = nullptr;

thread_sets* setup_thread() noexcept {
    process_state& s = state();
    auto* t = new thread_sets;
    t_sets = t;
    if (!s.ok) return t;
    for (const auto& ce : s.by_component) {
        if (!ce.per_thread) {
            t->handles.push_back(PAPI_NULL); // read through the shared set
            continue;
        }
        int es = create_set(ce.cidx, s.multiplex, nullptr);
        int rc = es == PAPI_NULL ? PAPI_EINVAL
                                 : api().add_events(es, const_cast<int*>(ce.codes.data()),
                                                    int(ce.codes.size()));
        if (rc == PAPI_OK) rc = api().start(es);
        if (rc != PAPI_OK) {
            warn_once("papi-thread", "PAPI counters cannot start in a thread, its PAPI values "
                                     "stay 0: " +
                                         error_text(rc));
            for (int h : t->handles)
                if (h != PAPI_NULL) destroy_set(h);
            if (es != PAPI_NULL) destroy_set(es);
            t->handles.clear();
            return t;
        }
        t->handles.push_back(es);
    }
    t->ok = true;
    return t;
}

} // namespace

std::string paranoid_level() {
    std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
    std::string v;
    if (!(in >> v)) return "unreadable";
    return v;
}

bool available(std::string* why) {
    process_state& s = state();
    std::call_once(s.init_once, initialize);
    if (!s.ok && why) *why = s.why;
    return s.ok;
}

std::vector<int> expand(const component& group) {
    process_state& s = state();
    if (!available(nullptr)) return {};
    if (!s.checked) check_events();
    const bool is_array = std::strcmp(group.id, "papi_array") == 0;
    std::vector<int>& ids = is_array ? s.array_ids : s.vector_ids;
    if (ids.empty()) {
        size_t n = s.names.size();
        if (is_array && n > size_t(array_size)) {
            report("papi_array holds " + std::to_string(array_size) +
                   " events; counting the first " + std::to_string(array_size) +
                   " of TIMEMORY_PAPI_EVENTS (papi_vector has no limit)");
            n = size_t(array_size);
        }
        for (size_t i = 0; i < n; ++i) {
            component c{group.id,
                        strdup(s.names[i].c_str()), // catalog strings live as long as the process
                        strdup(s.descriptions[i].c_str()),
                        unit_kind::count,
                        value_kind::delta,
                        field(int(field::counter_first) + int(i))};
            c.group = group.id;
            ids.push_back(add_component(c));
        }
    }
    return ids;
}

const std::vector<std::string>& events() {
    return state().names;
}

void read(int64_t* out) noexcept {
    thread_sets* t = t_sets;
    if (__builtin_expect(!t, 0)) t = setup_thread();
    if (!t->ok) return;
    process_state& s = state();
    const auto& groups = s.by_component;
    long long vals[max_counters];
    for (size_t g = 0; g < t->handles.size(); ++g) {
        int rc;
        if (t->handles[g] != PAPI_NULL) {
            rc = api().read(t->handles[g], vals);
        } else {
            std::lock_guard<std::mutex> lk(s.shared_mutex);
            rc = api().read(groups[g].shared, vals);
        }
        if (rc != PAPI_OK) continue;
        const auto& f = groups[g].fields;
        for (size_t k = 0; k < f.size(); ++k)
            out[f[k]] = vals[k];
    }
}

void thread_exit() noexcept {
    thread_sets* t = t_sets;
    if (!t) return;
    t_sets = nullptr;
    for (int h : t->handles)
        if (h != PAPI_NULL) destroy_set(h);
    delete t;
    api().unregister_thread();
}

std::vector<event_description> list_events() {
    std::vector<event_description> out;
    if (!available(nullptr)) return out;
    auto add = [&out](int code, bool avail) {
        PAPI_event_info_t info;
        if (api().get_event_info(code, &info) != PAPI_OK) return;
        int cidx = api().get_event_component(code);
        const PAPI_component_info_t* ci = api().get_component_info(cidx < 0 ? 0 : cidx);
        out.push_back(
            {info.symbol, describe(info), ci ? ci->name : "", avail && !(ci && ci->disabled)});
    };
    int code = PAPI_PRESET_MASK;
    if (api().enum_event(&code, PAPI_ENUM_FIRST) == PAPI_OK) {
        do {
            add(code, api().query_event(code) == PAPI_OK);
        } while (api().enum_event(&code, PAPI_ENUM_EVENTS) == PAPI_OK);
    }
    for (int cidx = 0; cidx < api().num_components(); ++cidx) {
        const PAPI_component_info_t* ci = api().get_component_info(cidx);
        if (!ci || ci->disabled) continue;
        code = PAPI_NATIVE_MASK;
        if (api().enum_cmp_event(&code, PAPI_ENUM_FIRST, cidx) != PAPI_OK) continue;
        do {
            add(code, true);
        } while (api().enum_cmp_event(&code, PAPI_ENUM_EVENTS, cidx) == PAPI_OK);
    }
    return out;
}

std::vector<std::string> component_states() {
    std::vector<std::string> out;
    if (!available(nullptr)) return out;
    for (int cidx = 0; cidx < api().num_components(); ++cidx) {
        const PAPI_component_info_t* ci = api().get_component_info(cidx);
        if (!ci) continue;
        out.push_back(std::string(ci->name) + ": " +
                      (ci->disabled ? std::string("disabled (") + ci->disabled_reason + ")"
                                    : std::string("enabled")));
    }
    return out;
}

counter_set::counter_set(const std::vector<std::string>& names) {
    std::string why;
    if (!available(&why)) throw std::runtime_error("PAPI is unavailable: " + why);
    if (names.empty()) throw std::runtime_error("no PAPI event given");
    const bool multiplex = state().multiplex;
    try {
        for (size_t i = 0; i < names.size(); ++i) {
            int code = 0;
            int rc = api().event_name_to_code(names[i].c_str(), &code);
            if (rc != PAPI_OK)
                throw std::runtime_error("PAPI event '" + names[i] +
                                         "' is not known here: " + error_text(rc));
            int cidx = api().get_event_component(code);
            const PAPI_component_info_t* ci = api().get_component_info(cidx < 0 ? 0 : cidx);
            if (ci && ci->disabled)
                throw std::runtime_error("PAPI event '" + names[i] + "': component " + ci->name +
                                         " is disabled: " + ci->disabled_reason +
                                         " (/proc/sys/kernel/perf_event_paranoid is " +
                                         paranoid_level() + ")");
            set* target = nullptr;
            for (auto& st : sets_) {
                int c = api().get_eventset_component(st.handle);
                if (c == cidx) target = &st;
            }
            if (!target) {
                std::string err;
                int es = create_set(cidx, multiplex, &err);
                if (es == PAPI_NULL)
                    throw std::runtime_error("PAPI event '" + names[i] + "': " + err);
                sets_.push_back({es, {}});
                target = &sets_.back();
            }
            rc = api().add_event(target->handle, code);
            if (rc != PAPI_OK)
                throw std::runtime_error("PAPI event '" + names[i] + "': " + error_text(rc));
            target->index.push_back(i);
        }
    } catch (...) {
        for (auto& st : sets_)
            destroy_set(st.handle);
        throw;
    }
    totals_.assign(names.size(), 0);
}

counter_set::~counter_set() {
    for (auto& st : sets_)
        destroy_set(st.handle);
}

void counter_set::start() {
    if (running_) return;
    for (auto& st : sets_) {
        int rc = api().start(st.handle);
        if (rc != PAPI_OK) throw std::runtime_error("PAPI_start failed: " + error_text(rc));
    }
    running_ = true;
}

void counter_set::stop() {
    if (!running_) return;
    long long vals[max_counters];
    for (auto& st : sets_) {
        if (api().stop(st.handle, vals) != PAPI_OK) continue;
        for (size_t k = 0; k < st.index.size(); ++k)
            totals_[st.index[k]] += vals[k];
    }
    running_ = false;
}

} // namespace timemory::rt::papi
