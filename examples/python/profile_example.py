"""The function profiler on a small workload: recursion, a generator, a class."""

import json
import timemory
from timemory.profiler import Config, Profiler

Config.only_filenames = [__file__]


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def squares(n):
    for i in range(n):
        yield i * i


class Document:
    def __init__(self, n):
        self.data = {"values": list(squares(n)), "fib": fib(15)}

    def roundtrip(self):
        return json.loads(json.dumps(self.data))


@Profiler(["wall_clock", "peak_rss"])
def main():
    doc = Document(20000)
    for _ in range(3):
        doc.roundtrip()
    return fib(18)


if __name__ == "__main__":
    print("fib(18) =", main())
    timemory.finalize()
