/*
 * fuzz_worker_walk.c -- fuzz_worker as on a kernel without openat2():
 * every path the server resolves goes through resolve.c's walk of one
 * O_NOFOLLOW openat() per component, the code valgrind runs and old
 * kernels need, under the same checks (nothing outside the root may
 * change, every reply well-formed).  Seeds: tests/fuzz/corpus/worker_walk,
 * a link to the worker target's.
 */

#define FW_WALK
#include "fuzz_worker.c"
