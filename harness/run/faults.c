/* faults.c - injected faults named in the report: the overwrite fault with
 * the HDF5 structures it hit (found by walking the file just before), what
 * each process did after it, and whether the final file still holds it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "faults.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "mth5.h"
#include "orch.h"
#include "util.h"

/* The object information of the 1.10 calls H5Ovisit2 and
 * H5Oget_info_by_name2 (addresses and header sizes), which HDF5 1.12 and
 * later keep under the type name H5O_info1_t. */
#if H5_VERSION_GE(1, 12, 0)
typedef H5O_info1_t faults_oinfo_t;
#else
typedef H5O_info_t faults_oinfo_t;
#endif
#define FAULTS_OINFO_FIELDS (H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS | H5O_INFO_HDR)

/* At most this many chunk addresses are looked up per walk: a long run's
 * channels may have millions of chunks. */
#define WALK_MAX_CHUNKS 200000
#define WALK_MAX_HITS 8
/* How long the walk before the overwrite, and the probe of the final file
 * after the run, may take. */
#define LOCATE_TIMEOUT_NS 3000000000LL
#define PROBE_TIMEOUT_NS 10000000000LL

/* One structure found in the damaged range. */
typedef struct hit {
    int64_t addr, len;
    char text[256];
    bool raw; /* raw data, not metadata */
} hit_t;

typedef struct walk {
    hid_t fid;
    int64_t lo, hi; /* the range [lo, hi) */
    hit_t hits[WALK_MAX_HITS];
    int nhits;
    bool more;     /* more hits than recorded */
    long lookups;  /* chunk addresses looked up */
    bool partial;  /* the chunk budget ran out: some chunks were not placed */
    char *covered; /* per byte of the range: placed by a hit */
} walk_t;

const char *faults_call_name(int call)
{
    switch (call) {
    case PROTO_CALL_OPEN: return "opening the file (H5Fopen, H5Dopen)";
    case PROTO_CALL_REFRESH: return "refreshing a channel (H5Drefresh)";
    case PROTO_CALL_READ: return "reading samples (H5Dread)";
    case PROTO_CALL_WALK: return "walking the tree for channels";
    case PROTO_CALL_TABLE: return "reading /Experiment/channel_summary";
    case PROTO_CALL_CLOSE: return "closing the file";
    case PROTO_CALL_APPEND: return "appending a block";
    case PROTO_CALL_FLUSH: return "flushing";
    case PROTO_CALL_CLIENT: return "its own calls";
    default: return "";
    }
}

void faults_init(faults_t *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->corrupt = -1;
}

