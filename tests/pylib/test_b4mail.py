# SPDX-License-Identifier: GPL-2.0
import email
import json
import os
import tempfile
import unittest

from pylib import b4mail

MAGIC = "--- b4-submit-tracking ---"


def mail(subject, to, cc=""):
    text = "Subject: %s\nTo: %s\n" % (subject, to)
    if cc:
        text += "Cc: %s\n" % cc
    return email.message_from_string(text + "\nbody\n")


class ChangeId(unittest.TestCase):
    def test_set_change_id(self):
        """the tracking JSON gets the change-id; the text above it stays"""
        text = ("mm: cover\n\nbody\n\n" + MAGIC + "\n# This section is used internally by b4\n"
                + json.dumps({"series": {"revision": 1, "change-id": "20990101-x-abc"}}) + "\n")
        new = b4mail.set_change_id(text, "20241117-balloon-offline-0123456789ab", MAGIC)
        head, tail = new.split(MAGIC + "\n")
        self.assertEqual(head, "mm: cover\n\nbody\n\n")
        self.assertTrue(tail.startswith("# This section is used internally by b4\n{\n  \"series\""))
        self.assertEqual(json.loads(tail.split("\n", 1)[1])["series"],
                         {"revision": 1, "change-id": "20241117-balloon-offline-0123456789ab"})


class Addresses(unittest.TestCase):
    EXPECTED = {1: {"a@example.org", "l@lists.example.org"}, 2: {"b@example.org"}}

    def test_all_there(self):
        """patch mails are To/Cc their maintainers, the cover the union"""
        mails = {0: mail("[PATCH 0/2] c", "a@example.org, B <B@example.org>",
                         "l@lists.example.org"),
                 1: mail("[PATCH 1/2] x", "A <a@example.org>", "l@lists.example.org"),
                 2: mail("[PATCH 2/2] y", "b@example.org")}
        problems, union = b4mail.missing_addresses(mails, self.EXPECTED, 2)
        self.assertEqual(problems, [])
        self.assertEqual(len(union), 3)

    def test_missing(self):
        """a missing address, a missing mail and a short cover are each named"""
        mails = {0: mail("[PATCH 0/2] c", "a@example.org"),
                 1: mail("[PATCH 1/2] x", "a@example.org")}
        problems, _ = b4mail.missing_addresses(mails, self.EXPECTED, 2)
        self.assertEqual(problems, [
            "mail 1/2: get_maintainer.pl gives l@lists.example.org, not in its To/Cc",
            "no mail 2/2",
            "cover 0/2: To/Cc lacks b@example.org, l@lists.example.org "
            "(the union of get_maintainer.pl over all patches)",
        ])
        problems, _ = b4mail.missing_addresses({}, {1: set()}, 1)
        self.assertEqual(problems, ["no mail 1/1", "no cover letter 0/1"])

    def test_read_mails_and_expected(self):
        """mails are read by their [PATCH vN i/N] subject, folded or not"""
        with tempfile.TemporaryDirectory() as d:
            for i, subj in enumerate(["[PATCH v2 0/1] cover", "[PATCH v2\n 1/1] mm: x"]):
                with open(os.path.join(d, "%d.eml" % i), "w") as f:
                    f.write("Subject: %s\nTo: a@example.org\n\nbody\n" % subj)
            with open(os.path.join(d, "notes.eml"), "w") as f:
                f.write("Subject: notes\n\n")
            with open(os.path.join(d, "getm.1"), "w") as f:
                f.write("A <A@example.org>\n\n")
            mails = b4mail.read_mails(d)
            self.assertEqual(sorted(mails), [0, 1])
            self.assertEqual(b4mail.expected_addresses(os.path.join(d, "getm"), 1),
                             {"a@example.org"})


if __name__ == "__main__":
    unittest.main()
