/* test_gate.c - h5swmr gate: verdicts from the distribution of paired values
 * (pass, REGRESSED, INCONCLUSIVE), the exact correctness figures, the
 * Markdown output, bad input, and, with real sweeps, that a slowed SWMR write
 * path is caught against a baseline and in A/B mode while an unchanged one is
 * not called a regression. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

TestSuite(gate, .init = tu_setup, .fini = tu_teardown, .timeout = 240);

static char g_out[16384];

static int run(const char *const *args)
{
    int status;
    cr_assert_eq(tu_run_args(H5SWMR_BIN, args, 230000, &status, g_out, sizeof g_out), 0, "h5swmr hung: %s", g_out);
    cr_assert(WIFEXITED(status), "%s", tu_status_str(status));
    return WEXITSTATUS(status);
}

#define SCN_FIELDS                                                                                                     \
    "\"block_samples\":\"16384\",\"nchannels\":\"0\",\"flush_call\":\"dflush\",\"flush_every_blocks\":\"1\","          \
    "\"poll_ms\":\"500\",\"reader_wait\":\"poll\",\"readers\":\"0\",\"dtype\":\"float32\",\"cork\":\"true\""

/* A sweep.json with one SWMR configuration repeated five times: its per-call
 * ratio to HDF5 without SWMR in each repeat is base * f[i]; errors in the last
 * repeat; one growth exponent. */
static const char *sweep_json(const char *name, double base, const double f[5], double errors, double exponent)
{
    char text[8192];
    int n = snprintf(text, sizeof text, "{\"schema_version\":1,\"runs\":[");
    for (int i = 0; i < 5; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "%s{\"job\":\"t\",\"repeat\":%d,\"call_MBps\":%g,\"call_ratio_vs_noswmr\":%g,"
                      "\"call_ratio_vs_raw\":0.3,\"errors\":%g,\"exit_code\":0,"
                      "\"scenario\":{\"writer_mode\":\"swmr\"," SCN_FIELDS "}}",
                      i ? "," : "", i + 1, 1000 * base * f[i], base * f[i], i == 4 ? errors : 0);
    snprintf(text + n, sizeof text - (size_t)n,
             "],\"flush_growth\":[{\"job\":\"c\",\"flush_call\":\"dflush\",\"exponent\":1.4,\"exponent_top\":%g}]}",
             exponent);
    const char *p = tu_path(name);
    cr_assert_eq(tu_write_text(p, text), 0);
    return p;
}

static const double steady[5] = {1.0, 0.99, 1.01, 0.98, 1.02};

/* run(), for tests with a variable of that name. */
static int run_gate(const char *const *args)
{
    return run(args);
}

Test(gate, verdicts_from_paired_values)
{
    char base[1200], p[1200];
    snprintf(base, sizeof base, "%s", sweep_json("base.json", 0.9, steady, 0, 2.0));
    /* the machine is twice as fast: ratios unchanged, every figure passes */
    snprintf(p, sizeof p, "%s", sweep_json("same.json", 0.9, steady, 0, 2.1));
    const char *a1[] = {"gate", "--baseline", base, p, NULL};
    cr_assert_eq(run(a1), 0, "%s", g_out);
    cr_assert(strstr(g_out, "0 regressed, 0 inconclusive, 0 missing") && strstr(g_out, ": passed"), "%s", g_out);
    /* SWMR at half its ratio in every repeat: regressed, with the change and its interval */
    snprintf(p, sizeof p, "%s", sweep_json("slow.json", 0.45, steady, 0, 2.0));
    const char *a2[] = {"gate", "--baseline", base, p, NULL};
    cr_assert_eq(run(a2), 1, "%s", g_out);
    cr_assert(
        strstr(g_out, "REGRESSED    [t] SWMR / HDF5 without SWMR, per-call p50 MB/s: -50.0% (94% CI -51.0%..-49.0%"),
        "%s", g_out);
    /* repeats that disagree more than the tolerance: inconclusive, not a failure unless --strict */
    static const double noisy[5] = {0.7, 1.1, 0.85, 1.05, 0.95};
    snprintf(p, sizeof p, "%s", sweep_json("noisy.json", 0.9, noisy, 0, 2.0));
    const char *a3[] = {"gate", "--baseline", base, p, NULL};
    cr_assert_eq(run(a3), 0, "%s", g_out);
    cr_assert(strstr(g_out, "INCONCLUSIVE [t] SWMR / HDF5 without SWMR") && strstr(g_out, "INCONCLUSIVE figures"), "%s",
              g_out);
    const char *a4[] = {"gate", "--baseline", base, p, "--strict", NULL};
    cr_assert_eq(run(a4), 1, "%s", g_out);
    /* a correctness figure must match exactly */
    snprintf(p, sizeof p, "%s", sweep_json("bad.json", 0.9, steady, 3, 2.0));
    const char *a5[] = {"gate", "--baseline", base, p, NULL};
    cr_assert_eq(run(a5), 1, "%s", g_out);
    cr_assert(strstr(g_out, "errors (worst run): 3, reference 0"), "%s", g_out);
    /* flush cost growing faster than the baseline's exponent allows */
    snprintf(p, sizeof p, "%s", sweep_json("steep.json", 0.9, steady, 0, 2.9));
    const char *a6[] = {"gate", "--baseline", base, p, NULL};
    cr_assert_eq(run(a6), 1, "%s", g_out);
    cr_assert(strstr(g_out, "REGRESSED    [c] flush cost growth exponent"), "%s", g_out);
    /* host-bound ratios are reported, never judged */
    cr_assert(strstr(g_out, "report       [t] SWMR / raw pwrite"), "%s", g_out);
}

