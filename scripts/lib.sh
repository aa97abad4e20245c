# SPDX-License-Identifier: GPL-2.0
# Common definitions for the project's scripts. Source it; do not run it.
# shellcheck shell=bash disable=SC2034,SC2153

PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$PROJECT/build}
# KERNEL selects the kernel and its series; what differs between kernels
# is data, in kernels/$KERNEL (see kernels/README), read by kernel_load:
#   6.12  the main series (series, patches/) on the reconstructed base
#   7.3   the mainline series (mainline/) on Debian's linux-source-7.3
#   7.2   the same mainline series on 7.2.y, its fix's stable target
# Every KEY=VALUE of the descriptor becomes K_KEY; the paths the scripts
# use are derived below, under the names they have always had.
DEFAULT_KERNEL=6.12
KERNEL=${KERNEL:-$DEFAULT_KERNEL}
KERNELS_DIR=$PROJECT/kernels

# kernel_list: the kernels that have a descriptor, in version order
kernel_list() {
	find "$KERNELS_DIR" -maxdepth 1 -type f -name '[0-9]*.[0-9]*' -printf '%f\n' |
		sort -V
}

# kernel_load K: read kernels/K into K_* variables (no code is run: every
# line is a comment, blank, or KEY=VALUE with an optionally quoted value)
kernel_load() {
	local file=$KERNELS_DIR/$1 line key val n=0
	if [ ! -f "$file" ]; then
		printf '%s: error: KERNEL=%s: expected one of: %s (files in kernels/), found no kernels/%s\n' \
			"${0##*/}" "$1" "$(kernel_list | tr '\n' ' ' | sed 's/ $//')" "$1" >&2
		exit 1
	fi
	# nothing of a kernel loaded before stays
	unset "${!K_@}"
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		case $line in
		''|'#'*) continue ;;
		esac
		if [[ ! $line =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]]; then
			printf '%s: error: kernels/%s line %d: expected KEY=VALUE, found: %s\n' \
				"${0##*/}" "$1" "$n" "$line" >&2
			exit 1
		fi
		key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		case $val in
		\"*\"|\'*\') val=${val:1:${#val}-2} ;;
		esac
		printf -v "K_$key" '%s' "$val"
	done <"$file"
	for key in TREE WT DEB_PACKAGE RECORD UPSTREAM_TAG BASE_TAG SERIES \
		PATCHES SERIES_BRANCH KUNIT_DIR MUTATIONS CONFIG_DIR REVISION \
		E2E_OUT STAGES END_STATE END_STATE_WHAT; do
		val=K_$key
		if [ -z "${!val:-}" ]; then
			printf '%s: error: kernels/%s: expected a value for %s, found none\n' \
				"${0##*/}" "$1" "$key" >&2
			exit 1
		fi
	done
}

kernel_load "$KERNEL"
KTREE=${KTREE:-$BUILD/$K_TREE}
RECORD=$PROJECT/$K_RECORD
SERIES_FILE=$PROJECT/$K_SERIES
PATCHDIR=$PROJECT/$K_PATCHES
SERIES_BRANCH=${SERIES_BRANCH:-$K_SERIES_BRANCH}
UPSTREAM_TAG=$K_UPSTREAM_TAG
BASE_TAG=$K_BASE_TAG
BASE_PATCHES=${K_BASE_PATCHES:+$PROJECT/$K_BASE_PATCHES}
WTDIR=$BUILD/$K_WT
KUNIT_DIR=$PROJECT/$K_KUNIT_DIR
MUTATIONS_DIR=$PROJECT/$K_MUTATIONS
BISECT_CONFIGS=$PROJECT/$K_CONFIG_DIR
COVER_LETTER=${K_COVER:+$PROJECT/$K_COVER}
E2E_OUT=$BUILD/$K_E2E_OUT
DEB_DIR=$BUILD/debian-$KERNEL
REVISION=$K_REVISION
# what makes the tree, for messages
BASE_TARGET="base KERNEL=$KERNEL"
[ "$KERNEL" != "$DEFAULT_KERNEL" ] || BASE_TARGET=base
# added to the names of build directories and report files ("" for the
# main series, whose names predate the others)
KERNEL_SUFFIX=${K_NAME_SUFFIX:-}

# The one identity that commits, signs and authors on behalf of the project
# (a role, see README.md). scripts/signoff swaps in a submitter's own.
PROJECT_NAME="Balloon Offline Series"
PROJECT_EMAIL="balloon-offline@lists.example.org"
# Fixed dates make the reconstructed commits reproducible.
FIXED_DATE="2024-11-17 14:15:00 -0800"

export LC_ALL=C TZ=UTC

_T0=$(date +%s)

