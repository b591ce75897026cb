/* test_faults.c - an injected overwrite is named in the report with the
 * range it wrote, the HDF5 structure that lived there, what each process did
 * after it and whether the final file still holds it: real runs of the h5swmr
 * program, another process's real pwrite, the final file read back here. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

TestSuite(faults, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

#define CHANNEL "/Experiment/Surveys/live_survey/Stations/MT001/run_001/ex"

/* Runs mth5_realtime.ini for 1 s (one channel of 4 KiB chunks, a block
 * and a flush every 125 ms, one h5swmr reader, the summary table kept
 * current) with the overwrite 500 ms after READY at target; its output into
 * out. Returns the exit status and the run's summary.json in *json. */
static int run_corrupt(const char *target, char *out, size_t cap, cJSON **json)
{
    char scn[1200], res[1300], tgt[96];
    snprintf(scn, sizeof scn, "%s/scenarios/mth5_realtime.ini", H5SWMR_SOURCE_DIR);
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    snprintf(tgt, sizeof tgt, "corrupt_file_target=%s", target);
    const char *a[] = {"run", scn,
                       "-o",  res,
                       "-o",  "duration=1",
                       "-o",  "channels=ex",
                       "-o",  "readers=1",
                       "-o",  "sample_rate=8192",
                       "-o",  "block_samples=1024",
                       "-o",  "poll_ms=50",
                       "-o",  "summary_upkeep=true",
                       "-o",  "stop_timeout=0.5",
                       "-o",  "corrupt_file_after_ms=500",
                       "-o",  tgt,
                       NULL};
    int status;
    cr_assert_eq(tu_run_args(H5SWMR_BIN, a, 60000, &status, out, cap), 0, "hung: %s", out);
    cr_assert(WIFEXITED(status), "%s", tu_status_str(status));
    *json = tu_summary_json(tu_path("results"), NULL, 0);
    return WEXITSTATUS(status);
}

/* The run's one overwrite fault in summary.json. */
static const cJSON *corrupt_fault(const cJSON *j)
{
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(j, "run");
    const cJSON *faults = cJSON_GetObjectItemCaseSensitive(run, "faults");
    cr_assert(cJSON_IsArray(faults), "run.faults is not a list of faults");
    cr_assert_eq(cJSON_GetArraySize(faults), 1, "expected one fault");
    const cJSON *f = cJSON_GetArrayItem(faults, 0);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(f, "kind");
    cr_assert(cJSON_IsString(kind) && !strcmp(kind->valuestring, "corrupt_file"));
    cr_assert_eq(tu_num(f, "length"), 4096);
    return f;
}

/* The string member key of o. */
static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsString(v), "no string '%s'", key);
    return v->valuestring;
}

/* The bytes of the final data file at [off, off + 4096) that are 0xA5. */
static int bytes_still_a5(const cJSON *j, long long off)
{
    const char *file = str(cJSON_GetObjectItemCaseSensitive(j, "run"), "file");
    unsigned char buf[4096];
    int fd = open(file, O_RDONLY);
    cr_assert_geq(fd, 0, "%s", file);
    ssize_t r = pread(fd, buf, sizeof buf, off);
    close(fd);
    int n = 0;
    for (ssize_t i = 0; i < r; i++)
        n += buf[i] == 0xA5;
    return n;
}

/* The line of the fault's reactions that starts with who. */
static const char *reaction(const cJSON *f, const char *who)
{
    const cJSON *r, *list = cJSON_GetObjectItemCaseSensitive(f, "reactions");
    cr_assert(cJSON_IsArray(list), "no reactions");
    cJSON_ArrayForEach (r, list) {
        if (cJSON_IsString(r) && !strncmp(r->valuestring, who, strlen(who)))
            return r->valuestring;
    }
    cr_assert_fail("no reaction of '%s'", who);
    return "";
}

