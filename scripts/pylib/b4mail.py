# SPDX-License-Identifier: GPL-2.0
"""The b4 round trip's helpers (scripts/b4-roundtrip).

Usage: python3 -m pylib.b4mail change-id FILE CHANGE_ID MAGIC
    give the cover-letter commit message in FILE (b4's tracking JSON
    below the MAGIC line) the change-id CHANGE_ID, in place
Usage: python3 -m pylib.b4mail addresses SENDDIR GETM N
    check that each patch mail i/N in SENDDIR (b4 send -o) is To/Cc every
    address of the file GETM.i (get_maintainer.pl of patch i), and the
    cover 0/N the union; problems and a count go to stderr, exit 1 on a
    problem"""

import email
import email.policy
import email.utils
import glob
import json
import re
import sys


def set_change_id(text, cid, magic):
    """The commit message TEXT with the change-id of the tracking JSON
    below its MAGIC line set to CID."""
    head, tail = text.split(magic + '\n', 1)
    comment, js = tail.split('{', 1)
    tracking = json.loads('{' + js)
    tracking['series']['change-id'] = cid
    return head + magic + '\n' + comment + json.dumps(tracking, indent=2) + '\n'


def read_mails(outdir):
    """{i: message} of the mails [PATCH i/N] (or [PATCH vV i/N]) in
    OUTDIR."""
    mails = {}
    for f in glob.glob(outdir + '/*.eml'):
        with open(f, 'rb') as fh:
            m = email.message_from_binary_file(fh, policy=email.policy.compat32)
        subj = re.sub(r'\s+', ' ', str(m['Subject']))
        mm = re.match(r'\[PATCH (?:v\d+ )?0*(\d+)/', subj)
        if mm:
            mails[int(mm.group(1))] = m
    return mails


def addrs(hdrs):
    """The addresses, lower case, of header values HDRS."""
    return {a.lower() for _, a in email.utils.getaddresses(hdrs) if a}


def dests(m):
    """The To and Cc addresses of message M."""
    return addrs(m.get_all('To', []) + m.get_all('Cc', []))


def missing_addresses(mails, expected, n):
    """([problems], union): every mail i in 1..N of MAILS must be To/Cc
    the addresses EXPECTED[i], the cover 0 their union."""
    problems = []
    union = set()
    for i in range(1, n + 1):
        want = expected[i]
        union |= want
        if i not in mails:
            problems.append(f'no mail {i}/{n}')
            continue
        missing = want - dests(mails[i])
        if missing:
            problems.append(f'mail {i}/{n}: get_maintainer.pl gives {", ".join(sorted(missing))}, '
                            f'not in its To/Cc')
    if 0 not in mails:
        problems.append(f'no cover letter 0/{n}')
    else:
        missing = union - dests(mails[0])
        if missing:
            problems.append(f'cover 0/{n}: To/Cc lacks {", ".join(sorted(missing))} '
                            f'(the union of get_maintainer.pl over all patches)')
    return problems, union


def expected_addresses(getm, i):
    """The addresses of get_maintainer.pl's output GETM.i."""
    with open(f'{getm}.{i}') as fh:
        return addrs([l.strip() for l in fh if l.strip()])


def main(argv):
    if len(argv) == 4 and argv[0] == 'change-id':
        path, cid, magic = argv[1:]
        with open(path) as f:
            text = f.read()
        with open(path, 'w') as f:
            f.write(set_change_id(text, cid, magic))
        return 0
    if len(argv) == 4 and argv[0] == 'addresses':
        outdir, getm, n = argv[1], argv[2], int(argv[3])
        expected = {i: expected_addresses(getm, i) for i in range(1, n + 1)}
        problems, union = missing_addresses(read_mails(outdir), expected, n)
        for p in problems:
            print(p, file=sys.stderr)
        print(f'{len(union)} addresses from get_maintainer.pl over {n} patches',
              file=sys.stderr)
        return 1 if problems else 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
