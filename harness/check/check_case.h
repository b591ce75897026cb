/* check_case.h - what the cases of `h5swmr check` share: the MTH5 file every
 * case uses, how a case sets its outcome, and the helper processes that play
 * a second party (a writer, a prober of HDF5 opens) over two pipes.
 *
 * Each case function runs in its own case process (forked by check.c, with no
 * HDF5 file open) on a fresh directory. Cases that need a second party fork
 * helper processes: a helper initialises HDF5 itself after fork, talks over two
 * pipes in fixed-size records with bounded waits, dies with the case process
 * (PR_SET_PDEATHSIG) and is always reaped. The case process never forks while
 * it holds an HDF5 file open. */
#ifndef H5SWMR_CHECK_CASE_H
#define H5SWMR_CHECK_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"
#include "child.h"
#include "err.h"
#include "mth5.h"
#include "pattern.h"

/* ---- the file every case uses ----------------------------------------------------- */

#define CHK_SURVEY "S"
#define CHK_STATION "ST01"
#define CHK_RUN "run_001"
#define CHK_STATION_PATH "/Experiment/Surveys/" CHK_SURVEY "/Stations/" CHK_STATION
#define CHK_EX_PATH CHK_STATION_PATH "/" CHK_RUN "/ex"
#define CHK_RATE 100.0
#define CHK_CHUNK 1024

#define CHK_REPLY_MS 10000               /* a helper answers a command within this */
#define CHK_HELPER_IDLE_NS 60000000000LL /* a helper without commands for this long gives up */

/* ---- outcomes (check_case_util.c) ------------------------------------------------- */

