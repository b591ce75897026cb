# prep.awk - turns h5swmr CSV results into gnuplot series files (plot.sh runs it).
#
#   awk -v mode=MODE -v out=DIR -f prep.awk FILE.csv...
#
# MODE is flushcost, lagflush, throughput, flushlat, flushchan or lagcdf. For each series
# it writes DIR/<prefix>NN.raw (data lines, tab-separated, unsorted) and
# DIR/<prefix>NN.hdr (the header line; its fields are the legend titles), and
# DIR/meta.gp (gnuplot assignments: axis scales and labels). It prints the
# number of series written, or "0 <reason>" when there is nothing to plot.
# Columns are found by name in each file's header; CSV fields may be quoted.
# Written for any POSIX awk (mawk, gawk, busybox).

function csvsplit(line, f,    n, i, c, q, cur, len) {
    sub(/\r$/, "", line)
    if (index(line, "\"") == 0)
        return split(line, f, ",")
    n = 0; cur = ""; q = 0; len = length(line)
    for (i = 1; i <= len; i++) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ }
                else q = 0
            } else cur = cur c
        } else if (c == "\"") q = 1
        else if (c == ",") { f[++n] = cur; cur = "" }
        else cur = cur c
    }
    f[++n] = cur
    return n
}

function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
function isnum(s) { return s ~ /^[ \t]*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?[ \t]*$/ }
function has(name) { return (name in col) }
function get(name) { return (name in col) ? trim(F[col[name]]) : "" }
function clean(s) { gsub(/["\t\\]/, "'", s); return s }

function human_bytes(b) {
    if (b >= 1048576 && b % 1048576 == 0) return sprintf("%d MiB", b / 1048576)
    if (b >= 1024 && b % 1024 == 0) return sprintf("%d KiB", b / 1024)
    if (b >= 1048576) return sprintf("%.1f MiB", b / 1048576)
    if (b >= 1024) return sprintf("%.1f KiB", b / 1024)
    return sprintf("%d B", b)
}

function mode_name(m) {
    if (m == "swmr" || m == "") return "SWMR"
    if (m == "noswmr") return "HDF5 without SWMR"
    if (m == "raw") return "raw pwrite (no HDF5)"
    if (m == "bare") return "bare HDF5 SWMR loop"
    return m
}

function call_name(c) {
    if (c == "dflush") return "H5Dflush of every dataset"
    if (c == "fflush") return "one H5Fflush per round"
    return c
}

# A short description of parameter p with value v, for legends.
function pdesc(p, v) {
    if (p == "poll_ms") return (v + 0 == 0) ? "busy poll" : "poll " v " ms"
    if (p == "reader_wait") return v == "inotify" ? "inotify wake-up" : "wait: " v
    if (p == "readers") return v " readers"
    if (p == "nchannels") return v " channels"
    if (p == "flush_call") return v == "fflush" ? "H5Fflush" : v == "dflush" ? "H5Dflush" : v
    if (p == "cork") return (v == "true" || v == "1") ? "corked" : (v == "false" || v == "0") ? "uncorked" : "cork " v
    if (p == "flush_every_ms") return "flush every " v " ms"
    if (p == "flush_every_blocks") return v + 0 == 1 ? "flush every block" : "flush every " v " blocks"
    if (p == "block_samples") return "block " v " samples"
    if (p == "writer_mode") return mode_name(v)
    if (p == "job") return "[" v "]"
    return p "=" v
}

function add_series(key, label, hdr, prefix,    idx) {
    if (!(key in sidx)) {
        idx = ++nseries
        sidx[key] = idx
        sfile[idx] = sprintf("%s/%s%02d", out, prefix, idx)
        print hdr > (sfile[idx] ".hdr")
        close(sfile[idx] ".hdr")
    }
    return sidx[key]
}

# Writes a data line of series idx; its first field (x) is counted in xseen.
function emit(idx, line,    x) {
    print line > (sfile[idx] ".raw")
    x = line
    sub(/\t.*/, "", x)
    if (!(x in xseen)) { xseen[x] = 1; nx++ }
}

function track(v, axis) {
    if (!isnum(v)) return
    v += 0
    if (v > 0 && (!((axis, "min") in range) || v < range[axis, "min"])) range[axis, "min"] = v
    if (!((axis, "max") in range) || v > range[axis, "max"]) range[axis, "max"] = v
    if (v <= 0) range[axis, "nonpos"] = 1
}

# 1 when axis should be logarithmic: positive values spanning a factor of 8 or more.
function logaxis(axis) {
    if ((axis, "nonpos") in range || !((axis, "min") in range)) return 0
    return range[axis, "max"] / range[axis, "min"] >= 8
}

# Parameters (from list, space-separated) whose value differs between the
# stored rows selected by sel[r] == group; sets vary[group, p].
function find_varying(list, group,    n, ps, i, r, p, first, seen) {
    n = split(list, ps, " ")
    for (i = 1; i <= n; i++) {
        p = ps[i]
        if (!(p in hdrcol)) continue
        seen = 0
        for (r = 1; r <= nrows; r++) {
            if (sel[r] != group) continue
            if (!seen) { first = row[r, p]; seen = 1 }
            else if (row[r, p] != first) { vary[group, p] = 1; break }
        }
    }
}

# The legend text of stored row r: start, then a description of each parameter
# of list that varies within group. A reader's wake-up is one item: "inotify
# wake-up", or the poll interval ("busy poll", "poll 1 ms").
function key_of(r, list, group, start,    n, ps, i, p, k, d) {
    n = split(list, ps, " ")
    k = start
    for (i = 1; i <= n; i++) {
        p = ps[i]
        if (!((group, p) in vary)) continue
        d = pdesc(p, row[r, p])
        if (p == "reader_wait" && row[r, p] != "inotify")
            d = ((group, "poll_ms") in vary) ? "" : pdesc("poll_ms", row[r, "poll_ms"])
        if (p == "poll_ms" && row[r, "reader_wait"] == "inotify")
            d = ""
        if (d != "") k = k (k == "" ? "" : ", ") d
    }
    return k
}

# Fills rowlab[r] for the stored rows with sel[r] == group: key_of over list, and
# the job name in front only when two jobs would otherwise share a legend entry.
function label_rows(list, group, start,    r, k, withjob) {
    find_varying(list, group)
    withjob = 0
    for (r = 1; r <= nrows; r++) {
        if (sel[r] != group) continue
        k = key_of(r, list, group, start)
        if ((group, k) in jobof && jobof[group, k] != row[r, "job"]) withjob = 1
        jobof[group, k] = row[r, "job"]
    }
    for (r = 1; r <= nrows; r++) {
        if (sel[r] != group) continue
        k = key_of(r, list, group, start)
        if (withjob && row[r, "job"] != "") k = "[" row[r, "job"] "] " k
        rowlab[r] = k
    }
}

# Keeps (sel[r] stays set) only the rows of jobs (job column; "" without one)
# that ran at least two values of column c among the selected rows; keeps every
# job when none did.
function keep_jobs_varying(c,    r, j, any, jv, jn, ok) {
    for (r = 1; r <= nrows; r++)
        if (sel[r] != "" && !((row[r, "job"], row[r, c]) in jv)) {
            jv[row[r, "job"], row[r, c]] = 1
            jn[row[r, "job"]]++
        }
    any = 0
    for (j in jn) if (jn[j] >= 2) { ok[j] = 1; any = 1 }
    if (!any) for (j in jn) ok[j] = 1
    for (r = 1; r <= nrows; r++)
        if (sel[r] != "" && !(row[r, "job"] in ok)) sel[r] = ""
}

function block_kib(r) {
    if (isnum(row[r, "block_bytes"])) return row[r, "block_bytes"] / 1024
    return ""
}

function write_meta(    f) {
    f = out "/meta.gp"
    for (k in meta) print k " = " meta[k] > f
    close(f)
}

# Reads sweep.csv (path in the variable sweep) for legends of the lag CDF:
# config -> "busy poll, block 16384 samples (64 KiB)" and the like.
function read_sweep_desc(path,    line, n, f, sc, i, cfg, d) {
    if ((getline line < path) <= 0) return
    n = csvsplit(line, f)
    for (i = 1; i <= n; i++) sc[trim(f[i])] = i
    if (!("config" in sc)) { close(path); return }
    while ((getline line < path) > 0) {
        csvsplit(line, f)
        cfg = trim(f[sc["config"]])
        d = ""
        if (("reader_wait" in sc) && trim(f[sc["reader_wait"]]) == "inotify") d = "inotify wake-up"
        else if ("poll_ms" in sc) d = pdesc("poll_ms", trim(f[sc["poll_ms"]]))
        if (("flush_every_ms" in sc) && trim(f[sc["flush_every_ms"]]) + 0 > 0)
            d = d (d == "" ? "" : ", ") pdesc("flush_every_ms", trim(f[sc["flush_every_ms"]]))
        else if (("flush_every_blocks" in sc) && trim(f[sc["flush_every_blocks"]]) + 0 > 0)
            d = d (d == "" ? "" : ", ") pdesc("flush_every_blocks", trim(f[sc["flush_every_blocks"]]))
        if (("block_bytes" in sc) && isnum(f[sc["block_bytes"]]))
            d = d (d == "" ? "" : ", ") "block " human_bytes(trim(f[sc["block_bytes"]]) + 0)
        if (("job" in sc) && trim(f[sc["job"]]) != "")
            d = "[" trim(f[sc["job"]]) "] " d
        if (d != "") sweepdesc[cfg, "desc"] = d
    }
    close(path)
}

BEGIN {
    nseries = 0; nrows = 0; nx = 0; bad = ""
    if (mode == "lagcdf" && sweep != "") read_sweep_desc(sweep)
}

FNR == 1 {
    delete col
    nh = csvsplit($0, H)
    for (i = 1; i <= nh; i++) { col[trim(H[i])] = i; hdrcol[trim(H[i])] = 1 }
    fname = FILENAME
    sub(/^.*\//, "", fname)
    stem = fname
    sub(/^lag_/, "", stem)
    sub(/\.csv$/, "", stem)
    next
}

$0 ~ /^[ \t\r]*$/ { next }

{
    csvsplit($0, F)
}

mode == "flushcost" {
    if (!has("n_datasets") || !has("flush_call") || !has("per_dataset_us") || !has("round_p50_us")) {
        bad = "needs columns n_datasets, flush_call, per_dataset_us, round_p50_us"
        next
    }
    n = get("n_datasets"); c = get("flush_call"); pd = get("per_dataset_us"); p50 = get("round_p50_us")
    p90 = has("round_p90_us") ? get("round_p90_us") : "NaN"
    if (!isnum(n) || !isnum(pd) || !isnum(p50)) next
    if (!isnum(p90)) p90 = "NaN"
    idx = add_series(c, call_name(c), "n_datasets\t" clean(call_name(c)) "\t" clean(call_name(c)) " (p50)\t" clean(call_name(c)) " (p90)", "s")
    emit(idx, n "\t" pd "\t" p50 / 1000 "\t" (p90 == "NaN" ? p90 : p90 / 1000))
    track(n, "x"); track(pd, "y"); track(p50 / 1000, "y2")
    if (!("x0" in meta) || n + 0 < meta["x0"] + 0) { meta["x0"] = n; meta["y0"] = p50 / 1000 }
    next
}

mode == "lagcdf" {
    if (!has("lag_us")) { bad = "needs a lag_us column"; next }
    v = get("lag_us")
    if (!isnum(v)) next
    key = has("config") && get("config") != "" ? get("config") : stem
    if (!(key in sidx)) {
        lab = (key ~ /^[0-9]+$/ ? "config " : "") key
        if ((key, "desc") in sweepdesc) lab = lab ": " sweepdesc[key, "desc"]
        add_series(key, lab, "lag_us\t" clean(lab), "s")
    }
    emit(sidx[key], v)
    track(v, "x")
    next
}

# sweep modes: store the rows, decide in END
{
    nrows++
    for (p in hdrcol) row[nrows, p] = get(p)
}

END {
    if (mode == "lagflush") {
        if (!("lag_p50_us" in hdrcol) || !("block_samples" in hdrcol)) { print "0 sweep.csv has no lag_p50_us or block_samples column"; exit 0 }
        for (r = 1; r <= nrows; r++) {
            m = row[r, "writer_mode"]
            sel[r] = ((m == "" || m == "swmr") && isnum(row[r, "lag_p50_us"])) ? "use" : ""
            if (sel[r] == "use") { dms[row[r, "flush_every_ms"]] = 1; dbl[row[r, "flush_every_blocks"]] = 1 }
        }
        nms = 0; for (k in dms) nms++
        nbl = 0; for (k in dbl) nbl++
        anyms = 0; for (k in dms) if (k + 0 > 0) anyms = 1
        xcol = (nms > nbl || (nms == nbl && anyms)) ? "flush_every_ms" : "flush_every_blocks"
        if (!(xcol in hdrcol)) xcol = (xcol == "flush_every_ms") ? "flush_every_blocks" : "flush_every_ms"
        if (!(xcol in hdrcol)) { print "0 sweep.csv has no flush_every_ms or flush_every_blocks column"; exit 0 }
        others = "block_samples poll_ms reader_wait readers nchannels flush_call cork flush_every_ms flush_every_blocks"
        sub(xcol, "", others)
        label_rows(others, "use", "")
        for (r = 1; r <= nrows; r++) {
            if (sel[r] != "use" || !isnum(row[r, xcol])) continue
            l = rowlab[r] == "" ? "SWMR" : rowlab[r]
            idx = add_series(l, l, xcol "\t" clean(l) "\t" clean(l) " p99", "s")
            p99 = isnum(row[r, "lag_p99_us"]) ? row[r, "lag_p99_us"] : "NaN"
            emit(idx, row[r, xcol] "\t" row[r, "lag_p50_us"] "\t" p99)
            track(row[r, xcol], "x"); track(row[r, "lag_p50_us"], "y"); track(p99, "y")
            if (isnum(row[r, "block_bytes"])) blocks[human_bytes(row[r, "block_bytes"] + 0)] = 1
        }
        meta["xlab"] = xcol == "flush_every_ms" ? "\"flush interval, ms between flushes\"" : "\"flush interval, blocks appended per flush\""
        bl = ""; for (k in blocks) bl = bl (bl == "" ? "" : ", ") k
        meta["blocks"] = "\"" bl "\""
        if (nseries == 0) { print "0 sweep.csv has no SWMR rows with a visibility lag (runs without readers?)"; exit 0 }
        if (nx < 2) { print "0 sweep.csv has one flush interval only (sweep flush_every_blocks or flush_every_ms for this plot)"; exit 0 }
    } else if (mode == "throughput") {
        # io_MBps (time inside the append and flush calls) when the sweep has it:
        # what the storage path sustains, without generating the samples
        tcol = ("io_MBps" in hdrcol) ? "io_MBps" : "writer_MBps"
        if (!(tcol in hdrcol) || !("block_bytes" in hdrcol)) { print "0 sweep.csv has no writer_MBps or block_bytes column"; exit 0 }
        for (r = 1; r <= nrows; r++) {
            m = row[r, "writer_mode"]; if (m == "") m = "swmr"
            sel[r] = (isnum(row[r, tcol]) && isnum(row[r, "block_bytes"])) ? m : ""
        }
        keep_jobs_varying("block_bytes")
        for (r = 1; r <= nrows; r++) if (sel[r] != "") groups[sel[r]] = 1
        others = "flush_every_blocks flush_every_ms flush_call cork nchannels readers poll_ms reader_wait"
        for (g in groups) label_rows(others, g, mode_name(g))
        for (r = 1; r <= nrows; r++) {
            g = sel[r]
            if (g == "") continue
            prefix = g == "swmr" ? "a" : g == "noswmr" ? "b" : g == "raw" ? "c" : "d"
            idx = add_series(g SUBSEP rowlab[r], rowlab[r], "block_kib\t" clean(rowlab[r]), prefix)
            emit(idx, block_kib(r) "\t" row[r, tcol])
            track(block_kib(r), "x"); track(row[r, tcol], "y")
        }
        if (nseries == 0) { print "0 sweep.csv has no rows with writer_MBps and block_bytes"; exit 0 }
        if (nx < 2) { print "0 sweep.csv has one block size only (sweep block_samples for this plot)"; exit 0 }
    } else if (mode == "flushlat") {
        if (!("flush_p50_us" in hdrcol) || !("block_bytes" in hdrcol)) { print "0 sweep.csv has no flush_p50_us or block_bytes column"; exit 0 }
        for (r = 1; r <= nrows; r++) {
            m = row[r, "writer_mode"]; if (m == "") m = "swmr"
            sel[r] = (m != "raw" && isnum(row[r, "flush_p50_us"]) && row[r, "flush_p50_us"] + 0 > 0 && isnum(row[r, "block_bytes"])) ? "use" : ""
        }
        keep_jobs_varying("block_bytes")
        others = "writer_mode flush_call flush_every_blocks flush_every_ms cork nchannels readers poll_ms reader_wait"
        label_rows(others, "use", "")
        for (r = 1; r <= nrows; r++) {
            if (sel[r] != "use") continue
            l = clean(rowlab[r] == "" ? "flush" : rowlab[r])
            idx = add_series(l, l, "block_kib\t" l "\t" l " p90\t" l " p99\t" l " p99.9", "s")
            line = block_kib(r)
            split("flush_p50_us flush_p90_us flush_p99_us flush_p999_us", pc, " ")
            for (i = 1; i <= 4; i++) {
                v = isnum(row[r, pc[i]]) ? row[r, pc[i]] : "NaN"
                line = line "\t" v
                track(v, "y")
            }
            emit(idx, line)
            track(block_kib(r), "x")
        }
        if (nseries == 0) { print "0 sweep.csv has no rows with a flush latency (flush_p50_us)"; exit 0 }
        if (nx < 2) { print "0 sweep.csv has one block size only (sweep block_samples for this plot)"; exit 0 }
    } else if (mode == "flushchan") {
        if (!("flush_p50_us" in hdrcol) || !("nchannels" in hdrcol)) { print "0 sweep.csv has no flush_p50_us or nchannels column"; exit 0 }
        for (r = 1; r <= nrows; r++) {
            m = row[r, "writer_mode"]; if (m == "") m = "swmr"
            sel[r] = (m != "raw" && isnum(row[r, "flush_p50_us"]) && row[r, "flush_p50_us"] + 0 > 0 && isnum(row[r, "nchannels"])) ? "use" : ""
        }
        keep_jobs_varying("nchannels")
        for (r = 1; r <= nrows; r++) if (sel[r] == "use") nch[row[r, "nchannels"] + 0] = 1
        k = 0; for (c in nch) k++
        if (k < 2) { print "0 sweep.csv has fewer than two channel counts (nchannels)"; exit 0 }
        others = "flush_call writer_mode block_samples flush_every_blocks flush_every_ms cork readers poll_ms reader_wait"
        label_rows(others, "use", "")
        for (r = 1; r <= nrows; r++) {
            if (sel[r] != "use") continue
            l = rowlab[r]
            if (l == "") l = "flush"
            idx = add_series(l, l, "nchannels\t" clean(l) "\t" clean(l) " p99", "s")
            n = row[r, "nchannels"]
            p99 = isnum(row[r, "flush_p99_us"]) ? row[r, "flush_p99_us"] : "NaN"
            emit(idx, n "\t" row[r, "flush_p50_us"] "\t" p99)
            track(n, "x"); track(row[r, "flush_p50_us"], "y"); track(p99, "y")
        }
    } else if (mode == "flushcost") {
        if (nseries == 0) { print "0 flushcost.csv: " (bad != "" ? bad : "no rows"); exit 0 }
        meta["logy2"] = logaxis("y2")
    } else if (mode == "lagcdf") {
        if (nseries == 0) { print "0 lag files: " (bad != "" ? bad : "no rows with a lag_us value"); exit 0 }
        meta["nonpos"] = ((("x", "nonpos") in range) ? 1 : 0)
        # log x even with lags <= 0 (they stay left of the axis): the modes span decades
        delete range["x", "nonpos"]
    }
    for (i = 1; i <= nseries; i++) close(sfile[i] ".raw")
    meta["logx"] = logaxis("x")
    meta["logy"] = logaxis("y")
    write_meta()
    print nseries
}
