/* proto.h - what the orchestrator and its children share: the side channel
 * (shared memory mapped before fork), the control bytes on the pipes, and the
 * result record each child sends back when it ends. */
#ifndef H5SWMR_PROTO_H
#define H5SWMR_PROTO_H

#include <hdf5.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "datafile.h"
#include "err.h"

#include "scenario.h"
#include "stats.h"

/* Control bytes. Orchestrator -> child: GO (readers may open), STOP.
 * Child -> orchestrator: READY (writer in SWMR mode), RESULT + proto_result_t.
 * EOF on the control pipe means the orchestrator is gone: stop at once. */
#define PROTO_GO 'G'
#define PROTO_STOP 'S'
#define PROTO_READY 'R'
#define PROTO_RESULT 'X'

#define SHM_RECS 65536

/* One flush as the writer published it. */
typedef struct shm_rec {
    uint64_t seq;
    uint64_t samples;     /* per-channel samples visible after this flush */
    int64_t t_start_ns;   /* before H5Dset_extent of the first block it publishes */
    int64_t t_flushed_ns; /* right after the first channel's flush returned (readers
                             measure lag on that channel); for one H5Fflush, that call */
    int64_t t_round_ns;   /* right after the whole flush round returned */
} shm_rec_t;

enum { WRITER_STARTING, WRITER_READY, WRITER_DONE, WRITER_FAILED };

enum { READER_OTHER, READER_WALKING };

/* The HDF5 work a process is inside, published in its progress slot (0: none
 * of these), so that a process killed without a report still tells what it
 * was doing: a reader stuck in one call for seconds after a fault is seen. */
enum {
    PROTO_CALL_NONE,
    PROTO_CALL_OPEN,    /* opening the file (and its channels) */
    PROTO_CALL_REFRESH, /* refreshing a channel's extent (H5Drefresh) */
    PROTO_CALL_READ,    /* reading new samples (H5Dread) */
    PROTO_CALL_WALK,    /* walking the tree for channels */
    PROTO_CALL_TABLE,   /* reading /Experiment/channel_summary */
    PROTO_CALL_CLOSE,   /* closing the file */
    PROTO_CALL_APPEND,  /* writer: extending and writing a block */
    PROTO_CALL_FLUSH,   /* writer: flushing */
    PROTO_CALL_CLIENT,  /* an external client: its own calls, not known */
};

/* A process's progress as it runs (shm_t.progress[]: the writer 0, readers
 * 1..N): updated after every poll (or flush) and around each HDF5 call. */
typedef struct proto_progress {
    _Atomic int64_t t_progress_ns; /* the end of its last completed poll or flush; 0 none */
    _Atomic uint64_t polls;        /* polls (flushes, client lines) completed */
    _Atomic uint64_t retries;      /* HDF5 metadata read retries as of its last poll */
    _Atomic int call;              /* PROTO_CALL_*: what it is inside now */
    _Atomic int64_t t_call_ns;     /* when it entered that call */
    _Atomic int64_t t_error_ns;    /* its first error; 0 none */
    /* what the live status line shows (status.c), a few stores per block
     * or observation: the writer's blocks, bytes and flushes so far; a
     * reader's samples of the first channel in hand, its lag events so far
     * and their p99 as last estimated (lag.c, every LAG_LIVE_NS at most) */
    _Atomic uint64_t blocks, bytes, flushes;
    _Atomic uint64_t seen, lag_n;
    _Atomic int64_t lag_p99_ns;
} proto_progress_t;

typedef struct shm {
    _Atomic uint64_t nflush;  /* records published; rec[(n-1) % SHM_RECS] is the last */
    _Atomic uint64_t samples; /* per-channel samples of the last flush */
    /* the most samples any channel has been made to hold, raised before the
     * channel grows: no reader can see more (external readers' SAMPLES are
     * checked against it) */
    _Atomic uint64_t samples_written;
    _Atomic uint64_t runs; /* structure workload: runs created and flushed */
    _Atomic int state;
    /* set once this run's writer holds the file in SWMR-write mode: only
     * then may the run recover, verify or rebuild the file afterwards */
    _Atomic int held_swmr;
    /* the data file as this run's writer created it (O_EXCL): its device
     * and inode, published once file_made is set. The finalizer recovers,
     * verifies or rebuilds only the file that is still this one */
    _Atomic int file_made;
    _Atomic uint64_t file_dev, file_ino;
    _Atomic int64_t t_ready_ns;
    /* what each reader is doing (READER_*), so that a reader that dies by a
     * signal can be told apart: inside HDF5's tree walk, or elsewhere */
    _Atomic int reader_phase[SCN_MAX_READERS + 1];
    /* the finalizer's progress, which the orchestrator watches instead of a
     * fixed deadline: bytes of samples read back and checked so far, of
     * finalize_total (0 until known), and a count of the steps it finished
     * (recovery, open, each channel, the summary table) */
    _Atomic uint64_t finalize_bytes;
    _Atomic uint64_t finalize_total;
    _Atomic uint64_t finalize_steps;
    proto_progress_t progress[SCN_MAX_READERS + 1];
    shm_rec_t rec[SHM_RECS];
} shm_t;

