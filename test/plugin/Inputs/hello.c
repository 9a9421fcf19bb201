#include <stdio.h>

static void greet(const char* who) {
    for (int i = 0; i < 2; ++i) printf("hello, %s\n", who);
}

int main(void) {
    greet("world");
    return 0;
}
