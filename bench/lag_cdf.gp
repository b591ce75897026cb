# lag_cdf.gp - distribution (CDF) of reader visibility lag, one line per
# configuration / poll mode, one panel per job when there are many, from the
# raw per-event logs lag_*.csv.
load 'common.gp'
ptitle = "Visibility lag distribution per reader wake-up mode (lag\\_*.csv)\n{/*0.8 fraction of published flushes a reader saw within a given lag".(nonpos ? "; lags <= 0 (seen while the flush returned) are left of the axis" : "")."}"
set xlabel "visibility lag (µs".(logx ? ", log scale)" : ")")
set ylabel "fraction of flushes seen (CDF)"
if (logx) { set logscale x }
set yrange [0:1.02]
ytic = multi ? 0.2 : 0.1
set ytics ytic
# one panel: long legend texts below the plot area, one column, every entry shown
keybelow = 1
share_y = 0
do for [pass=(multi ? 0 : 1):2] {
    load 'pass_begin.gp'
    do for [p=1:npanels] {
        load 'panel_begin.gp'
        plot for [i=1:n] word(files, i) using 1:2 with steps ls (f0+i-1) title columnheader(2)
        load 'panel_end.gp'
    }
    load 'pass_end.gp'
}
