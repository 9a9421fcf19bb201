// A function defined in a header: its site names this file, not the .cpp including it.
#pragma once
inline int from_header(int x) {
    int s = 0;
    for (int i = 0; i < x; ++i) s += i;
    return s;
}
