#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The kernel descriptors (kernels/) as scripts/lib.sh reads them: a kernel
# without one, a line that is not KEY=VALUE and a missing key are each
# named in one line, and nothing runs.

load helpers

setup_file() { fixture_setup_file; }
setup() { fixture_setup; }

@test "kernels: an unknown KERNEL lists the descriptors there are" {
	KERNEL=9.9 run "$P/scripts/apply"
	[ "$status" -ne 0 ]
	[ "$output" = "apply: error: KERNEL=9.9: expected one of: 6.12 7.2 7.3 (files in kernels/), found no kernels/9.9" ]
}

@test "kernels: a descriptor line that is not KEY=VALUE is named by file and line" {
	printf 'TREE=linux\nrm -rf /\n' >"$P/kernels/9.8"
	KERNEL=9.8 run "$P/scripts/apply"
	[ "$status" -ne 0 ]
	[ "$output" = "apply: error: kernels/9.8 line 2: expected KEY=VALUE, found: rm -rf /" ]
}

@test "kernels: a descriptor without a required key names the key" {
	grep -v '^SERIES_BRANCH=' "$P/kernels/7.3" >"$P/kernels/9.7"
	KERNEL=9.7 run "$P/scripts/apply"
	[ "$status" -ne 0 ]
	[ "$output" = "apply: error: kernels/9.7: expected a value for SERIES_BRANCH, found none" ]
}

@test "kernels: a quoted value is read without its quotes" {
	run bash -c ". '$P/scripts/lib.sh' && printf '%s|%s\n' \"\$K_TITLE\" \"\$K_END_STATE_WHAT\""
	[ "$status" -eq 0 ]
	[ "$output" = "6.12.y, the main series on the reconstructed base|the KUnit suites and the KPF_BALLOON alias" ]
}
