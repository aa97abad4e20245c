# SPDX-License-Identifier: GPL-2.0
import contextlib
import io
import shutil
import tempfile
import unittest

from tests.pylib import fixture
from pylib import stress_check

WHAT = "7.3 stress um"
PLANTED = ["shelf.shelf_keeps_exact_counts"]


class Boots(unittest.TestCase):
    """Boots written as scripts/stress leaves them: NAME-I.{json,log,out,rc}."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.n = 0

    def tearDown(self):
        shutil.rmtree(self.dir)

    def boot(self, results="results-pass.json", rc=0, hammer=True, halt=True,
             extra="", out="Testing complete."):
        """Write the next boot; RESULTS None: kunit.py wrote none."""
        self.n += 1
        base = "%s/stress-%d" % (self.dir, self.n)
        if results:
            shutil.copy(fixture(results), base + ".json")
        log = ["Linux version 7.3.4 (UML)"]
        if hammer:
            log.append("compaction_stress: compacting all nodes in a loop")
        log += ["KTAP version 1", "1..1", extra, "ok 1 shelf"]
        if halt:
            log.append("compaction_stress: 4000 passes over all nodes in 100 ms")
        with open(base + ".log", "w") as f:
            f.write("\n".join(log) + "\n")
        with open(base + ".out", "w") as f:
            f.write(out + "\n")
        with open(base + ".rc", "w") as f:
            f.write("%d\n" % rc)

    def lines(self, catches=()):
        bs = stress_check.boots(self.dir, "stress", self.n)
        if catches:
            return stress_check.planted_lines(bs, WHAT, list(catches))
        return stress_check.stress_lines(bs, WHAT)

    def test_clean(self):
        """boots with every case passing and the thread running are ok"""
        self.boot()
        self.boot()
        self.assertEqual(self.lines(), [
            "ok - 7.3 stress um: 2 boots with compaction beside the suites: 0 crashed, "
            "0 failing cases in 0 boots (5 cases each)",
            "# 7.3 stress um: shelf.shelf_keeps_exact_counts[64-pages] skipped in 2 of 2 boots",
            "ok - 7.3 stress um: the compaction thread ran in every boot, from before the "
            "suites to the halt after them (8000 passes over all nodes in all, at least "
            "4000 a boot, one every 25 us)"])

    def test_failing_case(self):
        """a failing case is not ok, named with its boot"""
        self.boot()
        self.boot(results="results-expected.json", rc=1)
        self.assertEqual(
            self.lines()[0],
            "not ok - 7.3 stress um: 2 boots with compaction beside the suites: 0 crashed, "
            "2 failing cases in 1 boots (5 cases each); "
            "stress-2: shelf.shelf_keeps_exact_counts[2-pages] FAIL; "
            "stress-2: shelf.shelf_survives_reuse FAIL")

    def test_crashes(self):
        """no results, a crashed case, a report or kunit.py failing with no case failing: a crash"""
        self.boot(results=None, rc=1, halt=False)
        self.boot(results="results-crash.json", rc=1)
        self.boot(extra="Kernel panic - not syncing: Segfault with no mm", rc=1)
        self.boot(rc=1)
        line = self.lines()[0]
        self.assertTrue(line.startswith(
            "not ok - 7.3 stress um: 4 boots with compaction beside the suites: 4 crashed"), line)
        self.assertIn("stress-1: no results", line)
        self.assertIn("stress-2: crashed (kunit.py exit 1)", line)
        self.assertIn("stress-3: report: Kernel panic - not syncing: Segfault with no mm", line)

    def test_thread_missing(self):
        """a boot without the compaction thread's lines is not ok"""
        self.boot()
        self.boot(hammer=False)
        self.boot(halt=False)
        self.assertEqual(
            self.lines()[-1],
            "not ok - 7.3 stress um: the compaction thread ran in every boot, from before "
            "the suites to the halt after them (8000 passes over all nodes in all, at "
            "least 0 a boot, one every 25 us); not in stress-2, stress-3")

    def test_planted_caught(self):
        """the planted test is caught by its case failing (a parameter of it) or a crash"""
        self.boot(results="results-expected.json", rc=1)
        self.boot()
        self.boot(results="results-crash.json", rc=1)
        self.assertEqual(self.lines(PLANTED), [
            "ok - 7.3 stress um: the planted unsafe test (shelf.shelf_keeps_exact_counts) "
            "caught in 2 of 3 boots (1 failed, 1 crashed)"])

    def test_planted_missed(self):
        """a planted test no boot catches is not ok (another case failing does not count)"""
        self.boot()
        self.boot(results="results-expected.json", rc=1)
        self.assertEqual(self.lines(["shelf.shelf_survives_reuse_twice"]), [
            "not ok - 7.3 stress um: the planted unsafe test "
            "(shelf.shelf_survives_reuse_twice) caught in 0 of 2 boots (0 failed, 0 crashed)"])

    def test_main(self):
        """the script reads boots NAME-01.. for N=10 and exits 1 on a not ok line"""
        for _ in range(10):
            self.boot()
        for i in range(1, 10):
            for ext in ("json", "log", "out", "rc"):
                src = "%s/stress-%d.%s" % (self.dir, i, ext)
                try:
                    shutil.move(src, "%s/stress-%02d.%s" % (self.dir, i, ext))
                except FileNotFoundError:
                    pass
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = stress_check.main([self.dir, "stress", "10", WHAT])
        self.assertEqual(rc, 0)
        self.assertIn("10 boots with compaction beside the suites: 0 crashed", out.getvalue())
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(stress_check.main([self.dir, "stress", "10", WHAT,
                                                "shelf.nothing"]), 1)


if __name__ == "__main__":
    unittest.main()
