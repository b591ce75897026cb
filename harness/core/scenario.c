/* scenario.c - option table, INI scenario files and overrides. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "scenario.h"
#include "cmdline.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const workloads[] = {"append", "structure", NULL};
static const char *const flush_calls[] = {"dflush", "fflush", NULL};
static const char *const dtypes[] = {"float32", "float64", "int32", NULL};
static const char *const refreshes[] = {"refresh", "reopen", "none", NULL};
static const char *const writer_modes[] = {"swmr", "noswmr", "raw", "bare", NULL};
static const char *const reader_modes[] = {"h5swmr", "bare", NULL};
static const char *const reader_kinds[] = {"h5swmr", "h5py", "watch", "cmd", NULL};
static const char *const waits[] = {"poll", "inotify", NULL};
static const char *const statuses[] = {"auto", "off", "lines", NULL};
static const char *const corrupt_targets[] = {"middle", "first_chunk", "summary_table", "summary_table_header", NULL};

#define F(field) offsetof(scn_t, field), sizeof(((scn_t *)0)->field)
#define BIG 9.0e15

static const scn_opt_t options[] = {
    {"file", OPT_STRING, F(file), "", 0, 0, NULL, "data file; empty = data.mth5 in the run's results directory"},
    {"results_dir", OPT_STRING, F(results_dir), "results", 0, 0, NULL,
     "where each run makes its <scenario>-<UTC time> directory"},
    {"overwrite", OPT_BOOL, F(overwrite), "false", 0, 0, NULL,
     "replace an existing data file (otherwise an existing file is refused)"},
    {"workload", OPT_ENUM, F(workload), "append", 0, 0, workloads,
     "append: grow channels of one run (supported SWMR); structure: a new run per block (not supported by HDF5 SWMR, "
     "observed)"},
    {"duration", OPT_DOUBLE, F(duration_s), "10", 0, 86400, NULL,
     "seconds the writer runs; 0 = until max_blocks or Ctrl-C"},
    {"max_blocks", OPT_INT, F(max_blocks), "0", 0, BIG, NULL, "stop after this many blocks; 0 = no limit"},
    {"max_mb", OPT_DOUBLE, F(max_mb), "0", 0, 1e9, NULL,
     "stop after this many MB of samples (all channels); 0 = no limit"},
    {"survey", OPT_STRING, F(survey), "live_survey", 0, 0, NULL, "survey name"},
    {"station", OPT_STRING, F(station), "MT001", 0, 0, NULL, "station name"},
    {"run", OPT_STRING, F(run), "run_001", 0, 0, NULL, "run the writer appends to (the first run)"},
    {"channels", OPT_LIST, F(channels), "ex,ey,hx,hy,hz", 0, 0, NULL,
     "channels of the run (e*: electric, h*: magnetic, others auxiliary)"},
    {"nchannels", OPT_INT, F(nchannels), "0", 0, SCN_MAX_GEN_CHANNELS, NULL,
     "if > 0: this many channels (ex, ey, hx, hy, hz, a0005, ...) instead of the channels list"},
    {"new_run_channels", OPT_LIST, F(new_run_channels), "ex", 0, 0, NULL,
     "structure workload: channels of each new run"},
    {"sample_rate", OPT_DOUBLE, F(sample_rate), "100", 0, 1e9, NULL, "samples per second per channel (Hz)"},
    {"realtime", OPT_BOOL, F(realtime), "true", 0, 0, NULL, "pace blocks at sample_rate (false = flat out)"},
    {"block_samples", OPT_INT, F(block_samples), "1000", 1, 1 << 26, NULL, "samples per channel per block"},
    {"chunk_samples", OPT_INT, F(chunk_samples), "0", 0, 1 << 26, NULL, "HDF5 chunk length; 0 = block_samples"},
    {"dtype", OPT_ENUM, F(dtype), "float32", 0, 0, dtypes, "sample type"},
    {"compress", OPT_BOOL, F(compress), "false", 0, 0, NULL, "shuffle + deflate + fletcher32"},
    {"cork", OPT_BOOL, F(cork), "true", 0, 0, NULL,
     "disable metadata flushes around extend+write (false reproduces readers seeing fill values)"},
    {"flush_every_blocks", OPT_INT, F(flush_every_blocks), "1", 0, BIG, NULL,
     "flush after this many blocks; 0 = not by count"},
    {"flush_every_ms", OPT_DOUBLE, F(flush_every_ms), "0", 0, 3.6e6, NULL,
     "flush when this many ms have passed since the last flush; 0 = not by time"},
    {"flush_call", OPT_ENUM, F(flush_call), "dflush", 0, 0, flush_calls,
     "dflush: H5Dflush each channel; fflush: one H5Fflush"},
    {"summary_upkeep", OPT_BOOL, F(summary_upkeep), "true", 0, 0, NULL,
     "keep /Experiment/channel_summary n_samples/end current at each flush (in-place writes)"},
    {"finalize", OPT_BOOL, F(finalize), "true", 0, 0, NULL,
     "after the run, reopen without SWMR and rebuild the channel summary table"},
    {"writer_mode", OPT_ENUM, F(writer_mode), "swmr", 0, 0, writer_modes,
     "swmr; noswmr (HDF5 without SWMR, a baseline: no readers); raw (pwrite, no HDF5: a baseline); bare (a "
     "bare HDF5 SWMR append loop with none of h5swmr's code in its path: a baseline, no readers)"},
    {"pace_jitter", OPT_DOUBLE, F(pace_jitter), "1", 0, 1, NULL,
     "realtime writer: each block starts at a random moment within this fraction of its period (seeded), so that "
     "no poll interval locks in phase with the writer; 0 = a fixed period"},
    {"measure", OPT_BOOL, F(measure), "true", 0, 0, NULL,
     "record latencies and lags (false: only counts, to measure what measuring costs)"},
    {"raw_logs", OPT_BOOL, F(raw_logs), "false", 0, 0, NULL,
     "readers write every lag event to lag_reader<N>.csv in the run's directory"},
    {"lag_window_s", OPT_DOUBLE, F(lag_window_s), "0", 0, 86400, NULL,
     "long runs: readers also report lag in windows of this many seconds after their warm-up, the first and the "
     "last side by side (0 = off)"},
    {"rss_settle_s", OPT_DOUBLE, F(rss_settle_s), "60", 0.1, 86400, NULL,
     "every process samples its resident memory this many seconds after it started, and the report gives its "
     "growth from then to the end (what a long run must keep flat)"},
    {"readers", OPT_INT, F(readers), "3", 0, SCN_MAX_READERS, NULL, "number of reader processes"},
    {"reader_mode", OPT_ENUM, F(reader_mode), "h5swmr", 0, 0, reader_modes,
     "h5swmr: h5swmr's reader (every channel, every sample verified); bare: a bare HDF5 poll loop doing the same "
     "HDF5 work on every channel (H5Drefresh, H5Dget_space, H5Dread of the new samples, nothing else): the floor "
     "lag is judged against"},
    {"poll_ms", OPT_DOUBLE, F(poll_ms), "500", 0, 3.6e6, NULL, "reader poll interval in ms; 0 = busy poll"},
    {"reader_wait", OPT_ENUM, F(reader_wait), "poll", 0, 0, waits,
     "poll: wake every poll_ms; inotify: sleep until the file changes (poll_ms, or 1 s, as a fallback)"},
    {"reader_refresh", OPT_LIST, F(reader_refresh), "refresh", 0, 0, refreshes,
     "per reader, cycled: refresh (H5Drefresh/H5Orefresh held handles), reopen (reopen the file each poll), none"},
    {"reader_kind", OPT_LIST, F(reader_kind), "h5swmr", 0, 0, reader_kinds,
     "per reader, cycled: h5swmr (h5swmr's reader); h5py (the shipped Python client harness/clients/h5py_reader.py); "
     "watch ('h5swmr watch --protocol' as a separate program); cmd (reader_cmd): external clients report what they "
     "see in the line protocol (docs/external-readers.md); reader_mode = bare overrides it"},
    {"reader_cmd", OPT_STRING, F(reader_cmd), "", 0, 0, NULL,
     "reader_kind cmd: the client's command line, run without a shell (words split on blanks, '...' and \"...\" "
     "quote); {file}, {h5swmr}, {poll_ms}, {poll_s}, {index}, {verify} are replaced"},
    {"reader_python", OPT_STRING, F(reader_python), "/usr/bin/python3", 0, 0, NULL,
     "reader_kind h5py: the Python interpreter (with h5py) that runs the client"},
    {"reader_name", OPT_STRING, F(reader_name), "", 0, 0, NULL,
     "per reader, cycled: the names the report, summary.json and messages give the readers (letters, digits and "
     "._+-, at most 24 characters each); empty = by program: h5swmr, bare, h5py, watch, or for cmd the script "
     "reader_cmd runs (its first word that is not an interpreter, an option or a VAR=value)"},
    {"lag_warmup_ms", OPT_DOUBLE, F(lag_warmup_ms), "250", 0, 3.6e6, NULL,
     "every reader kind: flushes that returned before the reader's first observation plus this many ms give no "
     "lag event (its start-up: first reads of the file, caches filling, the poll clock settling)"},
    {"rescan_ms", OPT_DOUBLE, F(rescan_ms), "500", 0, 3.6e6, NULL,
     "reader: walk the tree for new runs/channels this often (ms); 0 = every poll"},
    {"verify", OPT_BOOL, F(verify), "true", 0, 0, NULL, "readers read and verify every new sample"},
    {"read_summary_table", OPT_BOOL, F(read_summary_table), "true", 0, 0, NULL,
     "readers also poll /Experiment/channel_summary, as MTH5 users are told to"},
    {"report_ms", OPT_DOUBLE, F(report_ms), "0", 0, 3.6e6, NULL,
     "print reader updates at most this often (ms); 0 = every update"},
    {"status", OPT_ENUM, F(status), "auto", 0, 0, statuses,
     "the live status line of run, write, sweep and stress (elapsed, ETA, writer MB/s and flushes, readers' "
     "samples and lag p99, errors): auto = on a terminal (stdout) one line refreshed in place every report_ms "
     "(500 ms when 0), otherwise a plain 'status:' line every report_ms (none when 0) unless quiet; lines = plain "
     "lines every report_ms (1000 ms when 0) unless quiet, also on a terminal; off = none"},
    {"ready_timeout", OPT_DOUBLE, F(ready_timeout_s), "30", 0.1, 3600, NULL,
     "seconds readers wait for the writer's READY"},
    {"stop_timeout", OPT_DOUBLE, F(stop_timeout_s), "5", 0.1, 600, NULL,
     "seconds a process gets to stop before SIGTERM, then as long again before SIGKILL"},
    {"finalize_stall_s", OPT_DOUBLE, F(finalize_stall_s), "10", 0.1, 86400, NULL,
     "the finalizer may verify for as long as it makes progress; it is stopped (SIGTERM, then SIGKILL after "
     "stop_timeout) once it has made none for this many seconds"},
    {"reader_delay_s", OPT_LIST, F(reader_delay_s), "0", 0, 86400, NULL,
     "per reader, cycled: seconds after the writer's READY before the reader gets GO and opens the file (a "
     "monitor opened mid-acquisition); a reader whose delay outlasts the run never opens it"},
    {"seed", OPT_INT, F(seed), "1", 0, BIG, NULL, "random seed"},
    {"quiet", OPT_BOOL, F(quiet), "false", 0, 0, NULL, "no per-update lines, only the summary"},
    {"kill_writer_after_ms", OPT_DOUBLE, F(kill_writer_after_ms), "0", 0, 8.64e7, NULL,
     "fault: SIGKILL the writer this many ms after READY; 0 = never"},
    {"kill_reader", OPT_INT, F(kill_reader), "0", 0, SCN_MAX_READERS, NULL,
     "fault: the reader (1..readers) to SIGKILL; 0 = none"},
    {"kill_reader_after_ms", OPT_DOUBLE, F(kill_reader_after_ms), "0", 0, 8.64e7, NULL,
     "fault: when to SIGKILL that reader, in ms after READY"},
    {"stall_writer_after_ms", OPT_DOUBLE, F(stall_writer_after_ms), "0", 0, 8.64e7, NULL,
     "fault: SIGSTOP the writer this many ms after READY (with stall_writer_ms)"},
    {"stall_writer_ms", OPT_DOUBLE, F(stall_writer_ms), "0", 0, 8.64e7, NULL,
     "fault: how long the writer stays stopped before SIGCONT; 0 = no stall"},
    {"writer_fsize_limit_mb", OPT_DOUBLE, F(writer_fsize_limit_mb), "0", 0, 1e9, NULL,
     "fault: RLIMIT_FSIZE of the writer once in SWMR mode (a disk-full stand-in); 0 = none"},
    {"corrupt_file_after_ms", OPT_DOUBLE, F(corrupt_file_after_ms), "0", 0, 8.64e7, NULL,
     "fault: overwrite 4 KiB of the data file (where: corrupt_file_target) this many ms after READY (another "
     "process scribbling on it); the report names what it hit and what each process did"},
    {"corrupt_file_target", OPT_ENUM, F(corrupt_file_target), "middle", 0, 0, corrupt_targets,
     "fault: where corrupt_file_after_ms writes: the middle of the file (4 KiB-aligned), the start of the first "
     "channel's first chunk (written once, never again), of /Experiment/channel_summary's data (rewritten by "
     "summary_upkeep), or of its object header (not rewritten)"},
    {"early_reader", OPT_BOOL, F(early_reader), "false", 0, 0, NULL,
     "fault: reader 1 tries to open the file at once, before READY, and reports what happened"},
    {"verify_file", OPT_BOOL, F(verify_file), "true", 0, 0, NULL,
     "after the run, read the whole file back and check every sample and every flushed block"},
    {"slow_writer_pct", OPT_DOUBLE, F(slow_writer_pct), "0", 0, 1000, NULL,
     "fault: the SWMR writer spins this percentage of each append's and flush's own duration inside the timed call "
     "(a slower write path, to show that a regression gate catches it); 0 = none"},
    {"keep_data", OPT_BOOL, F(keep_data), "false", 0, 0, NULL,
     "h5swmr sweep and stress: keep the data files of runs that passed verification (failures are always kept)"},
    {"sweep", OPT_STRING, F(sweep), "", 0, 0, NULL,
     "h5swmr sweep: axes 'key=v1,v2 key2=v3,v4' whose every combination is run"},
    {"baselines", OPT_BOOL, F(baselines), "true", 0, 0, NULL,
     "h5swmr sweep: also run each configuration as raw pwrite and as HDF5 without SWMR"},
    {"reader_baseline", OPT_BOOL, F(reader_baseline), "false", 0, 0, NULL,
     "h5swmr sweep: also run each configuration with readers as reader_mode = bare, in the same repeat, so that "
     "lag targets are judged where HDF5 and the machine allow"},
    {"floor", OPT_BOOL, F(floor), "true", 0, 0, NULL,
     "h5swmr sweep: also run the standalone floor program h5floor (plain C on HDF5, none of h5swmr's code) beside "
     "each configuration it mirrors - one float32 channel, a flush per block: its raw pwrite and SWMR loop next to a "
     "flat-out writer, its busy-poll lag next to a paced writer with one busy-polling reader - and report h5swmr's "
     "figures against it"},
    {"warmup", OPT_BOOL, F(warmup), "true", 0, 0, NULL,
     "a flat-out writer (realtime = false) preheats its file before READY: zeros past its end for the bytes it "
     "will append (at most 1 GiB), so that appends land on pages already in the page cache (on virtual machines a "
     "fresh page can cost a host fault); false times appends onto fresh pages"},
    {"repeat", OPT_INT, F(repeat), "1", 1, 50, NULL,
     "h5swmr sweep: run each configuration (with its baselines) this many times; gate takes medians"},
    {NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL},
};

const scn_opt_t *scn_options(void)
{
    return options;
}

/* The option named key, or NULL if there is none. */
static const scn_opt_t *find_opt(const char *key)
{
    for (const scn_opt_t *o = options; o->name; o++)
        if (strcmp(o->name, key) == 0)
            return o;
    return NULL;
}

