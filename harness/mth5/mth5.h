/* mth5.h - MTH5 0.2.0 files in C: layout, SWMR open rules, channels, summaries.
 *
 * The C counterpart of MTH5's Python MTH5 object, as far as h5swmr needs it.
 * Files are always created in the 1.10 file format (libver bounds V110, V110: a
 * version-3 superblock, readable by HDF5 1.10 and newer) so that
 * they can be opened in SWMR mode later. Every function returns 0 or a negative
 * H5S_E* code with a message in err (which may be NULL). */
#ifndef H5SWMR_MTH5_H
#define H5SWMR_MTH5_H

#include <hdf5.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MTH5_FILE_VERSION "0.2.0"
#define MTH5_NAME_MAX 64 /* names h5swmr creates: at most 63 characters */
/* Names a walk of an existing file reports (other programs may make longer
 * ones): at most 63 characters, as the rows below hold them; a walk that
 * meets a longer name fails and says so, it never leaves the object out. */
#define MTH5_WALK_NAME_MAX 256
#define MTH5_PATH_MAX (4 * MTH5_WALK_NAME_MAX + 40)

typedef struct mth5 mth5_t;
typedef struct mth5_channel mth5_channel_t;

typedef enum { MTH5_MODE_R, MTH5_MODE_RPLUS, MTH5_MODE_A, MTH5_MODE_W, MTH5_MODE_X } mth5_mode_t;

typedef enum { MTH5_ELECTRIC, MTH5_MAGNETIC, MTH5_AUXILIARY } mth5_ctype_t;

typedef enum { MTH5_FLOAT32, MTH5_FLOAT64, MTH5_INT32 } mth5_dtype_t;

/* Parses "r", "r+", "a", "w", "w-" or "x". Returns 0 or H5S_EINVAL. */
int mth5_mode_parse(const char *s, mth5_mode_t *out);

/* Opens or creates path with the guide's rules:
 *   r: read-only; r+: read-write, must exist; a: read-write, created if missing;
 *   w: create, truncating an existing file; w- or x: create, fail if it exists.
 * With swmr: w, w- and x are refused (H5S_EMODE); a missing file is refused
 * (H5S_ENOENT); r opens read-only with SWMR_READ; a and r+ open read-write with
 * the 1.10 file format, check the file is MTH5, then start SWMR-write mode.
 * Existing files are checked (HDF5? MTH5?) read-only before any write open, so a
 * refused file is never modified. On success *out owns the file; release it with
 * mth5_close. */
int mth5_open(const char *path, const char *mode, bool swmr, mth5_t **out, h5s_err_t *err);

/* mth5_open of the very file this process has open as fd (through
 * /proc/PID/fd/FD, whatever was renamed over or deleted from its path since),
 * named `shown` in messages and by mth5_path. With "w" it truncates that file
 * (one its caller created); "a" behaves as "r+": nothing is created. */
int mth5_open_fd(int fd, const char *shown, const char *mode, bool swmr, mth5_t **out, h5s_err_t *err);

/* True when the file is open in SWMR mode (reader or writer). */
bool mth5_is_swmr_mode(const mth5_t *m);

/* True for an SWMR reader of a file that no SWMR writer can open (a
 * superblock older than version 3): it cannot change, and refreshing is
 * skipped (HDF5 1.10's H5Drefresh fails on such a file). */
bool mth5_is_static(const mth5_t *m);

/* True when the file is open for writing. */
bool mth5_is_writable(const mth5_t *m);

/* The HDF5 file id, owned by m (for callers that need raw HDF5 access). */
hid_t mth5_fid(const mth5_t *m);

/* The path m was opened with. */
const char *mth5_path(const mth5_t *m);

/* H5Fflush of the whole file. Returns 0 or H5S_EHDF5/H5S_EREADONLY. */
int mth5_flush(mth5_t *m, h5s_err_t *err);

/* Closes every channel still open through m, rebuilds /Experiment/channel_summary
 * if a non-SWMR writer changed the tree, closes the file and frees m. Safe with
 * m == NULL. The return value reports a failure, but m is always freed. */
int mth5_close(mth5_t *m, h5s_err_t *err);

