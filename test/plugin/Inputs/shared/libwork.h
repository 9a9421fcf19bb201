#pragma once
int lib_entry(int x);
