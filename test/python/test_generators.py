"""Generators and coroutines: one logical call is one count on every interpreter, however
the call is suspended, resumed, thrown into or left (3.11: profile hook; 3.12+:
sys.monitoring, where a generator closed early emits no event at all)."""

from conftest import find, laps

HEADER = """
import asyncio, sys, time, timemory
from timemory.profiler import Profiler, Config
Config.only_filenames = [__file__]
def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
"""


def node_sum(node):
    return node["node"]["inclusive"]["stats"]["sum"]


def test_generator_consumed_by_a_builtin_is_one_call_per_generator(run_script):
    r = run_script(HEADER + """
def squares(n):
    for i in range(n):
        yield i * i
def main():
    total = 0
    for _ in range(20):
        total += sum(squares(20000))
    return total
with Profiler(["wall_clock"]):
    main()
timemory.finalize()
""")
    assert r.rc == 0, r.err
    assert laps(find(r.tree(), "main", "squares")) == 20


def test_generators_left_early_are_counted_with_their_time(run_script):
    # break, any() short-circuiting, close(), and a generator dropped while suspended:
    # each is one call, and the time it ran (20 ms per call, before its first yield)
    # is kept.
    r = run_script(HEADER + """
def slow_then_many():
    spin(0.02)
    for i in range(1000):
        yield i
def by_break():
    for x in slow_then_many():
        if x == 3:
            break
def by_any():
    return any(x == 2 for x in slow_then_many())
def by_close():
    g = slow_then_many()
    next(g)
    g.close()
def by_drop():
    g = slow_then_many()
    next(g); next(g)
    del g
def main():
    for f in (by_break, by_any, by_close, by_drop):
        f(); f()
with Profiler(["wall_clock"]):
    main()
timemory.finalize()
""")
    assert r.rc == 0, r.err
    tree = r.tree()
    for path in (("by_break",), ("by_any", "by_any.<locals>.<genexpr>"), ("by_close",),
                 ("by_drop",)):
        g = find(tree, "main", *path, "slow_then_many")
        assert g is not None, path
        assert laps(g) == 2, path
        assert node_sum(g) >= 0.038, (path, node_sum(g))  # 2 x 20 ms, in seconds
        assert node_sum(find(tree, "main", path[0])) >= node_sum(g)
    # any() consumes a generator expression, itself one call
    assert laps(find(tree, "main", "by_any", "by_any.<locals>.<genexpr>")) == 2


def test_throw_and_yield_from(run_script):
    r = run_script(HEADER + """
def inner():
    while True:
        try:
            yield 1
        except KeyError:
            yield -1
def outer():
    yield from inner()
def main():
    g = outer()
    next(g)
    assert g.throw(KeyError) == -1   # caught inside: both resume and yield again
    next(g); next(g)
    try:
        g.throw(ValueError)          # not caught: both end by the exception
    except ValueError:
        pass
with Profiler(["wall_clock"]):
    main()
timemory.finalize()
""")
    assert r.rc == 0, r.err
    tree = r.tree()
    outer = find(tree, "main", "outer")
    assert laps(outer) == 1
    assert laps(find(outer, "inner")) == 1
    # throw() into `outer` goes straight to `inner` (the delegate) without running outer's
    # frame: that segment of inner's call ran under main, and is counted there too (a call
    # is counted once in each function it ran under; docs/python.md).
    assert laps(find(tree, "main", "inner")) == 1


def test_coroutines_and_async_generators(run_script):
    r = run_script(HEADER + """
async def ticker(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i
async def leaf():
    await asyncio.sleep(0)
    return 1
async def work():
    total = 0
    async for i in ticker(5):
        total += await leaf()
    return total
async def cancelled():
    await asyncio.sleep(10)
async def main():
    results = await asyncio.gather(work(), work(), work())
    task = asyncio.ensure_future(cancelled())
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    return results
with Profiler(["wall_clock"]):
    asyncio.run(main())
timemory.finalize()
""")
    assert r.rc == 0, r.err
    recs = r.records()

    def calls(name):
        return sum(x["inclusive"]["entry"]["laps"] for x in recs
                   if x["prefix"].split("/")[0] == name)

    assert calls("main") == 1
    assert calls("work") == 3
    assert calls("ticker") == 3
    assert calls("leaf") == 15
    assert calls("cancelled") == 1


def test_generator_resumed_from_another_function_keeps_its_time_there(run_script):
    # Started (and suspended) under start_it, resumed under go_on, where it spins 20 ms,
    # yields and is dropped: one call under each, and go_on's 20 ms are the generator's,
    # not go_on's own time.
    r = run_script(HEADER + """
def steps():
    spin(0.005)
    yield 1
    spin(0.02)
    yield 2
    yield 3
def start_it(it):
    return next(it)
def go_on(it):
    return next(it)
def main():
    it = steps()
    start_it(it)
    go_on(it)
    del it
with Profiler(["wall_clock"]):
    main()
timemory.finalize()
""")
    assert r.rc == 0, r.err
    tree = r.tree()
    first = find(tree, "main", "start_it", "steps")
    later = find(tree, "main", "go_on", "steps")
    assert laps(first) == 1 and laps(later) == 1
    assert node_sum(first) >= 0.0045
    assert node_sum(later) >= 0.019
    go_on = find(tree, "main", "go_on")
    assert go_on["node"]["exclusive"]["stats"]["sum"] < 0.005, "the spin is the generator's"
