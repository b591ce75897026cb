/* lag.c - visibility lag per flushed block (see lag.h). */
#include "lag.h"

#include <limits.h>
#include <string.h>

void lag_init(lag_t *L, const scn_t *s, shm_t *shm, int index, FILE *log)
{
    memset(L, 0, sizeof *L);
    L->s = s;
    L->shm = shm;
    L->index = index;
    L->log = log;
    L->warmup_ns = (int64_t)(s->lag_warmup_ms * 1e6);
    L->t_watch = INT64_MAX;
    L->t_stop = INT64_MAX;
}

void lag_begin(lag_t *L, int64_t t)
{
    if (L->t_first)
        return;
    L->t_first = t ? t : 1;
    L->t_watch = L->t_first + L->warmup_ns;
    proto_windows_start(&L->win, L->s, L->t_watch);
}

void lag_stop(lag_t *L, int64_t t)
{
    if (L->t_stop == INT64_MAX)
        L->t_stop = t;
}

/* Copies flush record seq into *out. Returns 1, 0 while it is not published
 * yet, or -1 once the ring has reused its slot (it is never read stale: the
 * count of published records is checked before and after the copy, and the
 * slot the writer may be filling is never read). */
static int read_rec(shm_t *shm, uint64_t seq, shm_rec_t *out)
{
    uint64_t nf = atomic_load(&shm->nflush);
    if (seq >= nf)
        return 0;
    /* the writer fills slot nf % SHM_RECS next: seq's slot when nf - seq == SHM_RECS */
    if (nf - seq >= SHM_RECS)
        return -1;
    memcpy(out, &shm->rec[seq % SHM_RECS], sizeof *out);
    atomic_thread_fence(memory_order_acquire);
    nf = atomic_load(&shm->nflush);
    return nf - seq >= SHM_RECS || out->seq != seq ? -1 : 1;
}

/* The ring overran L->next: moves it to the oldest record still readable,
 * counting the lost flushes as skipped unless they returned before the
 * warm-up ended (their times are gone; the oldest readable one bounds them). */
static void overrun(lag_t *L)
{
    uint64_t nf = atomic_load(&L->shm->nflush);
    shm_rec_t rec;
    uint64_t oldest = nf >= SHM_RECS ? nf - SHM_RECS + 1 : 0;
    if (oldest <= L->next) { /* not an overrun: a record that is not what it should be */
        L->skipped++;
        L->next++;
        return;
    }
    if (read_rec(L->shm, oldest, &rec) != 1)
        return; /* the writer moved on meanwhile: looked at again */
    if (rec.t_flushed_ns >= L->t_watch)
        L->skipped += oldest - L->next;
    /* else all of them returned before the warm-up ended: no events lost */
    L->next = oldest;
    L->covered = 0; /* unknown: the next record counts as new */
}

/* The live histogram's bucket of a lag of x ns: 8 buckets per power of two
 * (the values below 8 ns one each), the last one open-ended. */
static size_t live_bucket(int64_t x)
{
    uint64_t u = x > 0 ? (uint64_t)x : 0;
    if (u < LAG_LIVE_SUB)
        return (size_t)u;
    int e = 63 - __builtin_clzll(u); /* 2^e <= u < 2^(e+1), e >= 3 */
    size_t k = ((size_t)(e - 2) << 3) + (size_t)((u >> (e - 3)) & (LAG_LIVE_SUB - 1));
    return k < LAG_LIVE_BUCKETS ? k : LAG_LIVE_BUCKETS - 1;
}

/* The upper end of live bucket k in ns (what the live p99 reports: never
 * below the true value by more than the bucket's width). */
static int64_t live_upper(size_t k)
{
    if (k < LAG_LIVE_SUB)
        return (int64_t)k;
    int e = (int)(k >> 3) + 2;
    uint64_t sub = k & (LAG_LIVE_SUB - 1);
    return (int64_t)(((uint64_t)1 << e) + ((sub + 1) << (e - 3)));
}

/* Publishes the events so far and their p99 from the live histogram, in
 * the reader's progress slot (a few stores; the scan of the histogram at
 * most every LAG_LIVE_NS of observation time t). */
