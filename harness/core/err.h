/* err.h - error codes, names and messages for every h5swmr module.
 *
 * Every fallible function returns 0 or a negative H5S_E* code and fills an
 * h5s_err_t with a one-line message that, where HDF5 failed, carries HDF5's own
 * error text. Nothing in the library prints. */
#ifndef H5SWMR_ERR_H
#define H5SWMR_ERR_H

#include <stddef.h>

/* X(name, value, description) */
#define H5S_ERROR_TABLE(X)                                                                                             \
    X(OK, 0, "success")                                                                                                \
    X(EINVAL, -1, "invalid argument")                                                                                  \
    X(ENOENT, -2, "no such file or object")                                                                            \
    X(EEXIST, -3, "file exists")                                                                                       \
    X(ENOTHDF5, -4, "not an HDF5 file")                                                                                \
    X(ENOTMTH5, -5, "not an MTH5 file")                                                                                \
    X(EMODE, -6, "mode not allowed")                                                                                   \
    X(ESWMR, -7, "operation refused in SWMR-write mode")                                                               \
    X(EREADONLY, -8, "file is open read-only")                                                                         \
    X(ELOCKED, -9, "file is locked by another process")                                                                \
    X(EHDF5, -10, "HDF5 call failed")                                                                                  \
    X(ESYS, -11, "system call failed")                                                                                 \
    X(ENOMEM, -12, "out of memory")                                                                                    \
    X(ESCENARIO, -13, "bad scenario")                                                                                  \
    X(ETIMEOUT, -14, "timed out")                                                                                      \
    X(ECHILD, -15, "child process failed")                                                                             \
    X(EVERIFY, -16, "data verification failed")                                                                        \
    X(EINTR, -17, "interrupted")                                                                                       \
    X(EFORMAT, -18, "file format not suitable")

enum {
#define H5S_X(name, value, desc) H5S_##name = (value),
    H5S_ERROR_TABLE(H5S_X)
#undef H5S_X
};

/* Exit codes of the h5swmr program and of each child it forks (writer,
 * readers, finalizer), in one place:
 *   EXIT_OK      0  the run (or command) did what was asked and every check held;
 *   EXIT_FAIL    1  something failed: an HDF5 or system call, a child, a fault
 *                   with consequences the run does not accept;
 *   EXIT_USAGE   2  bad input: options, scenario, an existing file not to be replaced;
 *   EXIT_VERIFY  3  the data broke a promise: wrong, missing or fill-value samples;
 *   EXIT_TIMEOUT 4  a bounded wait ran out (no READY from the writer, a stop deadline).
 * An interrupted run exits 130 (128 + SIGINT), as shells expect. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_VERIFY = 3, EXIT_TIMEOUT = 4 };

#define H5S_ERRMSG_MAX 1024

/* What HDF5's error stack said, as a class decisions can be taken on. HDF5
 * gives a code for some of these (H5E_CANTLOCKFILE, H5E_TRUNCATED,
 * H5E_NOTHDF5) and only text for others; h5s_hdf5_cause is the one place
 * where the text is read. */
typedef enum h5s_cause {
    H5S_CAUSE_NONE = 0,       /* nothing known beyond the error code */
    H5S_CAUSE_LOCKED,         /* the file lock is held by another process */
    H5S_CAUSE_ALREADY_OPEN,   /* already open for write (a lock, or this process holds it) */
    H5S_CAUSE_NOT_SWMR_FILE,  /* marked open by a writer that is not in SWMR mode (or that died) */
    H5S_CAUSE_TRUNCATED,      /* the file is shorter than its end-of-allocation (EOA) */
    H5S_CAUSE_NOT_HDF5,       /* no HDF5 signature: not an HDF5 file, or damaged */
    H5S_CAUSE_OLD_SUPERBLOCK, /* superblock version below 3: no SWMR */
    H5S_CAUSE_FILE_TOO_LARGE, /* a write hit the file-size limit (EFBIG, errno 27) */
    H5S_CAUSE_NO_SPACE,       /* a write found the disk full (ENOSPC, errno 28) */
} h5s_cause_t;

typedef struct h5s_err {
    int code;                 /* 0 or a negative H5S_E* value */
    h5s_cause_t cause;        /* set by h5s_seterr_h5 from HDF5's stack; else NONE */
    char msg[H5S_ERRMSG_MAX]; /* one line, no trailing newline */
} h5s_err_t;

/* The class of an HDF5 failure from its minor error code and its message
 * text (the one place that reads HDF5's text for a decision). */
h5s_cause_t h5s_hdf5_cause(long minor_code, const char *desc);

/* The part of err's message that quotes HDF5's error stack ("(HDF5: ...)"),
 * for showing people what HDF5 said; the whole message if there is none. */
const char *h5s_err_hdf5_text(const h5s_err_t *err);

/* A short name of a cause ("locked", "truncated"...), for reports. */
const char *h5s_cause_name(h5s_cause_t c);

/* Returns the symbolic name of code ("H5S_ENOENT"), or "H5S_E?" if unknown. */
const char *h5s_errname(int code);

/* Returns a short description of code; never NULL. */
const char *h5s_strerror(int code);

/* Clears err (code 0, empty message); err may be NULL. */
void h5s_err_clear(h5s_err_t *err);

/* Sets err to code with a printf-style message; returns code. err may be NULL. */
int h5s_seterr(h5s_err_t *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Like h5s_seterr, then appends ": " and the innermost messages of HDF5's
 * current error stack (if any), and clears that stack. Returns code. */
int h5s_seterr_h5(h5s_err_t *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Turns off HDF5's automatic error printing for this process. Call once after
 * fork (or at start) before any other HDF5 call. Returns 0 or H5S_EHDF5. */
int h5s_hdf5_quiet(void);

#endif
