# SPDX-License-Identifier: GPL-2.0
import contextlib
import io
import unittest

from tests.pylib import fixture
from pylib import kunit_results, mutate_check

COUNT_OK = "ok - kunit um/default@mutate: 5 cases ran, as the suites define (5)"


class Verdict(unittest.TestCase):
    def setUp(self):
        self.ran = kunit_results.load(fixture("results-expected.json"))

    def test_kills(self):
        """a mutation whose named cases fail is ok"""
        self.assertEqual(
            mutate_check.verdict(self.ran, "01-x", COUNT_OK,
                                 ["shelf.shelf_survives_reuse",
                                  "shelf.shelf_keeps_exact_counts[2-pages]"]),
            "ok - mutation 01-x: kills shelf.shelf_survives_reuse, "
            "shelf.shelf_keeps_exact_counts[2-pages]")

    def test_named_case_passes_or_is_absent(self):
        """a named case that passes or did not run is not ok"""
        self.assertEqual(
            mutate_check.verdict(self.ran, "02-y (x86_64)", COUNT_OK,
                                 ["shelf.empty_shelf_holds_nothing", "shelf.nothing"]),
            "not ok - mutation 02-y (x86_64): kills shelf.empty_shelf_holds_nothing, "
            "shelf.nothing; shelf.empty_shelf_holds_nothing gave PASS; "
            "shelf.nothing did not run")

    def test_kernel_stopped(self):
        """a run that did not run every case, or crashed, is not ok"""
        ran = kunit_results.load(fixture("results-crash.json"))
        self.assertEqual(
            mutate_check.verdict(ran, "03-z", "not ok - kunit um/default: 4 cases ran, "
                                 "as the suites define (5)",
                                 ["shelf.shelf_keeps_exact_counts[2-pages]"]),
            "not ok - mutation 03-z: kills shelf.shelf_keeps_exact_counts[2-pages]; "
            "the kernel did not run every case (4 cases ran, as the suites define (5)); "
            "crashed: shelf.shelf_keeps_exact_counts[64-pages]")
        self.assertIn("the kernel did not run every case (no count)",
                      mutate_check.verdict(ran, "03-z", "", []))

    def test_main_lists_cases(self):
        """the script's output: every case (SKIPPED or CASE), sorted, then the verdict"""
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = mutate_check.main([fixture("results-pass.json"), "04-w", COUNT_OK,
                                    "shelf.shelf_survives_reuse"])
        self.assertEqual(rc, 0)
        self.assertEqual(out.getvalue().splitlines(), [
            "CASE shelf.empty_shelf_holds_nothing",
            "CASE shelf.shelf_keeps_exact_counts[1-page]",
            "CASE shelf.shelf_keeps_exact_counts[2-pages]",
            "SKIPPED shelf.shelf_keeps_exact_counts[64-pages]",
            "CASE shelf.shelf_survives_reuse",
            "not ok - mutation 04-w: kills shelf.shelf_survives_reuse; "
            "shelf.shelf_survives_reuse gave PASS",
        ])


if __name__ == "__main__":
    unittest.main()
