# SPDX-License-Identifier: GPL-2.0
import re
import unittest

from tests.pylib import fixture
from pylib import reports


class Kinds(unittest.TestCase):
    def test_each_kind_is_found(self):
        """one line of each kind is found as that kind"""
        samples = {
            "KASAN": "BUG: KASAN: use-after-free in foo+0x1/0x2",
            "lockdep": "WARNING: possible circular locking dependency detected",
            "bad page": "BUG: Bad page state in process swapper",
            "list corruption": "list_del corruption, ffff888 ->next is LIST_POISON1",
            "BUG/WARNING/Oops": "Oops: general protection fault, probably for non-canonical",
        }
        for kind, line in samples.items():
            found = dict(reports.find([line]))
            self.assertEqual(found[kind], [line], kind)
            self.assertTrue(reports.is_report(line))

    def test_ordinary_lines_are_not_reports(self):
        """ordinary boot lines are no report"""
        for line in ("Linux version 6.12.0", "ok 1 shelf", "Memory: 1024K available",
                     "rcu: \tRCU lockdep checking is enabled."):
            self.assertFalse(reports.is_report(line), line)

    def test_console_adds_traces_and_oom(self):
        """a console log also counts call traces, bad_page() and running out of memory"""
        for line in ("Call Trace:", " bad_page+0x10/0x20", "Out of memory and no killable",
                     "Kernel panic - not syncing"):
            self.assertTrue(reports.CONSOLE.search(line), line)
        self.assertFalse(reports.CONSOLE.search("virtio_balloon virtio0: inflated"))

    def test_console_takes_what_e2e_took(self):
        """a console log's pattern takes every line e2e's BAD_LOG took, and the report kinds"""
        e2e = re.compile(r"Oops|BUG:|kernel BUG|Bad page|bad_page|WARNING:|"
                         r"Call Trace|general protection|Kernel panic|"
                         r"page dumped because|Out of memory")
        for term in e2e.pattern.split("|"):
            self.assertTrue(reports.CONSOLE.search("x %s y" % term), term)
        for line in ("KASAN: null-ptr-deref", "INFO: lockdep is turned off.",
                     "list_add corruption.", "UBSAN: shift-out-of-bounds"):
            self.assertTrue(reports.CONSOLE.search(line), line)
            self.assertFalse(e2e.search(line), line)


class Boot(unittest.TestCase):
    def test_normalize(self):
        """timestamps, offsets and addresses go"""
        self.assertEqual(reports.normalize("[    0.12] WARNING: at f+0x1f/0x80 (0xdeadbeef)"),
                         "WARNING: at f ()")

    def test_boot_reports_stop_at_ktap(self):
        """the boot check takes the lines before the KUnit output only"""
        lines = reports.read_lines(fixture("test.log"))
        self.assertEqual(reports.boot_reports(lines), [
            "WARNING: CPU: 0 PID: 1 at drivers/pci/virt-pci.c:42 um_pci_init"])

    def test_boot_reports_without_ktap(self):
        """a log without KUnit output is all boot"""
        self.assertEqual(reports.boot_reports(["x", "[1.0] Oops: 0000", "list corruption"]),
                         ["Oops: 0000", "list corruption"])
        self.assertEqual(reports.boot_reports(reports.read_lines(fixture("clean.log"))), [])

    def test_boot_pattern(self):
        """the boot check takes lockdep's reports and corruption, not lockdep's banner"""
        self.assertFalse(reports.BOOT.search("rcu: \tRCU lockdep checking is enabled."))
        self.assertTrue(reports.BOOT.search("WARNING: possible circular locking dependency detected"))
        self.assertTrue(reports.BOOT.search("INFO: lockdep is turned off."))
        self.assertTrue(reports.BOOT.search("list_add corruption. next->prev should be"))
        self.assertFalse(reports.BOOT.search("page dumped because: kasan: bad access"))

    def test_ktap_start(self):
        """the KUnit output starts at its first (K)TAP version line"""
        self.assertEqual(reports.ktap_start(["a", "TAP version 14", "KTAP version 1"]), 1)
        self.assertIsNone(reports.ktap_start(["a", "b"]))


if __name__ == "__main__":
    unittest.main()
