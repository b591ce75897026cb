/* check_write_order.c - the case of the filesystem group: POSIX write
 * ordering on the data directory without HDF5 (HDF5's twriteorder test):
 * a writer process pwrites a record, then a pointer to it; a reader follows
 * the pointers and checks that no pointer is ever seen before its data. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_case.h"
#include "fs.h"
#include "util.h"

#define WO_MAGIC 0x5357524d4f524452ULL /* "SWMRORDR" */
#define WO_RECORDS 20000
#define WO_FIRST 4096

/* The header at offset 0: the latest record, written after the record itself. */
typedef struct wo_head {
    uint64_t magic, seq, off, check;
} wo_head_t;

/* A record: this header, then len - 40 payload bytes, then a trailer. */
typedef struct wo_rec {
    uint64_t magic, seq, prev, len;
} wo_rec_t;

/* A 64-bit mix (splitmix64's finaliser): the checks and sizes derive from it. */
static uint64_t wo_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/* The check value of a header or trailer for seq at off. */
static uint64_t wo_check(uint64_t seq, uint64_t off)
{
    return wo_mix(WO_MAGIC ^ wo_mix(seq) ^ (off << 1));
}

/* Record sizes vary from 48 bytes to about 4 KiB, so that many straddle pages. */
static uint64_t wo_len(uint64_t seq)
{
    return 48 + (wo_mix(seq) % 4000) / 8 * 8;
}

/* Fills buf with record seq: header, payload, trailer. */
static void wo_fill(unsigned char *buf, uint64_t seq, uint64_t prev, uint64_t len)
{
    wo_rec_t r = {WO_MAGIC, seq, prev, len};
    memcpy(buf, &r, sizeof r);
    for (uint64_t j = sizeof r; j < len - 8; j++)
        buf[j] = (unsigned char)(seq * 131 + j * 7 + 1);
    uint64_t t = wo_check(seq, len);
    memcpy(buf + len - 8, &t, 8);
}

/* Writes all len bytes at off: 0, or the errno that stopped it (a short
 * write is retried, so that a full disk reports ENOSPC, not a stale errno). */
