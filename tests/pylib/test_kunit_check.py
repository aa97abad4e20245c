# SPDX-License-Identifier: GPL-2.0
import io
import unittest

from tests.pylib import fixture
from pylib import kunit_check

WHAT = "kunit um/shelf"
TREE = fixture("tree")
FRAG = fixture("shelf.kunitconfig")
CLEAN_LOG = [
    "ok - kunit um/shelf: no KASAN report in the kernel log",
    "ok - kunit um/shelf: no lockdep report in the kernel log",
    "ok - kunit um/shelf: no bad page report in the kernel log",
    "ok - kunit um/shelf: no list corruption report in the kernel log",
    "ok - kunit um/shelf: no BUG/WARNING/Oops report in the kernel log",
]


def run(results, frag=FRAG, filt="", expect="", log="clean.log", mustrun=""):
    out = io.StringIO()
    failed = kunit_check.check(fixture(results), TREE, frag, WHAT, filt,
                               expect and fixture(expect), fixture(log),
                               mustrun, out=out)
    return failed, out.getvalue().splitlines()


class Verdict(unittest.TestCase):
    def test_all_pass(self):
        """a run whose cases all pass: a line per case in the suite's order, the count, the log"""
        failed, lines = run("results-pass.json")
        self.assertEqual(failed, 0)
        self.assertEqual(lines, [
            "ok - kunit um/shelf: shelf.empty_shelf_holds_nothing",
            "ok - kunit um/shelf: shelf.shelf_keeps_exact_counts[1-page]",
            "ok - kunit um/shelf: shelf.shelf_keeps_exact_counts[2-pages]",
            "ok - kunit um/shelf: shelf.shelf_keeps_exact_counts[64-pages] # SKIP",
            "ok - kunit um/shelf: shelf.shelf_survives_reuse",
            "ok - kunit um/shelf: 5 cases ran, as the suites define (5)",
        ] + CLEAN_LOG)

    def test_failures_are_named(self):
        """a failing case is not ok, with its status"""
        failed, lines = run("results-expected.json")
        self.assertEqual(failed, 1)
        self.assertIn("not ok - kunit um/shelf: shelf.shelf_keeps_exact_counts[2-pages] (FAIL)",
                      lines)
        self.assertIn("not ok - kunit um/shelf: shelf.shelf_survives_reuse (FAIL)", lines)

    def test_expected_failures(self):
        """with a list of expected failures, listed cases must fail and the rest pass"""
        failed, lines = run("results-expected.json", expect="expected-fail")
        self.assertEqual(failed, 0)
        self.assertEqual(lines[:5], [
            "ok - kunit um/shelf: shelf.empty_shelf_holds_nothing passes",
            "ok - kunit um/shelf: shelf.shelf_keeps_exact_counts[1-page] passes",
            "ok - kunit um/shelf: shelf.shelf_keeps_exact_counts[2-pages] fails as expected",
            "ok - kunit um/shelf: shelf.shelf_keeps_exact_counts[64-pages] passes",
            "ok - kunit um/shelf: shelf.shelf_survives_reuse fails as expected",
        ])

    def test_expected_failure_that_passes(self):
        """a listed case that passes is not ok"""
        failed, lines = run("results-pass.json", expect="expected-fail")
        self.assertEqual(failed, 1)
        self.assertIn("not ok - kunit um/shelf: shelf.shelf_survives_reuse fails as expected"
                      " (it gave PASS)", lines)

    def test_crash_and_missing_results(self):
        """an ERROR is not ok, and so is the count when results are missing"""
        failed, lines = run("results-crash.json", filt="shelf.shelf_*")
        self.assertEqual(failed, 1)
        self.assertIn("not ok - kunit um/shelf: shelf.shelf_keeps_exact_counts[64-pages] (ERROR)",
                      lines)
        # The filter leaves out empty_shelf_holds_nothing, which ran.
        self.assertIn("not ok - kunit um/shelf: 5 cases ran, as the suites define (4); "
                      "not defined: shelf.empty_shelf_holds_nothing", lines)

    def test_wrong_number_of_parameters(self):
        """a parameterised case with too few results is named"""
        failed, lines = run("results-pass.json", frag=fixture("odd.kunitconfig"))
        self.assertEqual(failed, 1)
        self.assertIn("not ok - kunit um/shelf: 5 cases ran, as the suites define (-1); "
                      "wrong number of results for odd_list.list_walks_every_node; "
                      "not defined: shelf.shelf_keeps_exact_counts[1-page], "
                      "shelf.shelf_keeps_exact_counts[2-pages], "
                      "shelf.shelf_keeps_exact_counts[64-pages], "
                      "shelf.empty_shelf_holds_nothing, shelf.shelf_survives_reuse", lines)

    def test_no_cases_match(self):
        """a filter that matches no case is not ok"""
        failed, lines = run("results-pass.json", filt="nothing")
        self.assertEqual(failed, 1)
        self.assertIn("not ok - kunit um/shelf: the suites define cases to run "
                      "(none found matching nothing)", lines)

    def test_unbuilt_suite(self):
        """a symbol without a Makefile line is the first line, not ok"""
        failed, lines = run("results-pass.json", frag=fixture("unbuilt.kunitconfig"))
        self.assertEqual(failed, 1)
        self.assertEqual(lines[0], "not ok - kunit um/shelf: CONFIG_NOWHERE_KUNIT_TEST "
                                   "builds a suite (no Makefile line for it)")

    def test_must_run(self):
        """a case that must run on this arch may not skip, nor be missing"""
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".must-run") as f:
            f.write("shelf.shelf_keeps_exact_counts[64-pages]\nshelf.absent_case\n")
            f.flush()
            failed, lines = run("results-pass.json", mustrun=f.name)
        self.assertEqual(failed, 1)
        self.assertEqual(lines[0], "not ok - kunit um/shelf: shelf.absent_case runs here "
                                   "(it did not run)")
        self.assertIn("not ok - kunit um/shelf: shelf.shelf_keeps_exact_counts[64-pages] "
                      "runs here (it skipped)", lines)


