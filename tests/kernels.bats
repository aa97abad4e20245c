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

@test "kernels: scripts/check --plan runs each kernel's stages, beside jobs first" {
	run "$P/scripts/check" --plan kunit
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "6.12 kunit x86_64:debug beside" ]
	[ "${lines[1]}" = "7.2 kunit uml:default beside" ]
	[ "${lines[2]}" = "7.2 kunit base:default beside" ]
	[ "${lines[3]}" = "7.3 kunit x86_64:debug beside" ]
	[ "${lines[4]}" = "6.12 kunit uml:default fg" ]
	[ "${lines[-1]}" = "7.3 kunit base:default fg" ]
	KERNELS=7.2 run "$P/scripts/check" --plan
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '{print $2}' | tr '\n' ' ')" = "deps base tree series checkpatch kunit kunit " ]
}

@test "kernels: a KUnit run of an unknown kind or fragment is named, nothing runs" {
	sed 's/^KUNIT_RUNS=.*/KUNIT_RUNS="uml:default arm:default"/; /^BESIDE=/d' "$P/kernels/7.2" >"$P/kernels/9.6"
	KERNELS=9.6 run "$P/scripts/check" kunit
	[ "$status" -ne 0 ]
	[ "$output" = "check: error: kernels/9.6: KUNIT_RUNS: expected KIND:FRAGMENT with KIND one of uml x86_64 upstream base, found 'arm:default'" ]
	sed 's/^KUNIT_RUNS=.*/KUNIT_RUNS="uml:nosuch"/; /^BESIDE=/d' "$P/kernels/7.2" >"$P/kernels/9.6"
	KERNELS=9.6 run "$P/scripts/check" kunit
	[ "$status" -ne 0 ]
	[ "$output" = "check: error: kernels/9.6: KUNIT_RUNS: 'uml:nosuch' names no fragment mainline/kunit/nosuch.kunitconfig" ]
}

@test "kernels: BESIDE naming a job the kernel does not run is an error" {
	printf 'BESIDE="stress"\n' | cat "$P/kernels/7.2" - >"$P/kernels/9.5"
	KERNELS=9.5 run "$P/scripts/check" --plan
	[ "$status" -ne 0 ]
	[ "$output" = "check: error: kernels/9.5: BESIDE: expected jobs of its STAGES (base tree series checkpatch kunit), found 'stress'" ]
	rm "$P/kernels/9.5"
	KERNELS=9.9 run "$P/scripts/check" --plan
	[ "$status" -ne 0 ]
	[ "$output" = "check: error: KERNELS: unknown kernel '9.9' (expected some of: 6.12 7.2 7.3)" ]
}

@test "kernels: a job beside comes right after its own kernel's last job in the foreground" {
	run "$P/scripts/check" --plan
	[ "$status" -eq 0 ]
	# 6.12's e2e kernels start building once 6.12's series is checked,
	# not after 7.2's and 7.3's trees
	[ "$(echo "$output" | grep -A5 -x '6.12 series - fg' | tr '\n' '|')" = "6.12 series - fg|6.12 guests series,upstream,series-no-hv,series-no-xen beside|6.12 guests base beside|6.12 guests l1 beside|6.12 guests cmm beside|6.12 bisect - beside|" ]
	[ "$(echo "$output" | grep -A2 -x '7.3 series - fg' | tr '\n' '|')" = "7.3 series - fg|7.3 guests - beside|7.3 bisect - beside|" ]
}

@test "kernels: E2E_BUILDS takes the trees scripts/e2e builds, each in one group" {
	sed 's/^E2E_BUILDS=.*/E2E_BUILDS="series,upstream base,vmw"/' "$P/kernels/6.12" >"$P/kernels/9.4"
	KERNELS=9.4 run "$P/scripts/check" --plan
	[ "$status" -ne 0 ]
	[ "$output" = "check: error: kernels/9.4: E2E_BUILDS: expected groups of the trees series, base, upstream, series-no-hv, series-no-xen, l1 joined by commas, or cmm, found 'vmw' in 'base,vmw'" ]
	sed 's/^E2E_BUILDS=.*/E2E_BUILDS="series,base base"/' "$P/kernels/6.12" >"$P/kernels/9.4"
	KERNELS=9.4 run "$P/scripts/check" --plan
	[ "$status" -ne 0 ]
	[ "$output" = "check: error: kernels/9.4: E2E_BUILDS: tree 'base' is in two groups" ]
	sed 's/^E2E_BUILDS=.*/E2E_BUILDS="series,upstream series-no-hv,series-no-xen base"/' "$P/kernels/6.12" >"$P/kernels/9.4"
	KERNELS=9.4 run "$P/scripts/check" --plan
	[ "$status" -ne 0 ]
	[ "$output" = "check: error: kernels/9.4: E2E_BUILDS: series-no-hv and series-no-xen build in the series' directory, expected them in the series' group, found 'series-no-hv,series-no-xen'" ]
	grep -v '^E2E_CMM=' "$P/kernels/6.12" >"$P/kernels/9.4"
	KERNELS=9.4 run "$P/scripts/check" --plan
	[ "$status" -ne 0 ]
	[ "$output" = "check: error: kernels/9.4: E2E_BUILDS: group cmm builds the trees of E2E_CMM, found none" ]
	rm "$P/kernels/9.4"
}

@test "kernels: E2E_CMM names the trees of the cmm guest: series or base" {
	sed 's/^E2E_CMM=.*/E2E_CMM="series upstream"/' "$P/kernels/6.12" >"$P/kernels/9.3"
	KERNEL=9.3 run "$P/scripts/e2e" --build
	[ "$status" -ne 0 ]
	[ "$output" = "e2e: error: kernels/9.3: E2E_CMM: expected trees series and/or base, found 'upstream'" ]
	rm "$P/kernels/9.3"
}

@test "kernels: every job's line in build/report/times has its CPU time" {
	printf '#!/bin/bash\nsleep 1\necho "ok - cocci stub"\n' >"$P/scripts/cocci"
	KERNELS="6.12 7.3" run "$P/scripts/check" cocci
	[ "$status" -eq 0 ]
	# status, checks, seconds of wall clock and of CPU
	[ "$(grep -c '^cocci:[0-9.]* PASS [0-9]* 0 [0-9]* [0-9]*$' "$P/build/report/times")" = 2 ]
	[ "${lines[-1]}" = "3 passed, 0 failed" ]
}
