/* check_integrity.c - the case of the integrity group: orchestrated runs
 * (one writer, four readers) over block sizes, dtypes and compression, every
 * sample verified. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_case.h"
#include "orch.h"
#include "scenario.h"

/* What went wrong in one orchestrated run, into why (empty: every reader
 * verified every sample). Returns true when the only problem is readers
 * refused at open with "truncated file" (see reader_open_race). */
static bool integrity_judge(const orch_report_t *rep, uint64_t *wrote, uint64_t *verified, char *why, size_t cap)
{
    const orch_child_t *wr = &rep->children[0];
    int open_race = 0;
    *wrote = wr->has_result ? wr->res.samples : 0;
    *verified = 0;
    why[0] = '\0';
    if (!wr->has_result || wr->res.exit_code != 0) {
        snprintf(why, cap, "writer: %.300s", wr->has_result ? wr->res.msg : "no result");
        return false;
    }
    if (rep->nchildren != 5) {
        snprintf(why, cap, "%d readers started, not 4", rep->nchildren - 1);
        return false;
    }
    for (int i = 1; i < rep->nchildren; i++) {
        const proto_result_t *r = &rep->children[i].res;
        if (!rep->children[i].has_result) {
            snprintf(why, cap, "reader %d: no result", i);
            return false;
        }
        if (r->mismatches || r->fills || r->missing) {
            snprintf(why, cap, "reader %d: %llu wrong, %llu fill, %llu missing: %.200s", i,
                     (unsigned long long)r->mismatches, (unsigned long long)r->fills, (unsigned long long)r->missing,
                     r->msg);
            return false;
        }
        if (r->samples == 0 && r->exit_code != 0 && r->cause == H5S_CAUSE_TRUNCATED) {
            open_race++;
            if (!why[0])
                snprintf(why, cap, "reader %d could not open: %.300s", i, r->msg);
            continue;
        }
        if (r->samples != *wrote || r->exit_code != 0) {
            snprintf(why, cap, "reader %d verified %llu of %llu samples (exit %d%s%.200s)", i,
                     (unsigned long long)r->samples, (unsigned long long)*wrote, r->exit_code, r->msg[0] ? ": " : "",
                     r->msg);
            return false;
        }
        *verified += r->samples;
    }
    if (!open_race && rep->exit_code != 0) {
        snprintf(why, cap, "run exit %d: %.300s", rep->exit_code, rep->problem);
        return false;
    }
    return open_race > 0;
}

/* The settings the matrix runs over. */
static const struct {
    const char *block, *max_blocks;
} sizes[] = {{"1", "1500"}, {"4096", "120"}, {"65536", "16"}};
static const char *const dtypes[] = {"float32", "float64", "int32"};
static const char *const compress[] = {"false", "true"};

enum { ATTEMPTS = 3 };

/* What the runs of the matrix came to. */
typedef struct tally {
    int runs, bad, retried;
    uint64_t samples, verified;
    char first_bad[600], first_retry[400];
} tally_t;

/* One orchestrated run of the integrity scenario with the overrides ov on
 * file, its report into rep; why gets what went wrong (empty: all verified).
 * Returns 1 when it is to be run again (a reader's open was refused and this
 * is not the last attempt), 0 when it is judged, -1 when the scenario was
 * refused (out set). */
static int matrix_attempt(const char *const *ov, size_t nov, const char *file, orch_report_t *rep, uint64_t *wrote,
                          uint64_t *got, char *why, size_t cap, bool last, chk_outcome_t *out)
{
    scn_file_t sf = {0};
    h5s_err_t err;
    char msg[256] = "";
    h5s_err_clear(&err);
    if (scn_load_overrides("integrity", ov, nov, &sf, &err) < 0 || scn_validate(&sf.jobs[0], msg, sizeof msg) < 0) {
        chk_out_set(out, "error:H5S_ESCENARIO", "%.900s", err.code ? err.msg : msg);
        scn_file_free(&sf);
        return -1;
    }
    unlink(file);
    int rc = orch_run(&sf.jobs[0], file, NULL, rep, &err);
    scn_file_free(&sf);
    if (rc < 0) {
        unlink(file);
        snprintf(why, cap, "could not run: %.300s", err.msg);
        return 0;
    }
    /* readers refused at open (HDF5 1.10.8's open race) are run again, and
     * that is said; the file of a run that failed stays for a look */
    bool again = integrity_judge(rep, wrote, got, why, cap) && !last;
    if (!why[0] || again)
        unlink(file);
    return again ? 1 : 0;
}

