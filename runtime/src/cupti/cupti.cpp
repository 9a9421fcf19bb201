// CUPTI support (built when the CUDA toolkit's CUPTI headers were found). libcupti and
// the CUDA driver are loaded with dlopen, so a program that never asks for
// cupti_activity never loads them, and a machine without a GPU only gets a reason.
#include "cupti/cupti.hpp"

#include <cupti.h>
#include <cxxabi.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>

#include "backends/backend.hpp"
#include "base/log.hpp"
#include "base/symbols.hpp"
#include "cupti/activity_graph.hpp"
#include "graph/snapshot.hpp"
#include "runtime/runtime.hpp"
#include "settings/settings.hpp"

namespace timemory::rt::cupti {

namespace {

// The CUPTI entry points we use, resolved from the loaded library.
struct api {
    decltype(&cuptiSubscribe) subscribe = nullptr;
    decltype(&cuptiEnableDomain) enable_domain = nullptr;
    decltype(&cuptiActivityEnable) activity_enable = nullptr;
    decltype(&cuptiActivityRegisterCallbacks) register_callbacks = nullptr;
    decltype(&cuptiActivityFlushAll) flush_all = nullptr;
    decltype(&cuptiActivityGetNextRecord) next_record = nullptr;
    decltype(&cuptiActivityGetNumDroppedRecords) dropped_records = nullptr;
    decltype(&cuptiGetResultString) result_string = nullptr;
};

// What one host path (thread, node) launched: per operation name, time and bytes.
struct op_key {
    uint32_t thread, node;
    std::string name;    // demangled kernel name, or "[CUDA memcpy HtoD]" ...
    std::string linkage; // mangled kernel name, or the same as name
    bool operator<(const op_key& o) const {
        return std::tie(thread, node, linkage) < std::tie(o.thread, o.node, o.linkage);
    }
};
struct op_value {
    uint64_t count = 0;
    running_stat time, bytes;
};

struct process_state {
    std::once_flag probe_once;
    bool ok = false;
    std::string why;
    api fn;
    bool started = false;
    CUpti_SubscriberHandle subscriber = nullptr;
    std::mutex mutex; // guards everything below (launch callbacks and buffer completion)
    std::unordered_map<uint32_t, uint64_t> launches; ///< correlation id -> thread<<32 | node
    std::map<op_key, op_value> ops;
    uint64_t records = 0, dropped = 0, foreign_device = 0;
    std::vector<int> value_ids; ///< catalog indices: gpu time, bytes
};

process_state& state() {
    static auto* s = new process_state; // never destroyed: CUPTI threads may call late
    return *s;
}

std::string cupti_error(CUptiResult rc) {
    const char* text = nullptr;
    if (state().fn.result_string) state().fn.result_string(rc, &text);
    return std::string(text ? text : "CUPTI error") + " (" + std::to_string(int(rc)) + ")";
}

void* open_first(const std::vector<std::string>& names, std::string* err) {
    for (const auto& n : names) {
        if (void* h = dlopen(n.c_str(), RTLD_NOW | RTLD_LOCAL)) return h;
        const char* e = dlerror();
        if (err && err->empty() && e) *err = e;
    }
    return nullptr;
}

void probe() {
    process_state& s = state();
    // The driver first: without it (no GPU, no NVIDIA driver) CUPTI cannot record.
    std::string err;
    void* cuda = open_first({"libcuda.so.1", "libcuda.so"}, &err);
    if (!cuda) {
        s.why = "no CUDA driver: " + err;
        return;
    }
    using init_t = int (*)(unsigned);
    using count_t = int (*)(int*);
    using error_t = int (*)(int, const char**);
    auto cu_init = reinterpret_cast<init_t>(dlsym(cuda, "cuInit"));
    auto cu_count = reinterpret_cast<count_t>(dlsym(cuda, "cuDeviceGetCount"));
    auto cu_error = reinterpret_cast<error_t>(dlsym(cuda, "cuGetErrorString"));
    if (!cu_init || !cu_count) {
        s.why = "the CUDA driver library lacks cuInit/cuDeviceGetCount";
        return;
    }
    int rc = cu_init(0);
    int devices = 0;
    if (rc == 0) rc = cu_count(&devices);
    if (rc != 0) {
        const char* text = nullptr;
        if (cu_error) cu_error(rc, &text);
        s.why = "CUDA driver initialisation failed: " + std::string(text ? text : "error") + " (" +
                std::to_string(rc) + ")";
        return;
    }
    if (devices == 0) {
        s.why = "no CUDA device found";
        return;
    }
    const long want = settings::current().cupti_device;
    if (want >= devices) {
        s.why = "TIMEMORY_CUPTI_DEVICE=" + std::to_string(want) + " but only " +
                std::to_string(devices) + " CUDA device(s) exist";
        return;
    }
    err.clear();
    std::vector<std::string> names = {"libcupti.so", "libcupti.so.13", "libcupti.so.12"};
#ifdef TIMEMORY_CUPTI_LIBRARY_DIR
    names.push_back(std::string(TIMEMORY_CUPTI_LIBRARY_DIR) + "/libcupti.so");
#endif
    void* lib = open_first(names, &err);
    if (!lib) {
        s.why = "libcupti cannot be loaded: " + err;
        return;
    }
    api& f = s.fn;
    bool all = true;
    auto get = [&](auto& slot, const char* name) {
        slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(lib, name));
        all = all && slot;
    };
    get(f.subscribe, "cuptiSubscribe");
    get(f.enable_domain, "cuptiEnableDomain");
    get(f.activity_enable, "cuptiActivityEnable");
    get(f.register_callbacks, "cuptiActivityRegisterCallbacks");
    get(f.flush_all, "cuptiActivityFlushAll");
    get(f.next_record, "cuptiActivityGetNextRecord");
    get(f.dropped_records, "cuptiActivityGetNumDroppedRecords");
    get(f.result_string, "cuptiGetResultString");
    if (!all) {
        s.why = "libcupti lacks an entry point of the activity API";
        return;
    }
    s.ok = true;
}

// The innermost recorded node of the calling thread (thread index << 32 | node); the
// root of thread 0 when the thread records nothing.
uint64_t open_node() noexcept {
    thread_state* ts = t_state;
    if (!ts) return 0;
    for (size_t i = ts->stack.size(); i-- > 0;) {
        uint32_t n = ts->stack[i].node;
        if (n < detached_node) return (uint64_t(ts->index) << 32) | n;
    }
    return uint64_t(ts->index) << 32;
}

bool launches_gpu_work(const char* fn) {
    return fn &&
           (std::strncmp(fn, "cuLaunch", 8) == 0 || std::strncmp(fn, "cuMemcpy", 8) == 0 ||
            std::strncmp(fn, "cuMemset", 8) == 0 || std::strncmp(fn, "cuGraphLaunch", 13) == 0);
}

// Driver API callback: at the entry of a launch, copy or set, remember which node is open.
void CUPTIAPI on_driver_call(void*, CUpti_CallbackDomain domain, CUpti_CallbackId,
                             const void* data) {
    if (domain != CUPTI_CB_DOMAIN_DRIVER_API) return;
    const auto* cb = static_cast<const CUpti_CallbackData*>(data);
    if (cb->callbackSite != CUPTI_API_ENTER || !launches_gpu_work(cb->functionName)) return;
    const uint64_t where = open_node();
    process_state& s = state();
    std::lock_guard<std::mutex> lk(s.mutex);
    s.launches[cb->correlationId] = where;
}

void CUPTIAPI on_buffer_request(uint8_t** buffer, size_t* size, size_t* max_records) {
    size_t bytes = size_t(std::max(64L * 1024, settings::current().cupti_buffer_size));
    *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, (bytes + 7) / 8 * 8));
    *size = *buffer ? bytes : 0;
    *max_records = 0; // as many as fit
}

