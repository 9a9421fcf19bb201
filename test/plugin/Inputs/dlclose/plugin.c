/* Loaded and unloaded by host.c. */
__attribute__((noinline)) int plugin_step(int x) {
    volatile int s = 0;
    for (int i = 0; i < 100; ++i)
        s += i * x;
    return s;
}

int plugin_entry(int x) {
    return plugin_step(x) + plugin_step(x + 1);
}
