#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# A tool missing from PATH: the script stops before doing anything and
# names the Debian package to install.

load helpers

setup_file() { fixture_setup_file; }
setup() { fixture_setup; use_fake_series; }

@test "check-series: without quilt, names the quilt package and touches nothing" {
	before=$(tree_state "$KT")
	PATH=$(path_without quilt) run "$P/scripts/check-series"
	[ "$status" -ne 0 ]
	[ "$output" = "check-series: error: 'quilt' not found; install it with: apt-get install quilt" ]
	[ "$(tree_state "$KT")" = "$before" ]
}

@test "mkbase: without xz, names the xz-utils package and makes nothing" {
	PATH=$(path_without xz) run "$P/scripts/mkbase" --out "$BATS_TEST_TMPDIR/newbase"
	[ "$status" -ne 0 ]
	[ "$output" = "mkbase: error: 'xz' not found; install it with: apt-get install xz-utils" ]
	[ ! -e "$BATS_TEST_TMPDIR/newbase" ]
}

@test "mkbase: without git, names the git package" {
	PATH=$(path_without git) run "$P/scripts/mkbase" --out "$BATS_TEST_TMPDIR/newbase"
	[ "$status" -ne 0 ]
	[ "$output" = "mkbase: error: 'git' not found; install it with: apt-get install git" ]
}

@test "b4-roundtrip: without b4, names the b4 package and touches nothing" {
	before=$(tree_state "$KT")
	PATH=$(path_without b4) run "$P/scripts/b4-roundtrip"
	[ "$status" -ne 0 ]
	[ "$output" = "b4-roundtrip: error: 'b4' not found; install it with: apt-get install b4" ]
	[ "$(tree_state "$KT")" = "$before" ]
	[ ! -e "$P/build/b4" ]
}

@test "b4-roundtrip: without git-filter-repo, names its package" {
	PATH=$(path_without git-filter-repo) run "$P/scripts/b4-roundtrip"
	[ "$status" -ne 0 ]
	[ "$output" = "b4-roundtrip: error: 'git-filter-repo' not found; install it with: apt-get install git-filter-repo" ]
}