fault_t *faults_add(faults_t *fx, int kind, int64_t t_ns, int64_t t_ready_ns, int child, const char *what)
{
    if (fx->n >= FAULTS_MAX)
        return NULL;
    fault_t *f = &fx->f[fx->n++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->t_ns = t_ns;
    f->at_ms = t_ns && t_ready_ns && t_ns >= t_ready_ns ? (double)(t_ns - t_ready_ns) / 1e6 : -1;
    f->child = child;
    f->left = -1;
    snprintf(f->what, sizeof f->what, "%s", what);
    return f;
}

/* Records a structure at [addr, addr + len) described by text when it meets
 * the walk's range. */
static void walk_note(walk_t *w, int64_t addr, int64_t len, bool raw, const char *text)
{
    if (len <= 0 || addr >= w->hi || addr + len <= w->lo)
        return;
    int64_t a = addr > w->lo ? addr : w->lo, b = addr + len < w->hi ? addr + len : w->hi;
    memset(w->covered + (a - w->lo), 1, (size_t)(b - a));
    if (w->nhits == WALK_MAX_HITS) {
        w->more = true;
        return;
    }
    hit_t *h = &w->hits[w->nhits++];
    h->addr = addr;
    h->len = len;
    h->raw = raw;
    snprintf(h->text, sizeof h->text, "%s", text);
}

/* The chunks of a chunked dataset that meet the range (rank 1 by
 * coordinates, others by index), within the walk's lookup budget. */
static void walk_chunks(walk_t *w, hid_t did, const char *name)
{
    hid_t sp = H5Dget_space(did), dcpl = H5Dget_create_plist(did);
    hsize_t dims[H5S_MAX_RANK], cdims[H5S_MAX_RANK];
    int rank = sp >= 0 ? H5Sget_simple_extent_dims(sp, dims, NULL) : -1;
    char text[256];
    if (rank == 1 && dcpl >= 0 && H5Pget_chunk(dcpl, 1, cdims) == 1 && cdims[0] > 0) {
        hsize_t n = (dims[0] + cdims[0] - 1) / cdims[0];
        for (hsize_t k = 0; k < n; k++) {
            if (w->lookups++ >= WALK_MAX_CHUNKS) {
                w->partial = true;
                break;
            }
            hsize_t off[1] = {k * cdims[0]};
            unsigned mask = 0;
            haddr_t addr = HADDR_UNDEF;
            hsize_t size = 0;
            if (H5Dget_chunk_info_by_coord(did, off, &mask, &addr, &size) < 0 || addr == HADDR_UNDEF)
                continue;
            snprintf(text, sizeof text, "raw data chunk %llu (elements %llu-%llu) of %.120s", (unsigned long long)k,
                     (unsigned long long)off[0], (unsigned long long)(off[0] + cdims[0] - 1), name);
            walk_note(w, (int64_t)addr, (int64_t)size, true, text);
        }
    } else if (sp >= 0) {
        hsize_t n = 0;
        if (H5Dget_num_chunks(did, sp, &n) >= 0)
            for (hsize_t k = 0; k < n; k++) {
                if (w->lookups++ >= WALK_MAX_CHUNKS / 100) {
                    w->partial = true;
                    break;
                }
                haddr_t addr = HADDR_UNDEF;
                hsize_t size = 0;
                unsigned mask = 0;
                if (H5Dget_chunk_info(did, sp, k, NULL, &mask, &addr, &size) < 0 || addr == HADDR_UNDEF)
                    continue;
                snprintf(text, sizeof text, "raw data chunk %llu of %.120s", (unsigned long long)k, name);
                walk_note(w, (int64_t)addr, (int64_t)size, true, text);
            }
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    H5Eclear2(H5E_DEFAULT);
}

/* H5Ovisit callback: each object's header, and a dataset's raw data. */
static herr_t walk_cb(hid_t obj, const char *name, const faults_oinfo_t *info, void *data)
{
    walk_t *w = data;
    char path[160], text[256];
    snprintf(path, sizeof path, "%s%.150s", name[0] == '/' ? "" : "/", strcmp(name, ".") ? name : "");
    if (!path[1] && path[0] == '/')
        snprintf(path, sizeof path, "/ (the root group)");
    /* the first chunk of the header: exact when it has one chunk; with
     * continuation chunks (elsewhere in the file) only its start is known */
    int64_t hlen = info->hdr.nchunks == 1 ? (int64_t)info->hdr.space.total : 1;
    snprintf(text, sizeof text, "object header of %.150s%s", path,
             info->hdr.nchunks > 1 ? " (its first chunk; continuations not placed)" : "");
    walk_note(w, (int64_t)info->addr, hlen, false, text);
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t did = H5Oopen(obj, name, H5P_DEFAULT);
    if (did < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    hid_t dcpl = H5Dget_create_plist(did);
    H5D_layout_t lay = dcpl >= 0 ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (lay == H5D_CONTIGUOUS) {
        haddr_t a = H5Dget_offset(did);
        snprintf(text, sizeof text, "contiguous raw data of %.150s", path);
        if (a != HADDR_UNDEF)
            walk_note(w, (int64_t)a, (int64_t)H5Dget_storage_size(did), true, text);
    } else if (lay == H5D_CHUNKED) {
        walk_chunks(w, did, path);
    }
    H5Oclose(did);
    H5Eclear2(H5E_DEFAULT);
    return 0;
}

/* The address of the first chunk of dataset path in fid, or -1. */
static int64_t first_chunk_of(hid_t fid, const char *path)
{
    hid_t did = H5Dopen2(fid, path, H5P_DEFAULT);
    int64_t at = -1;
    if (did >= 0) {
        hsize_t off[1] = {0}, size = 0;
        haddr_t addr = HADDR_UNDEF;
        unsigned mask = 0;
        if (H5Dget_chunk_info_by_coord(did, off, &mask, &addr, &size) >= 0 && addr != HADDR_UNDEF)
            at = (int64_t)addr;
        H5Dclose(did);
    }
    H5Eclear2(H5E_DEFAULT);
    return at;
}

/* Orders hits by address. */
static int hit_cmp(const void *a, const void *b)
{
    const hit_t *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Describes what w found in f->hit (and f->hit_metadata). */
static void describe_hits(walk_t *w, fault_t *f, int64_t super_size)
{
    size_t l = 0;
    int64_t unplaced = 0;
    if (super_size > 0 && w->lo < super_size)
        walk_note(w, 0, super_size, false, "the superblock");
    for (int64_t i = 0; i < w->hi - w->lo; i++)
        unplaced += !w->covered[i];
    qsort(w->hits, (size_t)w->nhits, sizeof w->hits[0], hit_cmp);
    for (int i = 0; i < w->nhits && l < sizeof f->hit; i++) {
        const hit_t *h = &w->hits[i];
        snprintf(f->hit + l, sizeof f->hit - l, "%s%s [%lld, %lld)", l ? "; " : "", h->text, (long long)h->addr,
                 (long long)(h->addr + h->len));
        l = strlen(f->hit);
        if (!h->raw)
            f->hit_metadata = true;
    }
    if (w->more && l < sizeof f->hit) {
        snprintf(f->hit + l, sizeof f->hit - l, "; more structures");
        l = strlen(f->hit);
    }
    if (unplaced && l < sizeof f->hit) {
        f->hit_metadata = true;
        snprintf(f->hit + l, sizeof f->hit - l,
                 "%s%lld bytes the walk could not place (chunk indexes, heaps, B-trees, header continuations, free "
                 "space%s)",
                 l ? "; " : "", (long long)unplaced, w->partial ? ", or chunks past the walk's budget" : "");
    }
}

/* Runs fn(arg, out) in a child process and copies its out (size bytes)
 * back, within timeout_ns: HDF5 may crash, hang, or keep state it cannot
 * release on a file being written or damaged, none of which may reach the
 * orchestrator. Returns 0, or -1 when the child gave no complete answer in
 * time (it is killed and reaped). */
static int run_apart(void (*fn)(const void *arg, void *out), const void *arg, void *out, size_t size,
                     int64_t timeout_ns)
{
    h5s_child_t c;
    h5s_child_opts_t o = {.pdeathsig = SIGKILL, .pipes = true};
    h5s_err_t err;
    pid_t pid = h5s_child_spawn(&c, &o, &err);
    if (pid < 0)
        return -1;
    if (pid == 0) {
        fn(arg, out);
        ssize_t w = write(4, out, size);
        _exit(w != (ssize_t)size);
    }
    int64_t deadline = h5s_now_ns() + timeout_ns;
    int rc = h5s_read_full(c.from, out, size, deadline) == (ssize_t)size ? 0 : -1;
    if (h5s_child_wait(&c, deadline) != 1) {
        h5s_child_end(&c, 1000000000LL);
        rc = -1;
    }
    h5s_child_close(&c);
    return rc;
}

/* Opens file for SWMR reading, picks the target range of s into f
 * (offset) and names what lives there (f->hit). file_size is the file's
 * size now. */
static void locate(fault_t *f, const scn_t *s, const char *file, int64_t file_size)
{
    mth5_t *m = NULL;
    h5s_err_t err;
    f->offset = file_size / 2 & ~(int64_t)(FAULT_LEN - 1);
    if (mth5_open(file, "r", true, &m, &err) < 0) {
        snprintf(f->hit, sizeof f->hit, "unknown (the file could not be opened to walk it: %.300s)", err.msg);
        f->hit_metadata = true;
        return;
    }
    hid_t fid = mth5_fid(m);
    if (s->corrupt_file_target != SCN_CORRUPT_MIDDLE) {
        char path[512], items[1][SCN_STR];
        scn_channel_names(s, items, 1);
        if (s->corrupt_file_target == SCN_CORRUPT_FIRST_CHUNK)
            snprintf(path, sizeof path, "/Experiment/Surveys/%.63s/Stations/%.63s/%.63s/%.63s", s->survey, s->station,
                     s->run, items[0]);
        else
            snprintf(path, sizeof path, "/Experiment/channel_summary");
        int64_t at = -1;
        if (s->corrupt_file_target == SCN_CORRUPT_SUMMARY_TABLE_HEADER) {
            faults_oinfo_t oi;
            if (H5Oget_info_by_name2(fid, path, &oi, H5O_INFO_BASIC, H5P_DEFAULT) >= 0)
                at = (int64_t)oi.addr;
            H5Eclear2(H5E_DEFAULT);
        } else {
            at = first_chunk_of(fid, path);
        }
        if (at >= 0)
            f->offset = at;
        else
            snprintf(f->what + strlen(f->what), sizeof f->what - strlen(f->what),
                     " (%.100s not found: the middle of the file instead)", path);
    }
    walk_t w = {.fid = fid, .lo = f->offset, .hi = f->offset + FAULT_LEN};
    if (!(w.covered = calloc(1, FAULT_LEN))) {
        mth5_close(m, NULL);
        snprintf(f->hit, sizeof f->hit, "unknown (out of memory)");
        return;
    }
    H5F_info2_t fi;
    int64_t super_size = H5Fget_info2(fid, &fi) >= 0 ? (int64_t)fi.super.super_size : 0;
    if (f->offset >= file_size)
        snprintf(f->hit, sizeof f->hit, "nothing: past the end of the file (%lld bytes)", (long long)file_size);
    else {
        H5Ovisit2(fid, H5_INDEX_NAME, H5_ITER_INC, walk_cb, &w, FAULTS_OINFO_FIELDS);
        H5Eclear2(H5E_DEFAULT);
        describe_hits(&w, f, super_size);
    }
    free(w.covered);
    mth5_close(m, NULL);
}

typedef struct locate_arg {
    const scn_t *s;
    const char *file;
    int64_t file_size;
} locate_arg_t;

/* locate() as run_apart runs it: out is the fault_t to fill. */
static void locate_apart(const void *arg, void *out)
{
    const locate_arg_t *a = arg;
    locate(out, a->s, a->file, a->file_size);
}

/* Copies slot's progress from shm. */
static void snap(fault_progress_t *d, const shm_t *shm, int slot)
{
    const proto_progress_t *p = &shm->progress[slot];
    d->t_progress_ns = atomic_load(&p->t_progress_ns);
    d->t_call_ns = atomic_load(&p->t_call_ns);
    d->t_error_ns = atomic_load(&p->t_error_ns);
    d->polls = atomic_load(&p->polls);
    d->retries = atomic_load(&p->retries);
    d->call = atomic_load(&p->call);
}

void faults_corrupt(faults_t *fx, const scn_t *s, const char *file, shm_t *shm, int nproc, int64_t t_ready_ns)
{
    char what[240];
    struct stat st;
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(what, sizeof what, "overwrite of the file not done (%s)", strerror(errno));
        if (fd >= 0)
            close(fd);
        faults_add(fx, FAULT_CORRUPT, h5s_now_ns(), t_ready_ns, -1, what);
        return;
    }
    snprintf(what, sizeof what, "another process overwrote %d bytes with 0x%02X", FAULT_LEN, FAULT_BYTE);
    fault_t probe = {0};
    snprintf(probe.what, sizeof probe.what, "%s", what);
    locate_arg_t la = {.s = s, .file = file, .file_size = (int64_t)st.st_size};
    fault_t found = probe;
    if (run_apart(locate_apart, &la, &found, sizeof found, LOCATE_TIMEOUT_NS) == 0)
        probe = found;
    else {
        probe.offset = (int64_t)st.st_size / 2 & ~(int64_t)(FAULT_LEN - 1);
        probe.hit_metadata = true;
        snprintf(probe.hit, sizeof probe.hit, "unknown (the walk of the file did not finish in %lld s)",
                 LOCATE_TIMEOUT_NS / 1000000000LL);
    }
    char junk[FAULT_LEN];
    memset(junk, FAULT_BYTE, sizeof junk);
    ssize_t w = pwrite(fd, junk, sizeof junk, (off_t)probe.offset);
    int64_t t = h5s_now_ns();
    close(fd);
    for (int i = 0; i < nproc && i <= SCN_MAX_READERS; i++)
        snap(&fx->at_fault[i], shm, i);
    fault_t *f = faults_add(fx, FAULT_CORRUPT, t, t_ready_ns, -1, probe.what);
    if (!f)
        return;
    fx->corrupt = (int)(f - fx->f);
    f->offset = probe.offset;
    f->length = w > 0 ? w : 0;
    f->file_size = (int64_t)st.st_size;
    f->hit_metadata = probe.hit_metadata;
    memcpy(f->hit, probe.hit, sizeof f->hit);
    if (w != (ssize_t)sizeof junk)
        snprintf(f->what + strlen(f->what), sizeof f->what - strlen(f->what), " (%s)",
                 w < 0 ? strerror(errno) : "short write");
}

void faults_kernel_text(pid_t pid, char *buf, size_t cap)
{
    char path[64], line[256];
    buf[0] = '\0';
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    FILE *f = pid > 0 ? fopen(path, "r") : NULL;
    if (!f)
        return;
    if (fgets(line, sizeof line, f)) {
        long nr = strtol(line, NULL, 10);
#if defined(__x86_64__)
        const char *name = nr == 230 || nr == 35 ? "clock_nanosleep" : nr == 17 ? "pread64" : "";
#elif defined(__aarch64__)
        const char *name = nr == 115 || nr == 101 ? "clock_nanosleep" : nr == 67 ? "pread64" : "";
#else
        const char *name = "";
#endif
        if (!strncmp(line, "running", 7))
            name = "running";
        if (name[0])
            snprintf(buf, cap, "%s", name);
        else
            snprintf(buf, cap, "syscall %ld", nr);
    }
    fclose(f);
}

void faults_sample_kernel(faults_t *fx, int slot, pid_t pid)
{
    char now[32];
    if (slot < 0 || slot > SCN_MAX_READERS)
        return;
    faults_kernel_text(pid, now, sizeof now);
    /* a process seen sleeping once keeps that verdict: between its sleeps
     * it re-reads and checks, and a sample may fall there */
    if (now[0] && strcmp(fx->kernel[slot], "clock_nanosleep"))
        snprintf(fx->kernel[slot], sizeof fx->kernel[slot], "%s", now);
}

void faults_on_reap(faults_t *fx, const shm_t *shm, int slot)
{
    if (slot < 0 || slot > SCN_MAX_READERS)
        return;
    snap(&fx->at_end[slot], shm, slot);
    fx->t_reaped_ns[slot] = h5s_now_ns();
}

bool faults_after_corrupt(const faults_t *fx, int64_t t_ns)
{
    return fx->corrupt >= 0 && t_ns && t_ns >= fx->f[fx->corrupt].t_ns;
}

int faults_superblock_flags(const char *file)
{
    unsigned char sb[12];
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t r = pread(fd, sb, sizeof sb, 0);
    close(fd);
    if (r != (ssize_t)sizeof sb || memcmp(sb, "\211HDF\r\n\032\n", 8) != 0 || sb[8] < 2)
        return -1;
    return sb[11];
}

/* Whether the final file still holds the overwrite's bytes, compared in
 * 8-byte words (a rewritten word equal to the pattern by chance is not
 * plausible), into f->left and f->left_text. */
static void check_left(fault_t *f, const char *file)
{
    unsigned char buf[FAULT_LEN], word[8];
    memset(word, FAULT_BYTE, sizeof word);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || f->length <= 0) {
        if (fd >= 0)
            close(fd);
        snprintf(f->left_text, sizeof f->left_text, "not checked (%s)",
                 f->length <= 0 ? "nothing was written" : strerror(errno));
        return;
    }
    ssize_t r = pread(fd, buf, (size_t)f->length, (off_t)f->offset);
    close(fd);
    if (r < 0) {
        snprintf(f->left_text, sizeof f->left_text, "not checked (%s)", strerror(errno));
        return;
    }
    int64_t same = 0;
    for (ssize_t i = 0; i + 8 <= r; i += 8)
        same += memcmp(buf + i, word, 8) == 0 ? 8 : 0;
    f->left = same;
    if (r == 0)
        snprintf(f->left_text, sizeof f->left_text, "no: the file now ends before offset %lld", (long long)f->offset);
    else if (same == f->length)
        snprintf(f->left_text, sizeof f->left_text, "yes: all %lld bytes are still as the overwrite left them",
                 (long long)f->length);
    else if (same == 0)
        snprintf(f->left_text, sizeof f->left_text, "no: every byte of the range was written again since%s",
                 r < f->length ? " (or cut off by the file's end)" : "");
    else
        snprintf(f->left_text, sizeof f->left_text, "partly: %lld of %lld bytes are still as the overwrite left them",
                 (long long)same, (long long)f->length);
}

/* The damage probe over the final file: objects whose metadata HDF5 can no
 * longer read (header, attributes, links, chunk index), listed into out. */
typedef struct probe {
    char *out;
    size_t cap, len;
    int objects, broken;
    const char *parent; /* the path of the group being iterated */
    char why[160];      /* the reason last given */
} probe_t;

#define PROBE_MAX_OBJECTS 10000

/* Notes that HDF5 could not read `part` of the object at path (the reason
 * from its error stack). */
static void probe_broken(probe_t *p, const char *path, const char *part)
{
    h5s_err_t e;
    h5s_seterr_h5(&e, H5S_EHDF5, "x");
    H5Eclear2(H5E_DEFAULT);
    const char *why = strstr(e.msg, "(HDF5: ");
    why = why ? why + 7 : "";
    if (p->broken++ < 4 && p->len + 1 < p->cap) {
        /* a reason is given once for the objects that share it */
        bool same = !strncmp(p->why, why, sizeof p->why - 1);
        snprintf(p->out + p->len, p->cap - p->len, "%s%.120s (%s%s%.100s%s", p->len ? "; " : "", path, part,
                 same || !why[0] ? "" : ": ", same ? "" : why, same || !why[0] ? ")" : "");
        p->len = strlen(p->out);
        snprintf(p->why, sizeof p->why, "%s", why);
    }
}

/* H5Aiterate2 callback: nothing (the iteration reads the attribute storage). */
static herr_t probe_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)loc;
    (void)name;
    (void)info;
    (void)data;
    return 0;
}