/* Long loops through m (tree walks, the summary table rebuild, also inside
 * mth5_close) check *stop and end with H5S_EINTR once it is non-zero: a
 * command's SIGINT/SIGTERM flag. NULL (the default) = never. */
void mth5_set_stop_flag(mth5_t *m, const volatile sig_atomic_t *stop);

/* Makes mth5_close leave /Experiment/channel_summary as it is (for a scratch
 * file about to be deleted: the rebuild walks every channel). */
void mth5_skip_summary_rebuild(mth5_t *m);

/* Station location and other metadata used when a station is created. */
typedef struct mth5_station_meta {
    double latitude, longitude, elevation;
} mth5_station_meta_t;

/* Creates /Experiment/Surveys/<survey> with its Stations, Reports, Filters,
 * Standards groups. H5S_EEXIST if present. */
int mth5_add_survey(mth5_t *m, const char *survey, h5s_err_t *err);

/* Creates a station under an existing survey (meta may be NULL for 0,0,0). */
int mth5_add_station(mth5_t *m, const char *survey, const char *station, const mth5_station_meta_t *meta,
                     h5s_err_t *err);

/* Creates a run under an existing station, with its sample rate and start time
 * (ISO 8601, e.g. "2020-01-01T00:00:00+00:00"; NULL for that default). */
int mth5_add_run(mth5_t *m, const char *survey, const char *station, const char *run, double sample_rate,
                 const char *start, h5s_err_t *err);

/* Options of a new channel; zero-initialise and set what you need. */
typedef struct mth5_channel_opts {
    const char *name;     /* lower-case component, e.g. "ex" (required) */
    mth5_ctype_t type;    /* electric, magnetic or auxiliary */
    mth5_dtype_t dtype;   /* float32, float64 or int32 */
    hsize_t chunk;        /* chunk length in samples; 0 = 1024 */
    bool compress;        /* shuffle + deflate(4) + fletcher32 */
    double sample_rate;   /* Hz; 0 = the run's sample rate */
    const char *units;    /* NULL = "mV/km" electric, "nT" magnetic, "" auxiliary */
    double azimuth, tilt; /* degrees */
    const char *start;    /* ISO start; NULL = the run's start */
} mth5_channel_opts_t;

/* Creates a 1-D chunked channel dataset (max shape unlimited, length 0) with
 * MTH5's attributes. If out is not NULL the channel is opened into *out. */
int mth5_add_channel(mth5_t *m, const char *survey, const char *station, const char *run,
                     const mth5_channel_opts_t *opts, mth5_channel_t **out, h5s_err_t *err);

/* Opens an existing channel. *out is owned by m until mth5_channel_close. */
int mth5_channel_open(mth5_t *m, const char *survey, const char *station, const char *run, const char *channel,
                      mth5_channel_t **out, h5s_err_t *err);

/* Opens a channel by its full HDF5 path. */
int mth5_channel_open_path(mth5_t *m, const char *path, mth5_channel_t **out, h5s_err_t *err);

/* Closes a channel; safe with NULL. */
void mth5_channel_close(mth5_channel_t *ch);

/* The channel's dataset id (owned by the channel), dtype and full path. */
hid_t mth5_channel_did(const mth5_channel_t *ch);
mth5_dtype_t mth5_channel_dtype(const mth5_channel_t *ch);
const char *mth5_channel_path(const mth5_channel_t *ch);

/* Size in bytes of one sample of dtype. */
size_t mth5_dtype_size(mth5_dtype_t dt);

/* Appends n samples (in the channel's dtype, native byte order) at the end.
 * Corked (cork = true): metadata cache flushes of the dataset are disabled
 * around H5Dset_extent + H5Dwrite, so that a reader never sees the new extent
 * before the data. Uncorked reproduces readers seeing fill values. */
int mth5_channel_append(mth5_channel_t *ch, const void *buf, size_t n, bool cork, h5s_err_t *err);

/* Current length in samples as this process knows it (no refresh). */
uint64_t mth5_channel_length(const mth5_channel_t *ch);

/* SWMR readers: H5Drefresh then read the length into *len. */
int mth5_channel_refresh(mth5_channel_t *ch, uint64_t *len, h5s_err_t *err);

/* Reads samples [start, start+n) into buf (channel dtype). */
int mth5_channel_read(mth5_channel_t *ch, uint64_t start, size_t n, void *buf, h5s_err_t *err);

