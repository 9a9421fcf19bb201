// Nothing another user controls steers what the runtime writes: a set-uid program run by an
// unprivileged user, a fallback folder or output folder planted by another user, links
// planted under the names of staged files and the lock, an output prefix that climbs out of
// the output folder.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.hpp"

using namespace e2e;

namespace {

const std::string unusual_app = TIMEMORY_UNUSUAL_APP;
const std::string guest_app = TIMEMORY_GUEST_APP;
constexpr uid_t nobody = 65534;

// Runs `argv` as user `uid` (group `uid`) in `dir`, with exactly `env`; its stdout and
// stderr go to dir/stdout.txt and dir/stderr.txt (created before the switch, so the user
// needs no right to write there).
run_result run_as(uid_t uid, const fs::path& dir, const std::vector<std::string>& argv,
                  const std::vector<std::string>& env) {
    run_result r;
    r.dir = dir;
    const pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir.c_str()) != 0) _exit(126);
        int o = open("stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        if (setgroups(0, nullptr) != 0 || setgid(uid) != 0 || setuid(uid) != 0) _exit(125);
        exec_program(argv, env);
    }
    r.pid = pid;
    waitpid(pid, &r.status, 0);
    r.out = slurp(dir / "stdout.txt");
    r.err = slurp(dir / "stderr.txt");
    return r;
}

// Every path under `dir`, links included.
std::vector<std::string> tree_of(const fs::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::end(it); it.increment(ec))
        out.push_back(it->path().string());
    return out;
}

} // namespace

// An instrumented set-uid-root program that an unprivileged user runs with a hostile
// environment: the runtime reads no TIMEMORY_* variable and no config file, says nothing,
// and writes nothing anywhere (docs/user-guide.md, "Set-uid programs").
TEST(Secure, ASetUidProgramTakesNothingFromItsCallerAndWritesNothing) {
    if (getuid() != 0)
        GTEST_SKIP() << "needs root: the test makes a set-uid-root copy of the program and "
                        "runs it as user "
                     << nobody;
    const fs::path top = fresh_dir("setuid");
    fs::permissions(top, fs::perms(0755));
    // Root's: the program (set-uid), a secret only root can read, a folder only root can
    // write, and a file only root can write (the target of the user's links).
    const fs::path bin = top / "bin", prog = bin / "tm-unusual-app";
    fs::create_directories(bin);
    fs::permissions(bin, fs::perms(0755));
    fs::copy_file(unusual_app, prog);
    ASSERT_EQ(chmod(prog.c_str(), 04755), 0);
    const fs::path secret = top / "secret.txt", victim = top / "victim.txt",
                   closed = top / "root-only";
    { std::ofstream(secret) << "TOP-SECRET-LINE = 1\n"; }
    { std::ofstream(victim) << "root's data\n"; }
    ASSERT_EQ(chmod(secret.c_str(), 0600), 0);
    ASSERT_EQ(chmod(victim.c_str(), 0644), 0);
    fs::create_directories(closed);
    fs::permissions(closed, fs::perms(0755));
    // The user's: the working folder, with links to root's file under the names the
    // runtime would write (the lock without run folders, the metadata file).
    const fs::path work = top / "work";
    fs::create_directories(work / "out");
    ASSERT_EQ(chown(work.c_str(), nobody, nobody), 0);
    ASSERT_EQ(chown((work / "out").c_str(), nobody, nobody), 0);
    fs::create_symlink(victim, work / "out" / ".timemory.lock");
    fs::create_symlink(victim, work / "out" / "metadata.json");
    const std::vector<std::string> before = tree_of(top);

    std::vector<std::string> env = {
        "PATH=/usr/bin:/bin",
        "TIMEMORY_CONFIG_FILE=" + secret.string(),
        "TIMEMORY_OUTPUT_PATH=" + (closed / "made-by-the-user").string(),
        "TIMEMORY_VERBOSE=3",
        "TIMEMORY_BANNER=ON",
        "TIMEMORY_COUT_OUTPUT=ON",
        "TIMEMORY_OUTPUT_PREFIX=../../..",
        "TMPDIR=" + closed.string(),
    };
    auto r = run_as(nobody, work, {prog.string(), "privileged"}, env);
    if (r.exit_code() == 125) GTEST_SKIP() << "cannot switch to user " << nobody;
    if (r.exit_code() == 127 || r.out.find("secure=") == std::string::npos)
        GTEST_SKIP() << "the set-uid copy does not run as user " << nobody
                     << " (its libraries must be readable by everyone): " << r.err;
    if (r.out.find("secure=1") == std::string::npos)
        GTEST_SKIP() << "set-uid has no effect here (a nosuid mount): " << r.out;
    EXPECT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_EQ(r.out, "secure=1 enabled=0\n");
    EXPECT_EQ(r.err, "") << "nothing said, nothing of the secret echoed";
    // The same with the output folder the user's own, without run folders.
    env[2] = "TIMEMORY_OUTPUT_PATH=out";
    env.push_back("TIMEMORY_RUN_FOLDERS=OFF");
    r = run_as(nobody, work, {prog.string(), "privileged"}, env);
    EXPECT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_EQ(r.err, "");
    // Nothing was created or changed anywhere, by root or through the links.
    std::vector<std::string> after = tree_of(top);
    std::erase_if(after, [&](const std::string& p) {
        return p == (work / "stdout.txt").string() || p == (work / "stderr.txt").string();
    });
    EXPECT_EQ(after, before);
    EXPECT_EQ(slurp(victim), "root's data\n");
    // Run by root itself (not a secure-execution process) the program is measured.
    env[2] = "TIMEMORY_OUTPUT_PATH=" + (top / "by-root").string();
    auto own = run_as(0, top, {prog.string(), "privileged"}, {env[0], env[2]});
    EXPECT_EQ(own.out, "secure=0 enabled=1\n") << own.err;
    EXPECT_TRUE(fs::exists(top / "by-root" / "latest" / "wall.json"));
}

