// The public header must also be usable from C++ (extern "C", no C-only syntax).
#include "jarvis_analytics.h"

int ja_headertest_cxx();
int ja_headertest_cxx() { ja_options o = JA_OPTIONS_INIT; return static_cast<int>(o.version); }
