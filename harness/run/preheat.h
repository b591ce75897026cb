/* preheat.h - a flat-out writer's file, made ready before it is timed.
 *
 * On the virtual machines h5swmr runs on, a page of memory that lies free for
 * a moment is handed back to the host, and taking it again costs a host fault:
 * the same pwrite loop appending to a new file gives 0.3 or 8 GB/s by what the
 * machine did just before. Warming memory up before the run does not hold
 * (freed pages go back first). What holds is pages of the file itself: a
 * flat-out writer writes zeros past the end of its file for the bytes it will
 * append, before it reports READY, so that its appends land on pages already
 * in the page cache. Every writer mode (swmr, noswmr, bare, raw) and the
 * standalone bench/floor/h5floor do the same, so that their figures compare
 * like with like. HDF5 leaves bytes past its end of allocation alone and cuts
 * them off when it closes the file; the raw writer cuts its file to what it
 * wrote. */
#ifndef H5SWMR_PREHEAT_H
#define H5SWMR_PREHEAT_H

#include <stdint.h>

#include "err.h"
#include "scenario.h"

/* At most this much is preheated (a longer run's later appends take fresh pages). */
#define PREHEAT_CAP (1ull << 30)

/* The bytes a flat-out writer of s with nch channels appends by its limits:
 * max_mb, max_blocks, or 4 GB/s (about the fastest this machine type writes)
 * for its duration. */
double preheat_run_bytes(const scn_t *s, int nch);

/* The bytes a writer of s with nch channels preheats: what it will append by
 * its limits (max_mb, max_blocks, or 4 GB/s for its duration) plus room for
 * HDF5's metadata, at most PREHEAT_CAP; 0 when it does not preheat: warmup
 * off, a paced writer (realtime), or a fault that depends on the file's size
 * (writer_fsize_limit_mb, corrupt_file_after_ms, kill_writer_after_ms). */
uint64_t preheat_bytes(const scn_t *s, int nch);

/* Writes `bytes` zeros past the current end of the regular file at path
 * (opened again, without following a symbolic link). Returns 0, or a
 * negative error code with err set (its cause: no space, file too large). */
int preheat_file(const char *path, uint64_t bytes, h5s_err_t *err);

/* Cuts the preheated tail off the closed HDF5 file at path: opening it for
 * writing and closing it again makes HDF5 truncate the file to its end of
 * allocation. For writers whose file no finalizer opens after them (noswmr,
 * bare). Returns 0, or a negative error code with err set. */
int preheat_trim(const char *path, h5s_err_t *err);

#endif
