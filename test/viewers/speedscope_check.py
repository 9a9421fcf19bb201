#!/usr/bin/env python3
"""Opens a Chrome trace (<label>.flamegraph.json) in speedscope, in headless Chromium,
the way a user would (speedscope's own command-line loader), and checks what speedscope
made of it: no console warning or error, and speedscope's own export of the imported
profile equal to the file, call path by call path (the total time of every path on every
track).

usage: speedscope_check.py TRACE.json [--screenshot OUT.png]
Prints what it compared; exits 0 when equal, 1 with the differences, 77 (skip) when
Chromium or npm's speedscope is not installed (the reason printed).

Chromium is driven over its DevTools protocol on a pipe (--remote-debugging-pipe: JSON
messages separated by NUL bytes on file descriptors 3 and 4): nothing beyond the standard
library. speedscope is looked for in $SPEEDSCOPE_DIR, then in npm's global and local
node_modules.
"""
import base64
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


def find_speedscope():
    candidates = [os.environ.get("SPEEDSCOPE_DIR", "")]
    try:
        root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True,
                              timeout=60).stdout.strip()
        candidates.append(os.path.join(root, "speedscope"))
    except (OSError, subprocess.SubprocessError):
        pass
    candidates += ["node_modules/speedscope", "/tmp/sscope/node_modules/speedscope"]
    for c in candidates:
        index = os.path.join(c, "dist", "release", "index.html")
        if c and os.path.exists(index):
            return index
    return None