/* The index of v in the NULL-terminated list choices, or -1 if it is not one
 * of them. */
static int choice_index(const char *const *choices, const char *v)
{
    for (int i = 0; choices[i]; i++)
        if (strcmp(choices[i], v) == 0)
            return i;
    return -1;
}

/* Writes the NULL-terminated list choices into buf (cap bytes) as "a, b, c",
 * truncated if it does not fit. */
static void choices_text(const char *const *choices, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int i = 0; choices[i]; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%s%s", i ? ", " : "", choices[i]);
    }
}

/* Strips leading blanks and trailing blanks and line ends from s in place.
 * Returns the first character kept. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

/* A copy of user text fit for a one-line message: control characters become
 * '?', and anything past 80 characters is cut with "...". */
static const char *printable(const char *src, char *dst, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 4 < cap && i < 80; i++)
        dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
    if (src[i] && i + 4 <= cap) {
        memcpy(dst + i, "...", 3);
        i += 3;
    }
    dst[i] = '\0';
    return dst;
}

int scn_split(const char *list, char items[][SCN_STR], int max)
{
    char buf[SCN_STR * 4];
    if (strlen(list) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", list);
    int n = 0;
    char *save = NULL;
    char *all = trim(buf);
    if (!*all)
        return 0;
    /* a leading, trailing or doubled comma is an empty item strtok would hide */
    if (all[0] == ',' || all[strlen(all) - 1] == ',')
        return -1;
    for (char *p = all; *p; p++)
        if (*p == ',') {
            char *q = p + 1;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == ',')
                return -1;
        }
    for (char *tok = strtok_r(all, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = trim(tok);
        if (!*tok || n >= max || strlen(tok) >= SCN_STR)
            return -1;
        snprintf(items[n++], SCN_STR, "%s", tok);
    }
    return n;
}

/* Whether s can name an HDF5 group or dataset: 1 to 63 characters, no '/' or
 * character below 0x20, and not ".". */
static bool valid_name(const char *s)
{
    if (!*s || strlen(s) >= 64)
        return false;
    for (const char *p = s; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x20)
            return false;
    return strcmp(s, ".") != 0;
}

/* Whether v is a reader_name list: items of 1 to SCN_NAME_MAX characters
 * from letters, digits and ._+- (they stand in table columns and messages). */
static bool valid_reader_names(const char *v)
{
    char items[SCN_MAX_CHANNELS][SCN_STR];
    int n = scn_split(v, items, SCN_MAX_CHANNELS);
    if (n <= 0)
        return false;
    for (int i = 0; i < n; i++) {
        if (strlen(items[i]) > SCN_NAME_MAX)
            return false;
        for (const char *c = items[i]; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
                  *c == '_' || *c == '+' || *c == '-'))
                return false;
    }
    return true;
}