/* Runs the cell (b, d, z) of the matrix, again while a reader's open is
 * refused (at most ATTEMPTS times), and adds it to t. Returns 0, or -1 when
 * the case cannot go on (out set). */
static int matrix_cell(const chk_env_t *env, size_t b, size_t d, size_t z, orch_report_t *rep, tally_t *t,
                       chk_outcome_t *out)
{
    char o_block[64], o_max[64], o_dtype[64], o_comp[64], file[1200], why[400] = "";
    uint64_t wrote = 0, got = 0;
    snprintf(o_block, sizeof o_block, "block_samples=%s", sizes[b].block);
    snprintf(o_max, sizeof o_max, "max_blocks=%s", sizes[b].max_blocks);
    snprintf(o_dtype, sizeof o_dtype, "dtype=%s", dtypes[d]);
    snprintf(o_comp, sizeof o_comp, "compress=%s", compress[z]);
    const char *ov[] = {o_block,
                        o_max,
                        o_dtype,
                        o_comp,
                        "readers=4",
                        "realtime=false",
                        "quiet=true",
                        "duration=30",
                        "channels=ex,hy",
                        "poll_ms=0",
                        "rescan_ms=0",
                        "summary_upkeep=false",
                        "read_summary_table=false",
                        "finalize=false",
                        "stop_timeout=5",
                        "ready_timeout=10"};
    snprintf(file, sizeof file, "%s/integrity-%s-%s-%s.mth5", env->dir, sizes[b].block, dtypes[d],
             z ? "deflate" : "plain");
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        int again = matrix_attempt(ov, sizeof ov / sizeof ov[0], file, rep, &wrote, &got, why, sizeof why,
                                   attempt + 1 >= ATTEMPTS, out);
        if (again < 0)
            return -1;
        if (!again)
            break;
        if (!t->retried++)
            snprintf(t->first_retry, sizeof t->first_retry, "block %s, %s, compress %s: %.300s", sizes[b].block,
                     dtypes[d], compress[z], why);
        why[0] = '\0';
    }
    t->runs++;
    t->samples += wrote;
    t->verified += got;
    if (why[0] && !t->bad++)
        snprintf(t->first_bad, sizeof t->first_bad, "block %s, %s, compress %s: %.400s", sizes[b].block, dtypes[d],
                 compress[z], why);
    return 0;
}

/* integrity_matrix: every cell of the matrix, every sample verified. */
void chk_case_integrity_matrix(const chk_env_t *env, chk_outcome_t *out)
{
    tally_t t = {0};
    orch_report_t *rep = calloc(1, sizeof *rep);
    if (!rep) {
        chk_out_set(out, "error:H5S_ENOMEM", "out of memory");
        return;
    }
    for (size_t b = 0; b < 3; b++)
        for (size_t d = 0; d < 3; d++)
            for (size_t z = 0; z < 2; z++)
                if (matrix_cell(env, b, d, z, rep, &t, out) < 0) {
                    free(rep);
                    return;
                }
    free(rep);
    if (t.retried) {
        out->retries = t.retried;
        snprintf(out->retry_note, sizeof out->retry_note,
                 "%d run(s) repeated (at most %d attempts each) because a reader's open was refused "
                 "('truncated file', see reader_open_race); first: %.350s",
                 t.retried, ATTEMPTS, t.first_retry);
    }
    if (t.bad)
        chk_out_set(out, "fail:samples-differ",
                    "%d of %d runs failed (data files kept in the case's directory); first: %s", t.bad, t.runs,
                    t.first_bad);
    else {
        char note[600] = "";
        if (t.retried)
            snprintf(note, sizeof note, "; %d run(s) repeated because a reader's open was refused (see retries)",
                     t.retried);
        chk_out_set(out, "pass",
                    "%d runs (blocks of 1, 4096, 65536 samples x float32, float64, int32 x deflate off/on), "
                    "1 writer + 4 busy-polling readers each: every reader verified all %llu samples written "
                    "(%llu reads in all)%s",
                    t.runs, (unsigned long long)t.samples, (unsigned long long)t.verified, note);
    }
}
