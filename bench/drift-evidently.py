"""Evidently's DataDriftPreset on two data files, for bench/drift.ts and bench/evidently-compare.ts.

Loads the reference and current files (Parquet or CSV) with pandas, declares every column's kind explicitly
(so Evidently and modelwatch see the same numeric/categorical split and type inference plays no part), times
ONLY `Report(metrics=[DataDriftPreset()], include_tests=True).run(current, reference)`, and prints one JSON line:
{seconds, load_seconds, dataset_seconds, columns: [{name, kind, method, value, threshold, drifted}], versions, ...}.

include_tests=True is what makes Evidently emit a per-column pass/fail: without it the snapshot only has the
scores. It does not change the time measurably (20 columns, 10,000 / 100,000 rows, alternating runs with and without:
4.7-5.7 s either way).

--extra-stats also calls Evidently's own stat-test functions on each column (outside the timed section), so a
comparison can read its normed Wasserstein, Jensen-Shannon, PSI and test p-values whichever method the preset
picked.

Run inside a virtualenv with evidently, pandas and pyarrow. Set DO_NOT_TRACK=1: Evidently sends usage telemetry
otherwise, and this machine reaches no telemetry endpoint.

usage: python drift-evidently.py --reference REF --current CUR [--numeric a,b] [--categorical c,d] [--extra-stats]
"""
import argparse
import json
import resource
import sys
import time
from importlib.metadata import version


def read(path):
    import pandas as pd

    if path.endswith(".parquet"):
        return pd.read_parquet(path)
    # round_trip: pandas' default float parser can be 1 ulp off; ClickHouse parses the same text exactly
    return pd.read_csv(path, float_precision="round_trip", keep_default_na=False, na_values=[""])


def names(text):
    return [s for s in (text or "").split(",") if s]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", required=True)
    parser.add_argument("--current", required=True)
    parser.add_argument("--numeric", default="")
    parser.add_argument("--categorical", default="")
    parser.add_argument("--extra-stats", action="store_true")
    args = parser.parse_args()
    numeric, categorical = names(args.numeric), names(args.categorical)

    started = time.perf_counter()
    import pandas as pd
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    import_seconds = time.perf_counter() - started

    started = time.perf_counter()
    reference_frame, current_frame = read(args.reference), read(args.current)
    for column in categorical:
        # CSV reads a category such as "1" as a number; Evidently's categories are the strings modelwatch sees
        for frame in (reference_frame, current_frame):
            frame[column] = frame[column].map(lambda v: v if pd.isna(v) else str(v)).astype(object)
    load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    reference = Dataset.from_pandas(reference_frame, data_definition=definition)
    current = Dataset.from_pandas(current_frame, data_definition=definition)
    dataset_seconds = time.perf_counter() - started

    started = time.perf_counter()
    snapshot = Report(metrics=[DataDriftPreset()], include_tests=True).run(current, reference)
    seconds = time.perf_counter() - started

    result = snapshot.dict()
    drifted = {}
    for test in result.get("tests", []):
        params = test.get("metric_config", {}).get("params", {})
        if params.get("type") == "evidently:metric_v2:ValueDrift":
            drifted[params["column"]] = test["status"] == "FAIL"
    columns = []
    drifted_count = None
    for metric in result["metrics"]:
        config = metric["config"]
        if config["type"] == "evidently:metric_v2:ValueDrift":
            name = config["column"]
            columns.append({
                "name": name,
                "kind": "numeric" if name in numeric else "categorical",
                "method": config.get("method"),
                "threshold": config.get("threshold"),
                "value": float(metric["value"]),
                "drifted": drifted.get(name),
            })
        elif config["type"] == "evidently:metric_v2:DriftedColumnsCount":
            drifted_count = metric["value"]

    extra = extra_stats(reference_frame, current_frame, numeric, categorical) if args.extra_stats else None
    usage = resource.getrusage(resource.RUSAGE_SELF)

    print(json.dumps({
        "seconds": seconds,
        "import_seconds": import_seconds,
        "load_seconds": load_seconds,
        "dataset_seconds": dataset_seconds,
        "rows_reference": len(reference_frame),
        "rows_current": len(current_frame),
        "columns": columns,
        "drifted_columns": drifted_count,
        "extra": extra,
        # ru_maxrss is in KiB on Linux
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "versions": {p: version(p) for p in ("evidently", "pandas", "numpy", "scipy", "pyarrow", "scikit-learn")},
        "python": sys.version.split()[0],
    }))


def extra_stats(reference_frame, current_frame, numeric, categorical):
    """Evidently's own stat-test implementations on each column, cleaned as get_one_column_drift cleans it."""
    import numpy as np
    from evidently.legacy.calculations.stattests import (
        chi_stat_test, jensenshannon_stat_test, ks_stat_test, psi_stat_test, wasserstein_stat_test, z_stat_test,
    )
    from evidently.legacy.core import ColumnType

    out = {}
    for name in numeric + categorical:
        kind = ColumnType.Numerical if name in numeric else ColumnType.Categorical
        ref = reference_frame[name].replace([-np.inf, np.inf], np.nan).dropna()
        cur = current_frame[name].replace([-np.inf, np.inf], np.nan).dropna()
        tests = {"jensen_shannon": jensenshannon_stat_test, "psi": psi_stat_test}
        if kind == ColumnType.Numerical:
            tests.update({"wasserstein_normed": wasserstein_stat_test, "ks_p": ks_stat_test})
        else:
            tests.update({"chi2_p": chi_stat_test, "z_p": z_stat_test})
        values = {"n_reference": int(len(ref)), "n_current": int(len(cur)), "n_unique": int(np.unique(np.concatenate([ref.to_numpy(), cur.to_numpy()]).astype(str)).size)}
        for key, test in tests.items():
            try:
                values[key] = float(test(ref, cur, kind, None).drift_score)
            except Exception as error:  # a test that does not apply (e.g. Z on 3+ categories) says why
                values[key] = None
                values[f"{key}_error"] = f"{type(error).__name__}: {error}"
        out[name] = values
    return out


if __name__ == "__main__":
    main()