const char* copy_name(uint8_t kind) {
    switch (kind) {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD:
        return "[CUDA memcpy HtoD]";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH:
        return "[CUDA memcpy DtoH]";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD:
        return "[CUDA memcpy DtoD]";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH:
        return "[CUDA memcpy HtoH]";
    case CUPTI_ACTIVITY_MEMCPY_KIND_PTOP:
        return "[CUDA memcpy PtoP]";
    default:
        return "[CUDA memcpy]";
    }
}

// Adds one record to the node that launched it (caller holds the mutex).
void add_record(process_state& s, uint32_t correlation, uint32_t device, const std::string& name,
                const std::string& linkage, uint64_t start, uint64_t end, uint64_t bytes) {
    ++s.records;
    const long want = settings::current().cupti_device;
    if (want >= 0 && long(device) != want) {
        ++s.foreign_device;
        return;
    }
    auto it = s.launches.find(correlation);
    uint64_t where = it == s.launches.end() ? 0 : it->second;
    op_value& v = s.ops[op_key{uint32_t(where >> 32), uint32_t(where), name, linkage}];
    v.count += 1;
    v.time.add(end > start ? int64_t(end - start) : 0);
    v.bytes.add(int64_t(bytes));
}

void CUPTIAPI on_buffer_complete(CUcontext ctx, uint32_t stream, uint8_t* buffer, size_t,
                                 size_t valid) {
    process_state& s = state();
    {
        std::lock_guard<std::mutex> lk(s.mutex);
        CUpti_Activity* rec = nullptr;
        while (s.fn.next_record(buffer, valid, &rec) == CUPTI_SUCCESS) {
            switch (rec->kind) {
            case CUPTI_ACTIVITY_KIND_KERNEL:
            case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: {
                auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(rec);
                const char* mangled = k->name ? k->name : "<kernel>";
                add_record(s, k->correlationId, k->deviceId, demangle(mangled), mangled, k->start,
                           k->end, 0);
                break;
            }
            case CUPTI_ACTIVITY_KIND_MEMCPY: {
                auto* m = reinterpret_cast<const CUpti_ActivityMemcpy6*>(rec);
                const char* n = copy_name(m->copyKind);
                add_record(s, m->correlationId, m->deviceId, n, n, m->start, m->end, m->bytes);
                break;
            }
            case CUPTI_ACTIVITY_KIND_MEMSET: {
                auto* m = reinterpret_cast<const CUpti_ActivityMemset4*>(rec);
                add_record(s, m->correlationId, m->deviceId, "[CUDA memset]", "[CUDA memset]",
                           m->start, m->end, m->bytes);
                break;
            }
            default:
                break;
            }
        }
        size_t dropped = 0;
        if (s.fn.dropped_records(ctx, stream, &dropped) == CUPTI_SUCCESS) s.dropped += dropped;
    }
    std::free(buffer);
}

