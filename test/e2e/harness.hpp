// Helpers for end-to-end tests: run a program with extra environment in a fresh folder,
// then read what it wrote.
#pragma once

#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../common/trace_check.hpp"

namespace e2e {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct run_result {
    int status = -1; ///< raw wait status
    std::string out, err;
    fs::path dir;  ///< the working folder the program ran in
    pid_t pid = 0; ///< the program's process id
    int exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
    int signal() const { return WIFSIGNALED(status) ? WTERMSIG(status) : 0; }
};

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline fs::path fresh_dir(const std::string& name) {
    fs::path d =
        fs::temp_directory_path() / ("timemory-e2e-" + name + "-" + std::to_string(getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

/// The environment of a program a test runs: this one's without TIMEMORY_* variables (tests
/// must not leak into each other) and without those `env` sets, then `env`, and HOME in
/// `dir` (no user config file).
inline std::vector<std::string> child_environment(const std::map<std::string, std::string>& env,
                                                  const fs::path& dir) {
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
        const std::string entry(*e);
        const std::string key = entry.substr(0, entry.find('='));
        if (key.rfind("TIMEMORY_", 0) != 0 && !env.count(key) && key != "HOME")
            envs.push_back(entry);
    }
    envs.push_back("HOME=" + dir.string());
    for (const auto& [k, v] : env)
        envs.push_back(k + "=" + v);
    return envs;
}

/// In a forked child: replaces it with `argv` and exactly the environment `env` (exit 127
/// when that fails).
[[noreturn]] inline void exec_program(const std::vector<std::string>& argv,
                                      const std::vector<std::string>& env) {
    std::vector<char*> a, en;
    for (const auto& s : argv)
        a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (const auto& s : env)
        en.push_back(const_cast<char*>(s.c_str()));
    en.push_back(nullptr);
    execve(a[0], a.data(), en.data());
    _exit(127);
}

/// Every flame graph a run wrote under `dir` must be a trace the viewers read as it is
/// (test/common/trace_check.hpp): checked after every run, whatever the test looks at.
inline void check_traces(const fs::path& dir) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(
             dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!it->is_regular_file(ec) || name.size() < 16 ||
            name.compare(name.size() - 16, 16, ".flamegraph.json") != 0)
            continue;
        std::ifstream in(it->path());
        const json trace = json::parse(in, nullptr, false);
        if (trace.is_discarded())
            ADD_FAILURE() << it->path() << " is not JSON";
        else if (const std::string p = trace_check::problems(trace); !p.empty())
            ADD_FAILURE() << it->path() << ":\n" << p.substr(0, 2000);
    }
}

/// Runs `argv` in a fresh folder with the environment plus `env` (TIMEMORY_* variables of
/// the caller removed first so tests do not leak into each other).
inline run_result run(const std::string& name, const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env) {
    run_result r;
    r.dir = fresh_dir(name);
    std::map<std::string, std::string> with = env;
    with.emplace("TIMEMORY_COUT_OUTPUT", "OFF");
    const std::vector<std::string> envs = child_environment(with, r.dir);
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(r.dir.c_str()) != 0) _exit(126);
        int o = open("stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        exec_program(argv, envs);
    }
    r.pid = pid;
    waitpid(pid, &r.status, 0);
    r.out = slurp(r.dir / "stdout.txt");
    r.err = slurp(r.dir / "stderr.txt");
    check_traces(r.dir);
    return r;
}

/// The run folder (TIMEMORY_RUN_FOLDERS) that process `pid` wrote inside `output`: its
/// name ends in "-<pid>". An empty path when there is none.
inline fs::path run_folder_of(const fs::path& output, long pid) {
    const std::string tail = "-" + std::to_string(pid);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(output, ec)) {
        const std::string name = e.path().filename().string();
        if (e.is_directory() && !e.is_symlink() && name[0] != '.' && name.size() > tail.size() &&
            name.compare(name.size() - tail.size(), tail.size(), tail) == 0)
            return e.path();
    }
    return {};
}

/// The entry of folder `dir` whose name ends in `tail`; an empty path when there is none.
inline fs::path entry_ending(const fs::path& dir, const std::string& tail) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.size() >= tail.size() &&
            name.compare(name.size() - tail.size(), tail.size(), tail) == 0)
            return e.path();
    }
    return {};
}

/// Like run(), but the program's stderr is a terminal (a pseudo-terminal whose other end
/// this process reads into `err`, carriage returns removed); stdout goes to a file as before.
inline run_result run_on_terminal(const std::string& name, const std::vector<std::string>& argv,
                                  const std::map<std::string, std::string>& env) {
    int master = -1, slave = -1;
    if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) return run_result{};
    run_result r;
    r.dir = fresh_dir(name);
    const std::vector<std::string> envs = child_environment(env, r.dir);
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(r.dir.c_str()) != 0) _exit(126);
        int o = open("stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(slave, 2);
        close(master);
        exec_program(argv, envs);
    }
    close(slave);
    char buf[4096];
    for (ssize_t n; (n = read(master, buf, sizeof(buf))) > 0;)
        for (ssize_t i = 0; i < n; ++i)
            if (buf[i] != '\r') r.err += buf[i];
    close(master);
    r.pid = pid;
    waitpid(pid, &r.status, 0);
    r.out = slurp(r.dir / "stdout.txt");
    return r;
}

inline json load_json(const fs::path& p) {
    return json::parse(slurp(p));
}

/// The records of a flat <label>.json for component `id`.
inline json records(const fs::path& file, const std::string& id) {
    return load_json(file)["timemory"][id]["ranks"][0]["graph"];
}

/// Finds a child of tree node `n` (a {"node","children"} object) by name.
inline const json* child(const json& n, const std::string& name) {
    for (const auto& c : n["children"])
        if (c["node"]["name"] == name) return &c;
    return nullptr;
}

/// The dummy root of a <label>.tree.json for component `id`.
inline json tree_root(const fs::path& file, const std::string& id) {
    // One process: "graph", or "mpi" with one entry when threads other than main ran.
    json body = load_json(file)["timemory"][id];
    return body.contains("graph") ? body["graph"][0][0] : body["mpi"][0][0];
}

inline uint64_t laps(const json* n) {
    return n ? (*n)["node"]["inclusive"]["entry"]["laps"].get<uint64_t>() : 0;
}
inline double incl_sum(const json* n) {
    return (*n)["node"]["inclusive"]["stats"]["sum"].get<double>();
}

} // namespace e2e
