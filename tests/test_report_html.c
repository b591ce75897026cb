/* test_report_html.c - h5swmr report with the real program: the report.html
 * of scenarios/sweep_quick.ini (every job, each run 0.3 s) rendered by
 * headless Chromium (the screenshot's size and content, every plot loaded and
 * drawn) and its lag_vs_flush plot one panel per job with no two lines of a
 * panel alike, text from files escaped (a hostile job name, results path and
 * host name), a report.html that h5swmr did not write never replaced, check
 * outcomes from JUnit and TAP, and ci/hdf5-matrix's table. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "svgplot.h"
#include "testutil.h"

TestSuite(report_html, .init = tu_setup, .fini = tu_teardown, .timeout = 240);

static char g_out[65536];

/* Runs h5swmr with args; returns its exit status (asserts it ended). */
static int h5(const char *const *args)
{
    int status;
    cr_assert_eq(tu_run_args(H5SWMR_BIN, args, 120000, &status, g_out, sizeof g_out), 0, "h5swmr hung: %s", g_out);
    cr_assert(WIFEXITED(status), "%s: %s", tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

/* The only entry of dir whose name starts with prefix, into out. */
static void only_entry(const char *dir, const char *prefix, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "no %s", dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, prefix, strlen(prefix))) {
            snprintf(out, cap, "%s/%s", dir, e->d_name);
            n++;
        }
    closedir(d);
    cr_assert_eq(n, 1, "%d entries %s* in %s", n, prefix, dir);
}

/* The number of entries of dir whose name ends in suffix. */
static int count_suffix(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name), s = strlen(suffix);
        n += l > s && !strcmp(e->d_name + l - s, suffix);
    }
    closedir(d);
    return n;
}

/* The whole file as a NUL-terminated string (freed by the caller). */
static char *slurp(const char *path)
{
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(path, &buf, &len), 0, "cannot read %s", path);
    return (char *)buf;
}

/* How many times needle occurs in text. */
static int occurrences(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- headless Chromium ---------------------------------------------------------- */

/* Whether a process other than this one has marker in its command line. */
static pid_t process_with(const char *marker)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    pid_t found = 0;
    while (d && !found && (e = readdir(d))) {
        char path[300], cmd[8192];
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0 || pid == getpid())
            continue;
        snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, cmd, sizeof cmd - 1) : -1;
        if (fd >= 0)
            close(fd);
        for (ssize_t i = 0; i < n; i++)
            cmd[i] = cmd[i] ? cmd[i] : ' ';
        cmd[n > 0 ? n : 0] = '\0';
        if (n > 0 && strstr(cmd, marker))
            found = pid;
    }
    if (d)
        closedir(d);
    return found;
}

/* Runs headless Chromium on url in its own process group, with its own
 * profile directory, its stdout (the DOM) into dom_path and a screenshot of
 * w x h into png_path. Waits at most timeout_ms; every process of it is
 * killed and reaped afterwards (this process is their subreaper), and none
 * may be left. Returns its exit status. */
