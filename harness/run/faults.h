/* faults.h - injected faults named in the report: what each was, when, what
 * it hit (for the overwrite: the byte range and the HDF5 structures that
 * lived there just before), what each process did after it, and whether the
 * final file still holds the damage. */
#ifndef H5SWMR_FAULTS_H
#define H5SWMR_FAULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "proto.h"
#include "scenario.h"

#define FAULT_LEN 4096  /* bytes the overwrite fault writes */
#define FAULT_BYTE 0xA5 /* ... each of them this value */
#define FAULTS_MAX 8

enum {
    FAULT_KILL_WRITER = 1,
    FAULT_KILL_READER,
    FAULT_STALL_WRITER,
    FAULT_CORRUPT,
    FAULT_FSIZE_LIMIT,
    FAULT_EARLY_READER
};

/* A copy of one process's progress slot (proto_progress_t). */
typedef struct fault_progress {
    int64_t t_progress_ns, t_call_ns, t_error_ns;
    uint64_t polls, retries;
    int call;
} fault_progress_t;

/* One injected fault. */
typedef struct fault {
    int kind;       /* FAULT_* */
    int64_t t_ns;   /* when it was injected; 0: in force from the start */
    double at_ms;   /* ms after READY; -1: before READY or from the start */
    int child;      /* the process it hit (0 writer, N reader N), -1 none */
    char what[240]; /* what it was */
    char hit[800];  /* overwrite: the structures in the range, in file order */
    int64_t offset; /* overwrite: the range written, and the file's size before */
    int64_t length; /* bytes written (FAULT_LEN unless the write was short); 0 not written */
    int64_t file_size;
    bool hit_metadata; /* overwrite: the range held metadata, or bytes the walk could not place */
    int64_t left;      /* overwrite: bytes of the final file still as written; -1 not checked */
    char left_text[240];
    /* when it hit metadata: the objects of the final file whose metadata
     * HDF5 can no longer read (header, attributes, links, chunk index) */
    char unreadable[600];
} fault_t;

/* Every fault of a run and what the processes did around them. Slots are
 * indexed like the processes: 0 the writer, N reader N. */
typedef struct faults {
    int n;
    fault_t f[FAULTS_MAX];
    int corrupt;                                    /* the overwrite's index in f, -1 none */
    fault_progress_t at_fault[1 + SCN_MAX_READERS]; /* each slot when the overwrite was done */
    fault_progress_t at_end[1 + SCN_MAX_READERS];   /* each slot when its process was reaped */
    int64_t t_reaped_ns[1 + SCN_MAX_READERS];
    /* what a process asked to stop was doing in the kernel, last seen
     * before it was killed ("clock_nanosleep", ...); "" not seen */
    char kernel[1 + SCN_MAX_READERS][32];
    uint64_t flushes_after;  /* the writer's flushes that returned after the overwrite */
    int64_t t_last_flush_ns; /* the last of them */
    char reactions[4096];    /* what each process did after the overwrite, one line each, in time order */
    char noticed[512];       /* "reader 1 (h5swmr), finalizer": who erred, hung or saw bad samples after it */
} faults_t;

/* Empties fx (no faults). */
void faults_init(faults_t *fx);

/* Adds a fault of kind (FAULT_*) injected at t_ns (0: from the start;
 * t_ready_ns 0: before READY) on process `child` (-1 none), described by
 * what. Returns it, or NULL when the list is full. */
fault_t *faults_add(faults_t *fx, int kind, int64_t t_ns, int64_t t_ready_ns, int child, const char *what);

/* The overwrite fault: walks file (an SWMR read open) for the structures in
 * the target range of s->corrupt_file_target, then overwrites FAULT_LEN
 * bytes there with FAULT_BYTE as another process would, and records
 * everything in fx, with each process's progress (shm) at that moment. */
void faults_corrupt(faults_t *fx, const scn_t *s, const char *file, shm_t *shm, int nproc, int64_t t_ready_ns);

/* What process pid is doing in the kernel now, from /proc/PID/syscall:
 * "clock_nanosleep", "pread64", "running", "syscall N"; "" unknown. */
void faults_kernel_text(pid_t pid, char *buf, size_t cap);

/* Notes what process `slot` (pid) was doing in the kernel: called while it
 * was asked to stop and has not ended. */
void faults_sample_kernel(faults_t *fx, int slot, pid_t pid);

/* Copies the progress of process `slot` when it was reaped. */
void faults_on_reap(faults_t *fx, const shm_t *shm, int slot);

/* After the run (the finalizer done): the writer's flushes after the
 * overwrite, and whether the final file still holds its bytes. */
void faults_after_run(faults_t *fx, const shm_t *shm, const char *file);

/* The superblock's file-consistency flags of file (version 2 and 3
 * superblocks): 0 clear, > 0 flagged open for write, -1 unknown. */
int faults_superblock_flags(const char *file);

/* Whether the time t_ns falls after the overwrite (false without one). */
bool faults_after_corrupt(const faults_t *fx, int64_t t_ns);

/* "stuck in HDF5 (refreshing a channel) ..." for a process that did not
 * end when asked: what it was inside, since when, and whether it was
 * sleeping between metadata re-reads; "" when nothing is known. */
void faults_stuck_text(const faults_t *fx, int slot, int64_t t_ready_ns, char *buf, size_t cap);

struct orch_report;
struct orch_child;

/* Whether the failure of process ch (a reader, or the finalizer) follows
 * from the injected overwrite: it failed, stopped answering or was killed
 * after it, not before, and not by bad data (exit 3 stays 3). */
bool faults_excused(const struct orch_report *rep, const struct orch_child *ch);

/* After the run: fills rep->fx.reactions (what each process did after the
 * overwrite, in time order) and, when the finalizer's read-write open left
 * the file flagged open, what it tried into rep->recovery. */
void faults_react(struct orch_report *rep);

/* Whether any process's failure was excused as following from the overwrite. */
bool faults_excused_any(const struct orch_report *rep);

/* The faults one by one for people: what, when, what it hit, whether the
 * damage is still in the file, what each process did after it. */
void faults_print(FILE *out, const struct orch_report *rep);

struct cJSON;
/* The same as a new JSON array (the caller owns it). */
struct cJSON *faults_json(const struct orch_report *rep);

/* The PROTO_CALL_* name: "refreshing a channel (H5Drefresh)", ... */
const char *faults_call_name(int call);

#endif