/* H5Dflush of this channel. */
int mth5_channel_flush(mth5_channel_t *ch, h5s_err_t *err);

/* Updates the channel's time_period.end attribute (ISO) - not allowed in SWMR
 * mode for attributes that change size; used by non-SWMR writers. */
int mth5_channel_set_end(mth5_channel_t *ch, const char *end, h5s_err_t *err);

/* Removes the object at path (a group or dataset). Refused with H5S_ESWMR in
 * SWMR-write mode, H5S_EREADONLY when read-only. */
int mth5_remove(mth5_t *m, const char *path, h5s_err_t *err);

/* One row of a channel summary (a walk of the tree). */
typedef struct mth5_summary_row {
    char survey[MTH5_WALK_NAME_MAX], station[MTH5_WALK_NAME_MAX], run[MTH5_WALK_NAME_MAX];
    char component[MTH5_WALK_NAME_MAX], type[16], units[32];
    char start[40], end[40];
    double latitude, longitude, elevation, sample_rate, azimuth, tilt;
    uint64_t n_samples;
    char path[MTH5_PATH_MAX];
} mth5_summary_row_t;

/* One row of a run summary. */
typedef struct mth5_run_row {
    char survey[MTH5_WALK_NAME_MAX], station[MTH5_WALK_NAME_MAX], run[MTH5_WALK_NAME_MAX];
    double sample_rate;
    unsigned n_channels;
    uint64_t n_samples; /* the largest channel */
    char path[MTH5_PATH_MAX];
} mth5_run_row_t;

/* How a walk refreshes what it reads (SWMR readers). */
typedef enum {
    MTH5_REFRESH_NONE,  /* read what the metadata cache holds */
    MTH5_REFRESH_OBJECT /* H5Orefresh each group and H5Drefresh each channel first */
} mth5_refresh_t;

/* Walks survey/station/run/channel and returns a malloc'd array of rows in
 * *rows (caller frees) and its length in *n. In an SWMR reader the default
 * refresh (mth5_channel_summary) is MTH5_REFRESH_OBJECT. */
int mth5_channel_summary(mth5_t *m, mth5_summary_row_t **rows, size_t *n, h5s_err_t *err);
int mth5_channel_summary_ex(mth5_t *m, mth5_refresh_t refresh, mth5_summary_row_t **rows, size_t *n, h5s_err_t *err);

/* Walks runs; same contract as mth5_channel_summary. */
int mth5_run_summary(mth5_t *m, mth5_run_row_t **rows, size_t *n, h5s_err_t *err);
int mth5_run_summary_ex(mth5_t *m, mth5_refresh_t refresh, mth5_run_row_t **rows, size_t *n, h5s_err_t *err);

/* Rewrites /Experiment/channel_summary from a walk of the tree (non-SWMR writers). */
int mth5_summary_table_rebuild(mth5_t *m, h5s_err_t *err);

/* One row of the stored table, as far as h5swmr reads it back. */
typedef struct mth5_table_row {
    char survey[31], station[31], run[21], component[21];
    char start[37], end[37];
    int64_t n_samples;
    double sample_rate;
} mth5_table_row_t;

/* Reads the stored /Experiment/channel_summary (after H5Drefresh in SWMR readers).
 * *rows is malloc'd (caller frees). H5S_ENOENT if the table is missing. */
int mth5_summary_table_read(mth5_t *m, mth5_table_row_t **rows, size_t *n, h5s_err_t *err);

/* Index of the table row for survey/station/run/component, or -1 if none. */
long mth5_summary_table_find(const mth5_table_row_t *rows, size_t n, const char *survey, const char *station,
                             const char *run, const char *component);

/* Rewrites n_samples and end of one existing table row in place (a raw-data
 * write that SWMR allows). */
int mth5_summary_table_update(mth5_t *m, size_t row, int64_t n_samples, const char *end, h5s_err_t *err);

/* Formats t seconds after the ISO time base (which must be "YYYY-MM-DDTHH:MM:SS"
 * optionally followed by fraction/zone) as ISO 8601 with microseconds and +00:00.
 * Returns 0 or H5S_EINVAL. */
int mth5_iso_add(const char *base, double seconds, char *out, size_t cap);

#endif
