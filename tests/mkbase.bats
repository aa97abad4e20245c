#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/mkbase with KERNEL_SRC and KERNEL_TARBALL pointing at small fake
# trees: the wrong kernel, a missing source, base/ that does not apply.
# Every run writes to --out in the test's own directory.

load helpers

setup_file() { fixture_setup_file; }
setup() { fixture_setup; OUT=$BATS_TEST_TMPDIR/newbase; }

@test "mkbase: KERNEL_SRC with a 6.6 Makefile is refused in one line naming 6.12 and 6.6" {
	kernel_makefile "$BATS_TEST_TMPDIR/linux-6.6" 6 6 58
	KERNEL_SRC=$BATS_TEST_TMPDIR/linux-6.6 run "$P/scripts/mkbase" --out "$OUT"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "mkbase: error: expected a Linux 6.12.y source tree, found version '6.6.58' in KERNEL_SRC=$BATS_TEST_TMPDIR/linux-6.6" ]
	[ ! -e "$OUT" ] && [ ! -e "$OUT.new" ]
}

@test "mkbase: KERNEL_SRC with a 5.10 Makefile is refused in one line naming 6.12 and 5.10" {
	kernel_makefile "$BATS_TEST_TMPDIR/linux-5.10" 5 10 230
	KERNEL_SRC=$BATS_TEST_TMPDIR/linux-5.10 run "$P/scripts/mkbase" --out "$OUT"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "mkbase: error: expected a Linux 6.12.y source tree, found version '5.10.230' in KERNEL_SRC=$BATS_TEST_TMPDIR/linux-5.10" ]
	[ ! -e "$OUT" ] && [ ! -e "$OUT.new" ]
}

@test "mkbase: KERNEL_SRC that does not exist" {
	KERNEL_SRC=$BATS_TEST_TMPDIR/nowhere run "$P/scripts/mkbase" --out "$OUT"
	[ "$status" -ne 0 ]
	[ "$output" = "mkbase: error: KERNEL_SRC=$BATS_TEST_TMPDIR/nowhere: expected a directory with a Linux 6.12.y tree, found none" ]
}

@test "mkbase: KERNEL_SRC without a Makefile" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	KERNEL_SRC=$BATS_TEST_TMPDIR/empty run "$P/scripts/mkbase" --out "$OUT"
	[ "$status" -ne 0 ]
	[ "$output" = "mkbase: error: expected a Linux 6.12.y source tree, found version 'none (no Makefile)' in KERNEL_SRC=$BATS_TEST_TMPDIR/empty" ]
}

@test "mkbase: a 6.10 tarball is refused after extraction, naming 6.12 and 6.10, and leaves nothing" {
	kernel_makefile "$BATS_TEST_TMPDIR/src/linux-6.10" 6 10 14
	tar -C "$BATS_TEST_TMPDIR/src" -cJf "$BATS_TEST_TMPDIR/linux-6.10.tar.xz" linux-6.10
	KERNEL_TARBALL=$BATS_TEST_TMPDIR/linux-6.10.tar.xz run "$P/scripts/mkbase" --out "$OUT"
	[ "$status" -ne 0 ]
	assert_line "mkbase: error: expected a Linux 6.12.y source tree, found version '6.10.14' in $BATS_TEST_TMPDIR/linux-6.10.tar.xz"
	[ ! -e "$OUT" ] && [ ! -e "$OUT.new" ]
}

@test "mkbase: a missing KERNEL_TARBALL is named" {
	KERNEL_TARBALL=$BATS_TEST_TMPDIR/linux.tar.xz run "$P/scripts/mkbase" --out "$OUT"
	[ "$status" -ne 0 ]
	assert_line "mkbase: error: KERNEL_TARBALL=$BATS_TEST_TMPDIR/linux.tar.xz: expected a Linux 6.12.y tarball, found no such file"
}

@test "mkbase: base/ that does not apply to the source names the patch and leaves no tree" {
	# The fake 6.12 tree is not Linux: the real base/ patch cannot apply.
	KERNEL_SRC=$KT run "$P/scripts/mkbase" --out "$OUT"
	[ "$status" -ne 0 ]
	bp=$(basename "$(find "$P/base" -name "*.patch" | sort | sed -n 1p)")
	assert_line "mkbase: error: base patch $bp does not apply to 6.12.117 (user tree 6.12.117); base/ must be updated for this kernel"
	refute_has "made $OUT"
	[ ! -e "$OUT" ] && [ ! -e "$OUT.new" ]
}

@test "mkbase: a 6.12 KERNEL_SRC with a base/ that applies gives the same commits every time" {
	# base/ made from the fake tree's own base commit.
	rm -f "$P"/base/*.patch
	git -C "$KT" format-patch -q --zero-commit -o "$P/base" upstream..base
	git -C "$KT" checkout -q --detach upstream
	KERNEL_SRC=$KT run "$P/scripts/mkbase" --out "$OUT"
	[ "$status" -eq 0 ]
	first=$(git -C "$OUT" rev-parse base)
	[ "$(git -C "$OUT" rev-parse base~1)" = "$(git -C "$OUT" rev-parse upstream)" ]
	KERNEL_SRC=$KT run "$P/scripts/mkbase" --out "$OUT"
	[ "$status" -eq 0 ]
	assert_has "base is up to date in $OUT"
	KERNEL_SRC=$KT run "$P/scripts/mkbase" --out "$OUT.2"
	[ "$status" -eq 0 ]
	[ "$(git -C "$OUT.2" rev-parse base)" = "$first" ]
}

@test "mkbase: unknown arguments are refused" {
	run "$P/scripts/mkbase" --outt x
	[ "$status" -ne 0 ]
	[ "$output" = "mkbase: error: unknown argument '--outt' (expected --out DIR, --force or --record)" ]
}
