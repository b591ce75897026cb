/* gate_report.c - the verdicts of h5swmr gate printed: problems first, each
 * figure with its change, confidence interval and tolerance, the correctness
 * figures that pass as one count, the closing line and, with --markdown, a
 * Markdown table. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "proto.h"
#include "report.h"
#include "scenario.h"
#include "util.h"

#define fail(code, ...) h5s_cli_fail("gate", code, __VA_ARGS__)

static const char *const verdict_names[] = {"pass", "REGRESSED", "INCONCLUSIVE", "MISSING", "report"};

/* How many figures have each verdict. */
typedef struct tally {
    int n[5];
} tally_t;

/* One line for a figure: verdict, key, name, median, interval, reference. */
static void fig_line(const gate_fig_t *f, char *out, size_t cap)
{
    if (f->verdict == V_MISSING) {
        snprintf(out, cap, "%s %s: in the reference, not in this run", f->key, f->name);
        return;
    }
    if (f->judge == J_EXACT) {
        snprintf(out, cap, "%s %s: %g, reference %g (must match exactly)", f->key, f->name, f->med, f->base);
        return;
    }
    bool abs = f->judge == J_LOWER_ABS;
    double thr = f->judge == J_HIGHER_REL ? 1 - f->tol : 1 + f->tol;
    int n = snprintf(out, cap, "%s %s: ", f->key, f->name);
    if (abs)
        n += snprintf(out + n, cap - (size_t)n, "%+.3f from the reference %.3f (%.0f%% CI %+.3f..%+.3f, n=%d)", f->med,
                      f->base, f->conf * 100, f->lo, f->hi, f->n);
    else if (f->judge == J_REPORT)
        n += snprintf(out + n, cap - (size_t)n, "median %.3f (%.0f%% CI %.3f..%.3f, n=%d), reference %.3f",
                      f->med * f->base, f->conf * 100, f->lo * f->base, f->hi * f->base, f->n, f->base);
    else
        n += snprintf(out + n, cap - (size_t)n, "%+.1f%% (%.0f%% CI %+.1f%%..%+.1f%%, n=%d), reference %.3f",
                      (f->med - 1) * 100, f->conf * 100, (f->lo - 1) * 100, (f->hi - 1) * 100, f->n, f->base);
    if (f->judge != J_REPORT && n > 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, "; tolerance %s%.3g%s",
                 abs                        ? "+"
                 : f->judge == J_HIGHER_REL ? ""
                                            : "+",
                 abs ? f->tol : (thr - 1) * 100, abs ? "" : "%");
}

/* The value of token k (e.g. " poll_ms=") in a figure key, "" if absent. */
static const char *key_value(const char *key, const char *k, char *out, size_t cap)
{
    const char *p = strstr(key, k);
    out[0] = '\0';
    if (p) {
        p += strlen(k);
        size_t n = strcspn(p, " ");
        snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
    }
    return out;
}

#define SHORT_NAMES 64 /* settings per job whose variation is worked out; more are shown */

/* A job's settings (" name=") and whether their values differ between the
 * job's figures. */
typedef struct job_names {
    char name[SHORT_NAMES][64];
    bool varies[SHORT_NAMES];
    int count[SHORT_NAMES];   /* how many of the job's figures have it */
    bool valued[SHORT_NAMES]; /* one has a value that is not empty */
    int n;
} job_names_t;

/* The length of the job part of a figure key (up to its first blank). */
static size_t job_len(const char *key)
{
    return strcspn(key, " ");
}

/* A figure's key and its place among the figures, to group them by job. */
typedef struct fig_ref {
    const char *key;
    int i;
} fig_ref_t;

/* qsort's order of fig_ref_t: by job, then place. */
static int fig_ref_cmp(const void *a, const void *b)
{
    const fig_ref_t *x = a, *y = b;
    size_t lx = job_len(x->key), ly = job_len(y->key);
    int c = strncmp(x->key, y->key, lx < ly ? lx : ly);
    if (!c)
        c = (lx > ly) - (lx < ly);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Notes in jn the settings of key, and whether each one's value differs
 * from the job's first figure's (first). */
static void note_names(job_names_t *jn, const char *key, const char *first)
{
    size_t jl = job_len(key);
    for (const char *t = key + jl; *t == ' ';) {
        const char *eq = strchr(t, '=');
        size_t tl = strcspn(t + 1, " ") + 1;
        if (!eq || eq > t + tl)
            break;
        char name[64], mine[128], theirs[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - t + 1), t);
        int k = 0;
        while (k < jn->n && strcmp(jn->name[k], name))
            k++;
        if (k == jn->n && jn->n < SHORT_NAMES) {
            snprintf(jn->name[jn->n], sizeof jn->name[0], "%s", name);
            jn->varies[jn->n] = jn->valued[jn->n] = false;
            jn->count[jn->n++] = 0;
        }
        if (k < jn->n) {
            key_value(key, name, mine, sizeof mine);
            jn->count[k]++;
            jn->valued[k] |= mine[0] != '\0';
            jn->varies[k] |= strcmp(mine, key_value(first, name, theirs, sizeof theirs)) != 0;
        }
        t += tl;
    }
}

