// SPDX-License-Identifier: GPL-2.0-only
/// Clear PageOffline() before freeing the page.
///
/// PG_offline is a page type: it lives in page->page_type, which shares its
/// word with _mapcount. A page freed while still PageOffline() reaches
/// free_pages_prepare() with a "nonzero mapcount" and is reported as a bad
/// page and leaked whenever page checks are on (CONFIG_DEBUG_VM,
/// init_on_alloc/init_on_free, page poisoning, debug_pagealloc). Call
/// __ClearPageOffline() on the page first. On Linux 6.12 __ClearPageOffline()
/// does nothing on a page that has no type, so the fix is safe even on paths
/// where the page was already cleared.
///
/// The premise holds up to the kernels that check _mapcount of a freed page
/// with the type still in it (Linux 6.12). Linux 7.3 resets any page type in
/// free_pages_prepare() before its checks, and its balloon core frees
/// deflated pages while they are still PageOffline() on purpose ("PageOffline
/// is sticky until the page is freed to the buddy", mm/balloon.c): there a
/// free of an offline page is correct, so the rule is for 6.12 only (the
/// Kernels: line below) and scripts/cocci skips it on 7.3.
///
//# The rule follows one function: a page marked offline by a helper (for
//# example balloon_page_insert() or a driver's own mark function) or freed
//# by a helper (free_contig_range(), a driver's release function) is not
//# seen. A page passed to generic_online_page(), balloon_page_finalize() or
//# balloon_page_delete() counts as cleared. Memory that memory hotplug
//# onlines is cleared by __free_pages_core() itself; freeing it through
//# __free_pages() with an explicit clear is what this rule asks for.
//# A path on which __SetPageOffline() and the free are on different pages
//# that the rule cannot tell apart (the same variable reassigned through a
//# pointer) may give a false positive.
//
// Confidence: High
// Copyright: (C) 2024 The Balloon Offline Series authors
// Comments: The patch inserts __ClearPageOffline() right before the free.
// Options: --no-includes --include-headers
// Kernels: 6.12
//
// Keywords: PageOffline, __SetPageOffline, __ClearPageOffline, bad_page
//

virtual patch
virtual context
virtual org
virtual report

@r depends on !patch exists@
expression P, E, O;
position p1, p2;
@@

* __SetPageOffline@p1(P);
  ... when != __ClearPageOffline(P)
      when != generic_online_page(P, ...)
      when != balloon_page_finalize(P)
      when != balloon_page_delete(P)
      when != P = E
(
* __free_page@p2(P);
|
* __free_pages@p2(P, O);
|
* put_page@p2(P);
|
* free_reserved_page@p2(P);
|
* folio_put@p2(page_folio(P));
|
* free_page@p2((unsigned long)page_address(P));
|
* free_pages@p2((unsigned long)page_address(P), O);
)

@fix depends on patch exists@
expression P, E, O;
@@

  __SetPageOffline(P);
  ... when != __ClearPageOffline(P)
      when != generic_online_page(P, ...)
      when != balloon_page_finalize(P)
      when != balloon_page_delete(P)
      when != P = E
(
+ __ClearPageOffline(P);
  __free_page(P);
|
+ __ClearPageOffline(P);
  __free_pages(P, O);
|
+ __ClearPageOffline(P);
  put_page(P);
|
+ __ClearPageOffline(P);
  free_reserved_page(P);
|
+ __ClearPageOffline(P);
  folio_put(page_folio(P));
|
+ __ClearPageOffline(P);
  free_page((unsigned long)page_address(P));
|
+ __ClearPageOffline(P);
  free_pages((unsigned long)page_address(P), O);
)

@script:python depends on report@
p1 << r.p1;
p2 << r.p2;
@@

coccilib.report.print_report(p2[0],
	"ERROR: page freed while still PageOffline() (set on line %s); call __ClearPageOffline() first" % p1[0].line)

@script:python depends on org@
p1 << r.p1;
p2 << r.p2;
@@

cocci.print_main("page freed while still PageOffline()", p2)
cocci.print_secs("__SetPageOffline()", p1)
