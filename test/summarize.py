#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Count individual test cases over one or more meson build directories.

Reads <build>/meson-logs/testlog.json and the cmocka summary lines each test
program printed. A program that crashed or timed out without a cmocka failure
line counts as one failed case; a program that exited 77 as one skipped case.
Prints a line per build and a closing line "tests: N passed, N failed[, N skipped]".
Exit status 1 when anything failed or no test ran.
"""
import json
import re
import sys

PASSED = re.compile(r"^\[  PASSED  \] (\d+) test\(s\)\.", re.M)
FAILED = re.compile(r"^\[  FAILED  \] (\d+) test\(s\), listed below:", re.M)
SKIPPED = re.compile(r"^\[  SKIPPED \] (\d+) test\(s\)", re.M)


def count(build):
    p = f = s = 0
    path = f"{build}/meson-logs/testlog.json"
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        print(f"{build}: no test log at {path}")
        return 0, 1, 0
    for line in lines:
        rec = json.loads(line)
        out = (rec.get("stdout", "") or "") + "\n" + (rec.get("stderr", "") or "")
        result = rec.get("result", "")
        tp = sum(int(x) for x in PASSED.findall(out))
        tf = sum(int(x) for x in FAILED.findall(out))
        ts = sum(int(x) for x in SKIPPED.findall(out))
        if result == "SKIP" and tp + tf + ts == 0:
            ts = 1
        elif result == "OK" and tp + tf + ts == 0:
            tp = 1  # a program without cmocka (e.g. an example) is one case
        elif result not in ("OK", "SKIP", "EXPECTEDFAIL") and tf == 0:
            tf = 1
            print(f"{build}: {rec.get('name')} ended with {result} "
                  f"(exit {rec.get('returncode')}) outside a test case")
        p, f, s = p + tp, f + tf, s + ts
    return p, f, s


def main():
    total = [0, 0, 0]
    for build in sys.argv[1:]:
        p, f, s = count(build)
        print(f"{build}: {p} passed, {f} failed, {s} skipped")
        total = [total[0] + p, total[1] + f, total[2] + s]
    line = f"tests: {total[0]} passed, {total[1]} failed"
    if total[2]:
        line += f", {total[2]} skipped"
    print(line)
    return 1 if total[1] or total[0] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
