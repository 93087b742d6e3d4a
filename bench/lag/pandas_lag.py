"""What a researcher would otherwise write: the lag-1 transition table and
adjusted residuals of a coded CSV (columns sequence,code) with pandas.

Same statistics as `reciprocity analyze lag` (count, expected, transitional
probability, adjusted residual; Haberman 1979, SCIENCE.md section 1.2), so the
benchmark compares like with like. Usage: python3 pandas_lag.py FILE.csv
Installs pandas with pip if it is missing.
"""
import subprocess
import sys

try:
    import numpy as np
    import pandas as pd
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "pandas"])
    import numpy as np
    import pandas as pd


def main(path):
    df = pd.read_csv(path, dtype={"sequence": "string", "code": "string"})
    # Lag-1 pairs within a sequence only: the next row's code, if the next
    # row belongs to the same sequence.
    nxt = df["code"].shift(-1)
    same = df["sequence"].eq(df["sequence"].shift(-1))
    pairs = pd.DataFrame({"given": df["code"][same], "target": nxt[same]})
    counts = pd.crosstab(pairs["given"], pairs["target"])
    codes = sorted(set(counts.index) | set(counts.columns))
    counts = counts.reindex(index=codes, columns=codes, fill_value=0)
    f = counts.to_numpy(dtype=float)
    n = f.sum()
    rows = f.sum(axis=1, keepdims=True)
    cols = f.sum(axis=0, keepdims=True)
    expected = rows @ cols / n
    with np.errstate(divide="ignore", invalid="ignore"):
        prob = f / rows
        z = (f - expected) / np.sqrt(expected * (1 - rows / n) * (1 - cols / n))
    out = pd.DataFrame(
        {
            "given": np.repeat(codes, len(codes)),
            "target": np.tile(codes, len(codes)),
            "count": f.ravel().astype(int),
            "expected": expected.ravel(),
            "transitional_probability": prob.ravel(),
            "adjusted_residual": z.ravel(),
        }
    )
    print(f"N = {int(n)}")
    print(out.to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1])