static void probe_group(probe_t *p, hid_t g, const char *path);

/* H5Literate2 callback: reads one linked object's header and attributes,
 * then a group's links or a dataset's chunk index. */
static herr_t probe_link(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    probe_t *p = data;
    char path[600];
    faults_oinfo_t oi;
    if (info->type != H5L_TYPE_HARD || ++p->objects > PROBE_MAX_OBJECTS)
        return 0;
    snprintf(path, sizeof path, "%s/%.300s", strcmp(p->parent, "/") ? p->parent : "", name);
    if (H5Oget_info_by_name2(g, name, &oi, FAULTS_OINFO_FIELDS, H5P_DEFAULT) < 0) {
        probe_broken(p, path, "its object header");
        return 0;
    }
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o < 0) {
        probe_broken(p, path, "opening it");
        return 0;
    }
    hsize_t idx = 0;
    if (H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, &idx, probe_attr, NULL) < 0)
        probe_broken(p, path, "its attributes");
    if (oi.type == H5O_TYPE_GROUP) {
        probe_group(p, o, path);
    } else if (oi.type == H5O_TYPE_DATASET) {
        hid_t sp = H5Dget_space(o);
        hsize_t n = 0;
        hid_t dcpl = H5Dget_create_plist(o);
        if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && sp >= 0 && H5Dget_num_chunks(o, sp, &n) < 0)
            probe_broken(p, path, "its chunk index");
        if (dcpl >= 0)
            H5Pclose(dcpl);
        if (sp >= 0)
            H5Sclose(sp);
    }
    H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    return 0;
}

