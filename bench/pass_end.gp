# pass_end.gp - ends pass `pass` of a plot (see common.gp): after pass 0 every
# panel gets the same x range (and y range, with share_y); after 1 and 2 the
# file is closed.
if (pass == 0) {
    set xrange [xlo:xhi]
    if (share_y) { set yrange [ylo:yhi] }
} else {
    if (multi) { unset multiplot }
    unset output
}