std::vector<CUpti_ActivityKind> requested_kinds() {
    std::vector<CUpti_ActivityKind> out;
    for (std::string tok : settings::split_list(settings::current().cupti_activity_kinds)) {
        for (char& c : tok)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        if (tok == "kernel")
            out.push_back(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
        else if (tok == "memcpy")
            out.push_back(CUPTI_ACTIVITY_KIND_MEMCPY);
        else if (tok == "memset")
            out.push_back(CUPTI_ACTIVITY_KIND_MEMSET);
        else
            warn_once("cupti-kind:" + tok, "TIMEMORY_CUPTI_ACTIVITY_KINDS: unknown kind '" + tok +
                                               "' ignored (kernel, memcpy, memset)");
    }
    return out;
}

void start() {
    process_state& s = state();
    s.started = true;
    api& f = s.fn;
    CUptiResult rc = f.register_callbacks(on_buffer_request, on_buffer_complete);
    if (rc == CUPTI_SUCCESS) rc = f.subscribe(&s.subscriber, on_driver_call, nullptr);
    if (rc == CUPTI_SUCCESS) rc = f.enable_domain(1, s.subscriber, CUPTI_CB_DOMAIN_DRIVER_API);
    if (rc != CUPTI_SUCCESS) {
        warn("cupti_activity not collected: " + cupti_error(rc));
        s.ok = false;
        return;
    }
    for (CUpti_ActivityKind k : requested_kinds()) {
        rc = f.activity_enable(k);
        if (rc != CUPTI_SUCCESS)
            warn("cupti_activity: activity kind " + std::to_string(int(k)) +
                 " not recorded: " + cupti_error(rc));
    }
    // The two values of the report; their units follow TIMEMORY_TIMING/MEMORY_UNITS.
    component time{"cupti_activity", "gpu_time",
                   "GPU time of the kernels, copies and sets launched here", unit_kind::time,
                   value_kind::delta};
    time.group = "cupti_activity";
    component bytes{"cupti_activity", "gpu_bytes", "Bytes copied or set by the GPU operations",
                    unit_kind::memory, value_kind::delta};
    bytes.group = "cupti_activity";
    s.value_ids = {add_component(time), add_component(bytes)};
}

// A site per operation name (kernels: demangled name, mangled linkage), made once.
timemory_site* op_site(const std::string& name, const std::string& linkage) {
    static auto* sites = new std::unordered_map<std::string, timemory_site*>;
    auto it = sites->find(linkage);
    if (it != sites->end()) return it->second;
    timemory_site* site = intern_site(name.c_str(), linkage.c_str(), "", 0, TIMEMORY_LANG_REGION);
    if (site->id == 0) register_site(site);
    sites->emplace(linkage, site);
    return site;
}

} // namespace