/* A figure's key for people: its job and only the settings that differ
 * between the figures of that job (jn, worked out once per job; a setting
 * beyond the first SHORT_NAMES is shown). */
static void short_key(const job_names_t *jn, const char *key, char *out, size_t cap)
{
    size_t jl = job_len(key);
    int n = snprintf(out, cap, "%.*s", (int)jl, key);
    for (const char *t = key + jl; *t == ' ' && n > 0 && (size_t)n < cap;) {
        const char *eq = strchr(t, '=');
        size_t tl = strcspn(t + 1, " ") + 1;
        if (!eq || eq > t + tl)
            break;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(eq - t + 1), t);
        int k = 0;
        while (k < jn->n && strcmp(jn->name[k], name))
            k++;
        if (k == jn->n || jn->varies[k])
            n += snprintf(out + n, cap - (size_t)n, "%.*s", (int)tl, t);
        t += tl;
    }
}

/* The key for people of every figure (see short_key), into shown[i]: the
 * figures are grouped by job once, so this is n log n in the figures. NULL
 * when out of memory. */
static char (*short_keys(const gate_figs_t *fs))[GATE_KEY_CAP]
{
    char(*shown)[GATE_KEY_CAP] = calloc(fs->n ? (size_t)fs->n : 1, sizeof *shown);
    fig_ref_t *r = calloc(fs->n ? (size_t)fs->n : 1, sizeof *r);
    job_names_t *jn = malloc(sizeof *jn);
    if (!shown || !r || !jn) {
        free(shown);
        free(r);
        free(jn);
        return NULL;
    }
    for (int i = 0; i < fs->n; i++)
        r[i] = (fig_ref_t){fs->f[i].key, i};
    qsort(r, (size_t)fs->n, sizeof *r, fig_ref_cmp);
    for (int a = 0, b; a < fs->n; a = b) {
        size_t jl = job_len(r[a].key);
        for (b = a + 1; b < fs->n && job_len(r[b].key) == jl && !strncmp(r[b].key, r[a].key, jl); b++)
            ;
        jn->n = 0;
        for (int i = a; i < b; i++)
            note_names(jn, r[i].key, r[a].key);
        for (int k = 0; k < jn->n; k++) /* a figure without the setting has the value "" */
            jn->varies[k] |= jn->count[k] < b - a && jn->valued[k];
        for (int i = a; i < b; i++)
            short_key(jn, r[i].key, shown[r[i].i], sizeof shown[0]);
    }
    free(r);
    free(jn);
    return shown;
}

/* Adds a figure's line to the verdicts of gate.json (figs may be NULL). */
static void json_fig(cJSON *figs, const char *verdict, const char *configuration, const char *figure)
{
    cJSON *o = figs ? cJSON_CreateObject() : NULL;
    if (!o)
        return;
    cJSON_AddStringToObject(o, "verdict", verdict);
    cJSON_AddStringToObject(o, "configuration", configuration);
    cJSON_AddStringToObject(o, "figure", figure);
    cJSON_AddItemToArray(figs, o);
}

/* Prints every figure (problems first; exact figures that pass as one count)
 * and writes the Markdown table and gate.json's figures when asked. Returns
 * the tally. */
static tally_t report(const gate_figs_t *fs, FILE *md, cJSON *figs)
{
    tally_t t = {{0}};
    char line[2048];
    int exact_ok = 0;
    char(*keys)[GATE_KEY_CAP] = short_keys(fs);
    if (md)
        fprintf(md, "| verdict | configuration | figure |\n|---|---|---|\n");
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < fs->n; i++) {
            const gate_fig_t *f = &fs->f[i];
            bool problem = f->verdict == V_REGRESSED || f->verdict == V_MISSING || f->verdict == V_INCONCLUSIVE;
            if (problem != (pass == 0))
                continue;
            t.n[f->verdict]++;
            if (f->judge == J_EXACT && f->verdict == V_PASS) {
                exact_ok++;
                continue;
            }
            const char *shown = keys ? keys[i] : f->key;
            fig_line(f, line, sizeof line);
            const char *what = line + strlen(f->key) + 1;
            printf("%-12s %s %s\n", verdict_names[f->verdict], shown, what);
            json_fig(figs, verdict_names[f->verdict], shown, what);
            if (md)
                fprintf(md, "| %s%s%s | `%s` | %s |\n", problem ? "**" : "", verdict_names[f->verdict],
                        problem ? "**" : "", shown, what);
        }
    if (exact_ok) {
        printf("%-12s correctness: %d figures (errors, exit status per configuration and mode) as the reference\n",
               "pass", exact_ok);
        if (md)
            fprintf(md, "| pass | every configuration | %d correctness figures as the reference |\n", exact_ok);
        snprintf(line, sizeof line, "%d correctness figures (errors, exit status) as the reference", exact_ok);
        json_fig(figs, "pass", "every configuration", line);
    }
    free(keys);
    return t;
}

