/* advise_search.c - the advisor's search over flush and poll policies: the
 * candidates, their predictions, what physics rules out, the measurements in
 * order of predicted cost, the verdicts and the Pareto front. Pure: all it
 * knows of the machine comes through the model and the measure callback. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advise.h"

/* The flush intervals (in blocks) and poll intervals (ms) the search tries. */
static const int flush_everies[] = {1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000};
static const double polls_ms[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};
#define NFLUSH (sizeof flush_everies / sizeof flush_everies[0])
#define NPOLL (sizeof polls_ms / sizeof polls_ms[0])

double adv_lag_floor_ms(const adv_workload_t *w, const adv_policy_t *p)
{
    double wait = p->wait == ADV_WAIT_POLL ? 0.99 * p->poll_ms : 0;
    return (p->flush_every - 1) * w->period_s * 1e3 + wait;
}

adv_fig_t adv_predict(const adv_model_t *m, const adv_workload_t *w, const adv_policy_t *p)
{
    adv_fig_t f = {0};
    f.age_p99_ms = adv_lag_floor_ms(w, p) + m->over_p99_ms;
    f.age_lo_ms = f.age_hi_ms = f.age_p99_ms;
    double blk = m->block_s[p->call][p->chunk_idx], fl = m->flush_s[p->call];
    double per_block = blk - fl + fl / p->flush_every;
    f.writer_busy = per_block > 0 ? per_block / w->period_s : 0;
    double flushes_per_s = 1.0 / (p->flush_every * w->period_s);
    if (p->wait == ADV_WAIT_BUSY)
        f.reader_cpu = 1.0;
    else if (p->wait == ADV_WAIT_INOTIFY)
        f.reader_cpu = m->update_s * flushes_per_s;
    else {
        double polls_per_s = 1e3 / p->poll_ms;
        double updates_per_s = flushes_per_s < polls_per_s ? flushes_per_s : polls_per_s;
        f.reader_cpu = m->poll_s * polls_per_s + m->update_s * updates_per_s;
    }
    if (f.reader_cpu > 1)
        f.reader_cpu = 1;
    f.total_cpu = f.writer_busy + w->readers * f.reader_cpu;
    return f;
}

int adv_judge(const adv_need_t *need, const adv_fig_t *f)
{
    if (need->writer_max > 0 && f->writer_busy > need->writer_max)
        return ADV_MISSED;
    if (f->age_hi_ms <= need->lag_p99_ms && (f->events == 0 || f->events >= ADV_P99_MIN_EVENTS))
        return ADV_MET;
    if (f->age_lo_ms > need->lag_p99_ms)
        return ADV_MISSED;
    return ADV_INCONCLUSIVE;
}

const adv_fig_t *adv_figures(const adv_cand_t *c)
{
    return c->meas.events ? &c->meas : &c->pred;
}

const char *adv_wait_text(const adv_policy_t *p, char *buf, size_t cap)
{
    if (p->wait == ADV_WAIT_INOTIFY)
        snprintf(buf, cap, "inotify");
    else if (p->wait == ADV_WAIT_BUSY)
        snprintf(buf, cap, "busy poll");
    else
        snprintf(buf, cap, "poll %g ms", p->poll_ms);
    return buf;
}

/* Orders candidates by predicted total CPU, then predicted lag. */
static int by_cost(const void *a, const void *b)
{
    const adv_cand_t *x = a, *y = b;
    if (x->pred.total_cpu != y->pred.total_cpu)
        return x->pred.total_cpu < y->pred.total_cpu ? -1 : 1;
    if (x->pred.age_p99_ms != y->pred.age_p99_ms)
        return x->pred.age_p99_ms < y->pred.age_p99_ms ? -1 : 1;
    return 0;
}

/* Adds the candidates of w worth predicting: every combination whose lag
 * floor is within twice the budget (the front shows the cheaper ones just
 * beyond it); the others count as ruled out. Returns 0 or -1 when out of
 * memory. */
static int enumerate(const adv_workload_t *w, const adv_need_t *need, const adv_model_t *m, adv_result_t *res)
{
    size_t cap = NFLUSH * (NPOLL + 2) * ADV_NCALLS * ADV_MAX_CHUNKS;
    res->cands = calloc(cap, sizeof *res->cands);
    if (!res->cands)
        return -1;
    for (size_t f = 0; f < NFLUSH; f++)
        for (int call = 0; call < ADV_NCALLS; call++)
            for (int ch = 0; ch < w->nchunks; ch++)
                for (size_t k = 0; k < NPOLL + 2; k++) {
                    adv_policy_t p = {.flush_every = flush_everies[f], .call = call, .chunk_idx = ch};
                    if (k == NPOLL) {
                        if (!w->inotify_ok)
                            continue;
                        p.wait = ADV_WAIT_INOTIFY;
                    } else if (k == NPOLL + 1) {
                        if (!w->busy_ok)
                            continue;
                        p.wait = ADV_WAIT_BUSY;
                    } else {
                        p.wait = ADV_WAIT_POLL;
                        p.poll_ms = polls_ms[k];
                    }
                    if (adv_lag_floor_ms(w, &p) > 2 * need->lag_p99_ms && !(f == 0 && k == 0)) {
                        res->ruled_out++; /* far beyond: not even kept for the front */
                        continue;
                    }
                    adv_cand_t *c = &res->cands[res->n++];
                    c->p = p;
                    c->pred = adv_predict(m, w, &p);
                }
    qsort(res->cands, res->n, sizeof *res->cands, by_cost);
    return 0;
}

