# pass_begin.gp - starts pass `pass` of a plot (see common.gp): 0 finds the
# shared ranges of the panels, 1 draws the PNG, 2 the SVG.
if (pass == 0) {
    set terminal unknown
    rng = 0
} else {
    if (multi) {
        # one panel per job, under each other, each as wide as the canvas, the
        # plot areas aligned: the legends share one column at the right, its
        # width from the longest legend text, and a panel is as high as its
        # legend; legend texts too long for that go below each plot area
        head = 80.0
        foot = footer ne "" ? 36.0 : 10.0
        keyw = keychars * 9.0 + 130.0
        kbelow = keyw > 0.45 * canvas_w
        keyw = kbelow ? 30.0 : keyw
        # (gnuplot puts no more legend rows in a column than the plot area is
        # high: a plot area is at least as high as its legend)
        array ph[npanels]
        array pb[npanels]
        canvas_h = head + foot
        do for [q=1:npanels] {
            pb[q] = panel_n[q] * shown * 19.0 + 12.0
            pb[q] = pb[q] < (kbelow ? 234.0 : 194.0) ? (kbelow ? 234.0 : 194.0) : pb[q]
            ph[q] = 44.0 + pb[q] + 62.0 + (kbelow ? panel_n[q] * shown * 19.0 + 30.0 : 0)
            canvas_h = canvas_h + ph[q]
        }
        canvas_h = int(canvas_h)
        ptop = head
    } else {
        if (keybelow || keychars * 9.0 + 130.0 > 0.45 * canvas_w || nseries * shown > 34) {
            # many or long legend texts: below the plot area in one column,
            # every entry shown; the picture grows by one line (20 px) per entry
            # (and the plot area at least as high as the legend: gnuplot puts
            # no more legend rows in a column than that)
            nkeys = nseries * shown
            canvas_h = 560 + nkeys * 20 + (footer ne '' ? 30 : 0) + (nkeys * 20 > 350 ? nkeys * 20 - 350 : 0)
            keytop = ((footer ne '' ? 30 : 8) + nkeys * 20 + 12.0) / canvas_h
            set key at screen 0.03, screen keytop left top vertical Left reverse maxrows nkeys
            set bmargin at screen keytop + 75.0 / canvas_h
        }
        set title ptitle
    }
    if (pass == 1) {
        eval 'set terminal '.pngterm.' size canvas_w,canvas_h enhanced'
        set output out.'.png'
    } else {
        set terminal svg size canvas_w,canvas_h dynamic enhanced background rgb 'white'
        set output out.'.svg'
    }
    if (multi) {
        set multiplot title ptitle
    }
}
