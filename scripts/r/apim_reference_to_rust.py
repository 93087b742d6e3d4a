#!/usr/bin/env python3
"""Turns the output of apim_reference.R into the Rust table of
crates/analytics/tests/apim_incomplete.rs (between the GENERATED markers),
so the reference values are copied from R mechanically, never retyped.

    Rscript scripts/r/apim_reference.R > /tmp/apim_reference.txt
    python3 scripts/r/apim_reference_to_rust.py /tmp/apim_reference.txt
"""
import sys

FIELDS = [
    ("n", "n", "usize"),
    ("estimate", "estimate", "list"),
    ("se", "se", "list"),
    ("df", "df", "list"),
    ("df_actor_minus_partner", "df_actor_minus_partner", "list"),
    ("df_role_difference", "df_role_difference", "list"),
    ("logLik", "log_lik", "f64"),
    ("AIC", "aic", "f64"),
    ("BIC", "bic", "f64"),
    ("sigma_polished", "sigma", "f64"),
    ("rho_polished", "rho", "f64"),
    ("varIdent_ratio_polished", "var_ident_ratio", "opt"),
    ("rho", "rho_nlme", "f64"),
    ("logLik_ML", "log_lik_ml", "f64"),
    ("logLik_uncorrelated", "log_lik_uncorrelated", "f64"),
]


def num(text):
    """The shortest decimal that rounds to the same f64 (what Rust and
    clippy want), from R's 17 significant digits."""
    return repr(float(text))


def main(path):
    header = ""
    cases = {}
    order = []
    for line in open(path):
        if line.startswith("#"):
            header = line[1:].strip()
            continue
        parts = line.split()
        if len(parts) < 5:
            continue
        label = " ".join(parts[:3])
        key, values = parts[3], parts[4:]
        if label not in cases:
            cases[label] = {}
            order.append(label)
        cases[label][key] = values
    out = [f"// GENERATED from scripts/r/apim_reference.R output ({header})."]
    out.append("const REFERENCES: &[Reference] = &[")
    for label in order:
        c = cases[label]
        out.append("    Reference {")
        out.append(f'        label: "{label}",')
        for key, name, kind in FIELDS:
            v = c.get(key)
            if kind == "usize":
                out.append(f"        {name}: {v[0]},")
            elif kind == "f64":
                out.append(f"        {name}: {num(v[0])},")
            elif kind == "opt":
                out.append(f"        {name}: {'Some(' + num(v[0]) + ')' if v else 'None'},")
            else:
                vals = ", ".join(num(x) for x in v) if v else ""
                out.append(f"        {name}: &[{vals}],")
        out.append("    },")
    out.append("];")
    target = "crates/analytics/tests/apim_incomplete.rs"
    text = open(target).read()
    start = text.index("// GENERATED from")
    end = text.index("// END GENERATED")
    text = text[:start] + "\n".join(out) + "\n" + text[end:]
    open(target, "w").write(text)


if __name__ == "__main__":
    main(sys.argv[1])
