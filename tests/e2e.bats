#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/e2e: bad arguments stop it before it builds or boots anything,
# with an error naming what was expected and what was found; and the
# control channel's own test program refuses a missing agent.

setup() {
	E2E=$BATS_TEST_DIRNAME/../scripts/e2e
	BUILD=$BATS_TEST_TMPDIR/build
	export BUILD
}

@test "e2e: a count that is not a number is refused" {
	run "$E2E" --repeat --runs x
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: expected a number for --rounds, --runs, --seed and --commands, found 'x'" ]
	[ ! -e "$BUILD" ]
}

@test "e2e: --faults and --repeat take one tree" {
	run "$E2E" --faults --tree series --tree base
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: --faults runs on one tree, found 2: series base" ]
	run "$E2E" --repeat --tree base --tree upstream
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: --repeat runs on one tree, found 2: base upstream" ]
	[ ! -e "$BUILD" ]
}

@test "e2e: --icount without --bench is refused" {
	run "$E2E" --icount --tree series
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: --icount goes with --bench, found it with --check" ]
}

@test "e2e: an unknown tree is refused" {
	run "$E2E" --repeat --tree mainline
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: unknown tree 'mainline' (expected series, base or upstream)" ]
}

@test "test_ctl.py: a missing agent binary is named" {
	run python3 "$BATS_TEST_DIRNAME/../e2e/test_ctl.py" "$BATS_TEST_TMPDIR/no-agent"
	[ "$status" -ne 0 ]
	[ "$output" = "test_ctl.py: expected the agent binary, found no executable $BATS_TEST_TMPDIR/no-agent" ]
}

@test "e2e: the trees without patch 3 or 4 are for --build only" {
	run "$E2E" --tree series-no-hv
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: tree 'series-no-hv' is built for scripts/e2e-nested only (with --build)" ]
	[ ! -e "$BUILD" ]
}

@test "e2e-nested: builds no kernel, names the one missing and how to build it" {
	run "$BATS_TEST_DIRNAME/../scripts/e2e-nested" --tree series
	[ "$status" -ne 0 ]
	[[ "$output" == "e2e-nested: error: no L1 kernel $BUILD/e2e/l1/bzImage; build it with: scripts/e2e --build --tree l1" ]]
	[ ! -e "$BUILD" ]
}

@test "e2e-nested: an unknown tree is refused" {
	run "$BATS_TEST_DIRNAME/../scripts/e2e-nested" --tree series-no-vmw
	[ "$status" -ne 0 ]
	[ "$output" = "e2e-nested: error: unknown tree 'series-no-vmw' (expected series, base, upstream, series-no-hv or series-no-xen)" ]
	[ ! -e "$BUILD" ]
}

@test "e2e: --cmm runs alone, on series and base of 6.12" {
	run "$E2E" --cmm --tree upstream
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: --cmm runs on series and base, found 'upstream'" ]
	run "$E2E" --cmm --bench
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: --cmm goes alone or with --build, found it with --bench" ]
	run "$E2E" --cmm --twonode
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: --cmm and --twonode are separate runs" ]
	KERNEL=7.3 run "$E2E" --cmm
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: --cmm runs on a kernel whose descriptor names E2E_CMM (cmm.config names the balloon options of 6.12); kernels/7.3 has none" ]
	[ ! -e "$BUILD" ]
}
