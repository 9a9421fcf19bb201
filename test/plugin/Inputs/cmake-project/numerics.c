double integrate(int steps) {
    double s = 0;
    for (int i = 0; i < steps; ++i) s += i * 1e-3;
    return s;
}
