// SPDX-License-Identifier: GPL-2.0-only
/// Mark inflated balloon pages PageOffline().
///
/// A page that a balloon driver takes from the system (it withdraws it from
/// the managed page count with adjust_managed_page_count(page, -1)) and then
/// keeps on its own list or hands to the hypervisor by frame number is
/// logically offline: its contents are stale or gone, and nobody but the
/// driver may touch it. Mark it with __SetPageOffline() (balloon_page_insert()
/// and balloon_page_enqueue() do it for balloon-compaction users) so that
/// kdump (makedumpfile), hibernation, /proc/kcore and page-types skip it,
/// and clear it with __ClearPageOffline() before giving it back.
///
//# The rule only looks at files that withdraw pages with
//# adjust_managed_page_count(..., -n), and at one function at a time: a
//# driver that marks its pages in a helper called from the function that
//# lists them or reports them is reported although it is right, and a
//# driver that never adjusts the managed page count (vmw_balloon) is not
//# looked at. A function that tests PageOffline() is taken to handle the
//# mark itself. Lists that are local variables or parameters of the function
//# are staging lists and are not reported; page_to_pfn() stored into a local
//# variable is not reported either.
//# Only struct page lists are looked at, folio lists (hugetlb) are not.
//# Files that withdraw pages for other reasons than ballooning (memory
//# hotplug, hugetlb, CMA) may give false positives when they keep such pages
//# on a list; see coccinelle/REPORT.md for the ones in Linux 6.12.
//
// Confidence: Moderate
// Copyright: (C) 2024 The Balloon Offline Series authors
// Comments: No patch mode: where to set and where to clear the mark depends
//  on the driver's inflate and deflate paths.
// Options: --no-includes --include-headers
// Kernels: 6.12 7.3
//
// Keywords: balloon, PageOffline, __SetPageOffline, adjust_managed_page_count
//

virtual patch
virtual context
virtual org
virtual report

@withdraw depends on !patch@
expression P, N;
@@

adjust_managed_page_count(P, -N)

@marked depends on withdraw@
identifier fn;
identifier mark = {__SetPageOffline, PageOffline, balloon_page_insert,
		   balloon_page_enqueue, balloon_page_list_enqueue};
position pf;
@@

fn@pf(...)
{
<+...
mark(...)
...+>
}

@staging depends on withdraw exists@
declarer name LIST_HEAD;
identifier L;
expression P;
position ps;
@@

LIST_HEAD(L);
...
\(list_add@ps\|list_add_tail@ps\)(&P->lru, &L)

@r depends on withdraw exists@
identifier fn, I;
struct page *P;
expression L;
local idexpression LL;
position pf != marked.pf;
position p != staging.ps;
@@

fn@pf(...)
{
<...
(
  \(list_add\|list_add_tail\)(&P->lru, &LL)
|
  \(list_add\|list_add_tail\)(&P->lru, I)
|
* \(list_add@p\|list_add_tail@p\)(&P->lru, L)
|
  LL = page_to_pfn(P)
|
* L =@p page_to_pfn(P)
)
...>
}

@script:python depends on report@
p << r.p;
fn << r.fn;
@@

coccilib.report.print_report(p[0],
	"WARNING: %s() puts a page it took from the system in its balloon without __SetPageOffline()" % fn)

@script:python depends on org@
p << r.p;
fn << r.fn;
@@

coccilib.org.print_todo(p[0],
	"WARNING: %s() puts a page it took from the system in its balloon without __SetPageOffline()" % fn)
