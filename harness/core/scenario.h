/* scenario.h - scenario files (INI, fio-style) and the one option table that
 * serves them, -o key=value overrides, --help and validation. */
#ifndef H5SWMR_SCENARIO_H
#define H5SWMR_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define SCN_STR 256
#define SCN_PATH 1024
#define SCN_MAX_CHANNELS 64
#define SCN_MAX_READERS 256
#define SCN_NAME_MAX 24 /* a reader name (reader_name, or by program), in characters */

typedef enum { SCN_APPEND, SCN_STRUCTURE } scn_workload_t;
typedef enum { SCN_DFLUSH, SCN_FFLUSH } scn_flush_t;
typedef enum { SCN_REFRESH, SCN_REOPEN, SCN_NONE } scn_refresh_t;
typedef enum { SCN_MODE_SWMR, SCN_MODE_NOSWMR, SCN_MODE_RAW, SCN_MODE_BARE } scn_writer_mode_t;
typedef enum { SCN_WAIT_POLL, SCN_WAIT_INOTIFY } scn_wait_t;
typedef enum { SCN_READER_H5SWMR, SCN_READER_BARE } scn_reader_mode_t;
typedef enum {
    SCN_CORRUPT_MIDDLE,
    SCN_CORRUPT_FIRST_CHUNK,
    SCN_CORRUPT_SUMMARY_TABLE,
    SCN_CORRUPT_SUMMARY_TABLE_HEADER
} scn_corrupt_target_t;
/* What program a reader is (reader_kind): h5swmr's own reader, or an external
 * client followed through the line protocol (harness/run/external.c). */
typedef enum { SCN_KIND_H5SWMR, SCN_KIND_H5PY, SCN_KIND_WATCH, SCN_KIND_CMD } scn_reader_kind_t;
/* The live status line of run, write, sweep and stress (status): auto = one
 * line refreshed in place when stdout is a terminal, plain lines every
 * report_ms otherwise; off; lines = plain lines even on a terminal. */
typedef enum { SCN_STATUS_AUTO, SCN_STATUS_OFF, SCN_STATUS_LINES } scn_status_t;

/* One resolved job: every knob of one experiment. */
typedef struct scn {
    char name[SCN_STR];     /* job (section) name */
    char scenario[SCN_STR]; /* scenario file's base name */
    /* where */
    char file[SCN_PATH];
    char results_dir[SCN_PATH];
    bool overwrite;
    /* writer */
    int workload;
    double duration_s;
    int64_t max_blocks;
    double max_mb;
    char survey[SCN_STR], station[SCN_STR], run[SCN_STR];
    char channels[SCN_STR];
    int64_t nchannels;
    char new_run_channels[SCN_STR];
    double sample_rate;
    bool realtime;
    int64_t block_samples;
    int64_t chunk_samples;
    int dtype;
    bool compress;
    bool cork;
    int64_t flush_every_blocks;
    double flush_every_ms;
    int flush_call;
    bool summary_upkeep;
    bool finalize;
    int writer_mode;
    bool measure;
    bool raw_logs;
    double lag_window_s;
    double rss_settle_s;
    double pace_jitter;
    /* readers */
    int64_t readers;
    double poll_ms;
    int reader_wait;
    int reader_mode;
    char reader_refresh[SCN_STR];
    char reader_kind[SCN_STR];    /* list cycled over readers: SCN_KIND_* names */
    char reader_cmd[SCN_PATH];    /* kind cmd: the client's command line */
    char reader_python[SCN_PATH]; /* kind h5py: the interpreter */
    char reader_name[SCN_STR];    /* list cycled over readers: their names ("": by program) */
    double lag_warmup_ms;         /* flushes this soon after a reader's first observation give no lag */
    bool reader_cmd_blank;        /* reader_cmd was given blank (not an option: refused by scn_validate) */
    double rescan_ms;
    bool verify;
    bool read_summary_table;
    double report_ms;
    int status; /* scn_status_t */
    /* orchestration */
    double ready_timeout_s;
    double stop_timeout_s;
    double finalize_stall_s;      /* the finalizer is stopped after this long without progress */
    char reader_delay_s[SCN_STR]; /* per reader, cycled: seconds from READY to its GO */
    int64_t seed;
    bool quiet;
    /* fault injection (the orchestrator sends real signals) */
    double kill_writer_after_ms;
    int64_t kill_reader;
    double kill_reader_after_ms;
    double stall_writer_after_ms;
    double stall_writer_ms;
    double writer_fsize_limit_mb;
    bool early_reader;
    double corrupt_file_after_ms;
    int corrupt_file_target; /* scn_corrupt_target_t */
    bool verify_file;
    double slow_writer_pct;
    bool keep_data;
    /* sweeps */
    char sweep[SCN_PATH];
    bool baselines;
    bool reader_baseline;
    bool floor;
    bool warmup;
    int64_t repeat;
} scn_t;

