# lag_cdf.gp - distribution (CDF) of reader visibility lag, one line per
# configuration / poll mode, from the raw per-event logs lag_*.csv.
load 'common.gp'
files = system('ls '.dir.'/s*.cdf')
set title "Visibility lag distribution per reader wake-up mode (lag\\_*.csv)\n{/*0.8 fraction of published flushes a reader saw within a given lag".(nonpos ? "; lags <= 0 (seen while the flush returned) are left of the axis" : "")."}"
set xlabel "visibility lag (µs".(logx ? ", log scale)" : ")")
set ylabel "fraction of flushes seen (CDF)"
if (logx) { set logscale x }
set yrange [0:1.02]
set ytics 0.1
# long legend texts: below the plot area, one column, every entry shown
nkeys = words(files)
eval key_below
plot for [i=1:words(files)] word(files,i) using 1:2 with steps lt i dt 1 + (i - 1) / 8 lw 2 title columnheader(2)
eval svg_too