static void live_publish(lag_t *L, int64_t t)
{
    if (t - L->t_live < LAG_LIVE_NS || !L->live_n)
        return;
    L->t_live = t;
    uint64_t want = L->live_n - L->live_n / 100, sum = 0; /* nearest rank: ceil(0.99 n) */
    size_t k = 0;
    for (; k < LAG_LIVE_BUCKETS - 1; k++)
        if ((sum += L->live[k]) >= want)
            break;
    proto_progress_t *p = &L->shm->progress[L->index];
    atomic_store_explicit(&p->lag_p99_ns, live_upper(k), memory_order_relaxed);
    atomic_store_explicit(&p->lag_n, L->live_n, memory_order_relaxed);
}

/* Done with the oldest observation: adds the age of the newest flush it gave
 * an event for. */
static void pop(lag_t *L)
{
    lag_obs_t *o = &L->obs[L->head];
    if (o->any)
        stats_add(&L->newest, o->t_seen - o->t_newest);
    L->head = (L->head + 1) % LAG_MAX_OBS;
    L->n--;
}

/* Flush rec is covered by observation o, the first that reached its samples:
 * one lag event, unless it published nothing new on the first channel,
 * returned during the warm-up, or was first seen by an observation that a
 * full queue dropped. */
static void match(lag_t *L, const shm_rec_t *rec, lag_obs_t *o)
{
    if (rec->samples <= L->covered)
        return;
    L->covered = rec->samples;
    if (rec->t_flushed_ns < L->t_watch)
        return;
    if (rec->samples <= L->gap && o->samples > L->gap) {
        L->skipped++;
        return;
    }
    int64_t lag = o->t_seen - rec->t_flushed_ns, e2e = o->t_seen - rec->t_start_ns;
    stats_add(&L->all, lag);
    stats_add(&L->e2e, e2e);
    L->live[live_bucket(lag)]++;
    L->live_n++;
    proto_windows_add(&L->win, rec->t_flushed_ns, lag);
    if (o->t_seen >= L->t_stop)
        L->final++;
    else
        stats_add(&L->before_stop, lag);
    o->t_newest = rec->t_flushed_ns;
    o->any = true;
    if (L->log)
        fprintf(L->log, "%d,%llu,%llu,%lld,%lld,%lld\n", L->index, (unsigned long long)rec->seq,
                (unsigned long long)rec->samples, (long long)o->t_seen, (long long)lag, (long long)e2e);
}

void lag_resolve(lag_t *L)
{
    while (L->n > 0) {
        shm_rec_t rec;
        int got = read_rec(L->shm, L->next, &rec);
        if (got == 0)
            break; /* not published yet: later */
        if (got < 0) {
            overrun(L);
            continue;
        }
        lag_obs_t *o = &L->obs[L->head];
        if (rec.samples > o->samples) {
            pop(L); /* no later flush is covered by it */
            continue;
        }
        match(L, &rec, o);
        L->next++;
    }
}

void lag_observe(lag_t *L, uint64_t samples, int64_t t_seen)
{
    lag_begin(L, t_seen);
    if (samples <= L->last)
        return;
    L->last = samples;
    if (L->n == LAG_MAX_OBS) {
        L->gap = samples; /* the flushes it covered first are skipped, not given a later time */
    } else {
        L->obs[(L->head + L->n) % LAG_MAX_OBS] = (lag_obs_t){.samples = samples, .t_seen = t_seen};
        L->n++;
    }
    lag_resolve(L);
    live_publish(L, t_seen);
}

void lag_finish(lag_t *L, proto_result_t *r)
{
    lag_resolve(L);
    while (L->n > 0)
        pop(L);
    r->lag = proto_lat(&L->all);
    r->e2e_lag = proto_lat(&L->e2e);
    r->lag_newest = proto_lat(&L->newest);
    r->lag_before_stop = proto_lat(&L->before_stop);
    r->lag_skipped = L->skipped;
    r->lag_final = L->final;
    proto_windows_finish(&L->win, r);
    stats_free(&L->all);
    stats_free(&L->e2e);
    stats_free(&L->newest);
    stats_free(&L->before_stop);
}