/* Iterates group g (at path) for the probe. */
static void probe_group(probe_t *p, hid_t g, const char *path)
{
    const char *up = p->parent;
    hsize_t idx = 0;
    p->parent = path;
    if (H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, probe_link, p) < 0)
        probe_broken(p, path, "its links");
    p->parent = up;
}

/* Opens the final file read-only (not SWMR: one read attempt, no retries)
 * and lists what HDF5 can no longer read into out; "" when everything
 * reads, or why it was not probed. */
static void probe_file(const char *file, char *out, size_t cap)
{
    probe_t p = {.out = out, .cap = cap, .parent = "/"};
    out[0] = '\0';
    if (faults_superblock_flags(file) != 0) {
        snprintf(out, cap, "not probed: the file is flagged open for write");
        return;
    }
    hid_t fid = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid < 0) {
        probe_broken(&p, "the file", "opening it");
        return;
    }
    hsize_t idx = 0;
    if (H5Aiterate2(fid, H5_INDEX_NAME, H5_ITER_INC, &idx, probe_attr, NULL) < 0)
        probe_broken(&p, "/", "its attributes");
    probe_group(&p, fid, "/");
    H5Fclose(fid);
    H5Eclear2(H5E_DEFAULT);
    if (p.broken > 4 && p.len + 1 < cap)
        snprintf(out + p.len, cap - p.len, "; %d more", p.broken - 4);
}