// The fallback folder (the output folder cannot be made) used to have a predictable name,
// `timemory-<program>-<pid>-output`, and be used when it existed: another user could create
// it first, read the reports or plant links in it. Now it is a new folder made by mkdtemp.
TEST(Secure, APlantedFallbackFolderIsNeverUsed) {
    const fs::path top = fresh_dir("planted-fallback-top");
    fs::create_directories(top / "tmp");
    fs::permissions(top / "tmp", fs::perms(01777));
    { std::ofstream(top / "victim.txt") << "the user's private data\n"; }
    // The shell's pid is the program's (exec): the planted folder has the exact old name,
    // is open to everyone, and holds a link under the name of a staged file.
    const std::string plant =
        "d=\"$TMPDIR/timemory-tm-guest-app-$$-output\"; mkdir -m 777 \"$d\" && "
        "ln -s \"$VICTIM\" \"$d/wall.txt.tmp.$$\" && "
        "{ [ \"$(id -u)\" != 0 ] || chown -h 65534:65534 \"$d\" \"$d/wall.txt.tmp.$$\"; } && "
        "exec \"$0\" pipe";
    for (const std::string run_folders : {"ON", "OFF"}) {
        auto r = run("planted-fallback", {"/bin/sh", "-c", plant, guest_app},
                     {{"TIMEMORY_OUTPUT_PATH", "/proc/no-such-folder/out"},
                      {"TMPDIR", (top / "tmp").string()},
                      {"VICTIM", (top / "victim.txt").string()},
                      {"TIMEMORY_RUN_FOLDERS", run_folders}});
        ASSERT_EQ(r.exit_code(), 0) << r.err;
        const std::string old_name = "timemory-tm-guest-app-" + std::to_string(r.pid) + "-output";
        EXPECT_EQ(slurp(top / "victim.txt"), "the user's private data\n");
        EXPECT_EQ(tree_of(top / "tmp" / old_name).size(), 1u) << "only the planted link";
        // The reports are in a new folder of the user's, closed to others.
        fs::path fallback;
        for (const auto& e : fs::directory_iterator(top / "tmp"))
            if (e.path().filename() != old_name &&
                e.path().filename().string().rfind(
                    "timemory-tm-guest-app-" + std::to_string(r.pid) + "-", 0) == 0)
                fallback = e.path();
        ASSERT_FALSE(fallback.empty()) << r.err;
        struct stat st;
        ASSERT_EQ(lstat(fallback.c_str(), &st), 0);
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_EQ(st.st_uid, geteuid());
        EXPECT_EQ(st.st_mode & 0777, 0700u);
        const fs::path set = run_folders == "ON" ? fallback / "latest" : fallback;
        EXPECT_TRUE(fs::exists(set / "wall.json")) << r.err;
        EXPECT_NE(r.err.find("writing the reports to '" + fallback.string() + "'"),
                  std::string::npos)
            << r.err;
    }
}