Test(gate, pools_sweeps_and_writes_markdown)
{
    char base[1200], a[1200], b[1200], md[1200];
    snprintf(base, sizeof base, "%s", sweep_json("base.json", 0.9, steady, 0, 2.0));
    static const double lo[5] = {0.8, 0.95, 1.0, 0.92, 1.0}, hi[5] = {1.0, 1.0, 1.01, 0.99, 1.0};
    snprintf(a, sizeof a, "%s", sweep_json("a.json", 0.9, lo, 0, 2.0));
    snprintf(b, sizeof b, "%s", sweep_json("b.json", 0.9, hi, 0, 2.0));
    snprintf(md, sizeof md, "%s", tu_path("gate.md"));
    /* alone, a's spread straddles the tolerance; pooled with b, n = 10 decides */
    const char *a1[] = {"gate", "--baseline", base, a, NULL};
    cr_assert_eq(run(a1), 0, "%s", g_out);
    cr_assert(strstr(g_out, "1 inconclusive"), "%s", g_out);
    const char *a2[] = {"gate", "--baseline", base, a, b, "--markdown", md, NULL};
    cr_assert_eq(run(a2), 0, "%s", g_out);
    cr_assert(strstr(g_out, "0 inconclusive") && strstr(g_out, "n=10"), "%s", g_out);
    unsigned char *text;
    size_t len;
    cr_assert_eq(tu_read_file(md, &text, &len), 0);
    cr_assert(strstr((char *)text, "| verdict | configuration | figure |") && strstr((char *)text, "| pass | `[t]"),
              "%s", text);
    free(text);
    /* an existing file is never replaced without --force */
    const char *a3[] = {"gate", "--baseline", base, a, b, "--markdown", md, NULL};
    cr_assert_eq(run(a3), 2, "%s", g_out);
    cr_assert(strstr(g_out, "exists"), "%s", g_out);
    const char *a4[] = {"gate", "--baseline", base, a, b, "--markdown", "/dev/null", "--force", NULL};
    cr_assert_eq(run(a4), 2, "%s", g_out);
    struct stat st;
    cr_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null was replaced");
}