/* Marks the candidates that no other beats in both lag p99 and total CPU. */
static void mark_front(adv_result_t *res)
{
    for (size_t i = 0; i < res->n; i++) {
        const adv_fig_t *a = adv_figures(&res->cands[i]);
        bool dominated = false;
        for (size_t j = 0; j < res->n && !dominated; j++) {
            const adv_fig_t *b = adv_figures(&res->cands[j]);
            if (j != i && b->age_p99_ms <= a->age_p99_ms && b->total_cpu <= a->total_cpu &&
                (b->age_p99_ms < a->age_p99_ms || b->total_cpu < a->total_cpu || j < i))
                dominated = true;
        }
        res->cands[i].on_front = !dominated;
    }
}

int adv_search(const adv_workload_t *w, const adv_need_t *need, const adv_model_t *m, const adv_limits_t *lim,
               adv_measure_fn measure, void *ctx, adv_result_t *res)
{
    memset(res, 0, sizeof *res);
    res->chosen = res->nearest = -1;
    if (enumerate(w, need, m, res) != 0)
        return -1;
    double best = INFINITY;
    for (size_t i = 0; i < res->n; i++) {
        adv_cand_t *c = &res->cands[i];
        if (adv_lag_floor_ms(w, &c->p) > need->lag_p99_ms) {
            c->verdict = ADV_RULED_OUT;
            res->ruled_out++;
            continue;
        }
        c->verdict = adv_judge(need, &c->pred);
        /* what can no longer change the answer is predicted, not measured:
         * dearer than the best measured by more than the slack, predicted far
         * beyond the budget, or past the measuring limits */
        if (res->stopped || c->pred.total_cpu > best * (1 + lim->slack) ||
            c->pred.age_p99_ms > 1.5 * need->lag_p99_ms || res->measured >= lim->max_measured)
            continue;
        if (need->writer_max > 0 && c->pred.writer_busy > 1.5 * need->writer_max)
            continue;
        res->measured++;
        for (int a = 0; a < lim->max_attempts; a++) {
            if (measure(ctx, c, (int)i, a, &c->meas) == ADV_STOP) {
                res->stopped = true;
                break;
            }
            c->attempts = a + 1;
            c->verdict = adv_judge(need, &c->meas);
            if (c->verdict != ADV_INCONCLUSIVE)
                break;
        }
        if (!c->meas.events)
            c->verdict = adv_judge(need, &c->pred);
        else if (c->verdict == ADV_MET && c->meas.total_cpu < best)
            best = c->meas.total_cpu;
    }
    /* the recommendation: the cheapest measured and met; else the cheapest
     * measured whose interval still holds the budget and whose p99 is within it */
    for (int pass = 0; pass < 2 && res->chosen < 0; pass++)
        for (size_t i = 0; i < res->n; i++) {
            adv_cand_t *c = &res->cands[i];
            bool ok = c->meas.events && (c->verdict == ADV_MET || (pass == 1 && c->verdict == ADV_INCONCLUSIVE &&
                                                                   c->meas.age_p99_ms <= need->lag_p99_ms));
            if (!ok)
                continue;
            /* cheaper; or as cheap within 5 % (the noise of a CPU figure) and faster */
            const adv_cand_t *b = res->chosen >= 0 ? &res->cands[res->chosen] : NULL;
            if (!b || c->meas.total_cpu < b->meas.total_cpu * 0.95 ||
                (c->meas.total_cpu <= b->meas.total_cpu * 1.05 && c->meas.age_p99_ms < b->meas.age_p99_ms))
                res->chosen = (int)i;
        }
    if (res->chosen < 0) {
        /* none meets the needs: the candidate closest to the lag budget,
         * measured ones first */
        for (size_t i = 0; i < res->n; i++) {
            const adv_cand_t *c = &res->cands[i];
            if (res->nearest < 0) {
                res->nearest = (int)i;
                continue;
            }
            const adv_cand_t *b = &res->cands[res->nearest];
            bool cm = c->meas.events > 0, bm = b->meas.events > 0;
            if ((cm && !bm) || (cm == bm && adv_figures(c)->age_p99_ms < adv_figures(b)->age_p99_ms))
                res->nearest = (int)i;
        }
    }
    mark_front(res);
    return 0;
}

void adv_result_free(adv_result_t *res)
{
    free(res->cands);
    res->cands = NULL;
    res->n = 0;
}