class KernelLog(unittest.TestCase):
    def test_reports_after_the_ktap_start(self):
        """reports in the KUnit output are not ok; those while booting are a comment"""
        failed, lines = run("results-pass.json", log="test.log")
        self.assertEqual(failed, 1)
        self.assertEqual(lines[6:], [
            "# kunit um/shelf: 1 report lines while booting, before the KUnit output "
            "(not counted), first: [    0.120000] WARNING: CPU: 0 PID: 1 at "
            "drivers/pci/virt-pci.c:42 um_pci_init+0x1f/0x80",
            "not ok - kunit um/shelf: no KASAN report in the kernel log (1 lines, first: "
            "[    1.000000] BUG: KASAN: slab-use-after-free in shelf_survives_reuse+0x2a/0x100)",
            "ok - kunit um/shelf: no lockdep report in the kernel log",
            "ok - kunit um/shelf: no bad page report in the kernel log",
            "not ok - kunit um/shelf: no list corruption report in the kernel log (1 lines, "
            "first: [    1.000001] list_add corruption. next->prev should be prev "
            "(00000000deadbeef))",
            "not ok - kunit um/shelf: no BUG/WARNING/Oops report in the kernel log (1 lines, "
            "first: [    1.000000] BUG: KASAN: slab-use-after-free in "
            "shelf_survives_reuse+0x2a/0x100)",
        ])

    def test_no_log(self):
        """without a kernel log every report line is not ok"""
        failed, lines = run("results-pass.json", log="no-such.log")
        self.assertEqual(failed, 1)
        self.assertEqual(len([l for l in lines if "(no log " in l]), 5)


if __name__ == "__main__":
    unittest.main()
