#!/usr/bin/env python3
"""Compares the gate verdicts of two `itm-gate gate` runs from their GITHUB_OUTPUT files.

usage: compare-verdicts.py LABEL FRESH_OUTPUT COMMITTED_OUTPUT [EXPECTED_RESULT]

Compared: `result`, and per spec file: file, verdict, required, passed, failed, flaky,
skipped, did_not_run and the sorted skip_reasons. Not compared: `reasons` (they carry
timings) and everything else. When EXPECTED_RESULT (PASS/FAIL, or - for none) is given,
the committed run's `result` must equal it too.

Exit status: 0 when equal, 1 when they differ (a readable diff is printed), 2 when an
output file cannot be read or parsed.
"""

import json
import sys

SPEC_FIELDS = ("verdict", "required", "passed", "failed", "flaky", "skipped", "did_not_run")


class OutputError(Exception):
    """An output file that cannot be read or does not hold what the gate writes."""


def parse_github_output(path):
    """Parses GitHub's output-file format: `name=value` lines and `name<<DELIM` heredocs."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().split("\n")
    except OSError as error:
        raise OutputError(f"{path}: cannot read the output file: {error}") from error
    outputs = {}
    index = 0
    while index < len(lines):
        line = lines[index].rstrip("\r")
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            while index < len(lines) and lines[index].rstrip("\r") != delimiter:
                value.append(lines[index].rstrip("\r"))
                index += 1
            if index >= len(lines):
                raise OutputError(f"{path}: output `{name}` has no closing delimiter `{delimiter}`")
            index += 1
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        else:
            raise OutputError(f"{path}: line {index} is neither name=value nor name<<DELIMITER: {line!r}")
    return outputs


def verdicts(path):
    """The comparable part of one run: (result, {file: {field: value}})."""
    outputs = parse_github_output(path)
    if "result" not in outputs:
        raise OutputError(f"{path}: no `result` output (did the gate run?)")
    try:
        specs = json.loads(outputs.get("specs") or "[]")
    except json.JSONDecodeError as error:
        raise OutputError(f"{path}: the `specs` output is not JSON: {error}") from error
    if not isinstance(specs, list):
        raise OutputError(f"{path}: the `specs` output is not a JSON array")
    by_file = {}
    for spec in specs:
        if not isinstance(spec, dict) or "file" not in spec:
            raise OutputError(f"{path}: a `specs` entry has no `file`: {spec!r}")
        entry = {field: spec.get(field) for field in SPEC_FIELDS}
        entry["skip_reasons"] = sorted(str(reason) for reason in (spec.get("skip_reasons") or []))
        by_file[spec["file"]] = entry
    return outputs["result"], by_file


def differences(fresh, committed):
    """Human-readable lines, one per difference; empty when the verdicts agree."""
    (fresh_result, fresh_specs), (committed_result, committed_specs) = fresh, committed
    lines = []
    if fresh_result != committed_result:
        lines.append(f"result: fresh {fresh_result}, committed {committed_result}")
    for file in sorted(set(fresh_specs) | set(committed_specs)):
        if file not in fresh_specs:
            lines.append(f"{file}: only in the committed run")
            continue
        if file not in committed_specs:
            lines.append(f"{file}: only in the fresh run")
            continue
        for field, fresh_value in fresh_specs[file].items():
            committed_value = committed_specs[file].get(field)
            if fresh_value != committed_value:
                lines.append(f"{file}: {field}: fresh {json.dumps(fresh_value)}, committed {json.dumps(committed_value)}")
    return lines


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    label, fresh_path, committed_path = argv[1:4]
    expected = argv[4] if len(argv) == 5 and argv[4] != "-" else None
    try:
        fresh = verdicts(fresh_path)
        committed = verdicts(committed_path)
    except OutputError as error:
        print(f"{label}: {error}", file=sys.stderr)
        return 2
    lines = differences(fresh, committed)
    if expected is not None and committed[0] != expected:
        lines.append(f"result: committed {committed[0]}, README/cases.tsv expect {expected}")
    if lines:
        print(f"{label}: verdicts differ")
        for line in lines:
            print(f"  {line}")
        return 1
    print(f"{label}: same verdicts ({committed[0]}, {len(committed[1])} spec files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
