#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/b4-roundtrip on the fake kernel tree (whose scripts/get_maintainer.pl
# is tests/fixtures/get_maintainer.pl), and its --cover-footer helper.

load helpers

setup_file() { fixture_setup_file; }
setup() { fixture_setup; use_fake_series; }

stable_cid() {
	printf '20241117-balloon-offline-%s\n' \
		"$(printf 'Balloon Offline Series <balloon-offline@lists.example.org>' | sha256sum | cut -c1-12)"
}

@test "b4-roundtrip --cover-footer: base-commit from base/RECORD, the stable change-id" {
	printf 'Subject\n\nBody.\n' >"$P/cover-letter.txt"
	run "$P/scripts/b4-roundtrip" --cover-footer
	[ "$status" -eq 0 ]
	rec=$(sed -n 's/^BASE_COMMIT=//p' "$P/base/RECORD")
	[ "${lines[0]}" = "base-commit: $rec" ]
	[ "${lines[1]}" = "change-id: $(stable_cid)" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "b4-roundtrip --cover-footer: the change-id recorded in cover-letter.txt is kept" {
	printf 'Subject\n\nBody.\n\nbase-commit: 0123\nchange-id: 20240101-other-0123456789ab\n' >"$P/cover-letter.txt"
	run "$P/scripts/b4-roundtrip" --cover-footer
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "change-id: 20240101-other-0123456789ab" ]
}

@test "b4-roundtrip --cover-footer: without BASE_COMMIT in base/RECORD, the base tag" {
	sed -i '/^BASE_COMMIT=/d' "$P/base/RECORD"
	run "$P/scripts/b4-roundtrip" --cover-footer
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "base-commit: $(git -C "$KT" rev-parse base)" ]
}

@test "b4-roundtrip: unknown arguments are refused" {
	run "$P/scripts/b4-roundtrip" --send
	[ "$status" -ne 0 ]
	[ "$output" = "b4-roundtrip: error: unknown argument '--send' (expected --cover-footer or nothing)" ]
}

@test "b4-roundtrip: without the series branch, says to make the tree" {
	run "$P/scripts/b4-roundtrip"
	[ "$status" -ne 0 ]
	[ "$output" = "b4-roundtrip: error: no branch series in $KT; run 'make tree' first" ]
	[ ! -e "$P/build/b4" ]
}

@test "b4-roundtrip: a branch that does not match series says to make the tree" {
	"$P/scripts/apply" --upto 2 >/dev/null
	run "$P/scripts/b4-roundtrip"
	[ "$status" -ne 0 ]
	[ "$output" = "b4-roundtrip: error: branch series has 2 commits on base, series lists 3 patches; run 'make tree' first" ]
}

@test "b4-roundtrip: the fake series goes through b4 prep, send -o and am, every check ok, nothing sent" {
	"$P/scripts/apply" >/dev/null
	cat >"$P/cover-letter.txt" <<-EOF
	mm: a fake series for the tests

	It converts fake balloon pages.

	---
	base-commit: 0000000000000000000000000000000000000000
	change-id: 20240101-fake-series-0123456789ab
	EOF
	# Base moved on purpose: base/RECORD is the real project's.
	run "$P/scripts/b4-roundtrip"
	[ "$status" -eq 0 ] || printf "%s\n" "$output" | sed "s/^/# /" >&3
	[ "$status" -eq 0 ]
	assert_line "ok - b4: send -o wrote mails 0/3..3/3 in build/b4/send"
	assert_line "ok - b4: every patch mail is To/Cc what get_maintainer.pl gives for it, the cover to the union"
	assert_line "ok - b4: b4 am of the mails, git am of its .mbx on base gives the tree of branch series"
	assert_line "ok - b4: MAINTAINERS.fragment is merged: get_maintainer.pl names its M: and L: for its F: files"
	assert_has "ok - b4: cover base-commit: is base/RECORD's BASE_COMMIT # SKIP base moved: "
	assert_line "ok - b4: cover change-id: 20240101-fake-series-0123456789ab is the one in cover-letter.txt"
	assert_line "ok - b4: cover subject is cover-letter.txt's first line"
	assert_line "ok - b4: cover text is cover-letter.txt's, without its own footer"
	refute_has "not ok"
	[ "$(find "$P/build/b4/send" -name '*.eml' | wc -l)" = 4 ]
	cover=$(ls "$P"/build/b4/send/0000-*.eml)
	grep -qx "base-commit: $(git -C "$KT" rev-parse base)" "$cover"
	grep -qx "change-id: 20240101-fake-series-0123456789ab" "$cover"
	refute grep -q "base-commit: 0000000000000000000000000000000000000000" "$cover"
	# The fake maintainers of all three patches, and the lists, are on the cover.
	for a in bea@example.org xm@example.org mm-list@example.org xen-list@example.org kernel-list@example.org; do
		grep -q "$a" "$cover"
	done
	# MAINTAINERS in the worktree is back as committed; no sendemail leaks.
	git -C "$P/build/wt/mutate" diff --quiet
	[ "$(git -C "$P/build/wt/mutate" ls-files -v MAINTAINERS)" = "H MAINTAINERS" ]
	refute git -C "$KT" config --get sendemail.smtpserver
	refute git config --global --get sendemail.smtpserver
}