enum { ROLE_WRITER = 1, ROLE_READER = 2, ROLE_FINALIZER = 3 };

typedef struct lat_summary {
    uint64_t n;
    double mean_us, p50_us, p90_us, p99_us, p999_us, max_us;
} lat_summary_t;

/* Steps a finalizer took to recover a file left by a writer that died in
 * SWMR mode (proto_result_t.recovery, a bit field). */
enum {
    PROTO_RECOVERY_CLEARED = 1u << 0,      /* 'h5clear -s --increment=0' cleared its flags and stale EOA */
    PROTO_RECOVERY_CLEAR_FAILED = 1u << 1, /* that h5clear was run and failed */
    PROTO_RECOVERY_FILE_GONE = 1u << 2,    /* the writer's file was deleted or replaced: nothing done */
    PROTO_RECOVERY_VERIFIED = 1u << 3,     /* every channel was read back and checked */
    PROTO_RECOVERY_LEFT_OPEN = 1u << 4,    /* its own read-write open did not close cleanly: flagged open */
    PROTO_RECOVERY_UNFLAGGED = 1u << 5,    /* ... and 'h5clear -s --increment=0' cleared that flag */
};

/* Sent once by each child when it ends; fits in PIPE_BUF so it arrives whole. */
typedef struct proto_result {
    int role, index, exit_code;
    h5s_cause_t cause; /* why the child failed, as HDF5 (or the system) said: H5S_CAUSE_* */
    uint32_t recovery; /* finalizer: PROTO_RECOVERY_* steps taken on the file */
    char strategy[16];
    char msg[400];          /* the first error */
    char observation[400];  /* what a reader saw that HDF5 does not promise */
    uint64_t walk_failures; /* tree walks that failed (objects created under SWMR) */
    uint64_t blocks, samples, bytes, flushes, channels;
    uint64_t polls, updates, errors;
    uint64_t mismatches, fills, missing; /* verification; missing: flushed, not visible after a refresh */
    uint64_t unread;                     /* visible but not read before the stop deadline (not an error) */
    uint64_t unflushed_bad;              /* bad samples only past the last successful flush */
    uint64_t runs_written, runs_seen, runs_expected;
    int64_t table_samples; /* largest n_samples seen in channel_summary, -1 if unread */
    int64_t t_start_ns, t_ready_ns, t_open_ns, t_end_ns;
    double cpu_user_s, cpu_sys_s;
    long maxrss_kb;
    uint64_t retries; /* metadata read retries (readers) */
    int64_t io_ns;    /* writer: time inside append and flush calls */
    lat_summary_t append_lat, flush_lat, lag, e2e_lag, poll_cost;
    /* readers (lag.h): lag is one event per flushed block; lag_newest the age
     * of the newest flush at each observation that covered one; lag_before_stop
     * the events of observations before STOP; lag_final the count of events
     * of observations after it (the final poll); lag_skipped flushes after
     * the warm-up that could not be matched (the flush ring overran) */
    lat_summary_t lag_newest, lag_before_stop;
    uint64_t lag_skipped, lag_final;
    bool stopped_before_observing; /* external: stopped before its first observation line */
    /* long runs: resident memory once settled (rss_settle_s after the start;
     * 0 if the run was shorter) and at the end, in KiB */
    long rss_settled_kb, rss_end_kb;
    double rss_settle_s;
    /* and half-way between the start and the end (a sample taken every
     * rss_settle_s), to tell a fill that levels off from a steady growth */
    long rss_half_kb;
    double rss_half_at_s;
    /* HDF5's metadata cache of the process's file, once settled and at the
     * end (KiB; 0: not measured): it fills up to its configured size, which
     * shows as resident memory growth that is not a leak */
    long mdc_settled_kb, mdc_end_kb;
    /* lag_window_s > 0: lag in the first window and in the last (the one
     * in progress at the end, or the one before it when that covered less
     * than half a window) */
    double window_s;
    lat_summary_t lag_first_window, lag_last_window;
} proto_result_t;

_Static_assert(sizeof(proto_result_t) + 1 <= 4096, "result must fit in PIPE_BUF");

/* What a role function gets. */
typedef struct role_ctx {
    const scn_t *scn;
    const char *file; /* resolved data file */
    shm_t *shm;
    int ctl_fd;          /* read end: GO/STOP/EOF */
    int st_fd;           /* write end: READY/RESULT; -1 when standalone */
    int index;           /* reader number from 1; 0 for the writer */
    const char *run_dir; /* where raw logs go; may be NULL */
    bool recover;        /* finalizer: the writer died in SWMR mode, h5clear first */
} role_ctx_t;

