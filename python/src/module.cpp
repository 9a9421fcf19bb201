// timemory.libpytimemory: the thin native module under the pure-Python package. It exposes
// the runtime's C/C++ interface and the interpreter hooks; the Python API is built on it
// in python/timemory/.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <timemory/timemory.hpp>
#include <timemory/version.h>

#include "hooks.hpp"

namespace py = pybind11;

namespace {

std::vector<std::regex> compile_all(const std::vector<std::string>& patterns, const char* what) {
    std::vector<std::regex> out;
    for (const auto& p : patterns) {
        try {
            out.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::regex_error& e) {
            throw py::value_error(std::string(what) + ": invalid regular expression '" + p +
                                  "': " + e.what());
        }
    }
    return out;
}

void configure(tmpy::filter_config& c, const py::dict& d) {
    auto list = [&](const char* k) {
        return d.contains(k) ? d[k].cast<std::vector<std::string>>() : std::vector<std::string>{};
    };
    auto flag = [&](const char* k, bool def) { return d.contains(k) ? d[k].cast<bool>() : def; };
    tmpy::filter_config n;
    n.only_functions = compile_all(list("only_functions"), "only_functions");
    n.only_filenames = compile_all(list("only_filenames"), "only_filenames");
    n.skip_functions = compile_all(list("skip_functions"), "skip_functions");
    n.skip_filenames = compile_all(list("skip_filenames"), "skip_filenames");
    n.include_line = flag("include_line", true);
    n.include_filename = flag("include_filename", true);
    n.full_filepath = flag("full_filepath", false);
    n.include_args = flag("include_args", false);
    n.trace_c = flag("trace_c", false);
    n.max_stack_depth =
        d.contains("max_stack_depth") ? d["max_stack_depth"].cast<long>() : 0x7fffffff;
    n.generation = c.generation + 1;
    c = std::move(n);
}

py::object g_exit_action;

void call_exit_action(int sig) {
    // A fatal signal: best effort, on whichever thread it arrived.
    PyGILState_STATE st = PyGILState_Ensure();
    try {
        if (g_exit_action && !g_exit_action.is_none()) g_exit_action(sig);
    } catch (...) {
    }
    PyGILState_Release(st);
}

} // namespace

