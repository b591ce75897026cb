/* util.h - clocks, bounded waits on file descriptors, process accounting. */
#ifndef H5SWMR_UTIL_H
#define H5SWMR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"

/* CLOCK_MONOTONIC now, in nanoseconds (comparable across processes). */
int64_t h5s_now_ns(void);

/* Waits until fd is readable or the monotonic deadline (ns) passes.
 * Returns 1 readable (or hung up), 0 timed out, -1 on error (not EINTR). */
int h5s_wait_readable(int fd, int64_t deadline_ns);

/* Reads exactly n bytes, waiting at most until deadline_ns. Returns n, 0 on EOF
 * before any byte, -1 on error or timeout (errno ETIMEDOUT). */
ssize_t h5s_read_full(int fd, void *buf, size_t n, int64_t deadline_ns);

/* Writes all n bytes (retrying EINTR). Returns 0 or -1. */
int h5s_write_full(int fd, const void *buf, size_t n);

/* CPU seconds (user, system) and peak RSS (KiB) of this process. */
void h5s_self_usage(double *user_s, double *sys_s, long *maxrss_kb);

/* The resident memory of process pid (0: this one) in KiB now, from
 * /proc/PID/statm; -1 when it cannot be read (the process is gone). */
long h5s_rss_kb(pid_t pid);

/* Formats the current UTC time as YYYYmmddTHHMMSSZ. */
void h5s_utc_stamp(char *buf, size_t cap);

/* Makes a new directory parent/<base>-<UTC stamp>[-k] (parent is created if
 * missing) and writes its path to out; never reuses an existing directory.
 * Returns 0, or -1 with errno set. */
int h5s_make_unique_dir(const char *parent, const char *base, char *out, size_t cap);

/* Prints "h5swmr: message" (or "h5swmr WHO: message") as one line of
 * printable text on stderr (cli_one_line) and returns code: how every
 * command reports bad input and failures. */
int h5s_cli_fail(const char *who, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prints "[PREFIX] message" as one line on stdout and flushes, unless quiet:
 * how writer and readers narrate a run. */
void h5s_say(bool quiet, const char *prefix, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* How long a child killed with SIGKILL is waited for before it is given up
 * on (stuck in the kernel). */
#define H5S_REAP_GRACE_NS 10000000000LL

/* Runs argv (argv[0] looked up in PATH) with stdout and stderr to /dev/null,
 * bounded by timeout_ms (at least 0; then SIGKILL). Returns its exit status, 127 if it
 * could not be run, or -1 on timeout or error. The child is reaped (a child
 * SIGKILL does not end within H5S_REAP_GRACE_NS is given up on). */
int h5s_run_quiet(const char *const argv[], int timeout_ms);

/* Like h5s_run_quiet, with stdout and stderr to the file log (created or
 * truncated; NULL = /dev/null). A signal that ended the child is returned as
 * 128 + its number. The child is killed if this process dies. */
int h5s_run_logged(const char *const argv[], const char *log, int timeout_ms);

/* Removes path and everything below it (no symlinks followed). 0 or -1. */
int h5s_rm_rf(const char *path);

/* A splitmix64 step: the next value of a seeded sequence. */
uint64_t h5s_rand_next(uint64_t *state);

/* Opens an input file (scenario, expectation file, JSON) for reading: without
 * blocking, and only if it is a regular file of at most max_bytes (0: any
 * size), so that a FIFO or a device is refused at once. NULL with the reason
 * in msg ("not a regular file", "too large", or the system's message). */
FILE *h5s_open_input(const char *path, long max_bytes, char *msg, size_t cap);

struct cJSON;
/* Reads path, opened as h5s_open_input opens it, as one JSON value: a NUL
 * byte, anything but blanks after the value, or a key that appears twice in
 * one object (at any depth) makes it not JSON. NULL when it cannot, with the
 * reason in why (never empty). */
struct cJSON *h5s_read_json(const char *path, long max_bytes, char *why, size_t cap);

/* The text of the JSON tree root (cJSON_Print, freed with free), after every
 * string in it - values and keys - is made valid UTF-8: each byte that is
 * not part of a UTF-8 character (a client's output, a user's argument) is
 * replaced by U+FFFD. Every JSON file h5swmr writes is printed here. NULL
 * when out of memory. */
char *h5s_json_text(struct cJSON *root);

/* Unblocks SIGINT and SIGTERM: a command whose stop signals stay blocked
 * when it starts (cli_cmd_t.own_stop_signals) calls it once its handlers
 * are installed; one that came meanwhile is then delivered to them. */
void h5s_stop_signals_ready(void);

/* The directory part of path into out: "." for a bare name, "/" for a file
 * in the root. */
void h5s_parent_dir(const char *path, char *out, size_t cap);

/* Outputs a command writes (reports, tables, plots) never replace what they
 * did not make: h5s_output_ok says whether path may be written - absent in an
 * existing directory, or, with force, an existing regular file (never a
 * device, FIFO, directory or link). 0, or -1 with msg. */
int h5s_output_ok(const char *path, bool force, char *msg, size_t cap);

/* Starts writing an output: a temporary file beside path with a unique name
 * (mkstemp), its name in tmp. NULL with msg on failure. */
FILE *h5s_output_begin(const char *path, char *tmp, size_t tmpcap, char *msg, size_t cap);

/* Closes f and puts it at path: linked (never replacing anything) or, with
 * force, renamed over an existing regular file. The temporary file is gone
 * either way. 0, or -1 with msg (a write error included). */
int h5s_output_commit(FILE *f, const char *tmp, const char *path, bool force, char *msg, size_t cap);

/* Makes dir and its parents (mode 0755). Returns 0 or -1 (errno set). */
int h5s_mkdir_p(const char *dir);

#endif