static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
    const char *p = buf;
    while (len) {
        ssize_t k = pwrite(fd, p, len, (off_t)off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? errno : EIO;
        p += k;
        len -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

/* Checks a record read back; returns 0 or a description of what is wrong. */
static const char *wo_bad(const unsigned char *buf, uint64_t seq, uint64_t len)
{
    wo_rec_t r;
    memcpy(&r, buf, sizeof r);
    if (r.magic != WO_MAGIC)
        return "record header missing";
    if (r.seq != seq || r.len != len)
        return "record header of another record";
    for (uint64_t j = sizeof r; j < len - 8; j++)
        if (buf[j] != (unsigned char)(seq * 131 + j * 7 + 1))
            return "payload missing";
    uint64_t t;
    memcpy(&t, buf + len - 8, 8);
    return t == wo_check(seq, len) ? NULL : "trailer missing";
}

/* The writer process: writes every record, then the header that points to it. */
static int wo_writer(void *arg, int in, int out)
{
    const char *path = arg;
    unsigned char *buf = malloc(16384);
    int fd = open(path, O_WRONLY);
    uint64_t off = WO_FIRST, prev = 0;
    char msg[200] = "";
    (void)in;
    if (!buf || fd < 0) {
        snprintf(msg, sizeof msg, "writer: %s", buf ? strerror(errno) : "out of memory");
        goto out;
    }
    for (uint64_t seq = 1; seq <= WO_RECORDS; seq++) {
        uint64_t len = wo_len(seq);
        wo_fill(buf, seq, prev, len);
        wo_head_t h = {WO_MAGIC, seq, off, wo_check(seq, off)};
        /* the data first, then the pointer to it: what HDF5's SWMR writes rely on */
        int e = pwrite_all(fd, buf, len, off);
        if (!e)
            e = pwrite_all(fd, &h, sizeof h, 0);
        if (e) {
            snprintf(msg, sizeof msg, "writer: pwrite: %s", strerror(e));
            goto out;
        }
        prev = off;
        off += len;
    }
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    chk_send_msg(out, msg[0] ? 'e' : 'k', msg[0] ? H5S_ESYS : 0, msg[0] ? 0 : off, msg);
    return msg[0] ? 1 : 0;
}

typedef struct wo_stats {
    uint64_t followed; /* pointers (header reads with a new record) */
    uint64_t verified; /* records checked */
    uint64_t torn;     /* header reads with a bad check (retried) */
    uint64_t last;     /* the last record verified */
    uint64_t bad_seq;  /* the first record whose pointer came before its data */
    const char *bad;
} wo_stats_t;

/* One poll: read the header and verify every record from the newest back to
 * the last one verified. */
static int wo_poll(int fd, unsigned char *buf, wo_stats_t *s)
{
    wo_head_t h;
    if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        return -1;
    if (h.magic != WO_MAGIC || h.check != wo_check(h.seq, h.off)) {
        s->torn += h.magic != 0 || h.seq != 0;
        return 0;
    }
    if (h.seq <= s->last)
        return 0;
    s->followed++;
    uint64_t seq = h.seq, off = h.off;
    while (seq > s->last) {
        uint64_t len = wo_len(seq);
        if (pread(fd, buf, len, (off_t)off) != (ssize_t)len) {
            s->bad = "record beyond the end of the file";
            s->bad_seq = seq;
            return 1;
        }
        const char *bad = wo_bad(buf, seq, len);
        if (bad) {
            s->bad = bad;
            s->bad_seq = seq;
            return 1;
        }
        s->verified++;
        wo_rec_t r;
        memcpy(&r, buf, sizeof r);
        off = r.prev;
        seq--;
    }
    s->last = h.seq;
    return 0;
}

/* write_order: a reader polls while the writer writes; no pointer may be seen
 * before its data. */
void chk_case_write_order(const chk_env_t *env, chk_outcome_t *out)
{
    char path[1200];
    chk_helper_t w = CHK_HELPER_NONE;
    h5s_err_t err;
    wo_stats_t s = {0};
    chk_hmsg_t msg = {0};
    unsigned char *buf = malloc(16384);
    int fd = -1;
    bool net = h5s_fs_is_network(env->dir);
    const char *where = net ? "a network file system" : "a local file system";
    int64_t t0 = h5s_now_ns();
    chk_case_file(env, "write_order.dat", path, sizeof path);
    wo_head_t h0 = {0};
    if (!buf) {
        chk_out_set(out, "error:H5S_ENOMEM", "out of memory");
        goto done;
    }
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
    if (fd < 0 || pwrite(fd, &h0, sizeof h0, 0) != (ssize_t)sizeof h0) {
        chk_out_set(out, "error:H5S_ESYS", "%s: %s", path, strerror(errno));
        goto done;
    }
    if (chk_helper_start(&w, wo_writer, path, NULL, &err) < 0) {
        chk_out_error(out, "starting the writer", &err);
        goto done;
    }
    int64_t deadline = h5s_now_ns() + 30000000000LL;
    bool writer_done = false;
    for (;;) {
        if (!writer_done && h5s_wait_readable(w.from, h5s_now_ns()) > 0) {
            writer_done = true;
            if (chk_recv_msg(&w, &msg, CHK_REPLY_MS) != 1 || msg.code != 'k') {
                chk_out_set(out, "error:H5S_ESYS", "%s",
                            msg.code == 'e' ? msg.text : "the writer ended without a word");
                goto done;
            }
        }
        int r = wo_poll(fd, buf, &s);
        if (r < 0) {
            chk_out_set(out, "error:H5S_ESYS", "pread: %s", strerror(errno));
            goto done;
        }
        if (r > 0 || s.last == WO_RECORDS)
            break;
        if (writer_done && s.last < WO_RECORDS) {
            /* everything is written: one more poll must see it all */
            if (wo_poll(fd, buf, &s) == 0 && s.last < WO_RECORDS && !s.bad)
                s.bad = "the last record never became visible", s.bad_seq = WO_RECORDS;
            break;
        }
        if (h5s_now_ns() > deadline) {
            chk_out_set(out, "error:H5S_ETIMEOUT", "write ordering check did not finish in 30 s (%llu of %d records)",
                        (unsigned long long)s.last, WO_RECORDS);
            goto done;
        }
    }
    if (!writer_done && (chk_recv_msg(&w, &msg, CHK_REPLY_MS) != 1 || msg.code != 'k')) {
        chk_out_set(out, "error:H5S_ESYS", "%s", msg.code == 'e' ? msg.text : "the writer ended without a word");
        goto done;
    }
    double secs = (double)(h5s_now_ns() - t0) / 1e9;
    if (s.bad) {
        chk_out_set(out, "fail:pointer-before-data",
                    "record %llu: the pointer to it was visible before its content (%s); "
                    "%llu records verified before that, on %s",
                    (unsigned long long)s.bad_seq, s.bad, (unsigned long long)s.verified, env->fs);
        chk_out_why(out,
                    "SWMR is not safe on this file system (%s, %s): a reader can see a pointer before the data it "
                    "points to, which HDF5's SWMR relies on never happening (HDF5's twriteorder test, without HDF5).",
                    env->fs, where);
    } else {
        chk_out_set(out, "pass",
                    "%d records (%.1f MB) on %s: %llu pointers followed, %llu records verified, %llu torn header "
                    "reads retried, no pointer ahead of its data; %.2f s",
                    WO_RECORDS, (double)msg.value / 1e6, env->fs, (unsigned long long)s.followed,
                    (unsigned long long)s.verified, (unsigned long long)s.torn, secs);
        chk_out_why(out,
                    "The data directory is on %s (%s): a pointer written after its data never became visible before "
                    "it, the POSIX write ordering SWMR relies on%s.",
                    env->fs, where,
                    net ? "; between processes on one host only: readers on other hosts are not covered" : "");
    }
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    if (w.pid > 0 && chk_helper_finish(&w, CHK_REPLY_MS, NULL) < 0 && !strcmp(out->token, "pass"))
        chk_out_set(out, "error:H5S_ECHILD", "the writer process ended badly");
    if (!strcmp(out->token, "pass"))
        unlink(path); /* the file of a failure stays with the case's data */
}
