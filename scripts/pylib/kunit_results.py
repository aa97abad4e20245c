# SPDX-License-Identifier: GPL-2.0
"""kunit.py's results (its --json file): which cases ran, and how each
ended (PASS, FAIL, SKIP, ERROR...).

A case is named suite.case, and one parameter of a parameterised case
suite.case[param]: the names scripts/kunit prints and that expected-fail
lists and mutations' Kills: lines use."""

import json


def case_key(names):
    """The name of a case from its path of group names: suite.case, or
    suite.case[param] for a parameter (kunit.py makes a parameterised case
    a group of its own)."""
    if len(names) == 3:
        return "%s.%s[%s]" % tuple(names)
    return ".".join(names)


def walk(group, path=(), ran=None):
    """{case name: status} for GROUP (kunit.py's JSON, parsed) and the
    groups below it, in the order kunit.py ran them."""
    if ran is None:
        ran = {}
    for sub in group.get("sub_groups", []):
        walk(sub, list(path) + [sub["name"]], ran)
    for case in group.get("test_cases", []):
        ran[case_key(list(path) + [case["name"]])] = case["status"]
    return ran


def load(path):
    """{case name: status} of the results file at PATH."""
    with open(path) as f:
        return walk(json.load(f))


def read_list(path):
    """The set of names in a list file (one a line, '#' comments), as
    expected-fail-base and arch-ARCH.must-run are."""
    names = set()
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(line)
    return names
