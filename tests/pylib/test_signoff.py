# SPDX-License-Identifier: GPL-2.0
import unittest

from pylib import signoff

PROJ = "balloon-offline@lists.example.org"
ME = ("Jane Doe", "jane@example.org")
SOB_ME = "Signed-off-by: Jane Doe <jane@example.org>"


def patch(author="Balloon Offline Series <%s>" % PROJ, trailers=(), body="Do a thing."):
    lines = ["From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001",
             "From: " + author,
             "Date: Mon, 18 Nov 2024 10:00:00 +0000",
             "Subject: [PATCH] mm: do a thing",
             "", body, ""] + list(trailers) + [
             "---", " mm/x.c | 2 +-", "", "diff --git a/mm/x.c b/mm/x.c",
             "-Signed-off-by: Balloon Offline Series <%s>" % PROJ, ""]
    return "\n".join(lines)


def sign(data):
    return signoff.sign_patch(data, "0001-x.patch", ME[0], ME[1], PROJ)


class SignPatch(unittest.TestCase):
    def test_project_patch(self):
        """the project's patch gets the submitter's From: and sign-off; the diff stays"""
        data = patch(trailers=["Reviewed-by: A <a@example.org>",
                               "Signed-off-by: Balloon Offline Series <%s>" % PROJ])
        text, what = sign(data)
        self.assertEqual(what, ["From", "Signed-off-by"])
        lines = text.split("\n")
        self.assertEqual(lines[1], "From: Jane Doe <jane@example.org>")
        self.assertEqual(lines[7:9], ["Reviewed-by: A <a@example.org>", SOB_ME])
        self.assertEqual(text.split("\n---\n")[1], data.split("\n---\n")[1])

    def test_other_author_keeps_authorship(self):
        """another author stays the author and keeps a sign-off"""
        data = patch(author="Ann Other <ann@example.org>",
                     trailers=["Signed-off-by: Ann Other <ann@example.org>",
                               "Signed-off-by: Balloon Offline Series <%s>" % PROJ])
        text, what = sign(data)
        self.assertEqual(what, ["Signed-off-by"])
        self.assertIn("From: Ann Other <ann@example.org>\n", text)
        self.assertIn("Signed-off-by: Ann Other <ann@example.org>\n" + SOB_ME + "\n", text)

    def test_sign_off_added_after_the_last_trailer(self):
        """without the project's sign-off, the submitter's goes after the last trailer"""
        text, what = sign(patch(author="Ann Other <ann@example.org>",
                                trailers=["Signed-off-by: Ann Other <ann@example.org>"]))
        self.assertEqual(what, ["Signed-off-by added"])
        self.assertIn("Signed-off-by: Ann Other <ann@example.org>\n" + SOB_ME + "\n---", text)

    def test_sign_off_added_as_a_paragraph(self):
        """a message without trailers gets the sign-off as a paragraph of its own"""
        msg, what = signoff.sign_message(["", "Do a thing.", ""], SOB_ME, PROJ)
        self.assertEqual(msg, ["", "Do a thing.", "", SOB_ME, ""])
        self.assertEqual(what, "Signed-off-by added")

    def test_never_twice(self):
        """a patch already signed off by the submitter is unchanged"""
        data = patch(author="Ann Other <ann@example.org>", trailers=[SOB_ME])
        text, what = sign(data)
        self.assertEqual((text, what), (data, []))
        msg, _ = signoff.sign_message(
            ["", SOB_ME, "Signed-off-by: Balloon Offline Series <%s>" % PROJ], SOB_ME, PROJ)
        self.assertEqual(msg.count(SOB_ME), 1)

    def test_encoded_author_and_non_ascii_name(self):
        """an RFC 2047 From: is recognized; a non-ASCII name is encoded and declared"""
        data = patch(author="=?utf-8?q?Balloon_Offline_Series?= <%s>" % PROJ)
        text, what = signoff.sign_patch(data, "0001-x.patch", "Zoë Doe", ME[1], PROJ)
        self.assertEqual(what, ["From", "Signed-off-by added"])
        self.assertIn("From: =?utf-8?q?Zo=C3=AB_Doe?= <jane@example.org>\n", text)
        self.assertIn("Content-Type: text/plain; charset=UTF-8\n", text)
        self.assertIn("Signed-off-by: Zoë Doe <jane@example.org>\n", text)

    def test_no_cut_line(self):
        """a patch without a '---' line is an error"""
        data = patch().replace("\n---\n", "\n")
        with self.assertRaisesRegex(signoff.PatchError, 'expected a "---" line'):
            sign(data)

    def test_header_addr(self):
        """From: values are written as git format-patch writes them"""
        self.assertEqual(signoff.header_addr("Jane Q. Doe", "j@example.org"),
                         '"Jane Q. Doe" <j@example.org>')


if __name__ == "__main__":
    unittest.main()
