/* mth5_int.h - what the files of the MTH5 layer share and nobody else sees.
 *
 * The layer is one module (public header mth5.h) in several files:
 *   mth5_open.c     open rules (create, SWMR checks, failure classes), close
 *   mth5_layout.c   names, paths, attributes, time, surveys/stations/runs
 *   mth5_channel.c  channels: create, open, append, read, refresh, flush
 *   mth5_walk.c     the tree walk behind the channel and run summaries
 *   mth5_table.c    the stored /Experiment/channel_summary table
 *   mth5_slowdown.c the deliberate-slowdown build option of the append path
 * Functions shared between these files carry the prefix mth5__. */
#ifndef H5SWMR_MTH5_INT_H
#define H5SWMR_MTH5_INT_H

#include "mth5.h"

#define MTH5_DEFAULT_START "1980-01-01T00:00:00+00:00"
#define MTH5_TABLE_PATH "/Experiment/channel_summary"
#define MTH5_SURVEYS_PATH "/Experiment/Surveys"

struct mth5_channel {
    mth5_t *file;
    hid_t did;
    mth5_dtype_t dtype;
    hid_t mtype; /* native memory type, not owned (predefined) */
    uint64_t len;
    char path[sizeof(((mth5_summary_row_t *)0)->path)];
    mth5_channel_t *next;
};

struct mth5 {
    hid_t fid;
    mth5_mode_t mode;
    bool swmr;
    bool writable;
    bool dirty;                        /* tree or lengths changed by a non-SWMR writer */
    bool static_file;                  /* an SWMR reader of a file no SWMR writer can open (old superblock) */
    const volatile sig_atomic_t *stop; /* set: long loops end with H5S_EINTR */
    hid_t table;                       /* channel_summary, opened lazily for in-place updates */
    /* the memory type of a row update and its two member types, made once:
     * a compound type made anew for every H5Dwrite grows HDF5 1.10's memory
     * by about 12 bytes a write, for good (2.7 MB in 225,000 updates) */
    hid_t upd_type, upd_str, upd_enum;
    hid_t dxpl; /* small conversion buffer for one-row table updates */
    mth5_channel_t *channels;
    char path[4096];
};

/* True once the stop flag given to mth5_set_stop_flag is set. */
static inline bool mth5__stopped(const mth5_t *m)
{
    return m->stop && *m->stop;
}

/* ---- mth5_layout.c ---- */

/* A name is one HDF5 link name: non-empty, no '/', not "." and shorter than
 * MTH5_NAME_MAX. Returns 0 or H5S_EINVAL naming what (e.g. "station"). */
int mth5__check_name(const char *what, const char *s, h5s_err_t *err);

/* 0 when m is open for writing; else H5S_EINVAL (no file) or H5S_EREADONLY,
 * with op named in the message. */
int mth5__need_writable(mth5_t *m, const char *op, h5s_err_t *err);

/* Like mth5__need_writable, and marks the tree as changed so that a non-SWMR
 * writer rebuilds the summary table when it closes. */
int mth5__begin_structure_change(mth5_t *m, const char *op, h5s_err_t *err);

/* Writes (creating or replacing) a scalar UTF-8 variable-length string
 * attribute, or a little-endian float64 one. 0 or -1 (HDF5's stack kept). */
int mth5__attr_str(hid_t loc, const char *name, const char *value);
int mth5__attr_f8(hid_t loc, const char *name, double v);

/* Reads a string attribute (variable or fixed length) into buf. 1 if found,
 * 0 if missing, -1 on error. */
int mth5__attr_read_str(hid_t loc, const char *name, char *buf, size_t cap);

/* Reads a numeric attribute as a double; dflt when missing or unreadable. */
double mth5__attr_read_f8(hid_t loc, const char *name, double dflt);

/* The path of a survey, station, run or channel (trailing names NULL for the
 * upper levels). 0, or -1 when it does not fit in cap. */
int mth5__path_join(char *out, size_t cap, const char *survey, const char *station, const char *run,
                    const char *channel);

/* 1 if every link of the absolute path exists, 0 if one is missing, -1 on error. */
int mth5__exists_path(hid_t fid, const char *path);

/* Writes the root attributes and the /Experiment groups of a new file. 0 or -1. */
int mth5__write_root_layout(hid_t fid);

/* ---- mth5_slowdown.c ---- */

#ifndef H5SWMR_DELIBERATE_SLOWDOWN_US
#define H5SWMR_DELIBERATE_SLOWDOWN_US 0
#endif
/* Spins H5SWMR_DELIBERATE_SLOWDOWN_US microseconds in a build made with that
 * option; in a normal build it is empty and inlined away, so the append path
 * pays nothing for it. */
#if H5SWMR_DELIBERATE_SLOWDOWN_US > 0
void mth5__deliberate_slowdown(void);
#else
static inline void mth5__deliberate_slowdown(void)
{
}
#endif

#endif
