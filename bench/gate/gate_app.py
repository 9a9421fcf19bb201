"""The Python program of the CI-gate benchmark: like gate_app.cpp, `target` made slower by
the factor in sys.argv[1]."""
import sys


def phase_a():
    x = 0
    for i in range(3000):
        x += i % 7
    return x


def phase_b():
    x = 0
    for i in range(3000):
        x += i % 7
    return x


def target(factor):
    x = 0
    for i in range(int(3000 * factor)):
        x += i % 7
    return x


def main(factor):
    for _ in range(120):
        phase_a()
        phase_b()
        target(factor)


main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