typedef enum { OPT_INT, OPT_DOUBLE, OPT_BOOL, OPT_STRING, OPT_ENUM, OPT_LIST } scn_opt_type_t;

/* One knob: the single source of its name, type, default, range and help. */
typedef struct scn_opt {
    const char *name;
    scn_opt_type_t type;
    size_t offset;
    size_t size; /* for strings and lists */
    const char *dflt;
    double min, max;            /* for numbers; a list whose max > 0 is a list of numbers */
    const char *const *choices; /* for enums and lists (NULL-terminated) */
    const char *help;
} scn_opt_t;

/* The option table, terminated by an entry with name NULL. */
const scn_opt_t *scn_options(void);

/* Sets s to every option's default. */
void scn_defaults(scn_t *s);

/* Sets one option from text. Returns 0, or H5S_ESCENARIO with a message in
 * msg ("unknown key 'x'", "'abc' is not a number", "100 is above the maximum 64"). */
int scn_set(scn_t *s, const char *key, const char *value, char *msg, size_t cap);

/* Checks values that depend on each other; 0 or H5S_ESCENARIO with msg. */
int scn_validate(const scn_t *s, char *msg, size_t cap);

/* Formats an option's current value of s into buf. */
void scn_format(const scn_t *s, const scn_opt_t *o, char *buf, size_t cap);

/* A loaded scenario: its jobs, in file order (the [global] section alone if
 * there are none). */
typedef struct scn_file {
    scn_t *jobs;
    size_t njobs;
} scn_file_t;

/* Loads path and applies overrides ("key=value", to every job). Errors name the
 * file and line ("file:line: message") or the override. Nothing is created. */
int scn_load(const char *path, const char *const *overrides, size_t noverrides, scn_file_t *out, h5s_err_t *err);

/* Builds a scenario from defaults and overrides alone (no file). */
int scn_load_overrides(const char *name, const char *const *overrides, size_t noverrides, scn_file_t *out,
                       h5s_err_t *err);

void scn_file_free(scn_file_t *f);

/* Writes s as a scenario file (a [global] section with every key), which
 * scn_load reads back to the same values. Returns 0 or -1. */
int scn_write_ini(const scn_t *s, FILE *f);

/* Prints the option table as help text. */
void scn_print_help(FILE *out);

/* Splits a comma list into up to max items of at most SCN_STR-1 characters,
 * trimming blanks; returns the count or -1 if there are too many or one is empty. */
int scn_split(const char *list, char items[][SCN_STR], int max);

/* The channel names of s: the channels list, or nchannels generated names
 * (ex, ey, hx, hy, hz, then a0005, a0006, ...). Returns the count. */
int scn_channel_names(const scn_t *s, char (*names)[SCN_STR], int max);

#define SCN_MAX_GEN_CHANNELS 4096

/* One axis of a sweep: a key and its values. */
typedef struct scn_axis {
    char key[SCN_STR];
    char values[64][SCN_STR];
    int n;
} scn_axis_t;

/* Parses a sweep specification "key=v1,v2 key2=v3,v4" (axes separated by
 * blanks or ';'), checking every value against the option table. Returns the
 * number of axes (up to max), or H5S_ESCENARIO with msg. */
int scn_parse_sweep(const char *spec, scn_axis_t *axes, int max, char *msg, size_t cap);

/* The refresh strategy of reader number i (0-based): reader_refresh cycled. */
scn_refresh_t scn_reader_refresh(const scn_t *s, int i);

const char *scn_refresh_name(scn_refresh_t r);

/* The start delay of reader number i (0-based), in seconds after the writer's
 * READY: reader_delay_s cycled. */
double scn_reader_delay(const scn_t *s, int i);

/* The kind of reader number i (0-based): reader_kind cycled. */
scn_reader_kind_t scn_reader_kind(const scn_t *s, int i);

const char *scn_reader_kind_name(scn_reader_kind_t k);
/* The name of reader i (from 0) for reports and messages, at most
 * SCN_NAME_MAX characters: its reader_name item (cycled), or by program:
 * h5swmr, bare, h5py, watch, or the script or program reader_cmd runs. */
void scn_reader_name(const scn_t *s, int i, char *out, size_t cap);

#endif
