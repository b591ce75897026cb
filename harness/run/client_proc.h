/* client_proc.h - what an external reader's adapter keeps of its client:
 * every process the client starts, and a bounded copy of its stderr.
 *
 * The adapter makes itself the subreaper of its descendants (prctl
 * PR_SET_CHILD_SUBREAPER): whatever the client starts - in a process group
 * or a session of its own, orphaned by a double fork - stays a descendant of
 * the adapter, so that at the end every one of them is found in /proc,
 * killed and reaped. The client's stderr goes through a pipe: its first
 * CPROC_LOG_HEAD bytes are written to the log file at once, its last
 * CPROC_LOG_TAIL bytes kept in a ring and written at the end, after a line
 * that says how many bytes between them were dropped. */
#ifndef H5SWMR_CLIENT_PROC_H
#define H5SWMR_CLIENT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CPROC_LOG_HEAD 65536 /* bytes of the start of a client's stderr kept */
#define CPROC_LOG_TAIL 65536 /* bytes of the end of a client's stderr kept */

/* Makes this process the subreaper of its descendants: an orphan among them
 * is reparented here instead of to init. Returns 0 or -1 (errno set). */
int cproc_subreaper(void);

/* Sends sig to every descendant of this process (a process whose chain of
 * parents in /proc leads here), except those in process group skip_group
 * (0: none skipped). Async-signal-safe. Returns how many were signalled. */
int cproc_signal_descendants(int sig, pid_t skip_group);

/* Reaps children of this process that have ended and are orphans
 * reparented here (not keep, the client, whose status its owner reaps),
 * without waiting. */
void cproc_reap_orphans(pid_t keep);

/* Ends every descendant of this process: SIGKILL to each, and every child
 * reaped, again until none is left or deadline_ns (h5s_now_ns clock)
 * passes. Async-signal-safe. Returns 0 when none is left, else how many
 * descendants are still there. */
int cproc_end_descendants(int64_t deadline_ns);

/* The client's stderr as the adapter keeps it. */
typedef struct cproc_log {
    int fd;         /* the pipe's read end; -1 once at its end */
    int file;       /* the log file; -1 when there is none */
    uint64_t total; /* bytes the client wrote */
    size_t nhead;   /* bytes of the head (written to the file as they came) */
    char head[CPROC_LOG_HEAD];
    size_t rstart, rlen; /* the ring: the last bytes after the head */
    char ring[CPROC_LOG_TAIL];
} cproc_log_t;

/* Starts keeping a client's stderr: a pipe whose write end (close-on-exec)
 * goes to *child_fd for the client, and the log file path (NULL: none;
 * created or truncated, never through a symbolic link). Returns 0, or -1
 * (errno set) with nothing open. */
int cproc_log_open(cproc_log_t *l, const char *path, int *child_fd);

/* Reads what the pipe holds now (without blocking, at most a few MiB).
 * Returns false once the pipe is at its end (every writer closed it). */
bool cproc_log_read(cproc_log_t *l);

/* Reads what is left in the pipe (without waiting for writers that are
 * still alive), writes the dropped-bytes line and the tail to the file and
 * closes both. Returns 0, or -1 when writing the file failed. */
int cproc_log_close(cproc_log_t *l);

/* The last non-blank line the client wrote to stderr (at most cap - 1
 * bytes of its end; NUL bytes shown as '?'), "" if none. */
void cproc_log_tail(const cproc_log_t *l, char *out, size_t cap);

#endif