bool available(std::string* why) {
    process_state& s = state();
    std::call_once(s.probe_once, probe);
    if (!s.ok && why) *why = s.why;
    return s.ok;
}

std::vector<int> expand(const component&) {
    process_state& s = state();
    if (available(nullptr) && !s.started) start();
    return {};
}

bool active() {
    process_state& s = state();
    return s.started && s.ok;
}

result collect() {
    process_state& s = state();
    if (!active()) return {};
    s.fn.flush_all(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    std::map<op_key, op_value> ops;
    uint64_t dropped, foreign;
    {
        std::lock_guard<std::mutex> lk(s.mutex);
        ops = s.ops;
        dropped = s.dropped;
        foreign = s.foreign_device;
    }
    if (dropped)
        warn("cupti_activity: CUPTI dropped " + std::to_string(dropped) +
             " activity records (raise TIMEMORY_CUPTI_BUFFER_SIZE)");
    if (foreign)
        info(1, "cupti_activity: ignored " + std::to_string(foreign) +
                    " records of other devices (TIMEMORY_CUPTI_DEVICE)");

    // Sites of the operations first: registering takes the runtime's lock.
    std::vector<activity> acts;
    for (const auto& [key, v] : ops)
        acts.push_back(
            {key.thread, key.node, op_site(key.name, key.linkage)->id, v.count, v.time, v.bytes});
    bundle b;
    b.select(s.value_ids);
    runtime& r = rt_state();
    runtime_lock lk(r.mutex);
    std::vector<const call_graph*> threads;
    static const call_graph folded(2); // a thread folded at its exit: its nodes are gone
    for (const thread_state* t : r.threads)
        threads.push_back(t ? &t->graph : &folded);
    std::vector<int> tid;
    call_graph g = activity_graph(acts, threads, &tid);
    std::vector<const timemory_site*> sites(r.sites.begin(), r.sites.end());
    return make_result(g, tid, sites, b, report_pid());
}

} // namespace timemory::rt::cupti

namespace timemory::rt {

std::vector<component> cupti_components(); // cupti_catalog.cpp

namespace {
bool own_report(result& out) {
    if (!cupti::active()) return false;
    out = cupti::collect();
    if (out.nodes.empty()) info(1, "cupti_activity: no GPU activity was recorded");
    return !out.nodes.empty();
}
} // namespace

extern const backend cupti_backend{"cupti",          cupti_components, nullptr,
                                   cupti::available, cupti::expand,    nullptr,
                                   nullptr,          own_report,       nullptr};

} // namespace timemory::rt
