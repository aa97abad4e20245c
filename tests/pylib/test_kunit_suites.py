# SPDX-License-Identifier: GPL-2.0
import unittest

from tests.pylib import fixture
from pylib import kunit_suites


class Sources(unittest.TestCase):
    def test_strip_comments(self):
        """comments of both kinds go, code stays"""
        src = "a /* KUNIT_CASE(x),\n */ b // KUNIT_CASE(y)\nc"
        self.assertEqual(kunit_suites.strip_comments(src), "a  b \nc")

    def test_initializer_of_nested_braces(self):
        """an initializer ends at its own closing brace"""
        src = "static int x[] = { {1, 2}, {3} }; int y[] = {4};"
        self.assertEqual(kunit_suites.initializer(src, "x"), " {1, 2}, {3} ")
        self.assertEqual(kunit_suites.initializer(src, "y"), "4")
        self.assertIsNone(kunit_suites.initializer(src, "z"))

    def test_count_elements(self):
        """elements are top-level commas, a trailing comma adds none"""
        self.assertEqual(kunit_suites.count_elements(" {1, 2}, {3} "), 2)
        self.assertEqual(kunit_suites.count_elements("f(1, 2), 3,\n"), 2)
        self.assertEqual(kunit_suites.count_elements("  "), 0)

    def test_enabled_tests(self):
        """a fragment enables its *_KUNIT_TEST symbols only"""
        self.assertEqual(kunit_suites.enabled_tests(fixture("unbuilt.kunitconfig")),
                         ["SHELF_KUNIT_TEST", "NOWHERE_KUNIT_TEST"])


class DefinedCases(unittest.TestCase):
    def test_cases_and_parameters(self):
        """the suites define their cases, a parameterised one by its array"""
        defined, unbuilt = kunit_suites.defined_cases(
            fixture("tree"), fixture("shelf.kunitconfig"))
        self.assertEqual(defined, {
            "shelf.empty_shelf_holds_nothing": None,
            "shelf.shelf_keeps_exact_counts": 3,
            "shelf.shelf_survives_reuse": None,
        })
        self.assertEqual(unbuilt, [])

    def test_symbol_without_makefile_line(self):
        """a symbol no Makefile builds is reported, not guessed"""
        defined, unbuilt = kunit_suites.defined_cases(
            fixture("tree"), fixture("unbuilt.kunitconfig"))
        self.assertEqual(len(defined), 3)
        self.assertEqual(unbuilt, ["NOWHERE_KUNIT_TEST"])

    def test_generator_without_array(self):
        """a parameter generator without KUNIT_ARRAY_PARAM counts -1 (lib/)"""
        defined, _ = kunit_suites.defined_cases(
            fixture("tree"), fixture("odd.kunitconfig"))
        self.assertEqual(defined, {"odd_list.list_walks_every_node": -1})

    def test_results_wanted(self):
        """a plain case gives one result, a parameterised one one per parameter"""
        self.assertEqual(kunit_suites.results_wanted(None), 1)
        self.assertEqual(kunit_suites.results_wanted(3), 3)


if __name__ == "__main__":
    unittest.main()
