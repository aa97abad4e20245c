# SPDX-License-Identifier: GPL-2.0
"""The KUnit cases that the suites of a kernel tree define, read from
their sources: what a run of a fragment must report, case by case, so
that a kernel that stopped half way does not pass for one whose cases
all passed."""

import os
import re

# The directories whose Makefiles build the suites.
ROOTS = ("mm", "lib", "fs/proc")


def strip_comments(src):
    """C source SRC without its comments."""
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", src, flags=re.S)


def initializer(src, name):
    """The text between the braces of the array initializer
    'NAME[] = { ... }' in SRC, or None when SRC has none."""
    m = re.search(r"\b%s\s*\[\s*\]\s*=\s*\{" % re.escape(name), src)
    if not m:
        return None
    depth, i = 1, m.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(src[i], 0)
        i += 1
    return src[m.end():i - 1]


def count_elements(body):
    """The number of elements of an initializer BODY (commas at the top
    level; a trailing comma makes no element)."""
    depth, n, item = 0, 0, False
    for c in body:
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        if depth == 0 and c == ",":
            n += item
            item = False
        elif not c.isspace():
            item = True
    return n + item


def enabled_tests(fragfile):
    """The test symbols (FOO_KUNIT_TEST) a .kunitconfig turns on."""
    enabled = []
    with open(fragfile) as f:
        for line in f:
            m = re.match(r"\s*CONFIG_(\w+_KUNIT_TEST)=y", line)
            if m:
                enabled.append(m.group(1))
    return enabled


def sources(tree, sym):
    """The C files that CONFIG_SYM builds, from the Makefiles of ROOTS."""
    objs = []
    for root in ROOTS:
        mk = os.path.join(tree, root, "Makefile")
        if not os.path.exists(mk):
            continue
        with open(mk) as f:
            for line in f:
                m = re.match(r"obj-\$\(CONFIG_%s\)\s*\+?=\s*(\S+)\.o" % sym, line)
                if m:
                    objs.append(os.path.join(tree, root, m.group(1) + ".c"))
    return objs


def suite_cases(src):
    """{suite.case: number of results} for the suites in C source SRC
    (comments stripped): None for a case without parameters (one result),
    the number of parameters for a parameterised one (-1 when its
    parameter array is not found)."""
    defined = {}
    for sm in re.finditer(r"struct kunit_suite\s+\w+\s*=\s*\{(.*?)\};", src, re.S):
        sname = re.search(r"\.name\s*=\s*\"([^\"]+)\"", sm.group(1)).group(1)
        arr = re.search(r"\.test_cases\s*=\s*(\w+)", sm.group(1)).group(1)
        for cm in re.finditer(r"KUNIT_CASE(\w*)\s*\(\s*(\w+)\s*(?:,\s*(\w+))?",
                              initializer(src, arr)):
            kind, case, gen = cm.groups()
            n = None
            if kind.startswith("_PARAM"):
                pm = re.search(r"KUNIT_ARRAY_PARAM(?:_DESC)?\s*\(\s*%s\s*,\s*(\w+)"
                               % re.escape(gen[:-len("_gen_params")]), src)
                n = count_elements(initializer(src, pm.group(1))) if pm else -1
            defined["%s.%s" % (sname, case)] = n
    return defined


def defined_cases(tree, fragfile):
    """({suite.case: results, as suite_cases}, [symbols that no Makefile
    builds]) for the suites that FRAGFILE enables in TREE."""
    defined, unbuilt = {}, []
    for sym in enabled_tests(fragfile):
        objs = sources(tree, sym)
        if not objs:
            unbuilt.append(sym)
            continue
        for obj in objs:
            with open(obj) as f:
                defined.update(suite_cases(strip_comments(f.read())))
    return defined, unbuilt


def results_wanted(n):
    """The number of results a case with N (as suite_cases) gives."""
    return 1 if n is None else n