Test(gate, bad_input_exit_2)
{
    const char *a1[] = {"gate", NULL};
    cr_assert_eq(run(a1), 2);
    /* --help lists every option and exits 0 */
    const char *h[] = {"gate", "--help", NULL};
    cr_assert_eq(run(h), 0, "%s", g_out);
    static const char *const opts[] = {"--baseline BASELINE.json",
                                       "--run SCENARIO",
                                       "--ab A_BIN B_BIN",
                                       "--tolerance F",
                                       "--lag-tolerance F",
                                       "--exponent-tolerance E",
                                       "--budget SECONDS",
                                       "--rounds N",
                                       "--max-rounds N",
                                       "--out DIR",
                                       "-o KEY=VALUE",
                                       "--a-opt KEY=VALUE",
                                       "--b-opt KEY=VALUE",
                                       "--strict",
                                       "--markdown FILE",
                                       "--force"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        cr_assert(strstr(g_out, opts[i]), "--help does not list %s: %s", opts[i], g_out);
    const char *txt = tu_path("x.json");
    tu_write_text(txt, "not json");
    const char *a2[] = {"gate", "--baseline", txt, txt, NULL};
    cr_assert_eq(run(a2), 2);
    cr_assert(strstr(g_out, "cannot read"), "%s", g_out);
    char base[1200];
    snprintf(base, sizeof base, "%s", sweep_json("base.json", 0.9, steady, 0, 2.0));
    const char *a3[] = {"gate", "--baseline", base, base, "--tolerance", "lots", NULL};
    cr_assert_eq(run(a3), 2);
    const char *a4[] = {"gate", "--baseline", base, base, "--tolerance", "nan", NULL};
    cr_assert_eq(run(a4), 2);
    const char *a5[] = {"gate", "--baseline", base, "--run", tu_path("missing.ini"), NULL};
    cr_assert_eq(run(a5), 2);
    const char *a6[] = {"gate", "--ab", "/nonexistent", H5SWMR_BIN, "--run", base, NULL};
    cr_assert_eq(run(a6), 2);
    /* --ab takes two programs; a whole number of rounds; one line for each */
    const char *a9[] = {"gate", "--ab", H5SWMR_BIN, NULL};
    cr_assert_eq(run(a9), 2);
    cr_assert(strstr(g_out, "two programs") && strchr(g_out, '\n') == strrchr(g_out, '\n'), "%s", g_out);
    const char *a10[] = {"gate", "--baseline", base, base, "--rounds=1.5", NULL};
    cr_assert_eq(run(a10), 2);
    cr_assert(strstr(g_out, "--rounds: '1.5' is not a whole number"), "%s", g_out);
    /* malformed results: one line, exit 2, never a crash */
    static const char *const bad[] = {
        "{\"runs\":[],\"flush_growth\":[{}]}",
        "{\"runs\":[{\"job\":5,\"errors\":0,\"exit_code\":0,\"scenario\":{\"writer_mode\":\"swmr\"}}]}",
        "{\"runs\":[{\"job\":\"t\",\"errors\":0,\"exit_code\":0}]}",
        "{\"runs\":{}}",
        "[]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tu_write_text(txt, bad[i]);
        const char *a[] = {"gate", "--baseline", txt, base, NULL};
        cr_assert_eq(run(a), 2, "%s: %s", bad[i], g_out);
        const char *b[] = {"gate", "--baseline", base, txt, NULL};
        cr_assert_eq(run(b), 2, "%s: %s", bad[i], g_out);
    }
    /* a baseline with nothing to judge is bad input, not a pass */
    tu_write_text(txt, "{\"runs\":[]}");
    const char *a7[] = {"gate", "--baseline", txt, base, NULL};
    cr_assert_eq(run(a7), 2, "%s", g_out);
    cr_assert(strstr(g_out, "the baseline has no runs"), "%s", g_out);
    /* a FIFO is refused at once, never read (it would block) */
    const char *fifo = tu_path("fifo");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    const char *a8[] = {"gate", "--baseline", fifo, base, NULL};
    cr_assert_eq(run(a8), 2, "%s", g_out);
    cr_assert(strstr(g_out, "not a regular file"), "%s", g_out);
}

/* A small sweep: 1 channel, 64 KiB blocks, 8 MB per run, five repeats of the
 * four writer modes back to back. */
static const char *tiny_scenario(void)
{
    const char *p = tu_path("tiny.ini");
    cr_assert_eq(tu_write_text(p, "[throughput]\nworkload = append\nrealtime = false\nsummary_upkeep = false\n"
                                  "quiet = true\nreaders = 0\nchannels = ex\nduration = 1\nmax_mb = 8\nrepeat = 5\n"
                                  "block_samples = 16384\n"),
                 0);
    return p;
}

/* Records a baseline with a real sweep; returns its sweep.json. */
static const char *record_baseline(const char *scn)
{
    char res[1200];
    snprintf(res, sizeof res, "results_dir=%s", tu_path("base"));
    const char *a[] = {"sweep", scn, "--no-plot", "-o", res, NULL};
    cr_assert_eq(run(a), 0, "%s", g_out);
    const char *at = strstr(g_out, "results in ");
    cr_assert_not_null(at, "%s", g_out);
    static char json[1400];
    snprintf(json, sizeof json, "%.*s/sweep.json", (int)strcspn(at + 11, "\n"), at + 11);
    return json;
}

Test(gate, real_sweeps_catch_a_slower_write_path)
{
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer instruments h5swmr's side of the timed calls and not
     * HDF5's, so the paired ratios measure the instrumentation (they moved by
     * 30 % between two sweeps of the same build); the plain build runs this */
    cr_skip_test("performance verdicts mean nothing under AddressSanitizer; the plain build runs this test");
#endif
    const char *scn = tiny_scenario();
    char base[1400], out1[1200], out2[1200];
    snprintf(base, sizeof base, "%s", record_baseline(scn));
    /* the same build: nothing regressed (pass or inconclusive, by the noise here). A tiny
     * sweep's paired ratios moved by 17 % between two runs of one build on a loaded
     * 2-core VM, so this side is judged with a 35 % tolerance; the 2x slower side
     * below keeps the default 10 % */
    snprintf(out1, sizeof out1, "%s", tu_path("same"));
    const char *a1[] = {"gate", "--baseline", base, "--run",       scn,    "--out",
                        out1,   "--budget",   "60", "--tolerance", "0.35", NULL};
    cr_assert_eq(run(a1), 0, "%s", g_out);
    cr_assert(strstr(g_out, " 0 regressed"), "%s", g_out);
    /* the verdicts stay beside the rounds (gate.json), and on the report page */
    char page_path[1300], said[1400];
    snprintf(page_path, sizeof page_path, "%s/report.html", out1);
    snprintf(said, sizeof said, "report: %s\n", page_path);
    cr_assert(strstr(g_out, said) && tu_exists(tu_path("same/gate.json")), "%s", g_out);
    unsigned char *page;
    size_t len;
    cr_assert_eq(tu_read_file(page_path, &page, &len), 0);
    cr_assert(strstr((char *)page, "Regression gate") && strstr((char *)page, " 0 regressed"), "%s", page);
    free(page);
    /* every SWMR append and flush twice as long: caught against the bare loop and non-SWMR */
    snprintf(out2, sizeof out2, "%s", tu_path("slow"));
    const char *a2[] = {"gate", "--baseline",          base, "--run", scn, "--out", out2, "--budget", "60",
                        "-o",   "slow_writer_pct=100", NULL};
    cr_assert_eq(run(a2), 1, "%s", g_out);
    /* both figures move by about -50 %: each is caught, or on a loaded machine
     * at worst inconclusive (its interval wider than the change), never passed;
     * the gate fails on the one it caught */
    static const char *const figs[] = {"[throughput] writer_mode=swmr h5swmr / bare HDF5 SWMR loop",
                                       "[throughput] writer_mode=swmr SWMR / HDF5 without SWMR"};
    int caught = 0;
    for (int i = 0; i < 2; i++) {
        char want[160];
        snprintf(want, sizeof want, "REGRESSED    %s", figs[i]);
        caught += strstr(g_out, want) != NULL;
        snprintf(want, sizeof want, "pass         %s", figs[i]);
        cr_assert(!strstr(g_out, want), "a 2x slower write path passed: %s", g_out);
    }
    cr_assert_geq(caught, 1, "%s", g_out);
    /* a regression seen in one round is confirmed by a second */
    cr_assert(strstr(g_out, "gate: 2 rounds"), "%s", g_out);
}

