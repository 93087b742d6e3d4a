"""What a researcher would otherwise write: the APIM for indistinguishable
dyads from a one-row-per-person CSV with pandas, by the same closed form as
`reciprocity analyze apim` (Kenny, Kashy & Cook 2006; SCIENCE.md section
6.3): pair each person with their partner, take dyad means and differences,
regress, and turn the two residual sums into REML variance components,
standard errors and Satterthwaite df.

Usage: python3 pandas_apim.py FILE.csv [DYAD X Y]   (default couple x y)
Installs pandas with pip if it is missing.
"""
import math
import subprocess
import sys

try:
    import numpy as np
    import pandas as pd
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "pandas"])
    import numpy as np
    import pandas as pd


def main(path, dyad="couple", xcol="x", ycol="y"):
    df = pd.read_csv(path, usecols=[dyad, xcol, ycol])
    # Pair the two rows of each dyad: member 0 and member 1 side by side.
    df["member"] = df.groupby(dyad).cumcount()
    if df["member"].max() > 1:
        raise SystemExit("a dyad has more than two rows")
    wide = df.pivot(index=dyad, columns="member", values=[xcol, ycol]).dropna()
    x1, x2 = wide[(xcol, 0)].to_numpy(), wide[(xcol, 1)].to_numpy()
    y1, y2 = wide[(ycol, 0)].to_numpy(), wide[(ycol, 1)].to_numpy()
    n = len(wide)
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x1 - x2, y1 - y2
    cx = mx - mx.mean()
    sxx = (cx * cx).sum()
    theta1 = (cx * (my - my.mean())).sum() / sxx
    b0 = my.mean() - theta1 * mx.mean()
    rss_b = ((my - b0 - theta1 * mx) ** 2).sum()
    sdd = (dx * dx).sum()
    theta2 = (dx * dy).sum() / sdd
    rss_w = ((dy - theta2 * dx) ** 2).sum()
    v_s = 2 * rss_b / (n - 2)
    v_d = rss_w / (2 * (n - 1))
    var_t1, var_t2 = (v_s / 2) / sxx, 2 * v_d / sdd
    var_ap = (var_t1 + var_t2) / 4
    df_ap = (var_t1 + var_t2) ** 2 / (var_t1**2 / (n - 2) + var_t2**2 / (n - 1))
    var_b0 = (v_s / 2) * (1 / n + mx.mean() ** 2 / sxx)
    cs = (v_s - v_d) / 2
    rows = [
        ("intercept", b0, math.sqrt(var_b0), n - 2),
        ("actor", (theta1 + theta2) / 2, math.sqrt(var_ap), df_ap),
        ("partner", (theta1 - theta2) / 2, math.sqrt(var_ap), df_ap),
    ]
    print(f"n_dyads = {n}")
    for term, est, se, d in rows:
        print(f"{term:10s} {est:.8f} {se:.8f} t = {est / se:.3f} df = {d:.1f}")
    print(f"residual variance {v_d:.5f}, dyad covariance {cs:.5f}, partial ICC {cs / (cs + v_d):.4f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
