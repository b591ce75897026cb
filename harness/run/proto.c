/* proto.c - pipe protocol helpers shared by the roles. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "proto.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int proto_create_data_file(const role_ctx_t *c, h5s_err_t *err)
{
    int rc;
    if (c->scn->overwrite && (rc = h5s_df_remove_for_overwrite(c->file, err)) < 0)
        return rc;
    h5s_df_id_t id;
    int fd = h5s_df_create(c->file, &id, err);
    if (fd < 0)
        return fd;
    atomic_store(&c->shm->file_dev, id.dev);
    atomic_store(&c->shm->file_ino, id.ino);
    atomic_store(&c->shm->file_made, 1);
    return fd;
}

bool proto_data_file_id(const role_ctx_t *c, h5s_df_id_t *id)
{
    if (!atomic_load(&c->shm->file_made))
        return false;
    id->dev = atomic_load(&c->shm->file_dev);
    id->ino = atomic_load(&c->shm->file_ino);
    return true;
}

void proto_drop_data_file(const role_ctx_t *c)
{
    h5s_df_id_t id;
    if (proto_data_file_id(c, &id) && h5s_df_remove_if_same(c->file, &id) == 1)
        atomic_store(&c->shm->file_made, 0);
}

lat_summary_t proto_lat(stats_buf_t *b)
{
    stats_summary_t s = stats_summarize(b);
    lat_summary_t l = {s.n, s.mean / 1e3, s.p50 / 1e3, s.p90 / 1e3, s.p99 / 1e3, s.p999 / 1e3, s.max / 1e3};
    return l;
}

int proto_send_ready(const role_ctx_t *c)
{
    char b = PROTO_READY;
    return c->st_fd < 0 ? 0 : h5s_write_full(c->st_fd, &b, 1);
}

int proto_send_result(const role_ctx_t *c, const proto_result_t *r)
{
    char buf[1 + sizeof *r];
    if (c->st_fd < 0)
        return 0;
    buf[0] = PROTO_RESULT;
    memcpy(buf + 1, r, sizeof *r);
    return h5s_write_full(c->st_fd, buf, sizeof buf);
}

bool proto_stop_requested(const role_ctx_t *c)
{
    struct pollfd p = {.fd = c->ctl_fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return false;
    char b;
    ssize_t r = read(c->ctl_fd, &b, 1);
    if (r == 0)
        return true; /* EOF: the orchestrator is gone */
    if (r < 0)
        return errno != EINTR && errno != EAGAIN;
    return b == PROTO_STOP;
}

int proto_wait_ctl(const role_ctx_t *c, int64_t deadline_ns)
{
    int w = h5s_wait_readable(c->ctl_fd, deadline_ns);
    if (w == 0)
        return 0;
    if (w < 0)
        return -1;
    char b;
    ssize_t r;
    do
        r = read(c->ctl_fd, &b, 1);
    while (r < 0 && errno == EINTR);
    return r == 1 ? (unsigned char)b : -1;
}

void proto_fill_usage(proto_result_t *r)
{
    h5s_self_usage(&r->cpu_user_s, &r->cpu_sys_s, &r->maxrss_kb);
    proto_rss_end(r, H5I_INVALID_HID);
}

