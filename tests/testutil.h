/* testutil.h - helpers shared by the Criterion tests: a fresh temporary
 * directory per test, file comparisons, forked helper processes talking over
 * pipes, and running external programs with a timeout.
 *
 * Nothing here calls cr_assert, so every function is safe to call in a forked
 * child (which must end with _exit()). Waits are bounded with poll() timeouts
 * on pipes and pidfds; nothing sleeps. */
#ifndef H5SWMR_TESTUTIL_H
#define H5SWMR_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "mth5.h"

/* Default bound of every wait in the tests, in milliseconds. */
#define TU_TIMEOUT_MS 10000

/* Criterion .init / .fini of every suite: h5s_hdf5_quiet(), then a fresh
 * directory /tmp/h5swmr-test-XXXXXX; the .fini kills and reaps children still
 * registered and removes the directory. */
void tu_setup(void);
void tu_teardown(void);

/* The current test's temporary directory. */
const char *tu_dir(void);

/* tu_dir()/name, in one of 16 rotating static buffers. */
const char *tu_path(const char *name);

bool tu_exists(const char *path);

/* Writes text (creating or truncating path). 0 or -1. */
int tu_write_text(const char *path, const char *text);

/* Reads a whole file into a malloc'd buffer, with a NUL after its *len
 * bytes (so that text can be parsed in place). 0 or -1. */
int tu_read_file(const char *path, unsigned char **buf, size_t *len);

/* True if the file at path has exactly these bytes. */
bool tu_file_equals(const char *path, const unsigned char *buf, size_t len);

/* A malloc'd buffer of n samples in dtype dt whose sample i is first + i + 1
 * (exact in float32, float64 and int32): the simple pattern the MTH5 layer and
 * h5py interoperability tests write and check. Caller frees. */
void *tu_counting_samples(mth5_dtype_t dt, uint64_t first, size_t n);

/* ---- forked helper processes --------------------------------------------- */

/* A forked child running fn(arg, in_fd, out_fd); its return value becomes its
 * exit status (via _exit). in_fd reads what the parent sends (EOF when the
 * parent closes it or dies), out_fd writes to the parent. */
typedef int (*tu_child_fn)(void *arg, int in_fd, int out_fd);

typedef struct tu_child {
    pid_t pid;
    int to;   /* parent -> child */
    int from; /* child -> parent */
} tu_child_t;

/* Forks; returns 0 in the parent (or -1). Never returns in the child. The
 * child is registered so that tu_teardown kills it if the test failed early. */
int tu_child_start(tu_child_t *c, tu_child_fn fn, void *arg);

/* Sends one byte. 0 or -1. */
int tu_send(int fd, char c);

/* Receives one byte within timeout_ms: 1 received, 0 EOF, -1 timeout or error. */
int tu_recv(int fd, char *c, int timeout_ms);

/* Closes the command pipe (EOF = stop), waits up to timeout_ms for the child to
 * exit and reaps it into *status. On timeout kills it (SIGKILL), reaps it and
 * returns -1. */
int tu_child_finish(tu_child_t *c, int timeout_ms, int *status);

/* ---- external programs --------------------------------------------------- */

typedef struct tu_proc {
    pid_t pid;
    int out;         /* the program's stdout and stderr */
    char buf[65536]; /* what it printed so far (NUL-terminated, truncated) */
    size_t len;
} tu_proc_t;

/* Starts argv[0] (a path) with argv, stdin from /dev/null, stdout+stderr to a
 * pipe. 0 or -1. */
int tu_spawn(tu_proc_t *p, const char *const argv[]);

/* Reads output until needle appears in p->buf. 0 found, -1 timeout or EOF. */
int tu_proc_wait_output(tu_proc_t *p, const char *needle, int timeout_ms);

/* Reads output until EOF and reaps the program into *status. On timeout kills
 * it, reaps it and returns -1. */
int tu_proc_finish(tu_proc_t *p, int timeout_ms, int *status);

/* tu_spawn + tu_proc_finish; copies the output into out (cap bytes, may be NULL). */
int tu_run(const char *const argv[], int timeout_ms, int *status, char *out, size_t cap);

/* tu_run of program with the NULL-terminated arguments args (at most 60). */
int tu_run_args(const char *program, const char *const *args, int timeout_ms, int *status, char *out, size_t cap);

/* "exit 0", "exit 3", "signal 9 (Killed)" for an exit status. */
const char *tu_status_str(int status);

/* The single run directory under results (its path into dir when dir is not
 * NULL) and its summary.json parsed; asserts that there is exactly one. */
cJSON *tu_summary_json(const char *results, char *dir, size_t cap);

/* Member key of o as a number / a boolean; asserts that it is one. */
double tu_num(const cJSON *o, const char *key);
bool tu_flag(const cJSON *o, const char *key);

#endif