Test(faults, overwritten_first_chunk_is_named_and_stays_in_the_file)
{
    char out[32768];
    cJSON *j;
    int code = run_corrupt("first_chunk", out, sizeof out, &j);
    /* the chunk is written once and never again: the final check reads its
     * 1024 samples back wrong - flushed data altered, exit 3 */
    cr_assert_eq(code, 3, "%s", out);
    const cJSON *f = corrupt_fault(j);
    long long off = (long long)tu_num(f, "offset");
    /* the offset is the chunk's address as HDF5 gives it in the final file */
    const char *file = str(cJSON_GetObjectItemCaseSensitive(j, "run"), "file");
    hid_t fid = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(fid, 0, "the final file does not open");
    hid_t did = H5Dopen2(fid, CHANNEL, H5P_DEFAULT);
    hsize_t at[1] = {0}, size = 0;
    haddr_t addr = HADDR_UNDEF;
    unsigned mask = 0;
    cr_assert_geq(H5Dget_chunk_info_by_coord(did, at, &mask, &addr, &size), 0);
    H5Dclose(did);
    H5Fclose(fid);
    cr_assert_eq((long long)addr, off, "the fault's offset is not the first chunk's address");
    cr_assert(strstr(str(f, "hit"), "raw data chunk 0 (elements 0-1023) of " CHANNEL), "hit: %s", str(f, "hit"));
    cr_assert_eq(tu_num(f, "damage_left_bytes"), 4096);
    cr_assert_eq(bytes_still_a5(j, off), 4096, "the report says the damage is there; the file disagrees");
    cr_assert(strstr(out, "damage still in the final file: yes"), "%s", out);
    cr_assert(strstr(reaction(f, "finalizer"), "1024 wrong"), "%s", reaction(f, "finalizer"));
    cr_assert(strstr(str(f, "noticed_by"), "finalizer"), "noticed by: %s", str(f, "noticed_by"));
    cJSON_Delete(j);
}

Test(faults, overwritten_summary_table_is_written_again_by_the_writer)
{
    char out[32768];
    cJSON *j;
    int code = run_corrupt("summary_table", out, sizeof out, &j);
    /* the writer rewrites the table's chunk with every flush after it */
    cr_assert_eq(code, 0, "%s", out);
    const cJSON *f = corrupt_fault(j);
    long long off = (long long)tu_num(f, "offset");
    cr_assert(strstr(str(f, "hit"), "raw data chunk 0 (elements 0-63) of /Experiment/channel_summary"), "hit: %s",
              str(f, "hit"));
    cr_assert_eq(tu_num(f, "damage_left_bytes"), 0);
    cr_assert_lt(bytes_still_a5(j, off), 4096, "the report says the damage is gone; the file disagrees");
    cr_assert(strstr(out, "damage still in the final file: no"), "%s", out);
    cr_assert(strstr(reaction(f, "writer"), "flushes after it"), "%s", reaction(f, "writer"));
    /* and nobody noticed: the report says so rather than nothing */
    cr_assert_str_empty(str(f, "noticed_by"));
    cr_assert(strstr(out, "noticed by: no process"), "%s", out);
    cJSON_Delete(j);
}

Test(faults, reader_stuck_in_metadata_retries_is_reported_as_such)
{
    char out[32768];
    cJSON *j;
    /* 4 KiB from the table's object header on holds metadata of the groups
     * a reader walks: its walk meets a checksum that never comes right */
    int code = run_corrupt("summary_table_header", out, sizeof out, &j);
    const cJSON *f = corrupt_fault(j);
    cr_assert(strstr(str(f, "hit"), "object header of /Experiment/channel_summary"), "hit: %s", str(f, "hit"));
    const char *r1 = reaction(f, "reader 1");
    cr_assert(strstr(r1, "in HDF5's metadata read retries"), "%s", r1);
    cr_assert(strstr(r1, "no report"), "%s", r1);
    cr_assert(strstr(str(f, "noticed_by"), "reader 1"), "noticed by: %s", str(f, "noticed_by"));
    cr_assert(strstr(out, "in HDF5's metadata read retries"), "the table does not say it: %s", out);
    /* what the damage broke, read in the final file: /Experiment's header */
    cr_assert(strstr(str(f, "unreadable"), "/Experiment (its object header"), "%s", str(f, "unreadable"));
    /* the final check cannot read the groups either: a failure of the run,
     * said as caused by the overwrite, and the file not left flagged open */
    cr_assert_eq(code, 1, "%s", out);
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(j, "run");
    cr_assert(strstr(str(run, "problem"), "injected overwrite"), "%s", str(run, "problem"));
    cr_assert(strstr(str(run, "recovery"), "injected overwrite"), "recovery: '%s'", str(run, "recovery"));
    unsigned char sb[12];
    int fd = open(str(run, "file"), O_RDONLY);
    cr_assert_eq(pread(fd, sb, sizeof sb, 0), (ssize_t)sizeof sb);
    close(fd);
    cr_assert_eq(sb[11], 0, "the file is left flagged open for write");
    cJSON_Delete(j);
}
