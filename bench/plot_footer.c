/* plot_footer.c - the footer line of the plots (see plot_footer.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "plot_footer.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define FOOTER_JSON_MAX (64L << 20)

char *plot_footer_clean(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    bool blank = false; /* the last byte written is a blank */
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 1 < cap; p++) {
        unsigned char ch = *p;
        if (ch < 0x20 || ch == 0x7f || ch == ' ') {
            if (!blank && n)
                out[n++] = ' ';
            blank = true;
            continue;
        }
        out[n++] = (ch > 0x7e || strchr("'\"`\\@$", ch)) ? '?' : (char)ch;
        blank = false;
    }
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return out;
}

/* Reads path (a regular file of at most FOOTER_JSON_MAX bytes) as JSON; NULL
 * with the reason in why when it cannot. */
static cJSON *footer_load(const char *path, char *why, size_t cap)
{
    cJSON *j = h5s_read_json(path, FOOTER_JSON_MAX, why, cap);
    if (!j && !why[0])
        snprintf(why, cap, "not JSON");
    return j;
}

/* The string member key of o, or "" (also when it is not a string). */
static const char *footer_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

/* Appends ", " (or sep) and the cleaned text s to out when s is not empty. */
static void footer_add(char *out, size_t cap, const char *sep, const char *s)
{
    char clean[512];
    plot_footer_clean(s, clean, sizeof clean);
    if (!*clean)
        return;
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "%s%s", len ? sep : "", clean);
}

/* "sweep_quick" from "scenarios/sweep_quick.ini". */
static void footer_stem(const char *path, char *out, size_t cap)
{
    const char *base = strrchr(path, '/');
    snprintf(out, cap, "%s", base ? base + 1 : path);
    size_t n = strlen(out);
    if (n > 4 && !strcmp(out + n - 4, ".ini"))
        out[n - 4] = '\0';
}

void plot_footer_build(const char *results, char *out, size_t cap, char *note, size_t ncap)
{
    char path[PATH_MAX + 32], why[512] = "", real[PATH_MAX], item[1024], scn[512] = "";
    out[0] = note[0] = '\0';
    /* the first of these there is: a sweep's, a single run's, flushcost --json's */
    static const char *const sources[] = {"sweep.json", "summary.json", "flushcost.json"};
    struct stat st;
    bool have = false, flushcost = false;
    for (size_t i = 0; i < sizeof sources / sizeof *sources && !have; i++) {
        snprintf(path, sizeof path, "%s/%s", results, sources[i]);
        have = stat(path, &st) == 0;
        flushcost = i == 2;
    }
    cJSON *j = have ? footer_load(path, why, sizeof why) : NULL;
    const cJSON *env = j ? cJSON_GetObjectItemCaseSensitive(j, "environment") : NULL;
    if (j && !cJSON_IsObject(env))
        snprintf(why, sizeof why, "no 'environment' object");
    if (cJSON_IsObject(env)) {
        char host[1024] = "";
        const cJSON *ncpu = cJSON_GetObjectItemCaseSensitive(env, "cpus_online");
        if (cJSON_IsNumber(ncpu) && ncpu->valuedouble >= 1 && ncpu->valuedouble < 1e6)
            snprintf(item, sizeof item, "%d-core %s", (int)ncpu->valuedouble, footer_str(env, "cpu"));
        else
            snprintf(item, sizeof item, "%s", footer_str(env, "cpu"));
        footer_add(host, sizeof host, ", ", item);
        footer_add(host, sizeof host, " ", footer_str(env, "machine"));
        if (*footer_str(env, "kernel")) {
            snprintf(item, sizeof item, "Linux %s", footer_str(env, "kernel"));
            footer_add(host, sizeof host, ", ", item);
        }
        footer_add(host, sizeof host, ", ", footer_str(env, "data_fs"));
        snprintf(item, sizeof item, "host %.1000s", *host ? host : "unknown");
        footer_add(out, cap, " | ", item);
        char sw[1024] = "";
        if (*footer_str(env, "hdf5_version")) {
            snprintf(item, sizeof item, "HDF5 %s", footer_str(env, "hdf5_version"));
            footer_add(sw, sizeof sw, ", ", item);
        }
        if (*footer_str(env, "tool_version")) {
            snprintf(item, sizeof item, "h5swmr %s", footer_str(env, "tool_version"));
            footer_add(sw, sizeof sw, ", ", item);
        }
        footer_add(out, cap, " | ", sw);
        /* sweep.json: scenario_file; summary.json: scenario.file */
        const char *file = footer_str(j, "scenario_file");
        if (!*file)
            file = footer_str(cJSON_GetObjectItemCaseSensitive(j, "scenario"), "file");
        footer_stem(file, scn, sizeof scn);
        if (!*scn && flushcost)
            snprintf(scn, sizeof scn, "h5swmr flushcost");
    } else {
        if (have)
            snprintf(note, ncap, "%s: %s; the plots say the machine and HDF5 were not recorded", path, why);
        footer_add(out, cap, " | ",
                   "machine and HDF5 not recorded (no readable sweep.json, summary.json or flushcost.json)");
    }
    cJSON_Delete(j);
    const char *base = realpath(results, real) ? real : results, *slash = strrchr(base, '/');
    if (slash && slash[1])
        base = slash + 1;
    if (flushcost && !strcmp(scn, "h5swmr flushcost"))
        snprintf(item, sizeof item, "%s (%.200s)", scn, base);
    else
        snprintf(item, sizeof item, "scenario %s (%.200s)", *scn ? scn : "unknown", base);
    footer_add(out, cap, " | ", item);
}