PYBIND11_MODULE(libpytimemory, m) {
    m.doc() = "Native part of the timemory package (the runtime and the interpreter hooks).";
    m.attr("version") = TIMEMORY_VERSION_STRING;
    // The hooks read version-specific interpreter structures: this module must run on the
    // minor version it was compiled for (its ABI tag says so; a renamed file would not).
    if ((Py_Version >> 16) != (PY_VERSION_HEX >> 16))
        throw py::import_error("timemory.libpytimemory was built for Python " +
                               std::to_string(PY_MAJOR_VERSION) + "." +
                               std::to_string(PY_MINOR_VERSION) + ", not this interpreter");
    m.attr("profiler_backend") = PY_VERSION_HEX >= 0x030c0000 ? "sys.monitoring" : "setprofile";
    tmpy::load_opcodes();

    // --- runtime ----------------------------------------------------------------------
    m.def(
        "init",
        [](py::iterable argv) {
            // Arguments as the operating system gave them: bytes, or str that Python decoded
            // with surrogateescape (an argument that is not valid UTF-8), encoded back the
            // same way (os.fsencode), not as UTF-8, which would refuse them.
            std::vector<std::string> args;
            for (py::handle a : argv) {
                py::object raw = py::reinterpret_borrow<py::object>(a);
                if (!PyBytes_Check(a.ptr())) {
                    raw = py::reinterpret_steal<py::object>(
                        PyUnicode_EncodeFSDefault(py::str(a).ptr()));
                    if (!raw) throw py::error_already_set();
                }
                args.emplace_back(PyBytes_AS_STRING(raw.ptr()),
                                  size_t(PyBytes_GET_SIZE(raw.ptr())));
            }
            std::vector<char*> ptrs;
            for (auto& s : args)
                ptrs.push_back(s.data());
            timemory_init(int(ptrs.size()), ptrs.empty() ? nullptr : ptrs.data());
        },
        py::arg("argv") = py::list(),
        "Starts the runtime (idempotent). `argv`: str (as in sys.argv) or bytes.");
    m.def("initialized", &timemory::initialized, "True once the runtime has started.");
    m.def(
        "finalize",
        [] {
            if (tmpy::profiler_running()) tmpy::profiler_stop();
            if (tmpy::tracer_running()) tmpy::tracer_stop();
            timemory_finalize();
        },
        "Writes the reports and stops measuring.");
    m.def("is_enabled", [] { return timemory_is_enabled(); });
    m.def("set_enabled", [](bool on) { timemory_set_enabled(on); });
    m.def("push_region", [](const std::string& n) { timemory_push_region(n.c_str()); });
    m.def("pop_region", [](const std::string& n) { timemory_pop_region(n.c_str()); });
    m.def(
        "write_reports", [] { return timemory::write_reports(); },
        "Writes every report now; returns the folder.");
    m.def("reset", &timemory::reset, "Discards what every thread recorded so far.");
    m.def("active_components", &timemory::active_components);
    m.def("closest_components", &timemory::closest_component_ids);
    m.def(
        "enable_signal_detection",
        [](std::vector<int> sigs) { timemory::enable_signal_detection(sigs); },
        py::arg("signals") = std::vector<int>{});
    m.def("set_exit_action", [](py::object fn) {
        g_exit_action = fn;
        timemory::set_exit_action(fn.is_none() ? nullptr : &call_exit_action);
    });

    // A static site for a Python-level region (a marker): enter/exit take no string.
    struct region_site {
        timemory_site* site;
    };
    py::class_<region_site>(m, "Site", "A measured place: a region with a fixed name.")
        .def(py::init([](const std::string& name, const std::string& file, unsigned line,
                         bool python) {
                 // One site per name and place, kept by the runtime for the process.
                 return region_site{
                     timemory_intern_site(name.c_str(), nullptr, file.c_str(), line,
                                          python ? TIMEMORY_LANG_PYTHON : TIMEMORY_LANG_REGION)};
             }),
             py::arg("name"), py::arg("file") = "", py::arg("line") = 0, py::arg("python") = true)
        .def("enter", [](region_site& r) { timemory_enter(r.site); })
        .def("exit", [](region_site& r) { timemory_exit(r.site); })
        .def_property_readonly("name",
                               [](const region_site& r) { return std::string(r.site->name); });

    // --- settings ---------------------------------------------------------------------
    auto s = m.def_submodule("settings_api", "Settings by name.");
    s.def("get", [](const std::string& name) {
        bool ok = false;
        std::string v = timemory::settings::get(name, &ok);
        if (!ok) throw py::attribute_error("timemory has no setting '" + name + "'");
        return v;
    });
    s.def("set", [](const std::string& name, const std::string& value) {
        std::string err;
        if (!timemory::settings::set(name, value, &err)) throw py::value_error(err);
    });
    s.def("names", &timemory::settings::names);
    s.def(
        "describe",
        [](bool with_values) {
            py::list out;
            for (const auto& d : timemory::settings::describe(with_values))
                out.append(py::dict(py::arg("name") = d.name, py::arg("env_name") = d.env_name,
                                    py::arg("type") = d.type, py::arg("default") = d.default_value,
                                    py::arg("description") = d.description,
                                    py::arg("value") = d.value));
            return out;
        },
        py::arg("with_values") = false);
    s.def("parse", &timemory::settings::parse_environment);
    s.def("split_list", &timemory::settings::split_list, py::arg("text"),
          "The items of a list setting's text, split as the runtime splits them.");

    // --- components -------------------------------------------------------------------
    m.def(
        "component_catalog",
        [](bool availability) {
            py::list out;
            for (const auto& c : timemory::component_catalog(availability)) {
                py::dict d(py::arg("id") = c.id, py::arg("label") = c.label,
                           py::arg("description") = c.description, py::arg("kind") = c.kind);
                if (availability) {
                    d["available"] = c.available;
                    d["unavailable_reason"] = c.unavailable_reason;
                }
                out.append(d);
            }
            return out;
        },
        py::arg("availability") = true,
        "The components of this build; availability=False loads nothing optional.");
    m.def(
        "component_available",
        [](const std::string& id) {
            std::string why;
            bool ok = timemory::component_available(id, &why);
            return py::make_tuple(ok, why);
        },
        py::arg("id"), "(available, reason) for one component; opens its library if optional.");
    py::class_<timemory::measurement>(m, "Measurement", "One component measured stand-alone.")
        .def(py::init<const std::string&>(), py::arg("component"))
        .def("start", &timemory::measurement::start)
        .def("stop", &timemory::measurement::stop)
        .def("measure", &timemory::measurement::measure)
        .def("reset", &timemory::measurement::reset)
        .def("get", &timemory::measurement::get)
        .def("combine", &timemory::measurement::combine)
        .def_property_readonly("laps", &timemory::measurement::laps)
        .def_property_readonly("running", &timemory::measurement::running)
        .def_property_readonly("units", &timemory::measurement::units)
        .def_property_readonly("unit_value", &timemory::measurement::unit_value)
        .def_property_readonly("id", [](const timemory::measurement& x) { return x.info().id; });

    // --- PAPI ---------------------------------------------------------------------------
    py::class_<timemory::hardware_counters>(m, "HardwareCounters",
                                            "PAPI events counted in the calling thread.")
        .def(py::init<const std::vector<std::string>&>(), py::arg("events"))
        .def("start", &timemory::hardware_counters::start)
        .def("stop", &timemory::hardware_counters::stop)
        .def("values", &timemory::hardware_counters::values)
        .def_property_readonly("events", &timemory::hardware_counters::events);
    m.def("hardware_counters_available", [] {
        std::string why;
        bool ok = timemory::hardware_counters_available(&why);
        return py::make_tuple(ok, why);
    });
    m.def("hardware_counter_events", [] {
        py::list out;
        for (const auto& e : timemory::hardware_counter_events())
            out.append(py::dict(py::arg("name") = e.name, py::arg("description") = e.description,
                                py::arg("component") = e.component,
                                py::arg("available") = e.available));
        return out;
    });
    m.def("hardware_counter_components", &timemory::hardware_counter_components);
    m.def("hardware_counter_events_in_use", &timemory::hardware_counter_events_in_use);

    // --- results ----------------------------------------------------------------------
    py::class_<timemory::stats>(m, "Stats")
        .def_readonly("sum", &timemory::stats::sum)
        .def_readonly("mean", &timemory::stats::mean)
        .def_readonly("min", &timemory::stats::min)
        .def_readonly("max", &timemory::stats::max)
        .def_readonly("stddev", &timemory::stats::stddev);
    py::class_<timemory::component_info>(m, "ComponentInfo")
        .def_readonly("id", &timemory::component_info::id)
        .def_readonly("label", &timemory::component_info::label)
        .def_readonly("description", &timemory::component_info::description)
        .def_readonly("kind", &timemory::component_info::kind)
        .def_readonly("units", &timemory::component_info::units)
        .def_readonly("unit_value", &timemory::component_info::unit_value)
        .def_readonly("group", &timemory::component_info::group);
    py::class_<timemory::result_node>(m, "ResultNode")
        .def_readonly("name", &timemory::result_node::name)
        .def_readonly("linkage", &timemory::result_node::linkage)
        .def_readonly("file", &timemory::result_node::file)
        .def_readonly("line", &timemory::result_node::line)
        .def_readonly("language", &timemory::result_node::language)
        .def_readonly("throttled", &timemory::result_node::throttled)
        .def_readonly("parent", &timemory::result_node::parent)
        .def_readonly("children", &timemory::result_node::children)
        .def_readonly("depth", &timemory::result_node::depth)
        .def_readonly("count", &timemory::result_node::count)
        .def_readonly("hash", &timemory::result_node::hash)
        .def_readonly("rolling_hash", &timemory::result_node::rolling_hash)
        .def_readonly("tid", &timemory::result_node::tid)
        .def_readonly("threads", &timemory::result_node::threads)
        .def_readonly("pid", &timemory::result_node::pid)
        .def_readonly("rank", &timemory::result_node::rank)
        .def_readonly("start_ns", &timemory::result_node::start_ns)
        .def_readonly("inclusive", &timemory::result_node::inclusive)
        .def_readonly("exclusive", &timemory::result_node::exclusive);
    py::class_<timemory::result>(m, "Result")
        .def_readonly("components", &timemory::result::components)
        .def_readonly("nodes", &timemory::result::nodes);
    m.def("snapshot", &timemory::snapshot, "The merged call graph of every thread, now.");
    m.def(
        "encode_snapshot", [](int rank) { return py::bytes(timemory::encode_snapshot(rank)); },
        py::arg("rank") = 0,
        "This process's merged graph, its nodes labelled MPI rank `rank`, in the binary form "
        "ranks exchange.");
    py::class_<timemory::rank_report>(m, "RankReport",
                                      "This process's graph taken once at the end of an MPI "
                                      "job: the bytes it sends and its part of the per-rank "
                                      "files come from the same moment.")
        .def(py::init<int>(), py::arg("rank"))
        .def(
            "encode", [](const timemory::rank_report& r) { return py::bytes(r.encode()); },
            "The bytes rank 0 decodes (what encode_snapshot(rank) returns).")
        .def("write_slices", &timemory::rank_report::write_slices, py::arg("slice_dir"),
             "Writes this rank's entries of the per-rank files into rank 0's slice folder; "
             "False when one could not be written (rank 0 then formats it).");
    m.def("make_slice_folder", &timemory::make_slice_folder,
          "Rank 0: the folder the ranks write their entries of the per-rank files into "
          "(\"\" when there is none to write).");
    m.def(
        "write_rank_reports",
        [](const std::vector<py::bytes>& ranks, const std::string& slice_dir,
           const py::object& ready) {
            std::vector<timemory::result> rs;
            std::string bad;
            for (size_t i = 0; i < ranks.size() && bad.empty(); ++i) {
                try {
                    rs.push_back(timemory::decode(std::string(ranks[i])));
                } catch (const std::exception& e) {
                    bad = "rank " + std::to_string(i) + ": " + e.what();
                }
            }
            // The ranks wait in `ready` (a collective): it is called whatever happens here
            // (write_reports calls it once; without a folder every entry is formatted here).
            auto all_ready = [&] {
                if (!ready.is_none()) ready();
            };
            if (!bad.empty()) {
                all_ready();
                throw py::value_error(bad);
            }
            return timemory::write_reports(rs, slice_dir, all_ready);
        },
        py::arg("ranks"), py::arg("slice_dir") = "", py::arg("ready") = py::none(),
        "Writes the reports of several ranks (their encode_snapshot bytes); returns the folder. "
        "With `slice_dir`, each rank's entries of the per-rank files are taken from there "
        "where the rank wrote them; `ready()` returns when every rank has (it is always "
        "called once).");

    // --- benchmark floor --------------------------------------------------------------
    // An empty C profile hook: what any C-level profiler pays before doing anything.
    m.def("_empty_hook_start", [] {
        PyEval_SetProfile([](PyObject*, PyFrameObject*, int, PyObject*) { return 0; }, nullptr);
    });
    m.def("_empty_hook_stop", [] { PyEval_SetProfile(nullptr, nullptr); });
#if PY_VERSION_HEX >= 0x030c0000
    // 3.12+: the same events as the profiler's, to an empty C callback (sys.monitoring).
    m.def("_empty_monitoring_start", &tmpy::empty_monitoring_start);
    m.def("_empty_monitoring_stop", &tmpy::empty_monitoring_stop);
#endif

    // --- interpreter hooks ------------------------------------------------------------
    m.def("profiler_configure", [](const py::dict& d) { configure(tmpy::profiler_config(), d); });
    m.def("profiler_start", &tmpy::profiler_start);
    m.def("profiler_stop", &tmpy::profiler_stop);
    m.def("profiler_running", &tmpy::profiler_running);
    m.def(
        "adopt_parent", [](unsigned long long token) { timemory_adopt_parent(token); },
        "In a new thread, before it records anything: nest it under the captured region.");
    m.def(
        "capture_parent", [] { return timemory_capture_parent(); },
        "A token for the region open on this thread (for a thread about to start).");
    m.def("tracer_configure", [](const py::dict& d) { configure(tmpy::tracer_config(), d); });
    m.def("tracer_start", &tmpy::tracer_start);
    m.def("tracer_stop", &tmpy::tracer_stop);
    m.def("tracer_running", &tmpy::tracer_running);
}