class Browser:
    """Headless Chromium on a DevTools pipe."""

    def __init__(self, chromium, profile_dir):
        self.r_cmd, self.w_cmd = os.pipe()  # our writes → its fd 3
        self.r_out, self.w_out = os.pipe()  # its fd 4 → our reads
        args = [chromium, "--headless=new", "--remote-debugging-pipe", "--no-first-run",
                "--no-default-browser-check", "--disable-gpu", "--no-sandbox",
                "--disable-background-networking", "--enable-unsafe-swiftshader",
                "--user-data-dir=" + profile_dir,
                "--allow-file-access-from-files", "about:blank"]

        def fds():
            # (dup2 onto the same number keeps close-on-exec: cleared explicitly.)
            w_out = os.dup(self.w_out) if self.w_out == 3 else self.w_out
            os.dup2(self.r_cmd, 3)
            os.dup2(w_out, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        # close_fds would close 3 and 4 after preexec_fn has set them up.
        self.proc = subprocess.Popen(args, close_fds=False, preexec_fn=fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.r_cmd)
        os.close(self.w_out)
        self.next_id = 0
        self.buffer = b""
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.r_out, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self.buffer += chunk
        msg, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w_cmd, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("{}: {}".format(method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_for(self, predicate, timeout=60):
        """Reads events until one satisfies `predicate` (already-seen ones count)."""
        deadline = time.time() + timeout
        for m in self.events:
            if predicate(m):
                return m
        while True:
            m = self._read_message(deadline)
            self.events.append(m)
            if predicate(m):
                return m

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def paths_of_trace(trace):
    """{(pid, tid): {call path: total µs}} from X events (nesting per track)."""
    tracks = {}
    for e in trace["traceEvents"]:
        if e.get("ph") == "X":
            tracks.setdefault((e["pid"], e["tid"]), []).append(e)
    out = {}
    for key, evs in tracks.items():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack, totals = [], {}
        for e in evs:
            while stack and stack[-1][1] <= e["ts"]:
                stack.pop()
            path = tuple(s[0] for s in stack) + (e["name"],)
            totals[path] = totals.get(path, 0.0) + e["dur"]
            stack.append((e["name"], e["ts"] + e["dur"]))
        out[key] = totals
    return out


def paths_of_export(doc):
    """[{call path: total}] per profile of a speedscope export (evented profiles)."""
    frames = [f["name"] for f in doc["shared"]["frames"]]
    result = []
    for prof in doc["profiles"]:
        stack, totals = [], {}
        for ev in prof["events"]:
            if ev["type"] == "O":
                stack.append((frames[ev["frame"]], ev["at"]))
            else:
                name, at = stack.pop()
                path = tuple(s[0] for s in stack) + (name,)
                totals[path] = totals.get(path, 0.0) + ev["at"] - at
        result.append((prof.get("name", ""), totals))
    return result


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    trace_path = os.path.abspath(sys.argv[1])
    shot = sys.argv[sys.argv.index("--screenshot") + 1] if "--screenshot" in sys.argv else None
    # Debian's /usr/bin/chromium is a shell wrapper; the browser itself is beside it.
    chromium = next((c for c in ("/usr/lib/chromium/chromium",) if os.access(c, os.X_OK)),
                    None) or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("skipped: Chromium is not installed (Debian package chromium)")
        return SKIP
    index = find_speedscope()
    if not index:
        print("skipped: npm's speedscope is not installed (npm install -g speedscope)")
        return SKIP
    with open(trace_path, "rb") as f:
        raw = f.read()
    trace = json.loads(raw)
    with tempfile.TemporaryDirectory() as tmp:
        loader = os.path.join(tmp, "profile.js")
        with open(loader, "w") as f:
            f.write("speedscope.loadFileFromBase64({}, {})".format(
                json.dumps(os.path.basename(trace_path)),
                json.dumps(base64.b64encode(raw).decode())))
        downloads = os.path.join(tmp, "downloads")
        os.makedirs(downloads)
        b = Browser(chromium, os.path.join(tmp, "chromium-profile"))
        try:
            target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            b.call("Runtime.enable", session=s)
            b.call("Page.enable", session=s)
            b.call("Log.enable", session=s)
            b.call("Network.enable", session=s)
            b.call("Browser.setDownloadBehavior",
                   {"behavior": "allow", "downloadPath": downloads, "eventsEnabled": True})
            url = "file://" + index + "#localProfilePath=" + loader
            b.call("Page.navigate", {"url": url}, session=s)
            b.wait_for(lambda m: m.get("method") == "Page.loadEventFired")
            # Wait until the profile is imported: its toolbar shows the Export button.
            click_export = """(() => {
                const el = [...document.querySelectorAll('div')].find(
                    d => d.childElementCount <= 1 && /Export$/.test(d.textContent.trim()));
                if (!el) return false;
                el.click();
                return true;
            })()"""
            deadline = time.time() + 60
            while True:
                r = b.call("Runtime.evaluate", {"expression": click_export, "returnByValue": True},
                           session=s)
                if r.get("result", {}).get("value"):
                    break
                if time.time() > deadline:
                    raise TimeoutError("speedscope never showed the imported profile")
                time.sleep(0.2)
            b.wait_for(lambda m: m.get("method") == "Browser.downloadProgress" and
                       m["params"].get("state") == "completed")
            if shot:
                png = b.call("Page.captureScreenshot", {"format": "png"}, session=s)["data"]
                with open(shot, "wb") as f:
                    f.write(base64.b64decode(png))
            messages = []
            for m in b.events:
                if m.get("method") == "Runtime.consoleAPICalled" and \
                        m["params"]["type"] in ("warning", "error", "assert"):
                    args = m["params"].get("args", [])
                    messages.append("console.{}: {}".format(
                        m["params"]["type"], " ".join(str(a.get("value", "")) for a in args)))
                elif m.get("method") == "Runtime.exceptionThrown":
                    messages.append("exception: " +
                                    m["params"]["exceptionDetails"].get("text", ""))
                elif m.get("method") == "Log.entryAdded" and \
                        m["params"]["entry"]["level"] in ("warning", "error") and \
                        m["params"]["entry"]["source"] in ("javascript", "network", "security"):
                    # (not the browser's own messages about its software WebGL)
                    messages.append("log: " + m["params"]["entry"].get("text", ""))
                elif m.get("method") == "Network.requestWillBeSent":
                    u = m["params"]["request"]["url"]
                    if not u.startswith(("file:", "data:", "blob:", "about:")):
                        messages.append("network request: " + u)
        finally:
            b.close()
        exports = glob.glob(os.path.join(downloads, "*"))
        if not exports:
            print("speedscope exported nothing")
            return 1
        with open(exports[0]) as f:
            exported = json.load(f)
    problems = list(messages)
    ours = paths_of_trace(trace)
    theirs = paths_of_export(exported)
    # speedscope makes one profile per track, in its own order: match each track to the
    # profile with the same paths.
    unmatched = list(theirs)
    for key, totals in sorted(ours.items()):
        best = None
        for cand in unmatched:
            if set(cand[1]) == set(totals):
                best = cand
                break
        if best is None:
            problems.append("track pid {} tid {}: no profile in speedscope with its {} paths"
                            .format(key[0], key[1], len(totals)))
            continue
        unmatched.remove(best)
        for path, us in totals.items():
            if abs(best[1][path] - us) > 1e-6 * max(1.0, us):
                problems.append("pid {} tid {} {}: {} us in the file, {} in speedscope".format(
                    key[0], key[1], ";".join(path), us, best[1][path]))
    for name, totals in unmatched:
        problems.append("speedscope has a profile the file does not: {!r}".format(name))
    events = sum(len(t) for t in ours.values())
    print("{}: {} tracks, {} call paths compared with speedscope's export; {} problems".format(
        os.path.basename(trace_path), len(ours), events, len(problems)))
    for p in problems[:40]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
