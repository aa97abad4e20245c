#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/stress with bad arguments or without its stress directory: a
# clear error before any checkout, build or boot.

load helpers

setup_file() { fixture_setup_file; }
setup() { fixture_setup; }

@test "stress: a number of boots that is not a number is refused" {
	run "$P/scripts/stress" --boots many
	[ "$status" -ne 0 ]
	[ "$output" = "stress: error: --boots 'many': expected a whole number of boots" ]
	run "$P/scripts/stress" --planted-boots=-1
	[ "$status" -ne 0 ]
	[ "$output" = "stress: error: --planted-boots '-1': expected a whole number of boots" ]
}

@test "stress: no boot of the stress kernel is refused" {
	run "$P/scripts/stress" --boots 0
	[ "$status" -ne 0 ]
	[ "$output" = "stress: error: --boots 0: expected at least one boot of the stress kernel" ]
}

@test "stress: an option without its value is refused" {
	run "$P/scripts/stress" --boots
	[ "$status" -ne 0 ]
	[ "$output" = "stress: error: --boots: expected a value" ]
}

@test "stress: an arch it cannot stress is refused" {
	run "$P/scripts/stress" --arch arm64
	[ "$status" -ne 0 ]
	[[ "$output" == "stress: error: unsupported arch 'arm64': expected um "* ]]
}

@test "stress: an unknown kernel is refused by name" {
	run "$P/scripts/stress" --kernel 5.4
	[ "$status" -ne 0 ]
	[[ "$output" == "stress: error: KERNEL=5.4: expected "* ]]
}

@test "stress: an unknown argument shows the usage" {
	run "$P/scripts/stress" --forever
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "stress: warning: unknown argument '--forever'" ]
	[[ "$output" == *"Usage: scripts/stress"* ]]
}

@test "stress: without a stress directory, says where it looked and builds nothing" {
	run "$P/scripts/stress"
	[ "$status" -ne 0 ]
	[[ "$output" == "stress: error: no stress directory for 6.12: expected $P/kunit/stress "* ]]
	[ ! -e "$P/build/wt" ]
	[ ! -e "$P/build/kunit" ]
	grep -v '^STRESS_DIR=' "$P/kernels/6.12" >"$P/kernels/9.4"
	KERNEL=9.4 run "$P/scripts/stress"
	[ "$status" -ne 0 ]
	[ "$output" = "stress: error: kernels/9.4 has no STRESS_DIR: expected the directory of its stress patches (or --dir DIR)" ]
}