/* Sets the outcome's token and its detail line (printf-style). */
void chk_out_set(chk_outcome_t *o, const char *token, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The case could not run (setup failed): error:<code>, with the message. */
void chk_out_error(chk_outcome_t *o, const char *what, const h5s_err_t *err);

/* Replaces the case's static explanation for this outcome (printf-style). */
void chk_out_why(chk_outcome_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The path of name in the case's directory, into buf. Returns buf. */
const char *chk_case_file(const chk_env_t *env, const char *name, char *buf, size_t cap);

/* Creates the MTH5 file every case uses: one survey, station, run and an empty
 * float32 channel ex (chunked, unlimited), closed again. 0 or a negative code. */
int chk_make_file(const char *path, h5s_err_t *err);

/* Appends count blocks of n pattern samples to ch (float32), flushing each
 * block when asked. 0 or a negative code. */
int chk_append_blocks(mth5_channel_t *ch, int64_t n, int64_t count, bool cork, bool flush, h5s_err_t *err);

/* Reads samples [from, to) of ch and checks them against the pattern into *pc. */
int chk_verify_range(mth5_channel_t *ch, uint64_t from, uint64_t to, pat_check_t *pc, h5s_err_t *err);

/* The length a held dataset handle reports without a refresh. */
uint64_t chk_held_length(mth5_channel_t *ch);

/* Opens path as an SWMR reader with channel ex. 0 or a negative code. */
int chk_reader_open(const char *path, mth5_t **m, mth5_channel_t **ch, h5s_err_t *err);

/* Opens path with each mode (SWMR or not); the outcome is refused:<expect>
 * when every open is refused with expect and, if path did not exist, nothing
 * was created; otherwise the first open that behaved differently. */
void chk_refusals(const char *path, const char *const *modes, size_t n, bool swmr, int expect, chk_outcome_t *out);

/* ---- helper processes (check_helper.c) -------------------------------------------- */

/* A command to a helper, and a helper's answer; fixed size, under PIPE_BUF. */
typedef struct chk_hcmd {
    char op;          /* 'A' append, 'F' flush, 'G' add runs, 'P' probe an open */
    bool cork, flush; /* for 'A' */
    bool close_after; /* close the file right after the command, answer, end */
    int kind;         /* for 'P': a CHK_PROBE_* */
    int64_t n, count; /* 'A': count blocks of n samples; 'G': n runs */
} chk_hcmd_t;

typedef struct chk_hmsg {
    char code;         /* 'R' ready, 'k' done, 'e' failed */
    int err;           /* H5S_E* when 'e' */
    h5s_cause_t cause; /* when 'e': what HDF5's error stack said (h5s_err_t.cause) */
    uint64_t value;    /* the channel length after an 'A' (writer's view) */
    char text[700];
} chk_hmsg_t;

/* What a forked helper runs: commands on fd in, answers on fd out; returns
 * its exit status. */
typedef int (*chk_helper_fn)(void *arg, int in, int out);

typedef struct chk_helper {
    pid_t pid;         /* the helper's pid while it runs, else -1 */
    int to, from;      /* our ends: commands, answers */
    h5s_child_t child; /* the process (its pipe ends are to and from above) */
} chk_helper_t;

#define CHK_HELPER_NONE                                                                                                \
    {                                                                                                                  \
        .pid = -1, .to = -1, .from = -1, .child = {.to = -1, .from = -1 }                                              \
    }

/* Sends one answer (code, error, value, text) on fd; a helper whose case
 * process is gone ends on its next read. */
void chk_send_msg(int fd, char code, int err, uint64_t value, const char *text);

/* Sends the answer 'e' for a failure: code, err's cause and message. */
void chk_send_err(int fd, int code, const h5s_err_t *err);

/* Receives one answer within ms. Returns 1, 0 on EOF, -1 on timeout or error. */
int chk_recv_msg(const chk_helper_t *h, chk_hmsg_t *m, int ms);

/* Forks a helper that runs fn(arg, in, out), or, when exec_argv is not NULL,
 * executes this program again with exec_argv (a fresh process whose HDF5
 * starts from nothing; in 1.14 even H5open reads HDF5_USE_FILE_LOCKING, and a
 * forked child keeps what its parent read). The helper reads commands on fd 3
 * and answers on fd 4. env ("NAME=VALUE", may be NULL) is put in its
 * environment before anything else runs there. 0 or a negative code. */
int chk_helper_spawn(chk_helper_t *h, chk_helper_fn fn, void *arg, char *const *exec_argv, const char *env,
                     h5s_err_t *err);

/* Forks a helper that runs fn(arg, 3, 4) (see chk_helper_spawn). */
int chk_helper_start(chk_helper_t *h, chk_helper_fn fn, void *arg, const char *env, h5s_err_t *err);

/* Closes the command pipe (EOF = finish), waits up to ms for the helper to end,
 * kills it (SIGKILL) if it does not, and reaps it (given up on if even
 * SIGKILL does not end it within 5 s: the status is then that of SIGKILL).
 * Returns 0 when it ended by itself with status 0, -1 otherwise; *status
 * (may be NULL) gets the status. */
int chk_helper_finish(chk_helper_t *h, int ms, int *status);

/* Sends a command and waits for its answer ('k' or 'e'). Returns 0 on 'k', or
 * a negative code with the helper's message (and cause) in err. */
int chk_helper_call(chk_helper_t *h, const chk_hcmd_t *c, chk_hmsg_t *m, int ms, h5s_err_t *err);

/* Waits for a helper's READY. Returns 0 or a negative code (its message in err). */
int chk_helper_ready(chk_helper_t *h, h5s_err_t *err);

/* ---- the writer helper (check_helper.c) ------------------------------------------- */

typedef struct chk_wargs {
    const char *path;
    const char *mode; /* "a" or "r+" */
    bool swmr;        /* false: hold the file as a plain (non-SWMR) writer */
    bool create;      /* create the file first (chk_make_file) */
} chk_wargs_t;

/* Starts a writer helper on a->path and waits for its READY. 0 or a negative code. */
int chk_start_writer(chk_helper_t *h, const chk_wargs_t *a, h5s_err_t *err);

/* Starts an SWMR (or plain) writer helper on a fresh file (live.mth5, its
 * path into path); on failure sets out and returns -1. */
int chk_writer_setup(const chk_env_t *env, bool swmr, chk_helper_t *w, chk_wargs_t *a, char *path, size_t cap,
                     chk_outcome_t *out);

/* Ends a writer helper. A writer that failed makes the outcome an error (what
 * was seen stays in the detail): the case did not run as designed. */
void chk_writer_end(chk_helper_t *w, chk_outcome_t *out);

/* ---- the probe helper (check_helper.c) -------------------------------------------- */

/* The kinds of open a prober tries (a 'P' command's kind). */
enum { CHK_PROBE_PLAIN_READER, CHK_PROBE_SWMR_READER, CHK_PROBE_SWMR_WRITER };

/* ---- the cases, by group ---------------------------------------------------------- */

/* h5swmr's own guards (check_h5swmr.c) */
void chk_case_swmr_with_w_refused(const chk_env_t *env, chk_outcome_t *out);
void chk_case_swmr_missing_file_refused(const chk_env_t *env, chk_outcome_t *out);
void chk_case_remove_refused_in_swmr(const chk_env_t *env, chk_outcome_t *out);
/* the guide's rules (check_guide.c) */
void chk_case_writer_with_a(const chk_env_t *env, chk_outcome_t *out);
void chk_case_writer_with_r_plus(const chk_env_t *env, chk_outcome_t *out);
void chk_case_reader_with_r(const chk_env_t *env, chk_outcome_t *out);
void chk_case_single_writer(const chk_env_t *env, chk_outcome_t *out);
void chk_case_flushed_data_visible(const chk_env_t *env, chk_outcome_t *out);
void chk_case_unflushed_not_promised(const chk_env_t *env, chk_outcome_t *out);
/* HDF5's rules on opening and creating (check_hdf5.c) */
void chk_case_hdf5_swmr_create(const chk_env_t *env, chk_outcome_t *out);
void chk_case_hdf5_swmr_open_missing(const chk_env_t *env, chk_outcome_t *out);
void chk_case_hdf5_swmr_delete(const chk_env_t *env, chk_outcome_t *out);
void chk_case_superblock_v3_required(const chk_env_t *env, chk_outcome_t *out);
void chk_case_writer_before_readers(const chk_env_t *env, chk_outcome_t *out);
void chk_case_plain_reader_refused(const chk_env_t *env, chk_outcome_t *out);
void chk_case_file_locking_env(const chk_env_t *env, chk_outcome_t *out);
/* HDF5's behaviour: what readers see of a writer's growth (check_visibility.c) */
void chk_case_refresh_needed(const chk_env_t *env, chk_outcome_t *out);
void chk_case_drefresh_vs_reopen(const chk_env_t *env, chk_outcome_t *out);
void chk_case_objects_under_swmr(const chk_env_t *env, chk_outcome_t *out);
void chk_case_corked_extend(const chk_env_t *env, chk_outcome_t *out);
void chk_case_uncorked_extend(const chk_env_t *env, chk_outcome_t *out);
/* HDF5's behaviour: a writer's crash and close (check_recovery.c) */
void chk_case_crash_recovery(const chk_env_t *env, chk_outcome_t *out);
void chk_case_reader_open_race(const chk_env_t *env, chk_outcome_t *out);
/* integrity (check_integrity.c) */
void chk_case_integrity_matrix(const chk_env_t *env, chk_outcome_t *out);
/* the file system, without HDF5 (check_write_order.c) */
void chk_case_write_order(const chk_env_t *env, chk_outcome_t *out);

#endif
