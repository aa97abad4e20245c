# SPDX-License-Identifier: GPL-2.0
import os
import tempfile
import unittest

from tests.pylib import fixture
from pylib import kunit_results


class CaseNames(unittest.TestCase):
    def test_walk_names_cases_and_parameters(self):
        """the JSON walk names cases suite.case and parameters suite.case[param]"""
        ran = kunit_results.load(fixture("results-pass.json"))
        self.assertEqual(ran, {
            "shelf.shelf_keeps_exact_counts[1-page]": "PASS",
            "shelf.shelf_keeps_exact_counts[2-pages]": "PASS",
            "shelf.shelf_keeps_exact_counts[64-pages]": "SKIP",
            "shelf.empty_shelf_holds_nothing": "PASS",
            "shelf.shelf_survives_reuse": "PASS",
        })

    def test_walk_keeps_the_order_of_the_run(self):
        """the JSON walk keeps kunit.py's order: parameters, then the suite's own cases"""
        ran = kunit_results.load(fixture("results-pass.json"))
        self.assertEqual(list(ran)[0], "shelf.shelf_keeps_exact_counts[1-page]")
        self.assertEqual(list(ran)[-1], "shelf.shelf_survives_reuse")

    def test_parameter_names_may_hold_spaces(self):
        """a parameter name keeps its spaces"""
        group = {"name": "root", "sub_groups": [
            {"name": "s", "sub_groups": [
                {"name": "c", "test_cases": [{"name": "two pages", "status": "FAIL"}]}],
             "test_cases": []}]}
        self.assertEqual(kunit_results.walk(group), {"s.c[two pages]": "FAIL"})

    def test_empty_results(self):
        """results without cases give no case"""
        self.assertEqual(kunit_results.walk({"name": "KUnit Test Group"}), {})

    def test_read_list_drops_comments_and_blanks(self):
        """a list file gives its names, without comments and blank lines"""
        self.assertEqual(kunit_results.read_list(fixture("expected-fail")), {
            "shelf.shelf_keeps_exact_counts[2-pages]",
            "shelf.shelf_survives_reuse",
        })

    def test_read_list_of_an_empty_file(self):
        """an empty list file gives no name"""
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write("# nothing\n\n")
        try:
            self.assertEqual(kunit_results.read_list(f.name), set())
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
