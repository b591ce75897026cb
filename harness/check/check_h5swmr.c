/* check_h5swmr.c - the cases of the h5swmr group: h5swmr's own guards,
 * which refuse before HDF5 is called. Each has a sibling in the hdf5 group
 * (check_hdf5.c) that asks HDF5 itself. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <hdf5.h>
#include <stdio.h>

#include "check_case.h"

/* swmr_with_w_refused: mth5_open refuses w, w- and x with SWMR. */
void chk_case_swmr_with_w_refused(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"w", "w-", "x"};
    char path[1200];
    chk_refusals(chk_case_file(env, "new.mth5", path, sizeof path), modes, 3, true, H5S_EMODE, out);
}

/* swmr_missing_file_refused: mth5_open refuses SWMR opens of a missing path
 * and creates nothing. */
void chk_case_swmr_missing_file_refused(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"a", "r+", "r"};
    char path[1200];
    chk_refusals(chk_case_file(env, "missing.mth5", path, sizeof path), modes, 3, true, H5S_ENOENT, out);
}
/* remove_refused_in_swmr: mth5_remove refuses in SWMR-write mode and nothing
 * is removed. */
void chk_case_remove_refused_in_swmr(const chk_env_t *env, chk_outcome_t *out)
{
    char path[1200];
    mth5_t *m = NULL;
    h5s_err_t err, rerr;
    int rc;
    chk_case_file(env, "remove.mth5", path, sizeof path);
    if ((rc = chk_make_file(path, &err)) < 0 || (rc = mth5_open(path, "a", true, &m, &err)) < 0) {
        chk_out_error(out, "opening an SWMR writer", &err);
        return;
    }
    h5s_err_clear(&rerr);
    rc = mth5_remove(m, CHK_EX_PATH, &rerr);
    htri_t during = H5Lexists(mth5_fid(m), CHK_EX_PATH, H5P_DEFAULT);
    mth5_close(m, NULL);
    m = NULL;
    htri_t after = -1;
    if (mth5_open(path, "r", false, &m, &err) == 0) {
        after = H5Lexists(mth5_fid(m), CHK_EX_PATH, H5P_DEFAULT);
        mth5_close(m, NULL);
    }
    H5Eclear2(H5E_DEFAULT);
    if (rc == 0)
        chk_out_set(out, "accepted", "mth5_remove(%s) succeeded in SWMR-write mode", CHK_EX_PATH);
    else if (during <= 0 || after <= 0)
        chk_out_set(out, "fail:removed-anyway", "refused (%s) but the channel is gone", h5s_errname(rc));
    else {
        snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(rc));
        snprintf(out->detail, sizeof out->detail, "%.900s; the channel still exists after the writer closed", rerr.msg);
    }
}
