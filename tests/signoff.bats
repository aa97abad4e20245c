#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/signoff: the submitter's sign-off replaces the project's in
# copies of the patches; patches/ stays as it is.

load helpers

setup_file() { fixture_setup_file; }
setup() {
	fixture_setup
	# No identity in git unless a test sets one.
	git config --global --unset user.name
	git config --global --unset user.email
	sums=$(cd "$P" && sha256sum series patches/*.patch)
	npatches=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$P/series" | wc -l)
}
teardown() {
	# patches/ and series are never touched.
	[ "$(cd "$P" && sha256sum series patches/*.patch)" = "$sums" ]
}

PROJ="Balloon Offline Series <balloon-offline@lists.example.org>"

@test "signoff: the project's series, signed off by Jane Doe in build/signoff" {
	run "$P/scripts/signoff" --name "Jane Doe" --email jane@example.org
	[ "$status" -eq 0 ]
	out=$P/build/signoff
	assert_line "signoff: wrote $npatches patches and series to $out, signed off by Jane Doe <jane@example.org>; patches/ is unchanged"
	cmp "$P/series" "$out/series"
	for f in "$P"/patches/*.patch; do
		b=$(basename "$f")
		new=$out/$b
		[ -f "$new" ]
		refute grep -qF "Signed-off-by: $PROJ" "$new"
		refute grep -qxF "From: $PROJ" "$new"
		grep -qxF "Signed-off-by: Jane Doe <jane@example.org>" "$new"
		# One sign-off of Jane's per patch, at the place of the project's.
		[ "$(grep -cxF "Signed-off-by: Jane Doe <jane@example.org>" "$new")" = 1 ]
		[ "$(grep -c '^Signed-off-by: ' "$new")" = "$(grep -c '^Signed-off-by: ' "$f")" ]
		# The project authored it: Jane is the From: now.
		if grep -qxF "From: $PROJ" "$f"; then grep -qxF "From: Jane Doe <jane@example.org>" "$new"; fi
		# Below the '---' line nothing changes.
		cmp <(sed -n '/^---$/,$p' "$f") <(sed -n '/^---$/,$p' "$new")
	done
}

@test "signoff: the copies apply with git am, authored and signed off by the submitter" {
	use_fake_series
	sums=$(cd "$P" && sha256sum series patches/*.patch)
	run "$P/scripts/signoff" --name "Jane Doe" --email jane@example.org --out "$BATS_TEST_TMPDIR/so"
	[ "$status" -eq 0 ]
	git -C "$KT" checkout -q --detach base
	while read -r p; do
		git -C "$KT" -c user.name="Test Runner" -c user.email=runner@example.net am -q "$BATS_TEST_TMPDIR/so/$p"
	done < <(sed -e 's/#.*//' -e '/^$/d' "$BATS_TEST_TMPDIR/so/series")
	run git -C "$KT" log --format='%an <%ae>|%(trailers:key=Signed-off-by,valueonly,separator=;)' base..HEAD
	assert_line "Ann Other <ann@example.com>|Ann Other <ann@example.com>;Jane Doe <jane@example.org>"
	assert_line "Jane Doe <jane@example.org>|Jane Doe <jane@example.org>"
	[ "${#lines[@]}" -eq 3 ]
	refute_has "balloon-offline@"
}

@test "signoff: name and email default to git config user.name and user.email" {
	git config --global user.name "Jo Bloggs"
	git config --global user.email jo@example.net
	run "$P/scripts/signoff" --out "$BATS_TEST_TMPDIR/so"
	[ "$status" -eq 0 ]
	assert_has "signed off by Jo Bloggs <jo@example.net> (from git config user.name) (from git config user.email)"
	grep -qxF "Signed-off-by: Jo Bloggs <jo@example.net>" "$BATS_TEST_TMPDIR"/so/0001-*.patch
}

@test "signoff: the project identity in the repository's git config is not taken for the submitter's" {
	git -C "$KT" config user.name "Balloon Offline Series"
	git -C "$KT" config user.email balloon-offline@lists.example.org
	cd "$KT"
	run "$P/scripts/signoff"
	[ "$status" -ne 0 ]
	[ "$output" = "signoff: error: no name to sign off with: expected --name 'Your Name' (or NAME=, or git config user.name), found none (git config user.name is the project's own, 'Balloon Offline Series')" ]
	run "$P/scripts/signoff" --name "Jane Doe"
	[ "$status" -ne 0 ]
	[ "$output" = "signoff: error: no email to sign off with: expected --email you@example.org (or EMAIL=, or git config user.email), found none (git config user.email is the project's own, balloon-offline@lists.example.org)" ]
	[ ! -e "$P/build/signoff" ]
}

@test "signoff: NAME= and EMAIL= (make signoff) are used, and options win over them" {
	NAME="Env Person" EMAIL=env@example.com run "$P/scripts/signoff" --out "$BATS_TEST_TMPDIR/so"
	[ "$status" -eq 0 ]
	grep -qxF "Signed-off-by: Env Person <env@example.com>" "$BATS_TEST_TMPDIR"/so/0001-*.patch
	NAME="Env Person" EMAIL=env@example.com run "$P/scripts/signoff" --name "Opt Person" --out "$BATS_TEST_TMPDIR/so"
	[ "$status" -eq 0 ]
	grep -qxF "Signed-off-by: Opt Person <env@example.com>" "$BATS_TEST_TMPDIR"/so/0001-*.patch
}

@test "signoff: a name with non-ASCII letters is MIME-encoded in From: and kept in the sign-off" {
	run "$P/scripts/signoff" --name "Zoë Ångström" --email zoe@example.org --out "$BATS_TEST_TMPDIR/so"
	[ "$status" -eq 0 ]
	f=$(ls "$BATS_TEST_TMPDIR"/so/0001-*.patch)
	grep -q '^From: =?utf-8?' "$f"
	grep -qxF "Signed-off-by: Zoë Ångström <zoe@example.org>" "$f"
	grep -qxF "Content-Type: text/plain; charset=UTF-8" "$f"
	git -C "$KT" mailinfo /dev/null /dev/null <"$f" >"$BATS_TEST_TMPDIR/info"
	grep -qxF "Author: Zoë Ångström" "$BATS_TEST_TMPDIR/info"
	grep -qxF "Email: zoe@example.org" "$BATS_TEST_TMPDIR/info"
}

@test "signoff: a name with dots is quoted in From:" {
	run "$P/scripts/signoff" --name "J. R. Doe" --email jr@example.org --out "$BATS_TEST_TMPDIR/so"
	[ "$status" -eq 0 ]
	grep -qxF 'From: "J. R. Doe" <jr@example.org>' "$BATS_TEST_TMPDIR"/so/0001-*.patch
	grep -qxF 'Signed-off-by: J. R. Doe <jr@example.org>' "$BATS_TEST_TMPDIR"/so/0001-*.patch
}

@test "signoff: running twice gives the same files" {
	run "$P/scripts/signoff" --name "Jane Doe" --email jane@example.org --out "$BATS_TEST_TMPDIR/a"
	[ "$status" -eq 0 ]
	run "$P/scripts/signoff" --name "Jane Doe" --email jane@example.org --out "$BATS_TEST_TMPDIR/a"
	[ "$status" -eq 0 ]
	run "$P/scripts/signoff" --name "Jane Doe" --email jane@example.org --out "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	diff -r "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "signoff: no name anywhere is refused" {
	run "$P/scripts/signoff" --email jane@example.org
	[ "$status" -ne 0 ]
	[ "$output" = "signoff: error: no name to sign off with: expected --name 'Your Name' (or NAME=, or git config user.name), found none" ]
	[ ! -e "$P/build/signoff" ]
}

@test "signoff: no email anywhere is refused" {
	run "$P/scripts/signoff" --name "Jane Doe"
	[ "$status" -ne 0 ]
	[ "$output" = "signoff: error: no email to sign off with: expected --email you@example.org (or EMAIL=, or git config user.email), found none" ]
	[ ! -e "$P/build/signoff" ]
}

@test "signoff: --name without a value is refused" {
	run "$P/scripts/signoff" --email jane@example.org --name
	[ "$status" -ne 0 ]
	[ "$output" = "signoff: error: --name: expected a value, found none" ]
}

@test "signoff: malformed emails are refused" {
	for e in "jane" "jane@" "@example.org" "jane@example" "jane doe@example.org" "<jane@example.org>" "jane@exa_mple.org" "jane@@example.org"; do
		run "$P/scripts/signoff" --name "Jane Doe" --email "$e"
		[ "$status" -ne 0 ]
		[ "$output" = "signoff: error: malformed email '$e': expected an address like jane@example.org" ]
	done
	[ ! -e "$P/build/signoff" ]
}

@test "signoff: malformed names are refused" {
	for n in "Jane <jane@example.org>" "jane@example.org" " Jane" "Jane " $'Jane\nDoe' $'Jane\tDoe'; do
		run "$P/scripts/signoff" --name "$n" --email jane@example.org
		[ "$status" -ne 0 ]
		[ "$output" = "signoff: error: malformed name '$n': expected a name like 'Jane Doe' (no <, >, @, control characters or surrounding spaces)" ]
	done
	[ ! -e "$P/build/signoff" ]
}

@test "signoff: the project's own address is refused" {
	run "$P/scripts/signoff" --name "Someone" --email Balloon-Offline@lists.example.org
	[ "$status" -ne 0 ]
	[ "$output" = "signoff: error: 'Balloon-Offline@lists.example.org' is the project's own address: sign off with your own (--email you@example.org)" ]
}

@test "signoff: --out patches/ is refused" {
	run "$P/scripts/signoff" --name "Jane Doe" --email jane@example.org --out "$P/patches"
	[ "$status" -ne 0 ]
	[ "$output" = "signoff: error: --out $P/patches is patches/: expected another directory (patches/ keeps the project sign-off)" ]
}

@test "signoff: series and patches/ that disagree are refused before writing" {
	p=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$P/series" | sed -n 1p)
	mv "$P/patches/$p" "$BATS_TEST_TMPDIR/"
	run "$P/scripts/signoff" --name "Jane Doe" --email jane@example.org
	mv "$BATS_TEST_TMPDIR/$p" "$P/patches/"
	[ "$status" -ne 0 ]
	assert_line "lint-series: error: series lists '$p', but patches/$p does not exist"
	[ ! -e "$P/build/signoff" ]
}
