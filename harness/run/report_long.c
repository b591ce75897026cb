/* report_long.c - what a long run adds to its report: each process's resident
 * memory growth after it settled, and each reader's lag in its first and last
 * windows (lag_window_s), side by side. */
#include <cjson/cJSON.h>

#include "report.h"

/* The label of a child for the long-run lines: "writer", "reader 3". */
static void long_label(const orch_child_t *ch, char *buf, size_t cap)
{
    if (ch->role == ROLE_READER)
        snprintf(buf, cap, "reader %d", ch->index);
    else
        snprintf(buf, cap, "%s", ch->role == ROLE_WRITER ? "writer" : "finalizer");
}

void report_print_long_run(FILE *out, const orch_report_t *rep)
{
    bool any_rss = false, any_win = false;
    for (int i = 0; i < rep->nchildren; i++) {
        const proto_result_t *r = &rep->children[i].res;
        any_rss |= rep->children[i].has_result && r->rss_settled_kb > 0 && r->rss_end_kb > 0;
        any_win |= rep->children[i].has_result && r->window_s > 0;
    }
    if (any_rss) {
        fprintf(out, "resident memory growth after the first %g s (KiB):", rep->scn.rss_settle_s);
        for (int i = 0; i < rep->nchildren; i++) {
            const orch_child_t *ch = &rep->children[i];
            if (!ch->has_result || ch->res.rss_settled_kb <= 0 || ch->res.rss_end_kb <= 0)
                continue;
            const proto_result_t *r = &ch->res;
            char label[32];
            long_label(ch, label, sizeof label);
            fprintf(out, " %s %+ld", label, r->rss_end_kb - r->rss_settled_kb);
            if (r->rss_half_kb > 0)
                fprintf(out, " (last half %+ld", r->rss_end_kb - r->rss_half_kb);
            if (r->mdc_settled_kb > 0 && r->mdc_end_kb > 0)
                fprintf(out, "%sHDF5 metadata cache %+ld", r->rss_half_kb > 0 ? "; " : " (",
                        r->mdc_end_kb - r->mdc_settled_kb);
            fprintf(out, "%s;", r->rss_half_kb > 0 || (r->mdc_settled_kb > 0 && r->mdc_end_kb > 0) ? ")" : "");
        }
        fprintf(out, "\n");
    }
    if (!any_win)
        return;
    for (int i = 0; i < rep->nchildren; i++) {
        const orch_child_t *ch = &rep->children[i];
        const proto_result_t *r = &ch->res;
        if (!ch->has_result || r->window_s <= 0 || ch->role != ROLE_READER)
            continue;
        char label[32];
        long_label(ch, label, sizeof label);
        fprintf(out, "lag by %g s window, %s: first p50 %.0f us p99 %.0f us (%llu events); ", r->window_s, label,
                r->lag_first_window.p50_us, r->lag_first_window.p99_us, (unsigned long long)r->lag_first_window.n);
        if (r->lag_last_window.n)
            fprintf(out, "last p50 %.0f us p99 %.0f us (%llu events)\n", r->lag_last_window.p50_us,
                    r->lag_last_window.p99_us, (unsigned long long)r->lag_last_window.n);
        else
            fprintf(out, "no second window (the run was shorter)\n");
    }
}

/* A JSON object of a window's lag summary. */
static cJSON *window_json(const lat_summary_t *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "n", (double)l->n);
    cJSON_AddNumberToObject(o, "p50_us", l->p50_us);
    cJSON_AddNumberToObject(o, "p99_us", l->p99_us);
    cJSON_AddNumberToObject(o, "max_us", l->max_us);
    return o;
}

void report_long_run_json(cJSON *o, const proto_result_t *r)
{
    if (r->rss_end_kb > 0)
        cJSON_AddNumberToObject(o, "rss_end_kib", (double)r->rss_end_kb);
    if (r->rss_settled_kb > 0) {
        cJSON_AddNumberToObject(o, "rss_settled_kib", (double)r->rss_settled_kb);
        cJSON_AddNumberToObject(o, "rss_growth_after_settling_kib", (double)(r->rss_end_kb - r->rss_settled_kb));
    }
    if (r->rss_half_kb > 0) {
        cJSON_AddNumberToObject(o, "rss_half_kib", (double)r->rss_half_kb);
        cJSON_AddNumberToObject(o, "rss_half_at_s", r->rss_half_at_s);
        cJSON_AddNumberToObject(o, "rss_growth_last_half_kib", (double)(r->rss_end_kb - r->rss_half_kb));
    }
    if (r->mdc_settled_kb > 0 && r->mdc_end_kb > 0) {
        cJSON_AddNumberToObject(o, "hdf5_metadata_cache_settled_kib", (double)r->mdc_settled_kb);
        cJSON_AddNumberToObject(o, "hdf5_metadata_cache_end_kib", (double)r->mdc_end_kb);
    }
    if (r->window_s > 0) {
        cJSON_AddNumberToObject(o, "lag_window_s", r->window_s);
        cJSON_AddItemToObject(o, "lag_first_window", window_json(&r->lag_first_window));
        if (r->lag_last_window.n)
            cJSON_AddItemToObject(o, "lag_last_window", window_json(&r->lag_last_window));
    }
}
