/* crash.h - how a reader that dies by a crash signal tells where it crashed.
 *
 * A reader that dies by SIGSEGV, SIGBUS, SIGABRT, SIGFPE or SIGILL first finds
 * the innermost frame of the crashed stack that is in HDF5 or in h5swmr's own
 * code and ors the verdict (READER_CRASH_*, orch.h) into its shared-memory
 * phase slot, then dies of the same signal. */
#ifndef H5SWMR_CRASH_H
#define H5SWMR_CRASH_H

#include <stdatomic.h>
#include <stdbool.h>

/* Installs the crash handler (on its own signal stack) for this process;
 * verdicts go to *phase. Also reads the test hook H5SWMR_TEST_CRASH_IN_WALK. */
void crash_setup(_Atomic int *phase);

/* Whether the test hook asks for a crash inside the reader's tree walk. */
bool crash_test_in_walk(void);

/* The test hook's crash: a NULL dereference in h5swmr's own code. */
void crash_test(void);

#endif