static int chromium(const char *url, const char *dom_path, const char *png_path, int w, int h, int timeout_ms)
{
    char shot[1200], size[64], profile[1200];
    snprintf(shot, sizeof shot, "--screenshot=%s", png_path);
    snprintf(size, sizeof size, "--window-size=%d,%d", w, h);
    snprintf(profile, sizeof profile, "--user-data-dir=%s", tu_path("chromium-profile"));
    const char *argv[] = {"chromium",
                          "--headless",
                          "--no-sandbox",
                          "--disable-gpu",
                          "--hide-scrollbars",
                          "--no-first-run",
                          "--disable-crash-reporter",
                          "--disable-extensions",
                          profile,
                          "--dump-dom",
                          shot,
                          size,
                          url,
                          NULL};
    cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setpgid(0, 0);
        int out = open(dom_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int err = open(tu_path("chromium.log"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (out < 0 || err < 0 || in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with the child's own call */
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0), status = 0;
    cr_assert_geq(pfd, 0);
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    int ready = poll(&p, 1, timeout_ms);
    close(pfd);
    /* the browser and whatever it started: killed, reaped */
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
    while (waitpid(-pid, NULL, WNOHANG) > 0 || (kill(-pid, 0) == 0 && waitpid(-pid, NULL, 0) > 0))
        ;
    pid_t left = process_with(tu_path("chromium-profile"));
    if (left)
        kill(left, SIGKILL);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    cr_assert_eq(left, 0, "a Chromium process (%d) outlived its run", (int)left);
    cr_assert_gt(ready, 0, "headless Chromium did not finish within %d s", timeout_ms / 1000);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 127,
              "chromium is not installed (ci/setup installs Debian's chromium): %s", tu_status_str(status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A decoded 8-bit RGB or RGBA PNG. */
typedef struct png {
    uint32_t w, h;
    int channels;
    unsigned char *px; /* w * h * channels */
} png_t;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The Paeth predictor of PNG's filter 4. */
static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Decodes the PNG at path (8-bit RGB/RGBA, not interlaced: what Chromium
 * writes), asserting on anything else. */
static png_t png_decode(const char *path)
{
    unsigned char *buf;
    size_t len;
    png_t img = {0};
    cr_assert_eq(tu_read_file(path, &buf, &len), 0, "no screenshot %s", path);
    cr_assert(len > 33 && !memcmp(buf, "\x89PNG\r\n\x1a\n", 8) && !memcmp(buf + 12, "IHDR", 4), "%s is not a PNG",
              path);
    img.w = be32(buf + 16);
    img.h = be32(buf + 20);
    int depth = buf[24], type = buf[25], interlace = buf[28];
    cr_assert(depth == 8 && (type == 2 || type == 6) && !interlace, "PNG depth %d type %d interlace %d", depth, type,
              interlace);
    img.channels = type == 6 ? 4 : 3;
    /* the IDAT chunks, inflated */
    size_t stride = (size_t)img.w * (size_t)img.channels, raw_len = (stride + 1) * img.h;
    unsigned char *raw = malloc(raw_len);
    cr_assert_not_null(raw);
    z_stream z = {0};
    cr_assert_eq(inflateInit(&z), Z_OK);
    z.next_out = raw;
    z.avail_out = (uInt)raw_len;
    int zr = Z_OK;
    for (size_t off = 8; off + 12 <= len && zr == Z_OK;) {
        uint32_t n = be32(buf + off);
        cr_assert(off + 12 + n <= len, "PNG chunk past the end");
        if (!memcmp(buf + off + 4, "IDAT", 4)) {
            z.next_in = buf + off + 8;
            z.avail_in = n;
            zr = inflate(&z, Z_NO_FLUSH);
        }
        off += 12 + n;
    }
    inflateEnd(&z);
    cr_assert(zr == Z_STREAM_END && z.total_out == raw_len, "PNG data did not inflate (%d, %lu of %zu bytes)", zr,
              z.total_out, raw_len);
    /* undo each row's filter */
    img.px = malloc(stride * img.h);
    cr_assert_not_null(img.px);
    int bpp = img.channels;
    for (uint32_t y = 0; y < img.h; y++) {
        const unsigned char *in = raw + y * (stride + 1) + 1;
        unsigned char *row = img.px + y * stride, *up = y ? row - stride : NULL;
        int f = in[-1];
        cr_assert(f <= 4, "PNG filter %d", f);
        for (size_t x = 0; x < stride; x++) {
            int a = x >= (size_t)bpp ? row[x - bpp] : 0, b = up ? up[x] : 0,
                c = up && x >= (size_t)bpp ? up[x - bpp] : 0;
            int pred = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : paeth(a, b, c);
            row[x] = (unsigned char)(in[x] + pred);
        }
    }
    free(raw);
    free(buf);
    return img;
}

/* In the rows [y0, y1) of img: how many pixels are not white, and how many
 * distinct colours there are (counted up to 4096, in a small hash). */
static void png_content(const png_t *img, uint32_t y0, uint32_t y1, long *ink, int *colours)
{
    static uint32_t seen[8192];
    memset(seen, 0, sizeof seen);
    *ink = 0;
    *colours = 0;
    for (uint32_t y = y0; y < y1 && y < img->h; y++)
        for (uint32_t x = 0; x < img->w; x++) {
            const unsigned char *p = img->px + ((size_t)y * img->w + x) * (size_t)img->channels;
            uint32_t rgb = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
            *ink += rgb != 0xffffff;
            uint32_t k = (rgb * 2654435761u) >> 19;
            while (seen[k] && seen[k] != (rgb | 0x1000000u))
                k = (k + 1) & 8191;
            if (!seen[k] && *colours < 4096) {
                seen[k] = rgb | 0x1000000u;
                (*colours)++;
            }
        }
}

/* The number of the attribute name="N" in the text from p to the end of its
 * tag, or -1. */
static long tag_number(const char *p, const char *name)
{
    const char *end = strchr(p, '>'), *a = strstr(p, name);
    return a && end && a < end ? atol(a + strlen(name)) : -1;
}

/* scenarios/sweep_quick.ini itself, every job and configuration of it, each
 * run short (0.3 s, one repeat, lag counted from the first flush): its
 * report.html renders in headless Chromium with every plot loaded and drawn,
 * and its lag_vs_flush plot has a panel per job with no two lines of a panel
 * alike (read from the SVG gnuplot drew, the one the page embeds). */
Test(report_html, the_report_of_sweep_quick_renders_in_headless_chromium)
{
#if defined(__SANITIZE_ADDRESS__)
    /* 56 real runs take 45 s under the sanitizers and add no code path that
     * the other tests here (escaping, refusals, check outcomes, the matrix)
     * do not run under them; the plain build runs this, in 30 s */
    cr_skip_test("sweep_quick's 56 runs are left to the plain build (the page code is sanitized by the other tests)");
#endif
    char res[1200], dir[1400], page_path[1600], probe[1600], url[1700];
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    const char *args[] = {"sweep", H5SWMR_SOURCE_DIR "/scenarios/sweep_quick.ini",
                          "-o",    "duration=0.3",
                          "-o",    "repeat=1",
                          "-o",    "lag_warmup_ms=0",
                          "-o",    res,
                          NULL};
    cr_assert_eq(h5(args), 0, "%s", g_out);
    only_entry(tu_path("results"), "sweep_quick-sweep-", dir, sizeof dir);
    snprintf(page_path, sizeof page_path, "%s/report.html", dir);
    /* the sweep wrote it at its end, and said so */
    char said[1700];
    snprintf(said, sizeof said, "report: %s\n", page_path);
    cr_assert(strstr(g_out, said), "the sweep did not announce %s: %s", page_path, g_out);
    int nsvg = count_suffix(dir, ".svg");
    cr_assert_geq(nsvg, 6, "the sweep made %d plots, 6 expected (is gnuplot installed? ci/setup installs it): %s", nsvg,
                  g_out);

    /* lag_vs_flush: a panel per job that has readers, no two lines of a panel alike */
    char svg_path[1600];
    snprintf(svg_path, sizeof svg_path, "%s/lag_vs_flush.svg", dir);
    char *svg = slurp(svg_path);
    static svg_line_t lines[512];
    int nl;
    int panels = svg_assert_lines_distinct(svg, "lag_vs_flush of sweep_quick", lines, &nl);
    cr_assert_eq(panels, 5, "lag_vs_flush of sweep_quick: %d panels, one per job with readers (5) expected", panels);
    static const char *const jobs[] = {"[lag]", "[lag_inotify]", "[lag_floor]", "[reader_kinds]", "[readers]"};
    for (size_t k = 0; k < sizeof jobs / sizeof *jobs; k++) {
        char t[64];
        snprintf(t, sizeof t, "<text>%s</text>", jobs[k]);
        cr_assert(strstr(svg, t), "lag_vs_flush of sweep_quick: no panel titled %s", jobs[k]);
    }
    /* the first panel, [lag]: 3 wake-ups x (h5swmr's reader, the bare HDF5
     * reader), a p50 and a p99 line each, the p99 with its own legend entry */
    int first = 0;
    for (int k = 0; k < nl; k++)
        first += !strcmp(lines[k].panel, lines[0].panel);
    cr_assert_eq(first, 12, "lag_vs_flush of sweep_quick: the [lag] panel has %d lines, 12 expected", first);
    for (int k = 0; k + 1 < first; k += 2) {
        char p99[300];
        snprintf(p99, sizeof p99, "%s p99", lines[k].title);
        cr_assert_str_eq(lines[k + 1].title, p99, "the p99 line of '%s' has no legend entry", lines[k].title);
    }
    free(svg);

    char *page = slurp(page_path);
    cr_assert(strstr(page, "Sweep targets") && strstr(page, "Environment") && strstr(page, "Reproduce"), "%.2000s",
              page);
    cr_assert(!strstr(page, "<script") && !strstr(page, "http://") && !strstr(page, "https://"),
              "the page must need no script and no network");
    cr_assert_eq(occurrences(page, "<img "), nsvg, "every NAME.svg is on the page once");
    /* a copy with a script that marks, once the page has loaded, each image
     * loaded or not (naturalWidth) and where it sits: its DOM after load
     * tells whether any is broken, the screenshot whether each was drawn */
    snprintf(probe, sizeof probe, "%s/probe.html", dir);
    FILE *f = fopen(probe, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "%s<script>addEventListener('load',function(){for(const i of document.images){"
            "const r=i.getBoundingClientRect();"
            "i.setAttribute('data-loaded',i.complete&&i.naturalWidth>0?'yes':'no');"
            "i.setAttribute('data-top',Math.round(r.top+scrollY));i.setAttribute('data-height',Math.round(r.height))}"
            "document.body.setAttribute('data-probe','done');"
            "document.body.setAttribute('data-page-height',document.documentElement.scrollHeight)})</script>\n",
            page);
    fclose(f);
    free(page);
    snprintf(url, sizeof url, "file://%s", probe);
    const int shot_w = 1000, shot_h = 14000;
    int rc = chromium(url, tu_path("dom.html"), tu_path("shot.png"), shot_w, shot_h, 120000);
    char *dom = slurp(tu_path("dom.html"));
    cr_assert_eq(rc, 0, "chromium exited %d (log %s)", rc, tu_path("chromium.log"));
    cr_assert(strstr(dom, "data-probe=\"done\""), "the page never finished loading: %.2000s", dom);
    cr_assert_eq(occurrences(dom, "<img "), nsvg, "the DOM has %d images, the directory %d plots",
                 occurrences(dom, "<img "), nsvg);
    cr_assert_eq(occurrences(dom, "data-loaded=\"yes\""), nsvg, "a plot did not load (broken image)");
    cr_assert_eq(occurrences(dom, "data-loaded=\"no\""), 0);
    long page_h = tag_number(strstr(dom, "<body"), "data-page-height=\"");
    cr_assert(page_h > 1000 && page_h <= shot_h, "the page is %ld px high (the screenshot holds %d)", page_h, shot_h);

    /* the screenshot: the window's size, a page with content (text, tables
     * and plots make many colours; a blank page has one), and each plot drawn
     * where the page put it: lines in several colours, not a blank box */
    png_t img = png_decode(tu_path("shot.png"));
    cr_assert(img.w == (uint32_t)shot_w && img.h == (uint32_t)shot_h, "screenshot %ux%u, not %dx%d", img.w, img.h,
              shot_w, shot_h);
    long ink;
    int colours;
    png_content(&img, 0, (uint32_t)page_h, &ink, &colours);
    cr_assert_gt(ink, (long)img.w * page_h / 100, "the screenshot is almost blank (%ld pixels not white)", ink);
    cr_assert_gt(colours, 50, "the screenshot has %d colours: nothing rendered", colours);
    int drawn = 0;
    for (const char *p = strstr(dom, "<img "); p; p = strstr(p + 1, "<img ")) {
        long top = tag_number(p, "data-top=\""), h = tag_number(p, "data-height=\"");
        cr_assert(top >= 0 && h > 100 && top + h <= shot_h, "a plot at %ld, %ld px high: off the screenshot", top, h);
        png_content(&img, (uint32_t)top, (uint32_t)(top + h), &ink, &colours);
        cr_assert_gt(ink, h * (long)img.w / 200, "the plot at y = %ld was not drawn (%ld pixels not white)", top, ink);
        cr_assert_gt(colours, 8, "the plot at y = %ld has %d colours: its lines were not drawn", top, colours);
        drawn++;
    }
    cr_assert_eq(drawn, nsvg);
    free(dom);
    free(img.px);
}

Test(report_html, text_from_files_is_escaped)
{
    /* a job name and a results path with markup in them; the host name too,
     * where a UTS namespace can be made (root) */
    static const char job[] = "x<b>bold</b>&amp;\"q'<script>alert(1)</script>";
    char ini[600], res[1400], dir[1600], page_path[1700];
    snprintf(ini, sizeof ini,
             "[%s]\nreaders = 1\nmax_blocks = 3\nduration = 0\nrealtime = false\nquiet = true\nchannels = ex\n", job);
    cr_assert_eq(tu_write_text(tu_path("hostile.ini"), ini), 0);
    snprintf(res, sizeof res, "%s/<img src=x onerror=alert(2)>&lt;", tu_dir());
    cr_assert_eq(mkdir(res, 0755), 0);
    char resopt[1500];
    snprintf(resopt, sizeof resopt, "results_dir=%s", res);
    /* the run in a UTS namespace of its own with a host name made of markup,
     * where one can be made (root); else with this host's name */
    int out = open(tu_path("run.log"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert_geq(out, 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        static const char host[] = "<u>host</u>&";
        bool uts = unshare(CLONE_NEWUTS) == 0 && sethostname(host, strlen(host)) == 0;
        if (dup2(out, 1) < 0 || dup2(out, 2) < 0)
            _exit(126);
        if (!uts)
            dprintf(1, "no UTS namespace here: the host name is not tried\n");
        const char *argv[] = {H5SWMR_BIN, "run", tu_path("hostile.ini"), "-o", resopt, NULL};
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out);
    int status, pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    if (pfd < 0 || poll(&p, 1, 60000) != 1)
        kill(pid, SIGKILL); /* the run must end within a minute */
    if (pfd >= 0)
        close(pfd);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    char *log = slurp(tu_path("run.log"));
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the run: %s: %s", tu_status_str(status), log);
    bool uts = !strstr(log, "no UTS namespace");
    if (!uts)
        cr_log_info("no UTS namespace here: the host name is not tried");
    free(log);
    only_entry(res, "hostile-", dir, sizeof dir);
    const char *args[] = {"report", dir, NULL};
    cr_assert_eq(h5(args), 0, "%s", g_out);
    snprintf(page_path, sizeof page_path, "%s/report.html", dir);
    char *page = slurp(page_path);
    cr_assert(!strstr(page, "<b>") && !strstr(page, "<script") && !strstr(page, "<img src=x") && !strstr(page, "<u>"),
              "markup from a file reached the page");
    cr_assert(strstr(page, "x&lt;b&gt;bold&lt;/b&gt;&amp;amp;&quot;q&#39;&lt;script&gt;"), "the job name, escaped");
    cr_assert(strstr(page, "&lt;img src=x onerror=alert(2)&gt;&amp;lt;"), "the results path, escaped");
    if (uts)
        cr_assert(strstr(page, "&lt;u&gt;host&lt;/u&gt;"), "the host name, escaped");
    /* the only tags on the page are the report's own */
    static const char *const allowed[] = {"!DOCTYPE", "!--", "html", "head", "meta",   "title", "style",      "body",
                                          "h1",       "h2",  "h3",   "p",    "code",   "table", "tr",         "th",
                                          "td",       "pre", "ul",   "li",   "figure", "img",   "figcaption", NULL};
    for (const char *t = strchr(page, '<'); t; t = strchr(t + 1, '<')) {
        const char *name = t[1] == '/' ? t + 2 : t + 1;
        bool ok = false;
        for (int k = 0; allowed[k] && !ok; k++)
            ok = !strncmp(name, allowed[k], strlen(allowed[k])) && strchr(" >", name[strlen(allowed[k])]) != NULL;
        cr_assert(ok, "unexpected tag on the page: %.40s", t);
    }
    free(page);
}

Test(report_html, never_replaces_what_it_did_not_write)
{
    char res[1200], dir[1400], page_path[1600], other[1600];
    static const char mine[] = "<html>my own notes</html>\n";
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    cr_assert_eq(tu_write_text(tu_path("one.ini"),
                               "[one]\nreaders = 0\nmax_blocks = 2\nduration = 0\nrealtime = false\nquiet = true\n"),
                 0);
    const char *run[] = {"run", tu_path("one.ini"), "-o", res, NULL};
    cr_assert_eq(h5(run), 0, "%s", g_out);
    only_entry(tu_path("results"), "one-", dir, sizeof dir);
    snprintf(page_path, sizeof page_path, "%s/report.html", dir);
    const char *rep[] = {"report", dir, NULL};

    /* a user's own report.html stays as it is: exit 2, one message */
    cr_assert_eq(tu_write_text(page_path, mine), 0);
    cr_assert_eq(h5(rep), 2, "%s", g_out);
    cr_assert(strstr(g_out, "not written by h5swmr"), "%s", g_out);
    cr_assert(tu_file_equals(page_path, (const unsigned char *)mine, strlen(mine)));
    /* a link there is not followed nor replaced */
    snprintf(other, sizeof other, "%s/elsewhere.html", tu_dir());
    cr_assert_eq(tu_write_text(other, mine), 0);
    cr_assert_eq(unlink(page_path), 0);
    cr_assert_eq(symlink(other, page_path), 0);
    cr_assert_eq(h5(rep), 2, "%s", g_out);
    cr_assert(strstr(g_out, "symbolic link"), "%s", g_out);
    cr_assert(tu_file_equals(other, (const unsigned char *)mine, strlen(mine)));
    struct stat st;
    cr_assert(lstat(page_path, &st) == 0 && S_ISLNK(st.st_mode));
    cr_assert_eq(unlink(page_path), 0);

    /* its own page it writes, and replaces; nothing else is left beside it */
    cr_assert_eq(h5(rep), 0, "%s", g_out);
    cr_assert_eq(h5(rep), 0, "a page h5swmr wrote is replaced: %s", g_out);
    cr_assert_eq(count_suffix(dir, ".html"), 1);
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        cr_assert(strncmp(e->d_name, "report.html.", 12), "a temporary file was left: %s", e->d_name);
    closedir(d);

    /* files it cannot read are noted, not fatal: a summary.json that is not
     * JSON in a run's subdirectory, an SVG that is not one */
    char sub[1600];
    snprintf(sub, sizeof sub, "%s/broken", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    strcat(sub, "/summary.json");
    cr_assert_eq(tu_write_text(sub, "{\"run\": "), 0);
    snprintf(sub, sizeof sub, "%s/plot.svg", dir);
    cr_assert_eq(tu_write_text(sub, "GIF89a"), 0);
    cr_assert_eq(h5(rep), 0, "%s", g_out);
    char *page = slurp(page_path);
    cr_assert(strstr(page, "broken/summary.json: skipped") && strstr(page, "plot.svg: skipped: not an SVG"),
              "the notes: %s", page);
    free(page);

    /* not a results directory: one message, exit 2, nothing created */
    cr_assert_eq(mkdir(tu_path("plain"), 0755), 0);
    cr_assert_eq(tu_write_text(tu_path("plain/notes.txt"), "not results\n"), 0);
    const char *empty[] = {"report", tu_path("plain"), NULL};
    cr_assert_eq(h5(empty), 2, "%s", g_out);
    cr_assert(strstr(g_out, "is not a results directory"), "%s", g_out);
    cr_assert_eq(count_suffix(tu_path("plain"), ".html") + count_suffix(tu_path("plain"), ".txt"), 1,
                 "nothing is created in it");
    const char *missing[] = {"report", tu_path("nothing-here"), NULL};
    cr_assert_eq(h5(missing), 2, "%s", g_out);
    const char *none[] = {"report", NULL};
    cr_assert_eq(h5(none), 2, "%s", g_out);
}

Test(report_html, check_outcomes_from_junit_and_tap)
{
    /* check --junit writes the page beside its JUnit file; a TAP stream
     * saved there as *.tap is read too */
    char junit[1200], page_path[1200], tap[1200];
    cr_assert_eq(mkdir(tu_path("ci"), 0755), 0);
    snprintf(junit, sizeof junit, "%s/check.xml", tu_path("ci"));
    const char *args[] = {"check",
                          "--junit",
                          junit,
                          "--dir",
                          tu_dir(),
                          "--case",
                          "swmr_with_w_refused",
                          "--case",
                          "hdf5_swmr_open_missing",
                          NULL};
    cr_assert_eq(h5(args), 0, "%s", g_out);
    snprintf(page_path, sizeof page_path, "%s/report.html", tu_path("ci"));
    char said[1300];
    snprintf(said, sizeof said, "report: %s\n", page_path);
    cr_assert(strstr(g_out, said), "check did not write the page: %s", g_out);
    char *page = slurp(page_path);
    cr_assert(strstr(page, "Conformance check: check.xml") && strstr(page, "2 cases: 2 as expected"), "%s", page);
    cr_assert(strstr(page, "swmr_with_w_refused") && strstr(page, "hdf5_swmr_open_missing"), "%s", page);
    free(page);
    /* the TAP stream of another check, saved beside it */
    const char *targs[] = {"check", "--tap", "--dir", tu_dir(), "--case", "swmr_with_w_refused", NULL};
    cr_assert_eq(h5(targs), 0, "%s", g_out);
    snprintf(tap, sizeof tap, "%s/check.tap", tu_path("ci"));
    cr_assert_eq(tu_write_text(tap, g_out), 0);
    const char *rep[] = {"report", tu_path("ci"), NULL};
    cr_assert_eq(h5(rep), 0, "a page check wrote is replaced: %s", g_out);
    page = slurp(page_path);
    cr_assert(strstr(page, "Conformance check: check.tap") && strstr(page, "1 case: 1 as expected"), "%s", page);
    free(page);
}

Test(report_html, matrix_table_of_hdf5_versions)
{
    /* ci/hdf5-matrix's matrix.md (as ci/matrix-table writes it): the table
     * with a column per version, its escaped '|' and bold marks, the GREEN
     * line, and the versions in the command that reproduces it */
    char dir[1200], md[1300];
    snprintf(dir, sizeof dir, "%s", tu_path("matrix"));
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(md, sizeof md, "%s/matrix.md", dir);
    cr_assert_eq(tu_write_text(md, "## HDF5 version matrix: system 1.14.6 (2026-12-05T17:00Z, host, 2 cores)\n"
                                   "\n"
                                   "| figure or outcome | system | 1.14.6 | spread | Δ |\n"
                                   "|---|---:|---:|---|:-:|\n"
                                   "| check: as expected | 44/44 | 44/44 |  |  |\n"
                                   "| repro a\\|b <x> | reproduced | fixed |  | **!** |\n"
                                   "\n"
                                   "Matrix: GREEN\n"),
                 0);
    const char *rep[] = {"report", dir, NULL};
    cr_assert_eq(h5(rep), 0, "%s", g_out);
    char page_path[1400];
    snprintf(page_path, sizeof page_path, "%s/report.html", dir);
    char *page = slurp(page_path);
    cr_assert(strstr(page, "<h3>HDF5 version matrix</h3>"), "%s", page);
    cr_assert(
        strstr(page, "<tr><th>figure or outcome</th><th>system</th><th>1.14.6</th><th>spread</th><th>Δ</th></tr>"),
        "%s", page);
    cr_assert(strstr(page, "<td>repro a|b &lt;x&gt;</td><td>reproduced</td><td>fixed</td><td></td><td>!</td>"), "%s",
              page);
    cr_assert(strstr(page, "<p class=\"sum ok\">Matrix: GREEN</p>"), "%s", page);
    cr_assert(strstr(page, "ci/hdf5-matrix system 1.14.6"), "%s", page);
    cr_assert_eq(occurrences(page, "|---"), 0, "the separator line is not a row: %s", page);
    free(page);
}
