# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2154
# (SC2034: P and KT are for the tests; SC2154: bats sets output and lines.)
#
# Shared set-up of the error-path tests. Every test works on a scratch copy
# of the project ($P: scripts/, series, patches/, base/, configs/, kernels/,
# the KUnit fragments, the cover letter) whose build/linux ($KT) is a small fake kernel git tree: a few
# files, a Makefile that says 6.12.117, tags upstream and base, and a fake
# series of three patches in $P/fake/ that applies to it. Nothing here
# touches the project's own build/ or its kernel tree.

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

# Fixed identity and dates, as the project's scripts use.
fake_git() {
	GIT_AUTHOR_NAME="Balloon Offline Series" GIT_AUTHOR_EMAIL="balloon-offline@lists.example.org" \
	GIT_COMMITTER_NAME="Balloon Offline Series" GIT_COMMITTER_EMAIL="balloon-offline@lists.example.org" \
	GIT_AUTHOR_DATE="2024-11-17 14:15:00 -0800" GIT_COMMITTER_DATE="2024-11-17 14:15:00 -0800" \
		git "$@"
}

# isolate_git DIR: no user or system git configuration leaks into a test.
isolate_git() {
	export GIT_CONFIG_GLOBAL=$1/gitconfig GIT_CONFIG_NOSYSTEM=1
	: >"$GIT_CONFIG_GLOBAL"
	git config --global init.defaultBranch master
	git config --global advice.detachedHead false
	git config --global user.name "Test Runner"
	git config --global user.email "runner@example.net"
}

# kernel_makefile DIR VERSION PATCHLEVEL SUBLEVEL
kernel_makefile() {
	mkdir -p "$1"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION =\nNAME = Baby Opossum Posse\n\nall:\n\t@true\n' \
		"$2" "$3" "$4" >"$1/Makefile"
}

# make_fake_kernel DIR: upstream and base tags; prints nothing.
make_fake_kernel() {
	local d=$1 i
	kernel_makefile "$d" 6 12 117
	mkdir -p "$d/mm" "$d/drivers/xen" "$d/include/linux"
	for i in $(seq 1 20); do echo "balloon line $i"; done >"$d/mm/balloon_compaction.c"
	for i in $(seq 1 20); do echo "xen line $i"; done >"$d/drivers/xen/balloon.c"
	for i in $(seq 1 20); do echo "flag $i"; done >"$d/include/linux/page-flags.h"
	cat >"$d/MAINTAINERS" <<-EOF
	List of maintainers (fake)
	==========================

	BALLOON COMPACTION
	M:	Bea Maintainer <bea@example.org>
	L:	mm-list@example.org
	S:	Maintained
	F:	include/linux/page-flags.h
	F:	mm/balloon_compaction.c

	XEN HYPERVISOR INTERFACE
	M:	"X. Maintainer" <xm@example.org>
	L:	xen-list@example.org
	S:	Supported
	F:	drivers/xen/

	THE REST
	M:	Linus Torvalds <torvalds@linux-foundation.org>
	L:	kernel-list@example.org
	S:	Buried alive in reporters
	F:	*
	EOF
	mkdir -p "$d/scripts"
	cp "$BATS_TEST_DIRNAME/fixtures/get_maintainer.pl" "$d/scripts/"
	git -C "$d" init -q
	git -C "$d" config core.abbrev 12
	git -C "$d" add -A
	fake_git -C "$d" commit -q -m "Linux 6.12.117"
	git -C "$d" tag upstream
	sed -i 's/^flag 3$/flag 3 PG_balloon/' "$d/include/linux/page-flags.h"
	fake_git -C "$d" commit -q -a -m "base: reconstruct the PG_balloon page type"
	git -C "$d" tag base
}

# make_fake_series KTREE PROJECT: three patches on base into PROJECT/fake/
# (patches/ and series), as scripts/export writes them.
make_fake_series() {
	local kt=$1 p=$2
	git -C "$kt" checkout -q --detach base
	sed -i 's/^balloon line 5$/balloon line 5 PG_offline/' "$kt/mm/balloon_compaction.c"
	fake_git -C "$kt" commit -q -a -m "mm/balloon_compaction: convert PG_balloon to PG_offline" \
		-m "Mark balloon pages PG_offline." \
		-m "Signed-off-by: Balloon Offline Series <balloon-offline@lists.example.org>"
	sed -i 's/^flag 3 PG_balloon$/flag 3/' "$kt/include/linux/page-flags.h"
	fake_git -C "$kt" commit -q -a -m "mm: drop PG_balloon" \
		-m "Nothing uses it any more." \
		-m "Signed-off-by: Balloon Offline Series <balloon-offline@lists.example.org>"
	sed -i 's/^xen line 10$/xen line 10 __SetPageOffline/' "$kt/drivers/xen/balloon.c"
	git -C "$kt" -c user.name="Ann Other" -c user.email=ann@example.com commit \
		--date="2024-11-17 14:15:00 -0800" -q -a -m "xen/balloon: mark inflated pages PG_offline" \
		-m "Xen inflates without balloon compaction." \
		-m $'Signed-off-by: Ann Other <ann@example.com>\nSigned-off-by: Balloon Offline Series <balloon-offline@lists.example.org>'
	mkdir -p "$p/fake/patches"
	git -C "$kt" -c core.abbrev=12 format-patch -q --zero-commit --no-signature -N \
		--abbrev=12 -o "$p/fake/patches" base..HEAD
	{
		echo "# A fake series for the tests."
		echo
		(cd "$p/fake/patches" && ls -1 -- *.patch)
	} >"$p/fake/series"
	git -C "$kt" checkout -q --detach base
}