/* probe_file() as run_apart runs it: arg is the file, out its text
 * (sizeof ((fault_t *)0)->unreadable bytes). */
static void probe_apart(const void *arg, void *out)
{
    probe_file(arg, out, sizeof((fault_t *)0)->unreadable);
}

void faults_after_run(faults_t *fx, const shm_t *shm, const char *file)
{
    if (fx->corrupt < 0)
        return;
    fault_t *f = &fx->f[fx->corrupt];
    uint64_t n = atomic_load(&shm->nflush);
    uint64_t first = n > SHM_RECS ? n - SHM_RECS : 0;
    for (uint64_t k = first; k < n; k++) {
        const shm_rec_t *rec = &shm->rec[k % SHM_RECS];
        if (rec->t_flushed_ns >= f->t_ns) {
            fx->flushes_after++;
            if (rec->t_round_ns > fx->t_last_flush_ns)
                fx->t_last_flush_ns = rec->t_round_ns;
        }
    }
    check_left(f, file);
    if (f->length > 0 && f->hit_metadata)
        if (run_apart(probe_apart, file, f->unreadable, sizeof f->unreadable, PROBE_TIMEOUT_NS) < 0)
            snprintf(f->unreadable, sizeof f->unreadable, "not probed: HDF5 did not finish reading the file in %lld s",
                     PROBE_TIMEOUT_NS / 1000000000LL);
}

void faults_stuck_text(const faults_t *fx, int slot, int64_t t_ready_ns, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (slot < 0 || slot > SCN_MAX_READERS)
        return;
    const fault_progress_t *e = &fx->at_end[slot];
    if (!e->call || !e->t_call_ns)
        return;
    int64_t until = fx->t_reaped_ns[slot] ? fx->t_reaped_ns[slot] : h5s_now_ns();
    double for_s = (double)(until - e->t_call_ns) / 1e9;
    size_t l = (size_t)snprintf(buf, cap, "stuck %s for %.1f s (from %.0f ms after READY)", faults_call_name(e->call),
                                for_s, (double)(e->t_call_ns - t_ready_ns) / 1e6);
    if (l < cap && !strcmp(fx->kernel[slot], "clock_nanosleep") && for_s > 0) {
        /* HDF5 re-reads metadata whose checksum fails, sleeping 1 ns, 2 ns,
         * 4 ns, ... between attempts (up to 100 for an SWMR reader): the
         * sleeps add up to the time in the call */
        double retries = floor(log2(for_s * 1e9 + 1));
        snprintf(buf + l, cap - l,
                 ": in HDF5's metadata read retries (sleeping between re-reads of metadata whose checksum fails, "
                 "each sleep twice the last: about %.0f retries by then)",
                 retries);
    } else if (l < cap && fx->kernel[slot][0]) {
        snprintf(buf + l, cap - l, " (last seen in the kernel: %s)", fx->kernel[slot]);
    }
}

/* How ch ended, as a failure or not: exit code 1 or 4, or a signal it did
 * not get as the fault itself. */
static bool failed(const orch_child_t *ch)
{
    if (WIFEXITED(ch->status))
        return WEXITSTATUS(ch->status) == EXIT_FAIL || WEXITSTATUS(ch->status) == EXIT_TIMEOUT;
    return !ch->fault_killed;
}

