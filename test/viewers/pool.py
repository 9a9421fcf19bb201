"""A Python program whose time is in short calls on a pool of threads: the profile whose
trace (zero-length events, four workers merged on one track) speedscope drew as a
staircase of full-width frames with 806 console warnings."""
from concurrent.futures import ThreadPoolExecutor
import json


def leaf(i):
    return i * 2


def work(n):
    s = 0
    for i in range(n):
        s += leaf(i)
    json.dumps({"a": [1, 2, 3]})
    return s


def main():
    with ThreadPoolExecutor(4) as ex:
        print(sum(ex.map(work, [5000] * 16)))


main()
