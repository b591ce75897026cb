/* proto.c - pipe protocol helpers shared by the roles. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "proto.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

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
    proto_rss_end(r);
}

void proto_rss_end(proto_result_t *r)
{
    if (r->rss_end_kb == 0)
        r->rss_end_kb = h5s_rss_kb(0);
}

void proto_rss_tick(proto_result_t *r, const scn_t *s)
{
    if (r->rss_settled_kb == 0 && h5s_now_ns() - r->t_start_ns >= (int64_t)(s->rss_settle_s * 1e9)) {
        r->rss_settled_kb = h5s_rss_kb(0);
        r->rss_settle_s = s->rss_settle_s;
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

const shm_rec_t *proto_find_flush(shm_t *shm, uint64_t samples)
{
    uint64_t nf = atomic_load(&shm->nflush);
    uint64_t a = nf > SHM_RECS ? nf - SHM_RECS : 0, b = nf;
    while (a < b) {
        uint64_t mid = a + (b - a) / 2;
        if (shm->rec[mid % SHM_RECS].samples >= samples)
            b = mid;
        else
            a = mid + 1;
    }
    return a < nf ? &shm->rec[a % SHM_RECS] : NULL;
}

int64_t proto_poll_phase(const scn_t *s, int index, int64_t period_ns)
{
    if (period_ns <= 0 || s->readers <= 1)
        return 0;
    uint64_t rng = (uint64_t)s->seed * 0xD1B54A32D192ED03ull + (uint64_t)index;
    return (int64_t)((double)(h5s_rand_next(&rng) >> 11) / 9007199254740992.0 * (double)period_ns);
}