/* The size of HDF5's metadata cache of fid in KiB, 0 when unknown. */
static long mdc_kb(hid_t fid)
{
    size_t max = 0, min_clean = 0, cur = 0;
    int entries = 0;
    if (fid < 0 || H5Fget_mdc_size(fid, &max, &min_clean, &cur, &entries) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    return (long)(cur / 1024);
}

/* Resident memory samples of this process, one every rss_settle_s from the
 * settling on (at most RSS_SAMPLES; past that every second one is dropped
 * and the spacing doubles). */
#define RSS_SAMPLES 256
static struct {
    int n;
    int64_t every_ns, next_ns;
    int64_t t[RSS_SAMPLES];
    long kb[RSS_SAMPLES];
} g_rss;

/* Adds the sample kb taken at t. */
static void rss_sample(int64_t t, long kb)
{
    if (g_rss.n == RSS_SAMPLES) {
        for (int i = 0; i < RSS_SAMPLES / 2; i++) {
            g_rss.t[i] = g_rss.t[2 * i];
            g_rss.kb[i] = g_rss.kb[2 * i];
        }
        g_rss.n = RSS_SAMPLES / 2;
        g_rss.every_ns *= 2;
    }
    g_rss.t[g_rss.n] = t;
    g_rss.kb[g_rss.n++] = kb;
    g_rss.next_ns = t + g_rss.every_ns;
}

void proto_rss_end(proto_result_t *r, hid_t fid)
{
    if (r->rss_end_kb != 0)
        return;
    int64_t now = h5s_now_ns();
    r->rss_end_kb = h5s_rss_kb(0);
    if (r->mdc_settled_kb > 0)
        r->mdc_end_kb = mdc_kb(fid);
    /* the sample nearest to half-way from the start to now, after settling */
    int64_t half = r->t_start_ns + (now - r->t_start_ns) / 2;
    int best = -1;
    for (int i = 0; i < g_rss.n; i++)
        if (best < 0 || llabs(g_rss.t[i] - half) < llabs(g_rss.t[best] - half))
            best = i;
    if (best >= 0 && g_rss.n >= 2) {
        r->rss_half_kb = g_rss.kb[best];
        r->rss_half_at_s = (double)(g_rss.t[best] - r->t_start_ns) / 1e9;
    }
}

void proto_rss_tick(proto_result_t *r, const scn_t *s, hid_t fid)
{
    int64_t now = h5s_now_ns();
    if (r->rss_settled_kb == 0 && now - r->t_start_ns >= (int64_t)(s->rss_settle_s * 1e9)) {
        r->rss_settled_kb = h5s_rss_kb(0);
        r->rss_settle_s = s->rss_settle_s;
        r->mdc_settled_kb = mdc_kb(fid);
        g_rss.every_ns = (int64_t)(s->rss_settle_s * 1e9);
        rss_sample(now, r->rss_settled_kb);
    } else if (r->rss_settled_kb > 0 && now >= g_rss.next_ns) {
        rss_sample(now, h5s_rss_kb(0));
    }
}

void proto_windows_start(proto_windows_t *w, const scn_t *s, int64_t t0)
{
    *w = (proto_windows_t){.w_ns = (int64_t)(s->lag_window_s * 1e9), .t0 = t0, .cur_idx = -1, .prev_idx = -1};
}

void proto_windows_add(proto_windows_t *w, int64_t t_flushed_ns, int64_t lag_ns)
{
    if (w->w_ns <= 0 || t_flushed_ns < w->t0)
        return;
    int64_t idx = (t_flushed_ns - w->t0) / w->w_ns;
    if (idx == 0)
        stats_add(&w->first, lag_ns);
    if (idx > w->cur_idx) {
        stats_free(&w->prev);
        w->prev = w->cur;
        w->prev_idx = w->cur_idx;
        w->cur = (stats_buf_t){0};
        w->cur_idx = idx;
    }
    if (idx == w->cur_idx)
        stats_add(&w->cur, lag_ns);
    if (t_flushed_ns > w->t_last)
        w->t_last = t_flushed_ns;
}

void proto_windows_finish(proto_windows_t *w, proto_result_t *r)
{
    if (w->w_ns <= 0)
        return;
    r->window_s = (double)w->w_ns / 1e9;
    r->lag_first_window = proto_lat(&w->first);
    /* the window in progress, unless it covered less than half a window */
    bool short_cur = w->t_last - (w->t0 + w->cur_idx * w->w_ns) < w->w_ns / 2 && w->prev_idx > 0;
    if (w->cur_idx > 0)
        r->lag_last_window = proto_lat(short_cur ? &w->prev : &w->cur);
    stats_free(&w->first);
    stats_free(&w->cur);
    stats_free(&w->prev);
}

void proto_finish_writer(proto_result_t *r, stats_buf_t *append_ns, stats_buf_t *flush_ns)
{
    r->append_lat = proto_lat(append_ns);
    r->flush_lat = proto_lat(flush_ns);
    stats_free(append_ns);
    stats_free(flush_ns);
    r->t_end_ns = h5s_now_ns();
}

int64_t proto_poll_phase(const scn_t *s, int index, int64_t period_ns)
{
    if (period_ns <= 0 || s->readers <= 1)
        return 0;
    uint64_t rng = (uint64_t)s->seed * 0xD1B54A32D192ED03ull + (uint64_t)index;
    return (int64_t)((double)(h5s_rand_next(&rng) >> 11) / 9007199254740992.0 * (double)period_ns);
}

void proto_call(shm_t *shm, int index, int call)
{
    proto_progress_t *p = &shm->progress[index];
    atomic_store(&p->t_call_ns, call ? h5s_now_ns() : 0);
    atomic_store(&p->call, call);
}

void proto_progress(shm_t *shm, int index, uint64_t retries)
{
    proto_progress_t *p = &shm->progress[index];
    atomic_store(&p->retries, retries);
    atomic_fetch_add(&p->polls, 1);
    atomic_store(&p->t_progress_ns, h5s_now_ns());
}

void proto_error_seen(shm_t *shm, int index)
{
    int64_t none = 0;
    atomic_compare_exchange_strong(&shm->progress[index].t_error_ns, &none, h5s_now_ns());
}

void proto_writer_progress(shm_t *shm, uint64_t blocks, uint64_t bytes, uint64_t flushes)
{
    proto_progress_t *p = &shm->progress[0];
    atomic_store_explicit(&p->blocks, blocks, memory_order_relaxed);
    atomic_store_explicit(&p->bytes, bytes, memory_order_relaxed);
    atomic_store_explicit(&p->flushes, flushes, memory_order_relaxed);
}

void proto_seen(shm_t *shm, int index, uint64_t samples)
{
    proto_progress_t *p = &shm->progress[index];
    if (samples > atomic_load_explicit(&p->seen, memory_order_relaxed))
        atomic_store_explicit(&p->seen, samples, memory_order_relaxed);
}