Test(gate, ab_mode_compares_two_sides_interleaved)
{
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer instruments h5swmr's side of the timed calls and not
     * HDF5's, so the paired ratios measure the instrumentation (they moved by
     * 30 % between two sweeps of the same build); the plain build runs this */
    cr_skip_test("performance verdicts mean nothing under AddressSanitizer; the plain build runs this test");
#endif
    const char *scn = tiny_scenario();
    char out[1200], bdir[1300], round[1400];
    snprintf(out, sizeof out, "%s", tu_path("ab"));
    /* B also writes its data elsewhere (as two file systems would be compared) */
    snprintf(bdir, sizeof bdir, "results_dir=%s", tu_path("bside"));
    const char *a1[] = {"gate",    "--ab", H5SWMR_BIN, H5SWMR_BIN, "--run",   scn,
                        "--out",   out,    "--rounds", "2",        "--b-opt", "slow_writer_pct=100",
                        "--b-opt", bdir,   NULL};
    cr_assert_eq(run(a1), 1, "%s", g_out);
    cr_assert(strstr(g_out, "round 1 A") && strstr(g_out, "round 2 B"), "%s", g_out);
    cr_assert(strstr(g_out, "REGRESSED    [throughput] writer_mode=swmr per-call p50 MB/s, B / A"), "%s", g_out);
    /* B's raw pwrite was not slowed: its figure is not called a regression */
    cr_assert(!strstr(g_out, "REGRESSED    [throughput] writer_mode=raw per-call"), "%s", g_out);
    snprintf(round, sizeof round, "%s/round01-b", tu_path("bside"));
    cr_assert(tu_exists(round), "B's rounds are not in its own results_dir");
}