/* Samples the resident memory once the scenario's rss_settle_s have passed
 * since r->t_start_ns (growth after that is what a long run must keep
 * flat); cheap to call in every loop iteration. */
void proto_rss_tick(proto_result_t *r, const scn_t *s, hid_t fid);
/* Samples the resident memory at the end of the work (once; before buffers
 * and files are let go, which would hide growth), and HDF5's metadata cache
 * of fid (H5I_INVALID_HID: none). */
void proto_rss_end(proto_result_t *r, hid_t fid);

/* Lag events of a long run split into windows of lag_window_s, counted from
 * the end of the reader's warm-up: the first window and the last. */
typedef struct proto_windows {
    int64_t w_ns, t0; /* window length (0: off); start of window 0 */
    int64_t cur_idx, prev_idx, t_last;
    stats_buf_t first, cur, prev;
} proto_windows_t;

/* Starts the windows of scenario s at t0 (nothing when lag_window_s is 0). */
void proto_windows_start(proto_windows_t *w, const scn_t *s, int64_t t0);
/* Adds one lag event of a flush that returned at t_flushed_ns. */
void proto_windows_add(proto_windows_t *w, int64_t t_flushed_ns, int64_t lag_ns);
/* Puts the first and last windows' lag into r and frees the buffers. */
void proto_windows_finish(proto_windows_t *w, proto_result_t *r);

/* Publishes that the process in slot `index` entered HDF5 work `call`
 * (PROTO_CALL_*; PROTO_CALL_NONE when it left it). */
void proto_call(shm_t *shm, int index, int call);
/* Publishes a completed poll (or flush) of slot `index`, with its metadata
 * read retries so far. */
void proto_progress(shm_t *shm, int index, uint64_t retries);
/* Publishes the first error of slot `index` (later ones keep the first time). */
void proto_error_seen(shm_t *shm, int index);
/* Publishes the writer's blocks, bytes and flushes so far (slot 0), for the
 * live status line. */
void proto_writer_progress(shm_t *shm, uint64_t blocks, uint64_t bytes, uint64_t flushes);
/* Publishes that reader `index` has `samples` samples of the first channel
 * in hand (kept when smaller than before), for the live status line. */
void proto_seen(shm_t *shm, int index, uint64_t samples);

/* Converts a nanosecond sample summary to microseconds. */
lat_summary_t proto_lat(stats_buf_t *b);

/* Sends READY; returns 0 or -1. */
int proto_send_ready(const role_ctx_t *c);

/* Sends the result record; returns 0 or -1. */
int proto_send_result(const role_ctx_t *c, const proto_result_t *r);

/* Non-blocking check of the control pipe: true on STOP or EOF. */
bool proto_stop_requested(const role_ctx_t *c);

/* Waits for a control byte until deadline_ns. Returns the byte, 0 on timeout,
 * -1 on EOF or error. */
int proto_wait_ctl(const role_ctx_t *c, int64_t deadline_ns);

/* A writer's last figures: append and flush latency summaries from its
 * sample buffers (which it frees) and the end time. */
void proto_finish_writer(proto_result_t *r, stats_buf_t *append_ns, stats_buf_t *flush_ns);

/* Where reader `index`'s poll clock starts within its period: a seeded
 * moment of [0, period), so that readers started by one GO do not poll in
 * step (independent monitors share no phase); 0 with a single reader. */
int64_t proto_poll_phase(const scn_t *s, int index, int64_t period_ns);
/* Fills CPU and memory figures of r from this process. */
void proto_fill_usage(proto_result_t *r);

/* Creates the run's data file c->file for the writer (every writer mode):
 * with overwrite=true the existing file goes first, only a regular file not
 * in use and never a symbolic link (h5s_df_remove_for_overwrite); then the
 * new file is created with O_EXCL and its device and inode are published in
 * shared memory. Returns the read-write descriptor (the caller closes it) or
 * a negative code with err (H5S_EEXIST: a refusal). */
int proto_create_data_file(const role_ctx_t *c, h5s_err_t *err);
/* The identity of the data file this run's writer created, into *id; false
 * when it created none. */
bool proto_data_file_id(const role_ctx_t *c, h5s_df_id_t *id);
/* Removes the data file this run's writer created, if it is still that file
 * at c->file (a writer that failed before holding any data). */
void proto_drop_data_file(const role_ctx_t *c);

/* Role entry points; each returns the process exit code. */
int writer_main(const role_ctx_t *c);
int bare_main(const role_ctx_t *c);
int reader_main(const role_ctx_t *c);
int bare_reader_main(const role_ctx_t *c);
/* An external client (reader_kind h5py, watch or cmd: an scn_reader_kind_t)
 * followed through the line protocol (external.c). */
int external_reader_main(const role_ctx_t *c, int kind);
int finalizer_main(const role_ctx_t *c);

#endif
