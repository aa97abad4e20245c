# SPDX-License-Identifier: GPL-2.0
"""The logic of the project's checks that is easier to say in Python than
in bash: the KUnit stage's verdict on kunit.py's results (kunit_check,
with kunit_results and kunit_suites), the mutation proof's verdict
(mutate_check), the kernel report patterns (reports), the submitter's
sign-off (signoff) and the b4 round trip's helpers (b4mail).

The scripts in scripts/ keep the plumbing and run a module with
"python3 -m pylib.MODULE ARG..." (scripts/lib.sh puts scripts/ on
PYTHONPATH); tests/pylib/ holds the unit tests, which scripts/selftest
runs."""
