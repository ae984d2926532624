/* Compiles include/jarvis_analytics.h on its own, with -pedantic: the public
 * header must not depend on anything a user would not include. */
#include "jarvis_analytics.h"

int ja_headertest_c(void);
int ja_headertest_c(void) { return (int)JA_OK; }
