/* err.c - error table and HDF5 error-stack capture. */
#include "err.h"

#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *h5s_errname(int code)
{
    switch (code) {
#define H5S_X(name, value, desc)                                                                                       \
    case (value): return "H5S_" #name;
        H5S_ERROR_TABLE(H5S_X)
#undef H5S_X
    }
    return "H5S_E?";
}

const char *h5s_strerror(int code)
{
    switch (code) {
#define H5S_X(name, value, desc)                                                                                       \
    case (value): return desc;
        H5S_ERROR_TABLE(H5S_X)
#undef H5S_X
    }
    return "unknown error";
}

void h5s_err_clear(h5s_err_t *err)
{
    if (err) {
        err->code = 0;
        err->cause = H5S_CAUSE_NONE;
        err->msg[0] = '\0';
    }
}

/* Sets err (not NULL) to code with a message formatted from fmt and ap, and
 * no cause. */
static void vset(h5s_err_t *err, int code, const char *fmt, va_list ap)
{
    err->code = code;
    err->cause = H5S_CAUSE_NONE;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

int h5s_seterr(h5s_err_t *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

struct walk_ctx {
    char *buf;
    size_t cap;
    size_t len;
    unsigned count;
    h5s_cause_t cause; /* of the innermost entry that has one */
};

h5s_cause_t h5s_hdf5_cause(long minor, const char *d)
{
    if (minor == (long)H5E_CANTLOCKFILE || strstr(d, "unable to lock file"))
        return H5S_CAUSE_LOCKED;
    if (minor == (long)H5E_TRUNCATED || strstr(d, "truncated file"))
        return H5S_CAUSE_TRUNCATED;
    if (strstr(d, "errno = 27") || strstr(d, "File too large"))
        return H5S_CAUSE_FILE_TOO_LARGE;
    if (strstr(d, "errno = 28") || strstr(d, "No space left"))
        return H5S_CAUSE_NO_SPACE;
    if (strstr(d, "superblock version"))
        return H5S_CAUSE_OLD_SUPERBLOCK;
    if (strstr(d, "not already open for SWMR"))
        return H5S_CAUSE_NOT_SWMR_FILE;
    if (strstr(d, "already open for") || strstr(d, "file is already open"))
        return H5S_CAUSE_ALREADY_OPEN;
    if (minor == (long)H5E_NOTHDF5 || strstr(d, "signature"))
        return H5S_CAUSE_NOT_HDF5;
    return H5S_CAUSE_NONE;
}

const char *h5s_err_hdf5_text(const h5s_err_t *err)
{
    const char *h = strstr(err->msg, " (HDF5: ");
    return h ? h + 1 : err->msg;
}

const char *h5s_cause_name(h5s_cause_t c)
{
    static const char *const names[] = {"none",      "locked",   "already open",   "open by a non-SWMR writer",
                                        "truncated", "not HDF5", "old superblock", "file too large",
                                        "no space"};
    return (unsigned)c < sizeof names / sizeof *names ? names[c] : "?";
}

/* One HDF5 error description as people read it: a system error reported by
 * the file driver ("file write failed: time = ..., errno = 28, error message
 * = 'No space left on device', buf = 0x..., bytes actually written = ...") is
 * reduced to its first words and the system's message; control characters
 * (HDF5 puts ctime's newline in the middle) become spaces. */
static void describe(const char *desc, char *out, size_t cap)
{
    const char *m = strstr(desc, "error message = '");
    if (m) {
        m += strlen("error message = '");
        size_t head = strcspn(desc, ":"), ml = strcspn(m, "'");
        snprintf(out, cap, "%.*s: %.*s", (int)head, desc, (int)ml, m);
    } else if ((m = strstr(desc, ": time = "))) {
        snprintf(out, cap, "%.*s", (int)(m - desc), desc); /* the rest: a timestamp and flags */
    } else {
        snprintf(out, cap, "%s", desc);
    }
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

/* Collects the descriptions of the stack, innermost first, skipping repeats. */
static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    struct walk_ctx *w = data;
    (void)n;
    if (!e->desc || !e->desc[0])
        return 0;
    if (!w->cause)
        w->cause = h5s_hdf5_cause((long)e->min_num, e->desc);
    if (w->count >= 3)
        return 0;
    char d[256];
    describe(e->desc, d, sizeof d);
    if (w->len > 0 && strstr(w->buf, d))
        return 0;
    int k = snprintf(w->buf + w->len, w->cap - w->len, "%s%s", w->len ? "; " : "", d);
    if (k > 0)
        w->len = (size_t)k + w->len >= w->cap ? w->cap - 1 : w->len + (size_t)k;
    w->count++;
    return 0;
}

int h5s_seterr_h5(h5s_err_t *err, int code, const char *fmt, ...)
{
    char stack[512] = "";
    struct walk_ctx w = {stack, sizeof stack, 0, 0, H5S_CAUSE_NONE};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_cb, &w);
    H5Eclear2(H5E_DEFAULT);
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, fmt, ap);
    va_end(ap);
    err->cause = w.cause;
    if (stack[0]) {
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l, " (HDF5: %s)", stack);
    }
    return code;
}

int h5s_hdf5_quiet(void)
{
    if (H5open() < 0)
        return H5S_EHDF5;
    return H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0 ? H5S_EHDF5 : 0;
}
