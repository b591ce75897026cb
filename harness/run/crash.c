/* crash.c - a reader's crash handler: was a crash HDF5's or h5swmr's own? */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "crash.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "orch.h"
#include "proto.h"

/* ---- crashes: HDF5's or h5swmr's own ---------------------------------------------
 *
 * A reader that dies by SIGSEGV, SIGBUS, SIGABRT, SIGFPE or SIGILL first finds
 * where: the innermost frame of the crashed stack that is in HDF5 (libhdf5*)
 * or in h5swmr's own code (this program), skipping C library and sanitizer
 * frames (free() failing under HDF5 is HDF5's crash). It ors the verdict into
 * its shared-memory phase slot (READER_CRASH_*, orch.h), then dies of the
 * same signal with the default action. Only READER_CRASH_HDF5 is classified
 * as HDF5's by the orchestrator; anything else fails the run. */

static struct {
    _Atomic int *phase;
    const void *own_base; /* load address of this program (h5swmr's code) */
} crash;

static char crash_stack[1 << 16] __attribute__((aligned(16)));

/* Test hook, for the tests only: H5SWMR_TEST_CRASH_IN_WALK=1 in a reader's
 * environment makes it dereference NULL inside its own tree-walk callback
 * (count_cb, structure workload), so that the tests can show that a crash in
 * h5swmr's own code is a run failure, not a crash inside HDF5. Read once when
 * the reader starts. */
static bool test_crash_in_walk;

bool crash_test_in_walk(void)
{
    return test_crash_in_walk;
}
static int *volatile test_crash_target; /* NULL, unknown to the compiler */

__attribute__((noinline, no_sanitize("address", "undefined"))) void crash_test(void)
{
    *test_crash_target = 1; /* SIGSEGV in h5swmr's own code */
}

/* 1 HDF5, 2 h5swmr's own code, 0 anything else (C library, sanitizers, the
 * kernel's signal trampoline). */
static int frame_owner(void *pc)
{
    Dl_info di;
    if (!dladdr(pc, &di) || !di.dli_fbase)
        return 0;
    if (di.dli_fbase == crash.own_base)
        return 2;
    const char *name = di.dli_fname ? strrchr(di.dli_fname, '/') : NULL;
    name = name ? name + 1 : di.dli_fname;
    return name && !strncmp(name, "libhdf5", 7) ? 1 : 0;
}

/* Handler of a crashing signal: walks the stack from just past this
 * handler's own frames to the first frame owned by HDF5 or by h5swmr, ORs
 * that verdict into the shared phase word (if one is set), then raises the
 * signal again with its default action. */
static void crash_handler(int sig)
{
    void *frames[128];
    int n = backtrace(frames, 128), i = 0, verdict = READER_CRASH_UNKNOWN;
    /* this handler's frame first: after backtrace itself, which a sanitizer
     * may intercept (a frame of its own), and before the kernel's signal
     * trampoline (a C library frame) that separates it from the crashed stack */
    while (i < n && frame_owner(frames[i]) != 2)
        i++;
    while (i < n && frame_owner(frames[i]) == 2)
        i++;
    for (; i < n; i++) {
        int w = frame_owner(frames[i]);
        if (w) {
            verdict = w == 1 ? READER_CRASH_HDF5 : READER_CRASH_OWN;
            break;
        }
    }
    if (crash.phase)
        atomic_fetch_or(crash.phase, verdict);
    signal(sig, SIG_DFL);
    raise(sig); /* delivered with the default action once the handler returns */
}

void crash_setup(_Atomic int *phase)
{
    Dl_info di;
    void *warm[4];
    crash.phase = phase;
    crash.own_base = dladdr((void *)reader_main, &di) ? di.dli_fbase : NULL;
    backtrace(warm, 4); /* loads the unwinder now, not inside the handler */
    const char *hook = getenv("H5SWMR_TEST_CRASH_IN_WALK");
    test_crash_in_walk = hook && !strcmp(hook, "1");
    stack_t ss = {.ss_sp = crash_stack, .ss_size = sizeof crash_stack};
    sigaltstack(&ss, NULL); /* a stack overflow is a crash too */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = crash_handler;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}
