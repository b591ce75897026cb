# lag_by_reader_kind.gp - distribution (CDF) of reader visibility lag per reader
# kind (sweep.csv's reader_kind; lags from lag_events.csv), and of the bare HDF5
# reader loop (reader_mode bare) as the floor, when its lag logs are there.
load 'common.gp'
files = system('ls '.dir.'/s*.cdf')
bare = system('ls '.dir.'/b*.cdf 2>/dev/null')
set title "Visibility lag distribution per reader kind (lag\\_events.csv, reader\\_kind of sweep.csv)\n{/*0.8 fraction of published flushes a reader saw within a given lag".(words(bare) ? "; dashed: bare HDF5 reader loop, the floor" : "").(nonpos ? "; lags <= 0 are left of the axis" : "")."}"
set xlabel "visibility lag (µs".(logx ? ", log scale)" : ")")
set ylabel "fraction of flushes seen (CDF)"
if (logx) { set logscale x }
set yrange [0:1.02]
set ytics 0.1
# long legend texts: below the plot area, one column, every entry shown
nkeys = words(files) + words(bare)
eval key_below
plot for [i=1:words(files)] word(files,i) using 1:2 with steps lt i lw 2 title columnheader(2), \
     for [i=1:words(bare)] word(bare,i) using 1:2 with steps lt (words(files) + i) lw 2 dt 2 title columnheader(2)
eval svg_too