bool faults_excused(const orch_report_t *rep, const orch_child_t *ch)
{
    const faults_t *fx = &rep->fx;
    if (fx->corrupt < 0 || !ch->reaped || !failed(ch))
        return false;
    const fault_t *f = &fx->f[fx->corrupt];
    if (ch->role == ROLE_FINALIZER)
        /* it ran after the fault; the run still fails when it could not
         * read the data back (nothing then says the flushed data is intact) */
        return f->length > 0 && !rep->finalizer_stalled && ch->has_result &&
               (!rep->scn.verify_file || (ch->res.recovery & PROTO_RECOVERY_VERIFIED));
    int slot = ch->index;
    if (slot < 0 || slot > SCN_MAX_READERS || ch->crash == ORCH_CRASH_OWN || ch->crash == ORCH_CRASH_UNKNOWN)
        return false;
    const fault_progress_t *e = &fx->at_end[slot];
    if (faults_after_corrupt(fx, e->t_error_ns))
        return true; /* its first error came after the fault */
    /* killed without a report: stuck in a call it entered after the fault,
     * or no progress at all since the fault */
    if (WIFSIGNALED(ch->status) && !ch->has_result)
        return faults_after_corrupt(fx, e->t_call_ns) ||
               (fx->at_fault[slot].polls == e->polls && fx->t_reaped_ns[slot] >= f->t_ns);
    return false;
}

/* "reader 2 (h5py)", "writer", "finalizer" into buf. */
static void label(const orch_report_t *rep, const orch_child_t *ch, char *buf, size_t cap)
{
    if (ch->role == ROLE_WRITER)
        snprintf(buf, cap, "writer");
    else if (ch->role == ROLE_FINALIZER)
        snprintf(buf, cap, "finalizer");
    else if (rep->scn.reader_mode == SCN_READER_BARE)
        snprintf(buf, cap, "reader %d (bare)", ch->index);
    else
        snprintf(buf, cap, "reader %d (%s)", ch->index,
                 scn_reader_kind_name(scn_reader_kind(&rep->scn, ch->index - 1)));
}

typedef struct line {
    int64_t t;    /* when this process first reacted (or ended) */
    bool noticed; /* it erred, hung, or saw bad samples after the fault */
    char who[48];
    char text[900];
} line_t;

/* What process ch did after the overwrite f, into ln. */
static void react_one(const orch_report_t *rep, const orch_child_t *ch, const fault_t *f, line_t *ln)
{
    const faults_t *fx = &rep->fx;
    char who[48], st[64], stuck[400] = "";
    label(rep, ch, who, sizeof who);
    snprintf(ln->who, sizeof ln->who, "%s", who);
    orch_status_text(ch->status, st, sizeof st);
    size_t l = 0;
    ln->t = fx->t_reaped_ns[ch->index];
    ln->noticed = faults_after_corrupt(fx, fx->at_end[ch->index].t_error_ns) ||
                  (ch->has_result && ch->res.mismatches + ch->res.fills + ch->res.missing > 0) ||
                  (WIFSIGNALED(ch->status) && !ch->has_result && !ch->fault_killed);
    if (ch->role == ROLE_WRITER) {
        if (fx->flushes_after)
            l = (size_t)snprintf(ln->text, sizeof ln->text, "%s: %llu flush%s after it (the last %.0f ms after it)",
                                 who, (unsigned long long)fx->flushes_after, fx->flushes_after == 1 ? "" : "es",
                                 (double)(fx->t_last_flush_ns - f->t_ns) / 1e6);
        else
            l = (size_t)snprintf(ln->text, sizeof ln->text, "%s: no flush after it", who);
    } else {
        const fault_progress_t *a = &fx->at_fault[ch->index], *e = &fx->at_end[ch->index];
        bool ext =
            rep->scn.reader_mode != SCN_READER_BARE && scn_reader_kind(&rep->scn, ch->index - 1) != SCN_KIND_H5SWMR;
        uint64_t after = e->polls - a->polls;
        l = (size_t)snprintf(ln->text, sizeof ln->text, "%s: %llu %s after it", who, (unsigned long long)after,
                             ext ? (after == 1 ? "observation line" : "observation lines")
                                 : (after == 1 ? "poll" : "polls"));
        if (after && e->t_progress_ns > f->t_ns && l < sizeof ln->text)
            l += (size_t)snprintf(ln->text + l, sizeof ln->text - l, " (the last %.0f ms after it)",
                                  (double)(e->t_progress_ns - f->t_ns) / 1e6);
        if (faults_after_corrupt(fx, e->t_error_ns)) {
            ln->t = e->t_error_ns;
            if (l < sizeof ln->text)
                l += (size_t)snprintf(ln->text + l, sizeof ln->text - l, "; first error %.0f ms after it",
                                      (double)(e->t_error_ns - f->t_ns) / 1e6);
        }
        if (WIFSIGNALED(ch->status) && !ch->has_result && !ch->fault_killed) {
            faults_stuck_text(fx, ch->index, rep->t_ready_ns, stuck, sizeof stuck);
            if (e->t_call_ns)
                ln->t = e->t_call_ns;
            if (stuck[0] && l < sizeof ln->text)
                l += (size_t)snprintf(ln->text + l, sizeof ln->text - l, "; %s", stuck);
            if (l < sizeof ln->text)
                l += (size_t)snprintf(ln->text + l, sizeof ln->text - l, "; did not end when asked to stop");
        }
        uint64_t retries = ch->has_result ? ch->res.retries : e->retries;
        if (retries && l < sizeof ln->text)
            l += (size_t)snprintf(ln->text + l, sizeof ln->text - l, "; %llu metadata read retries%s",
                                  (unsigned long long)retries, ch->has_result ? "" : " before that");
    }
    if (l < sizeof ln->text)
        l += (size_t)snprintf(ln->text + l, sizeof ln->text - l, "; %s%s", st, ch->has_result ? "" : ", no report");
    if (ch->has_result && ch->res.msg[0] && l < sizeof ln->text)
        snprintf(ln->text + l, sizeof ln->text - l, ": %.400s", ch->res.msg);
}

