/* report.h - end-of-run summary for people (a table) and machines (JSON). */
#ifndef H5SWMR_REPORT_H
#define H5SWMR_REPORT_H

#include <stdio.h>

#include "err.h"
#include "orch.h"

#define REPORT_SCHEMA_VERSION 1

/* Prints one line per process and the run's verdict. */
void report_print(FILE *out, const orch_report_t *rep);

/* Writes summary.json of the run into path (created, never overwritten). */
int report_write_json(const char *path, const orch_report_t *rep, const char *run_dir, h5s_err_t *err);

/* Returns a malloc'd JSON text describing this build and host (tool, HDF5,
 * kernel, CPU, file system of dir); NULL when out of memory. */
char *report_environment_json(const char *dir);

#endif
