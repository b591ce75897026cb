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
# long legend texts: the key goes below the plot (outside it), one column (two
# beyond 8 lines), between the x axis label and the footer line; a key line
# is about 0.025 of the picture's height
nkeys = words(files)
keyrows = nkeys <= 8 ? nkeys : (nkeys + 1) / 2
keytop = (footer ne "" ? 0.04 : 0.01) + keyrows * 0.025 + 0.015
set key at screen 0.5, screen keytop center top vertical Left reverse maxrows keyrows
set bmargin at screen keytop + 0.085
plot for [i=1:words(files)] word(files,i) using 1:2 with steps lt i lw 2 title columnheader(2)
eval svg_too
