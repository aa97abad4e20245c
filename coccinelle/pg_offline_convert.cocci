// SPDX-License-Identifier: GPL-2.0-only
/// Balloon pages are PG_offline pages: use PageOffline(), __SetPageOffline()
/// and __ClearPageOffline() instead of PageBalloon(), __SetPageBalloon() and
/// __ClearPageBalloon() (and folio_test_offline() and friends for the folio
/// forms), so that PG_balloon can go away and the rest of the kernel
/// (kdump, hibernation, /proc/kcore, memory offlining) treats inflated pages
/// like any other logically offline page.
///
/// With -D kpf, also use KPF_OFFLINE where KPF_BALLOON is used. Only do that
/// once include/uapi/linux/kernel-page-flags.h defines KPF_OFFLINE; KPF_BALLOON
/// stays a valid name for the same bit, so users outside the kernel may keep it.
///
//# The rule converts users, not definitions: the PGTY_balloon entry of enum
//# pagetype, PAGE_TYPE_OPS(Balloon, balloon, balloon) and
//# DEF_PAGETYPE_NAME(balloon) in mm/debug.c must be removed by hand.
//# PageOffline() is true for more pages than PageBalloon() was (memory that
//# memory hotplug or virtio-mem keeps offline, pages that Xen and Hyper-V
//# inflate): a caller that needs to tell balloon-compaction pages apart must
//# also test PageMovable() or the owner's own list; check every converted test.
//
// Confidence: High
// Copyright: (C) 2024 The Balloon Offline Series authors
// Comments: Run it on the tree that still has PG_balloon; on a tree without
//  it there is nothing left to convert and every mode stays silent.
// Options: --no-includes --include-headers
// Kernels: 6.12
//
// Keywords: PageBalloon, PageOffline, PG_balloon, PG_offline, KPF_BALLOON
//

virtual patch
virtual context
virtual org
virtual report
virtual kpf

@initialize:python@
@@

def message(pos):
    """The report for a PG_balloon user at pos, naming both functions."""
    with open(pos.file, errors="replace") as f:
        line = f.readlines()[int(pos.line) - 1]
    old = line[int(pos.column):int(pos.column_end)]
    new = old.replace("Balloon", "Offline").replace("balloon", "offline")
    return "WARNING: PG_balloon is gone, use %s() instead of %s()" % (new, old)

@conv depends on patch@
expression E;
@@

(
- PageBalloon
+ PageOffline
  (E)
|
- __SetPageBalloon
+ __SetPageOffline
  (E)
|
- __ClearPageBalloon
+ __ClearPageOffline
  (E)
|
- folio_test_balloon
+ folio_test_offline
  (E)
|
- __folio_set_balloon
+ __folio_set_offline
  (E)
|
- __folio_clear_balloon
+ __folio_clear_offline
  (E)
)

@kpf_name depends on patch && kpf@
identifier names;
type T;
@@

T names[] = { ...,
  [
- KPF_BALLOON
+ KPF_OFFLINE
  ] =
- "o:balloon"
+ "o:offline"
  , ...};

@kpf_conv depends on patch && kpf@
@@

- KPF_BALLOON
+ KPF_OFFLINE

@use depends on !patch@
expression E;
position p;
@@

(
* PageBalloon@p(E)
|
* __SetPageBalloon@p(E)
|
* __ClearPageBalloon@p(E)
|
* folio_test_balloon@p(E)
|
* __folio_set_balloon@p(E)
|
* __folio_clear_balloon@p(E)
)

@kpf_use depends on !patch && kpf@
position p;
@@

* KPF_BALLOON@p

@script:python depends on report@
p << use.p;
@@

coccilib.report.print_report(p[0], message(p[0]))

@script:python depends on org@
p << use.p;
@@

coccilib.org.print_todo(p[0], message(p[0]))

@script:python depends on report@
p << kpf_use.p;
@@

coccilib.report.print_report(p[0],
	"WARNING: use KPF_OFFLINE instead of its old name KPF_BALLOON")

@script:python depends on org@
p << kpf_use.p;
@@

coccilib.org.print_todo(p[0],
	"WARNING: use KPF_OFFLINE instead of its old name KPF_BALLOON")