/* The finalizer's part, after the run: what it tried and how it ended. */
static void react_finalizer(const orch_report_t *rep, line_t *ln)
{
    const orch_child_t *ch = &rep->finalizer;
    const proto_result_t *r = &ch->res;
    char st[64];
    orch_status_text(ch->status, st, sizeof st);
    ln->t = INT64_MAX;
    snprintf(ln->who, sizeof ln->who, "finalizer");
    ln->noticed = !(WIFEXITED(ch->status) && WEXITSTATUS(ch->status) == EXIT_OK);
    if (!ch->has_result) {
        snprintf(ln->text, sizeof ln->text, "finalizer (after the run): %s, no report%s", st,
                 rep->finalizer_stalled ? " (stopped: no progress)" : "");
        return;
    }
    bool verified = r->recovery & PROTO_RECOVERY_VERIFIED;
    size_t l = (size_t)snprintf(ln->text, sizeof ln->text, "finalizer (after the run): opened the file read-write; %s",
                                verified               ? "read every sample back"
                                : rep->scn.verify_file ? "could not read every sample back"
                                                       : "did not read the samples back (verify_file = false)");
    if (verified && l < sizeof ln->text)
        l += (size_t)snprintf(ln->text + l, sizeof ln->text - l, " (%llu samples: %llu wrong or fill, %llu missing)",
                              (unsigned long long)r->samples, (unsigned long long)(r->mismatches + r->fills),
                              (unsigned long long)r->missing);
    if (l < sizeof ln->text)
        l += (size_t)snprintf(ln->text + l, sizeof ln->text - l, "; %s",
                              WIFEXITED(ch->status) && WEXITSTATUS(ch->status) == EXIT_OK ? "rebuilt channel_summary"
                              : WIFEXITED(ch->status) && WEXITSTATUS(ch->status) == EXIT_VERIFY
                                  ? "found bad flushed samples"
                                  : "failed");
    if (r->msg[0] && l < sizeof ln->text)
        l += (size_t)snprintf(ln->text + l, sizeof ln->text - l, ": %.300s", r->msg);
    if ((r->recovery & PROTO_RECOVERY_LEFT_OPEN) && l < sizeof ln->text)
        snprintf(ln->text + l, sizeof ln->text - l,
                 "; its failed close left the file flagged open for write, and 'h5clear -s --increment=0' %s",
                 r->recovery & PROTO_RECOVERY_UNFLAGGED ? "cleared that flag" : "could not clear it");
}