/* Writes len bytes of text into the test directory as name; returns the path. */
static const char *put_bytes(const char *name, const char *text, size_t len)
{
    const char *p = tu_path(name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return p;
}

/* A baseline that judges nothing (no runs, whatever else it has), a key twice
 * in one object at any depth, a NUL byte or text after the JSON value: each
 * is bad input (exit 2, one line naming what is wrong), as baseline and as
 * the sweep judged. */
Test(gate, a_baseline_must_judge_something_and_json_must_be_one_clean_value)
{
    char base[1200];
    snprintf(base, sizeof base, "%s", sweep_json("base.json", 0.9, steady, 0, 2.0));
    static const char run[] = "{\"job\":\"t\",\"errors\":0,\"exit_code\":0,\"scenario\":{\"writer_mode\":\"swmr\"}}";
    static const struct {
        const char *text, *says;
        bool as_sweep; /* also refused as the sweep judged (an empty sweep is judged: all missing) */
    } bad[] = {
        {"{\"runs\":[],\"flush_growth\":[{\"job\":\"c\",\"flush_call\":\"dflush\",\"exponent_top\":2},"
         "{\"job\":\"d\",\"flush_call\":\"dflush\",\"exponent_top\":2}]}",
         "the baseline has no runs", false},
        {"{\"runs\":[%s],\"runs\":[]}", "'runs' appears twice", true},
        {"{\"runs\":[{\"job\":\"t\",\"errors\":0,\"exit_code\":0,\"errors\":5,\"scenario\":{\"writer_mode\":\"swmr\"}}]"
         "}",
         "'errors' appears twice", true},
        {"{\"runs\":[%s,{\"job\":\"t\",\"errors\":0,\"exit_code\":0,\"scenario\":{\"writer_mode\":\"swmr\","
         "\"x\":[{\"a\":{\"k\":1,\"k\":2}}]}}]}",
         "'k' appears twice", true},
        {"{\"runs\":[%s]}\0", "a NUL byte", true},
        {"{\"runs\":[%s]} {}", "text after the JSON value", true},
        {"{\"runs\":[%s]}]", "text after the JSON value", true},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        int len = snprintf(text, sizeof text, bad[i].text, run);
        if (strstr(bad[i].says, "NUL"))
            len++; /* the NUL after the value is part of the file */
        const char *p = put_bytes("bad.json", text, (size_t)len);
        const char *a[] = {"gate", "--baseline", p, base, NULL};
        cr_assert_eq(run_gate(a), 2, "%s as baseline: %s", bad[i].text, g_out);
        cr_assert(strstr(g_out, bad[i].says) && strchr(g_out, '\n') == strrchr(g_out, '\n'), "%s: %s", bad[i].text,
                  g_out);
        if (!bad[i].as_sweep)
            continue;
        const char *b[] = {"gate", "--baseline", base, p, NULL};
        cr_assert_eq(run_gate(b), 2, "%s judged: %s", bad[i].text, g_out);
        cr_assert(strstr(g_out, bad[i].says), "%s: %s", bad[i].text, g_out);
    }
    /* blanks after the value are fine */
    char text[1024];
    int len = snprintf(text, sizeof text, "{\"runs\":[%s]}\n \t\n", run);
    const char *p = put_bytes("ok.json", text, (size_t)len);
    const char *ok[] = {"gate", "--baseline", p, p, NULL};
    cr_assert_eq(run_gate(ok), 0, "%s", g_out);
}

/* Bad input for --run found only by the sweep (an unknown key, a value that
 * is not a number), a scenario that is a FIFO or a device, programs that are
 * directories, rounds under /proc: exit 2 with one line, and nothing created
 * (no --out directory, no round, no sweep.log). */
Test(gate, bad_input_for_run_is_refused_before_anything_is_created)
{
    const char *scn = tiny_scenario(), *fifo = tu_path("scn.fifo"), *out = tu_path("rounds");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    char base[1200];
    snprintf(base, sizeof base, "%s", sweep_json("base.json", 0.9, steady, 0, 2.0));
    static const char *const dir_ab[] = {"/tmp", "/tmp"};
    const char *cases[][8] = {
        {"--baseline", base, "--run", scn, "--out", out, "-o", "bogus=1"},
        {"--baseline", base, "--run", scn, "--out", out, "-o", "duration=nan"},
        {"--baseline", base, "--run", fifo, "--out", out, NULL},
        {"--baseline", base, "--run", "/dev/zero", "--out", out, NULL},
        {"--ab", dir_ab[0], dir_ab[1], "--run", scn, "--out", out, NULL},
        {"--ab", H5SWMR_BIN, H5SWMR_BIN, "--run", scn, "--out", out, "--b-opt"},
        {"--baseline", base, "--run", scn, "--out", "/proc/self/gate-rounds", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *a[12] = {"gate"};
        int n = 1;
        for (int k = 0; k < 8 && cases[i][k]; k++)
            a[n++] = cases[i][k];
        if (!strcmp(a[n - 1], "--b-opt"))
            a[n++] = "block_samples=0"; /* out of range, for side B only */
        a[n] = NULL;
        cr_assert_eq(run_gate(a), 2, "case %zu: %s", i, g_out);
        cr_assert(g_out[0] && strchr(g_out, '\n') == strrchr(g_out, '\n'), "case %zu: not one line: %s", i, g_out);
        cr_assert(!strncmp(g_out, "h5swmr gate: ", 13), "case %zu: %s", i, g_out);
        cr_assert(!tu_exists(out), "case %zu created %s: %s", i, out, g_out);
    }
}

/* Tolerances outside their sound ranges, and a side's override without --ab,
 * are refused (exit 2) instead of judging with them or ignoring them. */
Test(gate, tolerances_in_sound_ranges_and_side_overrides_only_with_ab)
{
    char base[1200];
    snprintf(base, sizeof base, "%s", sweep_json("base.json", 0.9, steady, 0, 2.0));
    static const char *const bad[][2] = {
        {"--tolerance", "2"},
        {"--tolerance", "1"},
        {"--exponent-tolerance", "2.5"},
        {"--exponent-tolerance", "1e300"},
        {"--lag-tolerance", "11"},
        {"--a-opt", "poll_ms=1"},
        {"--b-opt", "poll_ms=1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *a[] = {"gate", "--baseline", base, base, bad[i][0], bad[i][1], NULL};
        cr_assert_eq(run_gate(a), 2, "%s %s: %s", bad[i][0], bad[i][1], g_out);
        cr_assert(strchr(g_out, '\n') == strrchr(g_out, '\n'), "%s", g_out);
    }
    const char *ok[] = {"gate", "--baseline", base, base, "--tolerance", "0.99", "--exponent-tolerance", "2", NULL};
    cr_assert_eq(run_gate(ok), 0, "%s", g_out);
}

/* A baseline of 8000 configurations (each its own key) judged against
 * itself: near-linear work, within a CPU-time limit (ulimit -t 20) over a
 * hundred times what it takes; the pairwise matching it replaces needed
 * minutes of CPU for this. */
Test(gate, a_large_baseline_is_judged_in_near_linear_time)
{
    const char *p = tu_path("big.json");
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fprintf(f, "{\"runs\":[");
    for (int i = 0; i < 8000; i++)
        fprintf(f,
                "%s{\"job\":\"t\",\"repeat\":1,\"call_ratio_vs_noswmr\":0.9,\"errors\":0,\"exit_code\":0,"
                "\"scenario\":{\"writer_mode\":\"noswmr\",\"block_samples\":\"%d\"}}",
                i ? "," : "", 64 + i);
    fprintf(f, "]}");
    cr_assert_eq(fclose(f), 0);
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "ulimit -t 20; exec '%s' gate --baseline '%s' '%s'", H5SWMR_BIN, p, p);
    const char *a[] = {"/bin/sh", "-c", cmd, NULL};
    int status;
    cr_assert_eq(tu_run(a, 230000, &status, g_out, sizeof g_out), 0, "h5swmr hung: %s", g_out);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: %s", tu_status_str(status), g_out);
    cr_assert(strstr(g_out, "16000 figures judged: 16000 pass"), "%s", g_out);
}
