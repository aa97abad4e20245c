#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/lint-series on a copy of the project's own series and patches/:
# every way the two can disagree is named, and nothing else is touched.

load helpers

setup_file() { fixture_setup_file; }
setup() { fixture_setup; }

first() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$P/series" | sed -n 1p; }

@test "lint-series: the project's series and patches/ agree" {
	run "$P/scripts/lint-series"
	[ "$status" -eq 0 ]
	n=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$P/series" | wc -l)
	assert_line "lint-series: series: $n patches, all present"
}

@test "lint-series: a series entry without its file" {
	p=$(first)
	rm "$P/patches/$p"
	run "$P/scripts/lint-series"
	[ "$status" -ne 0 ]
	assert_line "lint-series: error: series lists '$p', but patches/$p does not exist"
	assert_line "lint-series: error: series and patches/ disagree (1 problems above); nothing was applied"
}

@test "lint-series: a patch that series does not list" {
	cp "$P/patches/$(first)" "$P/patches/0099-stray.patch"
	run "$P/scripts/lint-series"
	[ "$status" -ne 0 ]
	assert_line "lint-series: error: patches/0099-stray.patch is not listed in series (add it to series, or remove the file)"
}

@test "lint-series: a patch listed twice" {
	p=$(first)
	echo "$p" >>"$P/series"
	run "$P/scripts/lint-series"
	[ "$status" -ne 0 ]
	assert_line "lint-series: error: series lists '$p' twice"
}

@test "lint-series: an entry that is a path" {
	p=$(first)
	sed -i "s|^$p\$|patches/$p|" "$P/series"
	run "$P/scripts/lint-series"
	[ "$status" -ne 0 ]
	assert_line "lint-series: error: series entry 'patches/$p': expected a file name in patches/, found a path"
}

@test "lint-series: a file that is not a git format-patch mail" {
	p=$(first)
	printf 'just some text\n' >"$P/patches/$p"
	run "$P/scripts/lint-series"
	[ "$status" -ne 0 ]
	assert_line "lint-series: error: patches/$p: expected a git format-patch mail, found no Subject: header"
	assert_line "lint-series: error: patches/$p: expected a diff, found no 'diff --git' line"
}

@test "lint-series: no series file" {
	rm "$P/series"
	run "$P/scripts/lint-series"
	[ "$status" -ne 0 ]
	assert_line "lint-series: error: no series file: expected $P/series listing the patches in patches/"
}

@test "check-series: without the series branch, says to make the tree" {
	run "$P/scripts/check-series"
	[ "$status" -ne 0 ]
	assert_line "ok - series: every entry has a patch and every patch is listed"
	assert_line "check-series: error: no branch series; run 'make tree' first"
}