/* Orders lines by time. */
static int line_cmp(const void *a, const void *b)
{
    const line_t *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* A finalizer whose read-write open left the file flagged open: what it
 * tried, into rep->recovery. */
static void finalizer_recovery(orch_report_t *rep)
{
    const proto_result_t *fr = &rep->finalizer.res;
    const orch_child_t *fin = &rep->finalizer;
    size_t r = strlen(rep->recovery);
    bool fin_failed =
        rep->has_finalizer &&
        !(WIFEXITED(fin->status) && (WEXITSTATUS(fin->status) == EXIT_OK || WEXITSTATUS(fin->status) == EXIT_VERIFY));
    if (fin_failed && rep->fx.corrupt >= 0) {
        const fault_t *f = &rep->fx.f[rep->fx.corrupt];
        bool verified = fin->has_result && (fr->recovery & PROTO_RECOVERY_VERIFIED);
        snprintf(rep->recovery + r, sizeof rep->recovery - r,
                 "%sthe injected overwrite (offset %lld, %lld bytes) is %s in the file and the finalizer could not "
                 "finish (%.200s); %s",
                 r ? "; " : "", (long long)f->offset, (long long)f->length, f->left > 0 ? "still" : "perhaps no longer",
                 fin->has_result ? fr->msg : "no report",
                 verified
                     ? "every sample was read back first and is intact; HDF5 has no repair for the damaged metadata"
                     : "HDF5 has no repair for damaged metadata: what still opens can be copied out (h5dump, "
                       "h5copy of each channel)");
        if (!verified && rep->scn.verify_file && !rep->problem[0])
            snprintf(rep->problem, sizeof rep->problem,
                     "the injected overwrite left the file unreadable for the final check: the flushed samples could "
                     "not be verified");
        r = strlen(rep->recovery);
    }
    if (!rep->has_finalizer || !fin->has_result || !(fr->recovery & PROTO_RECOVERY_LEFT_OPEN))
        return;
    const char *cleared = fr->recovery & PROTO_RECOVERY_UNFLAGGED
                              ? "'h5clear -s --increment=0' cleared that flag (done after the run)"
                              : "clearing it with 'h5clear -s --increment=0' failed: run it once the cause is known";
    if (rep->fx.corrupt >= 0) /* what failed is said above */
        snprintf(rep->recovery + r, sizeof rep->recovery - r,
                 "; its failed close left the file flagged open for write: %s", cleared);
    else
        snprintf(rep->recovery + r, sizeof rep->recovery - r,
                 "%sthe finalizer's read-write work failed (%.200s) and its close left the file flagged open for "
                 "write: %s",
                 r ? "; " : "", fr->msg[0] ? fr->msg : "no message", cleared);
}

void faults_react(orch_report_t *rep)
{
    faults_t *fx = &rep->fx;
    finalizer_recovery(rep);
    if (fx->corrupt < 0)
        return;
    const fault_t *f = &fx->f[fx->corrupt];
    int n = rep->nchildren + rep->has_finalizer;
    line_t *lines = calloc((size_t)n, sizeof *lines);
    if (!lines)
        return;
    for (int i = 0; i < rep->nchildren; i++)
        react_one(rep, &rep->children[i], f, &lines[i]);
    if (rep->has_finalizer)
        react_finalizer(rep, &lines[n - 1]);
    qsort(lines, (size_t)n, sizeof *lines, line_cmp);
    size_t l = 0;
    for (int i = 0; i < n && l < sizeof fx->reactions; i++) {
        snprintf(fx->reactions + l, sizeof fx->reactions - l, "%s%s", l ? "\n" : "", lines[i].text);
        l = strlen(fx->reactions);
    }
    l = 0;
    for (int i = 0; i < n && l < sizeof fx->noticed; i++)
        if (lines[i].noticed) {
            snprintf(fx->noticed + l, sizeof fx->noticed - l, "%s%s", l ? ", " : "", lines[i].who);
            l = strlen(fx->noticed);
        }
    free(lines);
}

/* The name of a fault kind, as the report and JSON give it. */
static const char *kind_name(int kind)
{
    switch (kind) {
    case FAULT_KILL_WRITER: return "kill_writer";
    case FAULT_KILL_READER: return "kill_reader";
    case FAULT_STALL_WRITER: return "stall_writer";
    case FAULT_CORRUPT: return "corrupt_file";
    case FAULT_FSIZE_LIMIT: return "writer_fsize_limit";
    case FAULT_EARLY_READER: return "early_reader";
    default: return "fault";
    }
}

/* What the process a fault hit became: "writer: killed by SIGKILL". */
static void target_text(const orch_report_t *rep, const fault_t *f, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (f->child < 0 || f->child >= rep->nchildren)
        return;
    const orch_child_t *ch = &rep->children[f->child];
    char who[48], st[64];
    label(rep, ch, who, sizeof who);
    orch_status_text(ch->status, st, sizeof st);
    snprintf(buf, cap, "%s: %s%s%.300s", who, st, ch->has_result && ch->res.msg[0] ? ": " : "",
             ch->has_result ? ch->res.msg : "");
}

bool faults_excused_any(const orch_report_t *rep)
{
    for (int i = 0; i < rep->nchildren; i++)
        if (faults_excused(rep, &rep->children[i]))
            return true;
    return rep->has_finalizer && faults_excused(rep, &rep->finalizer);
}

void faults_print(FILE *out, const orch_report_t *rep)
{
    const faults_t *fx = &rep->fx;
    if (!fx->n)
        return;
    fprintf(out, "faults injected:\n");
    for (int i = 0; i < fx->n; i++) {
        const fault_t *f = &fx->f[i];
        char when[64], target[512];
        if (f->at_ms >= 0)
            snprintf(when, sizeof when, "%.0f ms after READY", f->at_ms);
        else
            snprintf(when, sizeof when, "%s", f->kind == FAULT_EARLY_READER ? "before READY" : "from the start");
        fprintf(out, "  %s, %s: %s\n", kind_name(f->kind), when, f->what);
        if (f->kind == FAULT_CORRUPT && f->length > 0) {
            fprintf(out, "    range: offset %lld, %lld bytes (the file had %lld bytes)\n", (long long)f->offset,
                    (long long)f->length, (long long)f->file_size);
            fprintf(out, "    it hit: %s\n", f->hit);
            fprintf(out, "    noticed by: %s\n",
                    fx->noticed[0] ? fx->noticed
                                   : "no process (no error, no hang, no bad sample; the final check found nothing "
                                     "wrong)");
            fprintf(out, "    damage still in the final file: %s\n", f->left_text);
            if (f->unreadable[0])
                fprintf(out, "    what HDF5 can no longer read in the final file: %s\n", f->unreadable);
            if (fx->reactions[0]) {
                fprintf(out, "    after it, in time order:\n");
                for (const char *p = fx->reactions; *p;) {
                    size_t n = strcspn(p, "\n");
                    fprintf(out, "      %.*s\n", (int)n, p);
                    p += n + (p[n] == '\n');
                }
            }
        } else {
            target_text(rep, f, target, sizeof target);
            if (target[0])
                fprintf(out, "    %s\n", target);
        }
    }
}

cJSON *faults_json(const orch_report_t *rep)
{
    const faults_t *fx = &rep->fx;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < fx->n; i++) {
        const fault_t *f = &fx->f[i];
        cJSON *o = cJSON_CreateObject();
        char target[512];
        cJSON_AddStringToObject(o, "kind", kind_name(f->kind));
        cJSON_AddStringToObject(o, "what", f->what);
        cJSON_AddNumberToObject(o, "at_ms_after_ready", f->at_ms);
        if (f->child >= 0)
            cJSON_AddNumberToObject(o, "process_index", f->child);
        if (f->kind == FAULT_CORRUPT) {
            cJSON_AddNumberToObject(o, "offset", (double)f->offset);
            cJSON_AddNumberToObject(o, "length", (double)f->length);
            cJSON_AddNumberToObject(o, "file_size", (double)f->file_size);
            cJSON_AddStringToObject(o, "hit", f->hit);
            cJSON_AddBoolToObject(o, "hit_metadata", f->hit_metadata);
            /* bytes of the final file still as the overwrite left them; -1 not checked */
            cJSON_AddNumberToObject(o, "damage_left_bytes", (double)f->left);
            cJSON_AddStringToObject(o, "damage_left", f->left_text);
            /* objects of the final file whose metadata no longer reads ("" all read, or not probed) */
            cJSON_AddStringToObject(o, "unreadable", f->unreadable);
            /* the processes that erred, hung or saw bad samples after it, in time order ("" none) */
            cJSON_AddStringToObject(o, "noticed_by", fx->noticed);
            cJSON *r = cJSON_AddArrayToObject(o, "reactions");
            for (const char *p = fx->reactions; *p;) {
                size_t n = strcspn(p, "\n");
                char line[1024];
                snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
                cJSON_AddItemToArray(r, cJSON_CreateString(line));
                p += n + (p[n] == '\n');
            }
        } else {
            target_text(rep, f, target, sizeof target);
            cJSON_AddStringToObject(o, "outcome", target);
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}