// An output folder that another user made and anyone may write to is not used.
TEST(Secure, AnOutputFolderPlantedByAnotherUserIsNotUsed) {
    if (getuid() != 0) GTEST_SKIP() << "needs root: the test makes a folder owned by another user";
    const fs::path top = fresh_dir("planted-output-top");
    fs::create_directories(top / "shared");
    fs::permissions(top / "shared", fs::perms(0777));
    ASSERT_EQ(chown((top / "shared").c_str(), nobody, nobody), 0);
    fs::create_directories(top / "tmp");
    auto r = run(
        "planted-output", {guest_app, "pipe"},
        {{"TIMEMORY_OUTPUT_PATH", (top / "shared").string()}, {"TMPDIR", (top / "tmp").string()}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_TRUE(tree_of(top / "shared").empty());
    EXPECT_NE(r.err.find("'" + (top / "shared").string() +
                         "' belongs to user 65534 and anyone "
                         "may write in it"),
              std::string::npos)
        << r.err;
    EXPECT_NE(
        r.err.find("writing the reports to '" + (top / "tmp").string() + "/timemory-tm-guest-app-"),
        std::string::npos)
        << r.err;
}

// Without run folders, files are written straight into the output folder: links planted
// there under the names of the lock and of the staged files are never followed.
TEST(Secure, LinksPlantedInTheOutputFolderAreNeverFollowed) {
    const fs::path top = fresh_dir("planted-links-top");
    fs::create_directories(top / "out");
    { std::ofstream(top / "victim.txt") << "untouched\n"; }
    const std::string plant =
        "for f in wall.txt.tmp.$$ wall.json.tmp.$$ metadata.json.tmp.$$; do "
        "ln -s \"$VICTIM\" \"$OUT/$f\"; done; ln -s \"$VICTIM.new\" \"$OUT/.timemory.lock\"; "
        "exec \"$0\" pipe";
    auto r = run("planted-links", {"/bin/sh", "-c", plant, guest_app},
                 {{"TIMEMORY_OUTPUT_PATH", (top / "out").string()},
                  {"TIMEMORY_RUN_FOLDERS", "OFF"},
                  {"OUT", (top / "out").string()},
                  {"VICTIM", (top / "victim.txt").string()}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_EQ(slurp(top / "victim.txt"), "untouched\n");
    EXPECT_FALSE(fs::exists(top / "victim.txt.new")) << "created through the lock's name";
    EXPECT_TRUE(fs::is_regular_file(top / "out" / "wall.json")) << r.err;
    EXPECT_TRUE(fs::is_regular_file(top / "out" / "metadata.json")) << r.err;
}

// A prefix of file names is a prefix of file names: one that climbs out of the output folder
// is refused by name, and the reports are written where they belong.
TEST(Secure, AnOutputPrefixCannotLeaveTheOutputFolder) {
    auto r =
        run("prefix", {guest_app, "pipe"},
            {{"TIMEMORY_OUTPUT_PATH", "deep/er/out"}, {"TIMEMORY_OUTPUT_PREFIX", "../../../x"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_NE(r.err.find("TIMEMORY_OUTPUT_PREFIX: invalid value '../../../x' (a prefix of file "
                         "names cannot hold '/' (the folder is TIMEMORY_OUTPUT_PATH))"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(fs::exists(r.dir / "deep/er/out/latest/wall.json"));
    for (const auto& e : fs::directory_iterator(r.dir))
        EXPECT_EQ(e.path().filename().string().rfind("x", 0), std::string::npos) << e.path();
}

// A fallback folder that cannot be made is named by where it was to be made.
TEST(Secure, AnUnusableFallbackFolderIsNamedAndTheProgramRuns) {
    auto r = run("no-fallback", {guest_app, "pipe"},
                 {{"TIMEMORY_OUTPUT_PATH", "/proc/no-such-folder/out"},
                  {"TMPDIR", "/nonexistent-timemory-tmp"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_NE(r.err.find("fallback unusable (cannot create a folder in "
                         "'/nonexistent-timemory-tmp': No such file or directory); reports not "
                         "written"),
              std::string::npos)
        << r.err;
}
