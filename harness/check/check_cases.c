/* check_cases.c - the case table of `h5swmr check`: every case with its
 * group, description, built-in expectation (HDF5 1.10.8) and explanation, in
 * run order. The cases themselves live in one file per group (check_case.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>

#include "check.h"
#include "check_case.h"

static const chk_case_t cases[] = {
    /* h5swmr's own guards: mth5_open and mth5_remove refuse before HDF5 is
     * called. Each has a sibling in the hdf5 group that asks HDF5 itself. */
    {"swmr_with_w_refused", "h5swmr", "mth5_open with w, w- or x and SWMR on a new path", "refused:H5S_EMODE",
     "h5swmr's rule (MTH5's guide), checked before HDF5 is called: SWMR does not create a file; create it without "
     "SWMR first, then reopen it with 'a' or 'r+' (hdf5_swmr_create shows what HDF5 itself does).",
     chk_case_swmr_with_w_refused, 20},
    {"swmr_missing_file_refused", "h5swmr", "mth5_open with a, r+ or r and SWMR on a missing path",
     "refused:H5S_ENOENT",
     "h5swmr's rule, checked before HDF5 is called: an SWMR open needs an existing MTH5 file; a wrong path is "
     "reported, never turned into a new empty file (hdf5_swmr_open_missing asks HDF5).",
     chk_case_swmr_missing_file_refused, 20},
    {"remove_refused_in_swmr", "h5swmr", "mth5_remove of a channel in SWMR-write mode", "refused:H5S_ESWMR",
     "h5swmr's rule, checked before HDF5 is called: deleting objects is outside SWMR's contract (readers may hold "
     "them), so it is refused in SWMR-write mode and nothing is removed (hdf5_swmr_delete asks HDF5).",
     chk_case_remove_refused_in_swmr, 20},
    {"writer_with_a", "guide", "SWMR writer opened with 'a' appends, flushes, closes; data read back", "pass",
     "'a' on an existing file enters SWMR-write mode (H5Fstart_swmr_write): how an acquisition writer starts.",
     chk_case_writer_with_a, 20},
    {"writer_with_r_plus", "guide", "SWMR writer opened with 'r+' appends, flushes, closes; data read back", "pass",
     "'r+' enters SWMR-write mode like 'a', but never creates a missing file.", chk_case_writer_with_r_plus, 20},
    {"reader_with_r", "guide", "'r' + SWMR opens and walks the tree while a forked SWMR writer is active", "pass",
     "Monitors open with 'r' and SWMR (RDONLY|SWMR_READ) while the writer runs: the supported way to follow live data.",
     chk_case_reader_with_r, 20},
    {"single_writer", "guide", "a second SWMR writer ('a', 'r+') is refused while another process writes",
     "refused:H5S_ELOCKED",
     "One writer at a time: a second writer (another acquisition, a finalize script) is refused while the first runs, "
     "by the superblock's open-for-write flags ('h5clear -s --increment=0' clears them after a crash).",
     chk_case_single_writer, 20},
    {"flushed_data_visible", "guide", "forked writer appends + H5Dflush; the reader refreshes and verifies each time",
     "pass",
     "Flushed data is what readers can rely on: after H5Drefresh they see exactly the flushed samples, right values.",
     chk_case_flushed_data_visible, 20},
    {"unflushed_not_promised", "guide", "forked writer appends without a flush; what does the reader see?",
     "observed:not-visible",
     "Appended but unflushed data is not promised to readers: "
     "the flush publishes it, so flush at the latency you need.",
     chk_case_unflushed_not_promised, 20},
    {"hdf5_swmr_create", "hdf5", "H5Fcreate with H5F_ACC_TRUNC|H5F_ACC_SWMR_WRITE (what 'w' with SWMR asks HDF5)",
     "observed:creates-in-swmr-write-mode",
     "What HDF5 itself does when asked to create a file in SWMR-write mode (h5swmr refuses it first: "
     "swmr_with_w_refused).",
     chk_case_hdf5_swmr_create, 20},
    {"hdf5_swmr_open_missing", "hdf5", "H5Fopen of a missing path with SWMR_WRITE and with SWMR_READ",
     "observed:refused-nothing-created",
     "HDF5 itself refuses SWMR opens of a missing path and creates nothing (h5swmr refuses them first: "
     "swmr_missing_file_refused).",
     chk_case_hdf5_swmr_open_missing, 20},
    {"hdf5_swmr_delete", "hdf5", "H5Ldelete of a channel in SWMR-write mode, HDF5 alone", "observed:delete-accepted",
     "What HDF5 itself does with a deletion in SWMR-write mode (h5swmr refuses it first: remove_refused_in_swmr).",
     chk_case_hdf5_swmr_delete, 20},
    {"superblock_v3_required", "hdf5", "SWMR writer on an MTH5 file made with default libver bounds",
     "refused:H5S_EFORMAT",
     "SWMR needs a version-3 superblock: "
     "files made with default libver bounds (h5py without libver='latest') must be recreated.",
     chk_case_superblock_v3_required, 20},
    {"writer_before_readers", "hdf5", "SWMR reader opens while a plain (non-SWMR) writer holds the file",
     "refused:H5S_ELOCKED",
     "The writer must be in SWMR mode before any reader opens: a non-SWMR writer locks readers out (errno 11).",
     chk_case_writer_before_readers, 20},
    {"plain_reader_refused", "hdf5", "read-only open without the SWMR flag while an SWMR writer is active",
     "refused:H5S_ELOCKED",
     "Readers must ask for SWMR (h5py: swmr=True): "
     "a plain read-only open of a file being written in SWMR mode is refused.",
     chk_case_plain_reader_refused, 20},
    {"file_locking_env", "hdf5", "HDF5_USE_FILE_LOCKING=FALSE in a second process: which opens still fail",
     "observed:plain-reader-flags,writer2-flags,early-reader-flags",
     "HDF5_USE_FILE_LOCKING=FALSE (used where locks fail, e.g. NFS) removes the lock; only the superblock's "
     "open-for-write flags still stand between a second writer and the file.",
     chk_case_file_locking_env, 30},
    {"refresh_needed", "hdf5", "a reader holding the dataset sees growth only after H5Drefresh",
     "observed:invisible-without-refresh",
     "A monitor that holds a dataset must call H5Drefresh (h5py: ds.refresh()) each poll, or it shows a frozen length.",
     chk_case_refresh_needed, 20},
    {"drefresh_vs_reopen", "hdf5", "growth seen by H5Drefresh on a held handle and by reopening the file",
     "observed:both-see-growth",
     "Both H5Drefresh and reopening the file show new data; refresh is much cheaper per poll (costs in the detail).",
     chk_case_drefresh_vs_reopen, 20},
    {"objects_under_swmr", "hdf5", "writer adds 12 runs in SWMR mode: links and opens as an open reader sees them",
     "observed:links-after-refresh,open-fails,reopen-ok",
     "Object creation under SWMR is unsupported: open readers see new links only after H5Orefresh and cannot open "
     "them; the seed's add_run-per-iteration pattern only works for readers that reopen the file.",
     chk_case_objects_under_swmr, 20},
    {"corked_extend", "hdf5", "10000 corked appends + flush while a reader polls flat out: fill values seen?", "pass",
     "A corked writer (H5Odisable_mdc_flushes around H5Dset_extent + H5Dwrite) "
     "never shows readers an extent before its data.",
     chk_case_corked_extend, 40},
    {"uncorked_extend", "hdf5", "the same appends without corking: fill values seen?",
     "observed:no-fill-values-seen|observed:fill-values-seen",
     "Uncorked, nothing orders the new extent after its data, so readers may read fill values (0); not seeing any "
     "here is no promise: cork appends.",
     chk_case_uncorked_extend, 40},
    {"crash_recovery", "hdf5", "a writer SIGKILLed in SWMR mode after flushing; h5clear -s against --increment=0",
     "observed:plain-clear-loses-data,increment-recovers",
     "After a writer crash the superblock's end-of-allocation is stale: plain 'h5clear -s' truncates the file to it "
     "and every sample written in SWMR mode is lost; 'h5clear -s --increment=0' keeps them.",
     chk_case_crash_recovery, 30},
    {"reader_open_race", "hdf5", "SWMR readers open while a writer appends 60 blocks and closes the file",
     "observed:open-refused-truncated|observed:opens-ok",
     "An SWMR reader's open compares the file size with the superblock's end of allocation unless the file is "
     "marked as in SWMR-write mode: an open that overlaps the writer's close can be refused ('truncated file'); "
     "readers that may start at any time should retry such opens.",
     chk_case_reader_open_race, 30},
    {"integrity_matrix", "integrity", "orchestrated runs over block sizes x dtypes x compression, 4 readers each",
     "pass",
     "Every sample every reader read equals what the writer wrote, for each block size, dtype and compression setting.",
     chk_case_integrity_matrix, 90},
    {"write_order", "filesystem", "POSIX write ordering on the data directory (pwrite data, then pointer), no HDF5",
     "pass",
     "SWMR relies on a reader never seeing a pointer before the data it points to; network file systems break this.",
     chk_case_write_order, 60},
};

/* The case table, in run order; *n gets its length. */
const chk_case_t *chk_cases(size_t *n)
{
    *n = sizeof cases / sizeof cases[0];
    return cases;
}

/* One line about a group, for reports; NULL if unknown. */
const char *chk_group_title(const char *group)
{
    static const char *const titles[][2] = {
        {"h5swmr", "h5swmr's own rules: decided by h5swmr's guards before HDF5 is called (not HDF5 behaviour)"},
        {"guide", "the guide's rules, decided by HDF5"},
        {"hdf5", "HDF5's rules and behaviour"},
        {"integrity", "orchestrated runs, every sample verified"},
        {"filesystem", "the data directory's file system (no HDF5)"},
    };
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (!strcmp(group, titles[i][0]))
            return titles[i][1];
    return NULL;
}