msg() { printf '%s: %s\n' "${0##*/}" "$*"; }
warn() { printf '%s: warning: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# step NAME: announce a long step with the time since the script started
step() { printf '%s: [%4ss] %s\n' "${0##*/}" "$(( $(date +%s) - _T0 ))" "$*"; }

# Run git with the project identity and the fixed dates, so that commits made
# from the same inputs always get the same ids.
pgit() {
	GIT_AUTHOR_NAME="$PROJECT_NAME" GIT_AUTHOR_EMAIL="$PROJECT_EMAIL" \
	GIT_COMMITTER_NAME="$PROJECT_NAME" GIT_COMMITTER_EMAIL="$PROJECT_EMAIL" \
	GIT_AUTHOR_DATE="$FIXED_DATE" GIT_COMMITTER_DATE="$FIXED_DATE" \
		git "$@"
}

# need TOOL PACKAGE...: fail with the exact Debian packages when TOOL is missing
need() {
	local tool=$1; shift
	command -v "$tool" >/dev/null 2>&1 ||
		die "'$tool' not found; install it with: apt-get install $*"
}

# record_get KEY: value of KEY in base/RECORD (empty when absent)
record_get() {
	[ -f "$RECORD" ] || return 0
	sed -n "s/^$1=//p" "$RECORD"
}

# tree_ready: the kernel tree exists and has the base
tree_ready() {
	git -C "$KTREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null 2>&1 ||
		die "no $BASE_TAG tree in $KTREE; run 'make $BASE_TARGET' first"
}

# series_patches: the patch names listed in series, in order (no comments)
series_patches() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$SERIES_FILE" |
		awk '{print $1}'
}

# Number of CPUs to build with.
JOBS=${JOBS:-$(nproc)}

# worktree NAME REF: print the path of a clean checkout of REF under
# build/wt/NAME (created on first use, reset to REF afterwards). Build
# outputs belong in separate O= directories, never in the checkout.
# Making one costs a checkout of the whole tree (about 7 s for 7.3's
# 96,000 files), so steps share them: 'scratch' serves the steps that only
# read the tree or build into O= directories (quilt, bisect, b4 am, cocci
# over the tree), each of which takes scratch_lock first; 'mutate' serves
# the UML KUnit run, the mutations and b4, which make check runs one after
# another.
worktree() {
	local ref=$2 dir=$WTDIR/$1
	tree_ready
	if [ ! -e "$dir/.git" ]; then
		mkdir -p "$WTDIR"
		git -C "$KTREE" worktree prune
		git -C "$KTREE" worktree add -q --detach "$dir" "$ref" >&2 ||
			die "cannot make worktree $dir at $ref"
	else
		git -C "$dir" am --abort >/dev/null 2>&1 || true
		git -C "$dir" checkout -q -f --detach "$ref" >&2 ||
			die "cannot check out $ref in $dir"
		git -C "$dir" clean -q -f -d >&2
	fi
	echo "$dir"
}

# objdir DIR SRC: make DIR, the build directory (O=) of a kernel built
# from the checkout SRC, a link to SRC/.o-<DIR under build/, dashed>, and
# print DIR. Kbuild names the sources of a build directory that sits
# directly in its source tree with relative paths (srctree is ".."), so
# the compile commands of a file are the same in every checkout and
# ccache serves one checkout's objects to another; with DIR outside the
# tree they carry the checkout's own path and every new checkout (series,
# upstream, base proof, mutations, e2e trees) was a full miss. Git leaves
# the directory alone: the kernel's .gitignore ignores dot files.
objdir() {
	local dir=$1 src=$2 target
	target=$src/.o-$(realpath -m -s --relative-to="$BUILD" "$dir" | tr / -)
	mkdir -p "$target" "$(dirname "$dir")"
	if [ "$(readlink "$dir" || true)" != "$target" ]; then
		rm -rf "$dir"
		ln -s "$target" "$dir"
	fi
	echo "$dir"
}

# arch_mutations DIR ARCH: the numbers (NN) of the mutations in DIR that
# name cases only ARCH runs ("Kills-ARCH:"), for that ARCH's KUnit run to
# apply to its own build (the x86_64 run of scripts/check's kunit stage)
arch_mutations() {
	grep -l "^Kills-$2:" "$1"/*.patch | sed 's|.*/\([0-9][0-9]\)-[^/]*$|\1|'
}

# scratch_lock: wait until no other script uses the 'scratch' worktree,
# then hold it until this script exits.
scratch_lock() {
	local fd
	mkdir -p "$WTDIR"
	exec {fd}>"$WTDIR/scratch.lock"
	flock "$fd"
}

# copy_with_libs BIN ROOT [DEST]: install BIN at DEST (default: BIN's own
# path) under ROOT, with the shared libraries ldd finds for it (initramfs)
copy_with_libs() {
	local bin=$1 root=$2 dest=${3:-$1} lib
	install -D -m 755 "$bin" "$root$dest"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# Results: every checking script prints one line per check, TAP style:
#   ok - <what>        or        not ok - <what>
# and 'make check' counts them. result NAME CMD...: run CMD, print the line.
result() {
	local what=$1; shift
	if "$@"; then
		echo "ok - $what"
	else
		echo "not ok - $what"
		return 1
	fi
}

# ccache: compile commands name absolute paths under the project; make them
# relative so that another clone of the project (CI) hits the same cache.
# Depend mode: ccache keys an object on the headers that the compiler's
# own dependency output names (Kbuild passes -Wp,-MMD), instead of
# running the preprocessor once more for every miss. The default UML
# KUnit kernel from an empty cache, alone: 1m40s and 3m06s of CPU, against
# 2m11s and 4m06s; the warm rebuild in another directory still hits
# 579 of 582. What it gives up, hits on preprocessed output when only an
# unrelated configuration option differs, is a few hundred objects of
# the stress kernels.
export CCACHE_BASEDIR=$PROJECT CCACHE_NOHASHDIR=1 CCACHE_DEPEND=1
# The checks' Python (scripts/pylib), run as: python3 -m pylib.MODULE ARG...
export PYTHONPATH=$PROJECT/scripts${PYTHONPATH:+:$PYTHONPATH}
