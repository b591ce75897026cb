# panel_end.gp - ends panel p of a pass (see common.gp): pass 0 widens the
# shared ranges by what autoscaling chose for the panel.
if (pass == 0) {
    if (!rng || GPVAL_X_MIN < xlo) { xlo = GPVAL_X_MIN }
    if (!rng || GPVAL_X_MAX > xhi) { xhi = GPVAL_X_MAX }
    if (!rng || GPVAL_Y_MIN < ylo) { ylo = GPVAL_Y_MIN }
    if (!rng || GPVAL_Y_MAX > yhi) { yhi = GPVAL_Y_MAX }
    rng = 1
} else {
    if (multi) { ptop = ptop + ph[p] }
}
