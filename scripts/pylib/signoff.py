# SPDX-License-Identifier: GPL-2.0
"""Copies of the series' patches signed off by the person who mails them
(scripts/signoff says what changes and what does not).

Usage: python3 -m pylib.signoff PATCHDIR OUT NAME EMAIL PROJECT_EMAIL PATCH...
Writes OUT/PATCH for every PATCH of PATCHDIR and prints one line per
patch: "signoff: PATCH: what changed"."""

import email.header
import email.utils
import re
import sys

TRAILER = re.compile(r'^[A-Za-z0-9-]+: ')


class PatchError(Exception):
    """A patch is not what git format-patch writes."""


def header_addr(name, addr):
    """An RFC 5322 From: value, as git format-patch writes it."""
    try:
        name.encode('ascii')
    except UnicodeEncodeError:
        return email.header.Header(name, 'utf-8').encode() + f' <{addr}>'
    return email.utils.formataddr((name, addr))


def author(head, i):
    """(name, address, index after the header) of the From: header at
    HEAD[i], possibly folded or RFC 2047-encoded."""
    j = i + 1
    while j < len(head) and head[j][:1] in (' ', '\t'):
        j += 1
    raw = ' '.join(l.strip() for l in head[i:j])[len('From:'):].strip()
    decoded = str(email.header.make_header(email.header.decode_header(raw)))
    aname, aaddr = email.utils.parseaddr(decoded)
    return aname, aaddr, j


def sign_message(msg, sob_me, paddr):
    """(MSG with the project's sign-off replaced by SOB_ME, or SOB_ME added
    after the last trailer; what changed, or None)."""
    has_me = any(l.strip() == sob_me for l in msg)
    new = []
    replaced = False
    for l in msg:
        if re.match(r'^Signed-off-by:\s*', l) and paddr.lower() in l.lower():
            if not (has_me or replaced):
                new.append(sob_me)
            replaced = True
            continue
        new.append(l)
    msg = new
    if replaced:
        return msg, 'Signed-off-by'
    if has_me:
        return msg, None
    # No sign-off of the project's: add ours after the last trailer.
    k = len(msg)
    while k > 0 and msg[k - 1] == '':
        k -= 1
    if k > 0 and TRAILER.match(msg[k - 1]):
        msg[k:k] = [sob_me]
    else:
        msg[k:k] = ['', sob_me]
    return msg, 'Signed-off-by added'


def sign_patch(data, fname, name, addr, paddr):
    """(the text of patch DATA signed off by NAME <ADDR> instead of the
    project's PADDR, [what changed]). Raises PatchError."""
    lines = data.split('\n')
    hend = lines.index('')                      # end of the mail headers
    try:
        cut = lines.index('---', hend)          # end of the commit message
    except ValueError:
        raise PatchError(f'{fname}: expected a "---" line before the diff, found none')
    head, msg, rest = lines[:hend], lines[hend:cut], lines[cut:]
    what = []

    i = next(k for k, l in enumerate(head) if l.startswith('From: '))
    aname, aaddr, j = author(head, i)
    if aaddr.lower() == paddr.lower():
        head[i:j] = ['From: ' + header_addr(name, addr)]
        what.append('From')

    # The sign-offs, in the commit message only.
    msg, changed = sign_message(msg, f'Signed-off-by: {name} <{addr}>', paddr)
    if changed:
        what.append(changed)

    # Non-ASCII now in the message: say so, as git format-patch does.
    text = '\n'.join(head + msg)
    if not text.isascii() and not any(l.lower().startswith('content-type:') for l in head):
        head += ['MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8',
                 'Content-Transfer-Encoding: 8bit']
    return '\n'.join(head + msg + rest), what


def main(argv):
    if len(argv) < 5:
        sys.exit(__doc__)
    pdir, out, name, addr, paddr = argv[:5]
    for fname in argv[5:]:
        with open(f'{pdir}/{fname}', 'rb') as fh:
            data = fh.read().decode('utf-8')
        try:
            text, what = sign_patch(data, fname, name, addr, paddr)
        except PatchError as e:
            sys.exit(f'signoff: error: {e}')
        with open(f'{out}/{fname}', 'wb') as fh:
            fh.write(text.encode('utf-8'))
        print(f'signoff: {fname}: {", ".join(what) or "unchanged (already yours)"}')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