/* Sets the list key o (at p) to v (pv: v printable): each item a number in
 * [min, max] (a list of numbers), one of the choices, or a valid lower-case
 * name appearing once. Returns 0 or H5S_ESCENARIO with msg. */
static int set_list(const scn_opt_t *o, char *p, const char *key, const char *v, const char *pv, char *msg, size_t cap)
{
    char *end;
    char ch[256];
    char items[SCN_MAX_CHANNELS][SCN_STR];
    int n = scn_split(v, items, SCN_MAX_CHANNELS);
    if (n <= 0)
        return snprintf(msg, cap, "%s: '%s' is not a comma-separated list of 1 to %d items", key, pv, SCN_MAX_CHANNELS),
               H5S_ESCENARIO;
    for (int i = 0; i < n; i++) {
        if (o->max > 0) { /* a list of numbers in [min, max] */
            char pi[96];
            printable(items[i], pi, sizeof pi);
            errno = 0;
            double d = strtod(items[i], &end);
            if (*end || errno || !isfinite(d))
                return snprintf(msg, cap, "%s: '%s' is not a number", key, pi), H5S_ESCENARIO;
            if (d < o->min || d > o->max)
                return snprintf(msg, cap, "%s: %s is out of range [%g, %g]", key, pi, o->min, o->max), H5S_ESCENARIO;
            continue;
        }
        if (o->choices && choice_index(o->choices, items[i]) < 0) {
            choices_text(o->choices, ch, sizeof ch);
            return snprintf(msg, cap, "%s: '%s' is not one of: %s", key, items[i], ch), H5S_ESCENARIO;
        }
        if (!o->choices) {
            for (const char *c = items[i]; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    return snprintf(msg, cap, "%s: '%s' must be lower case (MTH5 0.2.0)", key, items[i]), H5S_ESCENARIO;
            if (!valid_name(items[i]))
                return snprintf(msg, cap, "%s: '%s' is not a valid name", key, items[i]), H5S_ESCENARIO;
            for (int j = 0; j < i; j++)
                if (!strcmp(items[i], items[j]))
                    return snprintf(msg, cap, "%s: '%s' appears twice", key, items[i]), H5S_ESCENARIO;
        }
    }
    if (strlen(v) >= o->size)
        return snprintf(msg, cap, "%s: list too long", key), H5S_ESCENARIO;
    snprintf(p, o->size, "%s", v);
    return 0;
}

/* Sets option key of s from value (trimmed) after checking it against the
 * option's type, range, choices or naming rules. Returns 0, or H5S_ESCENARIO
 * with the reason in msg (cap bytes). */
static int set_raw(scn_t *s, const char *key, const char *value, char *msg, size_t cap)
{
    const scn_opt_t *o = find_opt(key);
    char *p = (char *)s + (o ? o->offset : 0);
    char *end;
    char tmp[SCN_PATH];
    char ch[256];
    char pk[96], pv[96];
    printable(key, pk, sizeof pk);
    if (!o)
        return snprintf(msg, cap, "unknown key '%s' (see 'h5swmr run --help')", pk), H5S_ESCENARIO;
    if (strlen(value) >= sizeof tmp)
        return snprintf(msg, cap, "%s: value too long", key), H5S_ESCENARIO;
    snprintf(tmp, sizeof tmp, "%s", value);
    char *v = trim(tmp);
    printable(v, pv, sizeof pv);
    switch (o->type) {
    case OPT_INT: {
        errno = 0;
        double d = strtod(v, &end);
        if (!*v || *end || errno || d != floor(d) || !isfinite(d))
            return snprintf(msg, cap, "%s: '%s' is not a whole number", key, pv), H5S_ESCENARIO;
        if (d < o->min || d > o->max)
            return snprintf(msg, cap, "%s: %s is out of range [%.15g, %.15g]", key, pv, o->min, o->max), H5S_ESCENARIO;
        *(int64_t *)p = (int64_t)d;
        return 0;
    }
    case OPT_DOUBLE: {
        errno = 0;
        double d = strtod(v, &end);
        if (!*v || *end || errno || !isfinite(d))
            return snprintf(msg, cap, "%s: '%s' is not a number", key, pv), H5S_ESCENARIO;
        if (d < o->min || d > o->max)
            return snprintf(msg, cap, "%s: %s is out of range [%g, %g]", key, pv, o->min, o->max), H5S_ESCENARIO;
        *(double *)p = d;
        return 0;
    }
    case OPT_BOOL:
        if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
            *(bool *)p = true;
        else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
            *(bool *)p = false;
        else
            return snprintf(msg, cap, "%s: '%s' is not a boolean (true/false)", key, pv), H5S_ESCENARIO;
        return 0;
    case OPT_ENUM: {
        int i = choice_index(o->choices, v);
        if (i < 0) {
            choices_text(o->choices, ch, sizeof ch);
            return snprintf(msg, cap, "%s: '%s' is not one of: %s", key, pv, ch), H5S_ESCENARIO;
        }
        *(int *)p = i;
        return 0;
    }
    case OPT_LIST: return set_list(o, p, key, v, pv, msg, cap);
    case OPT_STRING:
        if (strlen(v) >= o->size)
            return snprintf(msg, cap, "%s: value too long (at most %zu characters)", key, o->size - 1), H5S_ESCENARIO;
        if ((o->offset == offsetof(scn_t, survey) || o->offset == offsetof(scn_t, station) ||
             o->offset == offsetof(scn_t, run)) &&
            !valid_name(v))
            return snprintf(msg, cap, "%s: '%s' is not a valid group name (1-63 characters, no '/')", key, pv),
                   H5S_ESCENARIO;
        if (o->offset == offsetof(scn_t, reader_python) && !v[0])
            return snprintf(msg, cap, "%s: empty command (give the program to run, or leave the key out)", key),
                   H5S_ESCENARIO;
        if (o->offset == offsetof(scn_t, reader_cmd))
            s->reader_cmd_blank = !v[0]; /* given, but blank: scn_validate refuses it */
        if (o->offset == offsetof(scn_t, reader_name) && v[0] && !valid_reader_names(v))
            return snprintf(msg, cap,
                            "%s: '%s' is not a comma-separated list of names (letters, digits and ._+-, at most %d "
                            "characters each)",
                            key, pv, SCN_NAME_MAX),
                   H5S_ESCENARIO;
        snprintf(p, o->size, "%s", v);
        return 0;
    }
    return H5S_ESCENARIO;
}

int scn_set(scn_t *s, const char *key, const char *value, char *msg, size_t cap)
{
    int rc = set_raw(s, key, value, msg, cap);
    if (rc < 0) /* user text in the message stays on one line */
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    return rc;
}

void scn_defaults(scn_t *s)
{
    char msg[256];
    memset(s, 0, sizeof *s);
    for (const scn_opt_t *o = options; o->name; o++)
        if (!(o->type == OPT_STRING && !o->dflt[0]) /* memset made it "" */ &&
            scn_set(s, o->name, o->dflt, msg, sizeof msg) < 0)
            abort(); /* a bad default is a bug in the table */
    snprintf(s->name, sizeof s->name, "global");
    snprintf(s->scenario, sizeof s->scenario, "cli");
}

void scn_format(const scn_t *s, const scn_opt_t *o, char *buf, size_t cap)
{
    const char *p = (const char *)s + o->offset;
    switch (o->type) {
    case OPT_INT: snprintf(buf, cap, "%lld", (long long)*(const int64_t *)p); break;
    case OPT_DOUBLE: {
        /* the shortest text that reads back as the same double */
        double v = *(const double *)p;
        for (int prec = 6; prec <= 17; prec++) {
            snprintf(buf, cap, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
        break;
    }
    case OPT_BOOL: snprintf(buf, cap, "%s", *(const bool *)p ? "true" : "false"); break;
    case OPT_ENUM: snprintf(buf, cap, "%s", o->choices[*(const int *)p]); break;
    case OPT_LIST:
    case OPT_STRING: snprintf(buf, cap, "%s", p); break;
    }
}

/* Copies the next word of the command line at *cmd (blanks separate,
 * '...' and "..." quote, as reader_cmd is split) into out and moves *cmd past
 * it. Returns false when no word is left. */
static bool next_word(const char **cmd, char *out, size_t cap)
{
    size_t n = 0;
    char q = 0;
    const char *p = *cmd;
    while (*p == ' ' || *p == '\t')
        p++;
    bool any = *p != '\0';
    for (; *p && (q || (*p != ' ' && *p != '\t')); p++) {
        if (!q && (*p == '\'' || *p == '"'))
            q = *p;
        else if (q && *p == q)
            q = 0;
        else if (n + 1 < cap)
            out[n++] = *p;
    }
    out[n] = '\0';
    *cmd = p;
    return any;
}

/* The data file's path for checking reader_cmd: the file itself when it is
 * set, else a stand-in as long as the longest path a run, sweep or stress
 * run can give it under results_dir (its directory, a configuration's
 * directory and the file's name). malloc'd; NULL when out of memory. */
static char *file_standin(const scn_t *s)
{
    if (s->file[0])
        return strdup(s->file);
    size_t n = strlen(s->results_dir) + strlen(s->scenario) + strlen(s->name) + 128;
    char *f = malloc(n + 1);
    if (f) {
        memset(f, 'f', n);
        f[n] = '\0';
    }
    return f;
}

/* Checks the external reader kinds in use: cmd needs reader_cmd, a command
 * line the adapter can split and run (cmdl_check: words, their length with
 * the placeholders replaced, the program and its #! interpreter), and the
 * program each kind runs must exist. Returns 0 or H5S_ESCENARIO with msg. */
static int validate_reader_kinds(const scn_t *s, char *msg, size_t cap)
{
    bool used[4] = {false};
    for (int i = 0; s->reader_mode == SCN_READER_H5SWMR && i < s->readers && i < SCN_MAX_CHANNELS; i++)
        used[scn_reader_kind(s, i)] = true;
    char why[512];
    if (used[SCN_KIND_CMD] && !s->reader_cmd[0])
        return snprintf(msg, cap, "reader_kind = cmd needs reader_cmd, the command to run"), H5S_ESCENARIO;
    if (used[SCN_KIND_CMD]) {
        char self[4096] = "h5swmr";
        ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
        if (sl > 0)
            self[sl] = '\0';
        char *file = file_standin(s);
        if (!file)
            return snprintf(msg, cap, "out of memory"), H5S_ESCENARIO;
        cmdl_vars_t v = {
            .file = file, .self = self, .poll_ms = s->poll_ms, .index = (int)s->readers, .verify = s->verify};
        int rc = cmdl_check(s->reader_cmd, &v, why, sizeof why);
        size_t flen = strlen(file);
        free(file);
        if (rc == CMDL_ETOOLONG && !s->file[0])
            return snprintf(msg, cap,
                            "reader_cmd: %s (with {file} counted as %zu characters, the longest a run can make the "
                            "data file's path under results_dir; set file to count its own)",
                            why, flen),
                   H5S_ESCENARIO;
        if (rc < 0)
            return snprintf(msg, cap, "reader_cmd: %s", why), H5S_ESCENARIO;
    }
    if (used[SCN_KIND_H5PY] && cmdl_check_program(s->reader_python, why, sizeof why) < 0)
        return snprintf(msg, cap, "reader_python: %s", why), H5S_ESCENARIO;
    return 0;
}

int scn_validate(const scn_t *s, char *msg, size_t cap)
{
    char items[SCN_MAX_CHANNELS][SCN_STR];
    if (s->realtime && s->sample_rate <= 0)
        return snprintf(msg, cap, "realtime = true needs sample_rate > 0"), H5S_ESCENARIO;
    if (s->chunk_samples > 0 && s->compress && s->chunk_samples * 8 > (1 << 30))
        return snprintf(msg, cap, "chunk_samples too large for compression"), H5S_ESCENARIO;
    if (s->flush_every_ms > 0 && s->duration_s > 0 && s->flush_every_ms > s->duration_s * 1000 &&
        s->flush_every_blocks == 0)
        return snprintf(msg, cap,
                        "flush_every_ms (%g) is longer than the run (%g s): nothing would be flushed "
                        "before the end",
                        s->flush_every_ms, s->duration_s),
               H5S_ESCENARIO;
    if ((s->stall_writer_ms > 0) != (s->stall_writer_after_ms > 0))
        return snprintf(msg, cap, "a stall needs both stall_writer_after_ms and stall_writer_ms"), H5S_ESCENARIO;
    if (s->early_reader && s->readers < 1)
        return snprintf(msg, cap, "early_reader needs readers >= 1"), H5S_ESCENARIO;
    if (s->kill_reader > s->readers)
        return snprintf(msg, cap, "kill_reader = %lld but there are only %lld readers", (long long)s->kill_reader,
                        (long long)s->readers),
               H5S_ESCENARIO;
    if (s->writer_mode != SCN_MODE_SWMR && s->readers > 0)
        return snprintf(msg, cap, "writer_mode = %s is a writer-only baseline: set readers = 0",
                        writer_modes[s->writer_mode]),
               H5S_ESCENARIO;
    for (const char *q = s->reader_cmd, *open = NULL; *q || open; q++) {
        if (!*q)
            return snprintf(msg, cap,
                            "reader_cmd: unterminated %c quote (words are split on blanks, '...' and "
                            "\"...\" quote)",
                            *open),
                   H5S_ESCENARIO;
        if (!open && (*q == '\'' || *q == '"'))
            open = q;
        else if (open && *q == *open)
            open = NULL;
    }
    if (s->reader_cmd_blank)
        return snprintf(msg, cap, "reader_cmd: empty command (give the program to run, or leave the key out)"),
               H5S_ESCENARIO;
    int krc = validate_reader_kinds(s, msg, cap);
    if (krc < 0)
        return krc;
    if (s->reader_mode == SCN_READER_BARE && s->workload != SCN_APPEND)
        return snprintf(msg, cap, "reader_mode = bare follows the append workload only"), H5S_ESCENARIO;
    if (s->writer_mode != SCN_MODE_SWMR && s->workload == SCN_STRUCTURE)
        return snprintf(msg, cap, "writer_mode = %s works with the append workload only", writer_modes[s->writer_mode]),
               H5S_ESCENARIO;
    if (s->sweep[0]) {
        scn_axis_t *axes = calloc(16, sizeof *axes);
        if (!axes)
            return snprintf(msg, cap, "out of memory"), H5S_ESCENARIO;
        int n = scn_parse_sweep(s->sweep, axes, 16, msg, cap);
        free(axes);
        if (n < 0)
            return n;
    }
    if (scn_split(s->channels, items, SCN_MAX_CHANNELS) <= 0)
        return snprintf(msg, cap, "channels: empty list"), H5S_ESCENARIO;
    if (!strcmp(s->run, "") || !strcmp(s->survey, "") || !strcmp(s->station, ""))
        return snprintf(msg, cap, "survey, station and run must be set"), H5S_ESCENARIO;
    if (s->file[0]) {
        struct stat st;
        if (stat(s->file, &st) == 0 && S_ISDIR(st.st_mode))
            return snprintf(msg, cap, "file: '%s' is a directory", s->file), H5S_ESCENARIO;
    }
    return 0;
}

int scn_channel_names(const scn_t *s, char (*names)[SCN_STR], int max)
{
    static const char *const mt[] = {"ex", "ey", "hx", "hy", "hz"};
    if (s->nchannels <= 0)
        return scn_split(s->channels, names, max < SCN_MAX_CHANNELS ? max : SCN_MAX_CHANNELS);
    int n = (int)s->nchannels < max ? (int)s->nchannels : max;
    for (int i = 0; i < n; i++) {
        if (i < 5)
            snprintf(names[i], SCN_STR, "%s", mt[i]);
        else
            snprintf(names[i], SCN_STR, "a%04d", i);
    }
    return n;
}

static int parse_axes(char *buf, scn_axis_t *axes, int max, char *msg, size_t cap);

int scn_parse_sweep(const char *spec, scn_axis_t *axes, int max, char *msg, size_t cap)
{
    char *buf = strdup(spec); /* any length: nothing is cut */
    if (!buf)
        return snprintf(msg, cap, "out of memory"), H5S_ENOMEM;
    int n = parse_axes(buf, axes, max, msg, cap);
    free(buf);
    return n;
}

/* scn_parse_sweep's work on a writable copy of the spec. */
static int parse_axes(char *buf, scn_axis_t *axes, int max, char *msg, size_t cap)
{
    char *save = NULL;
    int n = 0;
    scn_t scratch;
    for (char *tok = strtok_r(buf, " \t;", &save); tok; tok = strtok_r(NULL, " \t;", &save)) {
        char pt[96];
        printable(tok, pt, sizeof pt);
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1])
            return snprintf(msg, cap, "sweep: '%s' is not key=v1,v2,...", pt), H5S_ESCENARIO;
        *eq = '\0';
        printable(tok, pt, sizeof pt);
        const scn_opt_t *o = find_opt(tok);
        if (!o)
            return snprintf(msg, cap, "sweep: unknown key '%s'", pt), H5S_ESCENARIO;
        if ((o->type == OPT_LIST && !o->choices) || o->type == OPT_STRING || !strcmp(tok, "sweep"))
            return snprintf(msg, cap, "sweep: '%s' cannot be swept (only numbers, booleans and choices)", pt),
                   H5S_ESCENARIO;
        if (n == max)
            return snprintf(msg, cap, "sweep: more than %d axes", max), H5S_ESCENARIO;
        for (int i = 0; i < n; i++)
            if (!strcmp(axes[i].key, tok))
                return snprintf(msg, cap, "sweep: '%s' appears twice", pt), H5S_ESCENARIO;
        scn_axis_t *a = &axes[n];
        memset(a, 0, sizeof *a);
        snprintf(a->key, sizeof a->key, "%s", tok);
        char *vsave = NULL;
        for (char *v = strtok_r(eq + 1, ",", &vsave); v; v = strtok_r(NULL, ",", &vsave)) {
            char m[300];
            if (a->n == 64)
                return snprintf(msg, cap, "sweep: more than 64 values for '%s'", pt), H5S_ESCENARIO;
            scn_defaults(&scratch);
            if (scn_set(&scratch, tok, v, m, sizeof m) < 0)
                return snprintf(msg, cap, "sweep: %s", m), H5S_ESCENARIO;
            v = trim(v);
            if (strlen(v) >= SCN_STR)
                return snprintf(msg, cap, "sweep: a value of '%s' is longer than %d characters", pt, SCN_STR - 1),
                       H5S_ESCENARIO;
            for (int k = 0; k < a->n; k++) {
                scn_t other;
                char fa[SCN_STR], fb[SCN_STR];
                scn_defaults(&other);
                scn_set(&other, tok, a->values[k], m, sizeof m);
                scn_format(&scratch, o, fa, sizeof fa);
                scn_format(&other, o, fb, sizeof fb);
                if (!strcmp(fa, fb)) {
                    char pv[96];
                    printable(v, pv, sizeof pv);
                    return snprintf(msg, cap, "sweep: '%s' lists the value '%s' twice", pt, pv), H5S_ESCENARIO;
                }
            }
            snprintf(a->values[a->n++], SCN_STR, "%s", v);
        }
        if (a->n == 0)
            return snprintf(msg, cap, "sweep: no values for '%s'", pt), H5S_ESCENARIO;
        n++;
    }
    return n;
}

scn_refresh_t scn_reader_refresh(const scn_t *s, int i)
{
    char items[SCN_MAX_CHANNELS][SCN_STR];
    int n = scn_split(s->reader_refresh, items, SCN_MAX_CHANNELS);
    if (n <= 0)
        return SCN_REFRESH;
    return (scn_refresh_t)choice_index(refreshes, items[i % n]);
}

const char *scn_refresh_name(scn_refresh_t r)
{
    return refreshes[r];
}

double scn_reader_delay(const scn_t *s, int i)
{
    char items[SCN_MAX_CHANNELS][SCN_STR];
    int n = scn_split(s->reader_delay_s, items, SCN_MAX_CHANNELS);
    if (n <= 0 || i < 0)
        return 0;
    double d = strtod(items[i % n], NULL);
    return isfinite(d) && d > 0 ? d : 0;
}

scn_reader_kind_t scn_reader_kind(const scn_t *s, int i)
{
    char items[SCN_MAX_CHANNELS][SCN_STR];
    int n = scn_split(s->reader_kind, items, SCN_MAX_CHANNELS);
    if (n <= 0)
        return SCN_KIND_H5SWMR;
    int k = choice_index(reader_kinds, items[i % n]);
    return k < 0 ? SCN_KIND_H5SWMR : (scn_reader_kind_t)k;
}

const char *scn_reader_kind_name(scn_reader_kind_t k)
{
    return reader_kinds[k];
}

/* Whether base (a program's file name) is an interpreter or a launcher that
 * runs the script or program named by a later word. */
static bool is_interpreter(const char *base)
{
    static const char *const names[] = {"env",    "sh",    "bash",    "dash", "zsh", "ksh",  "perl",  "ruby", "node",
                                        "nodejs", "julia", "Rscript", "lua",  "php", "java", "tclsh", NULL};
    for (int i = 0; names[i]; i++)
        if (!strcmp(base, names[i]))
            return true;
    /* python, python3, python3.11, pypy3 ... */
    return !strncmp(base, "python", 6) || !strncmp(base, "pypy", 4);
}

/* The name of the program reader_cmd runs: the file name of its first word
 * that is not an interpreter, an option or a VAR=value (python3 -u mon.py:
 * mon.py; python3 -m pkg.mon: pkg.mon; a placeholder {h5swmr}: h5swmr). */
static void cmd_name(const char *cmd, char *out, size_t cap)
{
    char word[SCN_PATH], interp[SCN_PATH] = "";
    bool module = false;
    out[0] = '\0';
    while (next_word(&cmd, word, sizeof word)) {
        const char *base = strrchr(word, '/') ? strrchr(word, '/') + 1 : word;
        if (module) {
            snprintf(out, cap, "%s", word);
            return;
        }
        if (interp[0] && word[0] == '-') {
            if (!strcmp(word, "-m"))
                module = true;
            else if (!strcmp(word, "-c") || !strcmp(word, "-e"))
                break; /* code on the command line: the interpreter is the name */
            continue;
        }
        if (interp[0] && strchr(word, '=') && !strcmp(interp, "env"))
            continue;
        if (is_interpreter(base)) {
            snprintf(interp, sizeof interp, "%s", base);
            continue;
        }
        if (!strcmp(base, "{h5swmr}"))
            base = "h5swmr";
        snprintf(out, cap, "%s", base);
        return;
    }
    snprintf(out, cap, "%s", interp[0] ? interp : "cmd");
}

void scn_reader_name(const scn_t *s, int i, char *out, size_t cap)
{
    char items[SCN_MAX_CHANNELS][SCN_STR];
    int n = s->reader_name[0] ? scn_split(s->reader_name, items, SCN_MAX_CHANNELS) : 0;
    if (n > 0 && i >= 0) {
        snprintf(out, cap, "%s", items[i % n]);
        return;
    }
    scn_reader_kind_t k = scn_reader_kind(s, i);
    if (s->reader_mode == SCN_READER_BARE)
        snprintf(out, cap, "bare");
    else if (k == SCN_KIND_CMD)
        cmd_name(s->reader_cmd, out, cap);
    else
        snprintf(out, cap, "%s", reader_kinds[k]);
    /* a name stands in a table column and in messages: one word, bounded */
    for (char *c = out; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            *c = '_';
    if (strlen(out) > SCN_NAME_MAX)
        out[SCN_NAME_MAX] = '\0';
}

/* ---- files -------------------------------------------------------------- */

typedef struct entry {
    char section[SCN_STR];
    char key[SCN_STR];
    char value[SCN_PATH];
} entry_t;

typedef struct parse_ctx {
    entry_t *e;
    size_t n, cap;
    char msg[512]; /* the first error found by the reader or the handler */
    int msg_line;  /* its line */
    bool failed;
    char sections[64][SCN_STR];
    size_t nsections;
    const char *next;      /* the reader's position in the text */
    int line;              /* the physical line last handed to inih */
    char section[SCN_STR]; /* the section the reader is in */
} parse_ctx_t;

static int handler(void *user, const char *section, const char *name, const char *value);

/* Records the parse's first error (printf-style) with the line it was found
 * on; later errors are ignored. */
static void ctx_fail(parse_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ctx_fail(parse_ctx_t *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->msg_line = c->line;
    c->failed = true;
}

/* Adds a job section name to the parse's list, unless it is [global] or
 * already listed; more than 64 jobs fail the parse. */
static void add_section(parse_ctx_t *c, const char *name)
{
    if (!strcmp(name, "global"))
        return;
    for (size_t i = 0; i < c->nsections; i++)
        if (!strcmp(c->sections[i], name))
            return;
    if (c->nsections == 64) {
        ctx_fail(c, "more than 64 jobs");
        return;
    }
    snprintf(c->sections[c->nsections++], SCN_STR, "%s", name);
}

/* inih's line reader over the file's text: one physical line per call, so
 * that c->line is the line the handler is called for; leading blanks are
 * dropped (no continuation lines); section headers are recorded here, since
 * this inih build does not report sections without keys; a line longer than
 * inih's buffer is an error rather than two lines. */
static char *read_line(char *str, int num, void *stream)
{
    parse_ctx_t *c = stream;
    if (!*c->next)
        return NULL;
    const char *p = c->next, *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    c->next = eol ? eol + 1 : p + len;
    c->line++;
    while (len && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }
    if (len + 2 > (size_t)num) {
        /* longer than inih's buffer: a long "key = value" is handled here,
         * anything else is an error; inih gets a comment line instead */
        char *tmp = strndup(p, len);
        char *eq = tmp ? strchr(tmp, '=') : NULL;
        if (!tmp)
            ctx_fail(c, "out of memory");
        else if (!eq || *tmp == ';' || *tmp == '#' || *tmp == '[')
            ctx_fail(c, "line longer than %d characters that is not key = value", num - 2);
        else {
            *eq = '\0';
            char *v = eq + 1, *cm = strstr(v, " ;");
            if (cm)
                *cm = '\0';
            handler(c, c->section, trim(tmp), trim(v));
        }
        free(tmp);
        snprintf(str, (size_t)num, ";\n");
        return str;
    }
    memcpy(str, p, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    if (*p == '[') {
        const char *close = memchr(p, ']', len);
        if (close && (size_t)(close - p - 1) < SCN_STR) {
            char name[SCN_STR];
            memcpy(name, p + 1, (size_t)(close - p - 1));
            name[close - p - 1] = '\0';
            char *t = trim(name);
            snprintf(c->section, sizeof c->section, "%s", t);
            if (*t)
                add_section(c, t);
        }
    }
    return str;
}

/* inih's callback for each key = value: checks the value on a scratch
 * scenario and stores the entry for later. Returns 1 to go on, or 0 to stop
 * the parse after recording the error (a key outside any section, a line too
 * long, a bad value, or no memory). */
static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx_t *c = user;
    scn_t scratch;
    char m[400];
    if (c->failed)
        return 0;
    if (!section[0]) {
        ctx_fail(c, "'%s' is outside any section (start with [global] or [job])", name);
        return 0;
    }
    if (!name) /* a section line (INI_CALL_HANDLER_ON_NEW_SECTION builds only) */
        return 1;
    if (strlen(section) >= SCN_STR || strlen(name) >= SCN_STR || (value && strlen(value) >= SCN_PATH)) {
        ctx_fail(c, "line too long");
        return 0;
    }
    scn_defaults(&scratch);
    if (scn_set(&scratch, name, value ? value : "", m, sizeof m) < 0) {
        ctx_fail(c, "[%s] %s", section, m);
        return 0;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        void *p = realloc(c->e, cap * sizeof *c->e);
        if (!p) {
            ctx_fail(c, "out of memory");
            return 0;
        }
        c->e = p;
        c->cap = cap;
    }
    entry_t *e = &c->e[c->n++];
    snprintf(e->section, sizeof e->section, "%s", section);
    snprintf(e->key, sizeof e->key, "%s", name);
    snprintf(e->value, sizeof e->value, "%s", value ? value : "");
    return 1;
}

/* Applies the n key=value overrides of -o to s in order. Returns 0, or
 * H5S_ESCENARIO in err for the first one that is malformed or refused. */
static int apply_overrides(scn_t *s, const char *const *ov, size_t n, h5s_err_t *err)
{
    char m[400];
    for (size_t i = 0; i < n; i++) {
        char kv[SCN_PATH + SCN_STR];
        snprintf(kv, sizeof kv, "%s", ov[i]);
        char *eq = strchr(kv, '=');
        char shown[96];
        printable(ov[i], shown, sizeof shown);
        if (!eq)
            return h5s_seterr(err, H5S_ESCENARIO, "-o %s: expected key=value", shown);
        *eq = '\0';
        if (scn_set(s, trim(kv), eq + 1, m, sizeof m) < 0)
            return h5s_seterr(err, H5S_ESCENARIO, "-o %s: %s", shown, m);
    }
    return 0;
}

/* Checks the whole job s once all its settings are in; where names the file
 * (or the options) it came from. Returns 0, or H5S_ESCENARIO in err. */
static int finish_job(scn_t *s, const char *where, h5s_err_t *err)
{
    char m[400];
    if (scn_validate(s, m, sizeof m) < 0)
        return h5s_seterr(err, H5S_ESCENARIO, "%s [%s]: %s", where, s->name, m);
    return 0;
}

int scn_load(const char *path, const char *const *ov, size_t nov, scn_file_t *out, h5s_err_t *err)
{
    parse_ctx_t c = {0};
    char *buf = NULL;
    int rc = 0;
    struct stat st;
    memset(out, 0, sizeof *out);
    /* a FIFO or a device given as a scenario is refused at once, never read */
    char why[256];
    FILE *f = h5s_open_input(path, 0, why, sizeof why);
    if (!f)
        return h5s_seterr(err, H5S_ESCENARIO, "%s: %s", path, why);
    fstat(fileno(f), &st);
    if (st.st_size > (1 << 20)) {
        fclose(f);
        return h5s_seterr(err, H5S_ESCENARIO, "%s: larger than 1 MiB, not a scenario file", path);
    }
    buf = calloc(1, (size_t)st.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!buf)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    if (got != (size_t)st.st_size) {
        free(buf);
        return h5s_seterr(err, H5S_ESCENARIO, "%s: read error", path);
    }
    if (memchr(buf, '\0', got)) {
        free(buf);
        return h5s_seterr(err, H5S_ESCENARIO, "%s: binary data (NUL byte), not an INI scenario file", path);
    }
    c.next = buf;
    int line = ini_parse_stream(read_line, &c, handler, &c);
    free(buf);
    if (line != 0 || c.failed) {
        /* inih reports its first error's line; ours may be another, earlier or later */
        if (line < 0)
            rc = h5s_seterr(err, H5S_ESCENARIO, "%s: cannot parse", path);
        else if (c.failed && (line == 0 || c.msg_line <= line))
            rc = h5s_seterr(err, H5S_ESCENARIO, "%s:%d: %s", path, c.msg_line, c.msg);
        else
            rc = h5s_seterr(err, H5S_ESCENARIO, "%s:%d: syntax error (expected [section] or key = value)", path, line);
        goto done;
    }
    if (c.n == 0 && c.nsections == 0) {
        rc = h5s_seterr(err, H5S_ESCENARIO, "%s: no settings (an empty scenario file)", path);
        goto done;
    }
    size_t njobs = c.nsections ? c.nsections : 1;
    out->jobs = calloc(njobs, sizeof *out->jobs);
    if (!out->jobs) {
        rc = h5s_seterr(err, H5S_ENOMEM, "out of memory");
        goto done;
    }
    char base[SCN_PATH];
    snprintf(base, sizeof base, "%s", path);
    char *b = basename(base);
    char *dot = strrchr(b, '.');
    if (dot && dot != b)
        *dot = '\0';
    for (size_t j = 0; j < njobs; j++) {
        scn_t *s = &out->jobs[j];
        char m[400];
        scn_defaults(s);
        snprintf(s->scenario, sizeof s->scenario, "%s", b);
        snprintf(s->name, sizeof s->name, "%s", c.nsections ? c.sections[j] : "global");
        /* global first, then the job's own keys, each in file order */
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < c.n; i++) {
                bool g = !strcmp(c.e[i].section, "global");
                if ((pass == 0 && g) || (pass == 1 && !g && !strcmp(c.e[i].section, s->name)))
                    if (scn_set(s, c.e[i].key, c.e[i].value, m, sizeof m) < 0) {
                        rc = h5s_seterr(err, H5S_ESCENARIO, "%s: %s", path, m);
                        goto done;
                    }
            }
        if ((rc = apply_overrides(s, ov, nov, err)) < 0 || (rc = finish_job(s, path, err)) < 0)
            goto done;
    }
    out->njobs = njobs;
done:
    free(c.e);
    if (rc < 0) {
        free(out->jobs);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

int scn_load_overrides(const char *name, const char *const *ov, size_t nov, scn_file_t *out, h5s_err_t *err)
{
    int rc;
    memset(out, 0, sizeof *out);
    out->jobs = calloc(1, sizeof *out->jobs);
    if (!out->jobs)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    scn_defaults(out->jobs);
    snprintf(out->jobs->scenario, sizeof out->jobs->scenario, "%s", name);
    if ((rc = apply_overrides(out->jobs, ov, nov, err)) < 0 || (rc = finish_job(out->jobs, "options", err)) < 0) {
        scn_file_free(out);
        return rc;
    }
    out->njobs = 1;
    return 0;
}

void scn_file_free(scn_file_t *f)
{
    if (f) {
        free(f->jobs);
        f->jobs = NULL;
        f->njobs = 0;
    }
}

int scn_write_ini(const scn_t *s, FILE *f)
{
    char v[SCN_PATH];
    fprintf(f, "; resolved scenario '%s', job [%s], written by h5swmr %s\n[global]\n", s->scenario, s->name,
            H5SWMR_VERSION);
    for (const scn_opt_t *o = options; o->name; o++) {
        scn_format(s, o, v, sizeof v);
        if (o->type == OPT_STRING && !v[0] && o->offset == offsetof(scn_t, reader_cmd))
            continue; /* "reader_cmd =" would read back as an empty command */
        for (char *p = v; *p; p++)
            if (*p == ';' || *p == '#')
                *p = ' '; /* inih would take them for comments */
        fprintf(f, "%s = %s\n", o->name, v);
    }
    return ferror(f) ? -1 : 0;
}

void scn_print_help(FILE *out)
{
    static const char *const tn[] = {"int", "number", "bool", "string", "enum", "list"};
    char ch[256];
    fprintf(out, "Scenario keys (INI: [global] and job sections; or -o key=value):\n\n");
    for (const scn_opt_t *o = options; o->name; o++) {
        fprintf(out, "  %-20s %-7s default %s", o->name, tn[o->type], o->dflt[0] ? o->dflt : "\"\"");
        if (o->type == OPT_INT || o->type == OPT_DOUBLE || (o->type == OPT_LIST && o->max > 0))
            fprintf(out, ", range [%.15g, %.15g]", o->min, o->max);
        if (o->choices) {
            choices_text(o->choices, ch, sizeof ch);
            fprintf(out, ", one of: %s", ch);
        }
        fprintf(out, "\n      %s\n", o->help);
    }
}