# make_template DIR: the scratch project with its fake kernel tree.
make_template() {
	local t=$1
	mkdir -p "$t/build"
	cp -a "$REPO/scripts" "$REPO/series" "$REPO/patches" "$REPO/base" "$REPO/configs" "$REPO/kernels" "$t/"
	for f in cover-letter.txt MAINTAINERS.fragment .shellcheckrc; do
		[ ! -e "$REPO/$f" ] || cp -a "$REPO/$f" "$t/"
	done
	# the KUnit fragments the descriptors' KUNIT_RUNS name
	mkdir -p "$t/kunit" "$t/mainline/kunit"
	cp "$REPO"/kunit/*.kunitconfig "$t/kunit/"
	cp "$REPO"/mainline/kunit/*.kunitconfig "$t/mainline/kunit/"
	make_fake_kernel "$t/build/linux"
	make_fake_series "$t/build/linux" "$t"
}

# Per-file set-up: one template, copied for every test.
fixture_setup_file() {
	isolate_git "$BATS_FILE_TMPDIR"
	make_template "$BATS_FILE_TMPDIR/tpl"
}

# Per-test: P (project copy) and KT (its kernel tree).
fixture_setup() {
	isolate_git "$BATS_TEST_TMPDIR"
	cp -a "$BATS_FILE_TMPDIR/tpl" "$BATS_TEST_TMPDIR/p"
	P=$BATS_TEST_TMPDIR/p
	KT=$P/build/linux
	cd "$BATS_TEST_TMPDIR" || return
	unset BUILD KTREE SERIES_BRANCH KERNEL_SRC KERNEL_TARBALL NAME EMAIL
}

# use_fake_series: make the fake series the project's (series, patches/).
use_fake_series() {
	rm -f "$P"/patches/*.patch
	cp "$P"/fake/patches/*.patch "$P/patches/"
	cp "$P/fake/series" "$P/series"
}

# tree_state DIR: everything a script could change in a tree.
tree_state() {
	local gd
	gd=$(git -C "$1" rev-parse --absolute-git-dir)
	git -C "$1" rev-parse HEAD
	git -C "$1" symbolic-ref -q HEAD || echo detached
	git -C "$1" for-each-ref --format='%(refname) %(objectname)'
	git -C "$1" status --porcelain --ignored
	[ ! -d "$gd/rebase-apply" ] || echo "am in progress"
}

# assert_line TEXT: the output has exactly this line.
assert_line() {
	if ! printf '%s\n' "$output" | grep -xF -- "$1" >/dev/null; then
		printf 'expected the line:\n  %s\nfound the output:\n%s\n' "$1" "$output" | sed 's/^/# /' >&3
		return 1
	fi
}

# assert_has TEXT: the output contains TEXT.
assert_has() {
	if [[ $output != *"$1"* ]]; then
		printf 'expected the output to contain:\n  %s\nfound:\n%s\n' "$1" "$output" | sed 's/^/# /' >&3
		return 1
	fi
}

# refute_has TEXT: the output does not contain TEXT.
refute_has() {
	if [[ $output == *"$1"* ]]; then
		printf 'expected the output not to contain:\n  %s\nfound:\n%s\n' "$1" "$output" | sed 's/^/# /' >&3
		return 1
	fi
}

# path_without TOOL...: a directory of links to /usr/bin minus the TOOLs,
# to use as PATH.
path_without() {
	local farm=$BATS_TEST_TMPDIR/bin t
	mkdir -p "$farm"
	cp -s /usr/bin/* "$farm/" 2>/dev/null || true
	for t in "$@"; do rm -f "$farm/$t"; done
	echo "$farm"
}

# refute CMD...: CMD fails (a bare '! CMD' does not fail a bats test).
refute() {
	if "$@"; then
		printf 'expected to fail: %s\n' "$*" | sed 's/^/# /' >&3
		return 1
	fi
}
