/* report.h - end-of-run summary for people (a table) and machines (JSON). */
#ifndef H5SWMR_REPORT_H
#define H5SWMR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "orch.h"

#define REPORT_SCHEMA_VERSION 1

/* Prints one line per process and the run's verdict. */
void report_print(FILE *out, const orch_report_t *rep);

/* Long runs: each process's resident memory growth after it settled and
 * each reader's lag in its first and last windows, when measured. */
void report_print_long_run(FILE *out, const orch_report_t *rep);
struct cJSON;
/* Adds the same figures of one process's result r to its JSON object o. */
void report_long_run_json(struct cJSON *o, const proto_result_t *r);

/* Writes summary.json of the run into path (created, never overwritten). */
int report_write_json(const char *path, const orch_report_t *rep, const char *run_dir, h5s_err_t *err);

/* What a result says about where it was measured: this build, the host,
 * and the file system of the data directory. Filled once, formatted from. */
typedef struct report_env {
    char hdf5_version[32];
    bool has_uname;
    char kernel[80], machine[80], hostname[80];
    char cpu[256]; /* "model name" of /proc/cpuinfo, "" if unknown */
    long cpus_online;
    bool has_fs; /* data_dir was given and statfs worked */
    char data_dir[4096];
    char data_fs[32];       /* "ext2/3/4", "tmpfs", ... "other" */
    char data_fs_magic[32]; /* statfs f_type in hex */
    char file_locking[256]; /* HDF5_USE_FILE_LOCKING, "" if unset */
} report_env_t;

/* Fills e for this process, with the file system of dir (may be NULL). */
void report_env_fill(report_env_t *e, const char *dir);

/* e as a new JSON object (the caller owns it; cJSON_Delete frees it). */
struct cJSON *report_env_json(const report_env_t *e);

/* Returns a malloc'd JSON text describing this build and host (tool, HDF5,
 * kernel, CPU, file system of dir); NULL when out of memory. */
char *report_environment_json(const char *dir);

#endif