/* Writes the verdicts into gate.json of o->outdir (replacing the one a gate
 * run wrote there before), for report.html; a failure is said on stdout. */
static void write_gate_json(const gate_opt_t *o, const char *what, const char *closing, bool failed, cJSON *figs)
{
    char path[SCN_PATH + 16], tmp[SCN_PATH + 32], msg[SCN_PATH + 128];
    cJSON *j = cJSON_CreateObject(), *cmd = cJSON_CreateArray();
    snprintf(path, sizeof path, "%s/gate.json", o->outdir);
    for (int i = 0; cmd && i < o->argc; i++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(i ? o->argv[i] : "h5swmr"));
    cJSON_AddStringToObject(j, "what", what);
    cJSON_AddStringToObject(j, "closing", closing);
    cJSON_AddBoolToObject(j, "failed", failed);
    cJSON_AddItemToObject(j, "command", cmd);
    cJSON_AddItemToObject(j, "figures", figs);
    char *env = report_environment_json(o->outdir);
    cJSON_AddItemToObject(j, "environment", env ? cJSON_Parse(env) : cJSON_CreateNull());
    free(env);
    char *text = h5s_json_text(j);
    cJSON_Delete(j);
    FILE *f = text && h5s_output_ok(path, true, msg, sizeof msg) == 0
                  ? h5s_output_begin(path, tmp, sizeof tmp, msg, sizeof msg)
                  : NULL;
    if (f)
        fprintf(f, "%s\n", text);
    if (!f || h5s_output_commit(f, tmp, path, true, msg, sizeof msg) != 0)
        printf("gate: gate.json not written: %s\n", text ? msg : "out of memory");
    free(text);
}

/* Judges, prints and returns the exit status: 1 if anything regressed or is
 * missing (or, with --strict, is inconclusive), 2 on a bad --markdown, else 0. */
int gate_conclude(gate_figs_t *fs, const gate_opt_t *o, const char *what)
{
    int judged = 0;
    for (int i = 0; i < fs->n; i++) {
        gate_fig_judge(&fs->f[i]);
        judged += fs->f[i].judge != J_REPORT;
    }
    FILE *md = NULL;
    char tmp[SCN_PATH + 16], msg[SCN_PATH + 128];
    if (o->markdown && (h5s_output_ok(o->markdown, o->force, msg, sizeof msg) != 0 ||
                        !(md = h5s_output_begin(o->markdown, tmp, sizeof tmp, msg, sizeof msg))))
        return fail(EXIT_USAGE, "--markdown: %s", msg);
    if (md)
        fprintf(md, "## h5swmr gate: %s\n\n", what);
    cJSON *figs = o->outdir ? cJSON_CreateArray() : NULL;
    tally_t t = report(fs, md, figs);
    bool failed = t.n[V_REGRESSED] || t.n[V_MISSING] || (o->strict && t.n[V_INCONCLUSIVE]) || judged == 0;
    const char *word = failed ? "FAILED" : t.n[V_INCONCLUSIVE] ? "passed, with INCONCLUSIVE figures" : "passed";
    char closing[512];
    snprintf(closing, sizeof closing,
             "gate: %d figures judged: %d pass, %d regressed, %d inconclusive, %d missing; %d reported: %s", judged,
             t.n[V_PASS], t.n[V_REGRESSED], t.n[V_INCONCLUSIVE], t.n[V_MISSING], t.n[V_REPORTED], word);
    if (t.n[V_INCONCLUSIVE])
        printf("INCONCLUSIVE: %d figure%s could not be decided: the noise measured in this run is larger than the "
               "tolerance (see their intervals above)%s\n",
               t.n[V_INCONCLUSIVE], t.n[V_INCONCLUSIVE] == 1 ? "" : "s",
               o->strict ? "; --strict makes that a failure" : "; not a failure without --strict");
    if (judged == 0)
        printf("gate: the reference has no figure to judge\n");
    printf("%s\n", closing);
    if (o->outdir)
        write_gate_json(o, what, closing, failed, figs);
    if (md) {
        fprintf(md, "\n**%s**\n", closing + 6);
        if (h5s_output_commit(md, tmp, o->markdown, o->force, msg, sizeof msg) != 0)
            return fail(EXIT_FAIL, "--markdown: %s", msg);
    }
    return failed ? EXIT_FAIL : EXIT_OK;
}
