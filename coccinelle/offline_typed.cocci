// SPDX-License-Identifier: GPL-2.0-only
/// Only a page without a page type and without a mapcount may become
/// PageOffline().
///
/// PG_offline is a page type: __SetPageOffline() stores it in
/// page->page_type, the word that also holds _mapcount and the other page
/// types (slab, page table, buddy, zsmalloc, guard). On a page that is still
/// a slab or page-table page, or that is mapped to user space, it hits
/// VM_BUG_ON_PAGE() with CONFIG_DEBUG_VM and silently overwrites the other
/// type or the mapcount without it. Take pages for ballooning from the page
/// allocator (alloc_page(), balloon_page_alloc()), not from kmalloc(), a
/// page-table allocation or user memory, and drop the other type first.
///
/// On Linux 6.12 and 7.3 __SetPageOffline() on a page that is already
/// PageOffline() and __ClearPageOffline() on a page without a type are both
/// safe; they are not reported.
///
//# The rule follows one function: a page that got its type or its mapping in
//# another function is not seen. A page that is unmapped or whose type is
//# cleared (for example with __ClearPageTable() or pagetable_free()) through
//# a helper before __SetPageOffline() is reported although it is fine.
//# vm_insert_page() on a page that is already PageOffline() is refused by
//# validate_page_before_insert(); only the opposite order is reported.
//
// Confidence: Moderate
// Copyright: (C) 2024 The Balloon Offline Series authors
// Comments: No patch mode: there is no mechanical fix, the page must come
//  from somewhere else.
// Options: --no-includes --include-headers
// Kernels: 6.12 7.3
//
// Keywords: PageOffline, __SetPageOffline, page_type, mapcount
//

virtual patch
virtual context
virtual org
virtual report

// A slab object: the page is PageSlab().
@slab depends on !patch exists@
expression X, P, E;
identifier alloc = {kmalloc, kzalloc, kcalloc, kmalloc_array, kmalloc_node,
		    kzalloc_node, kmem_cache_alloc, kmem_cache_zalloc,
		    kmem_cache_alloc_node, krealloc};
position p1, p2;
@@

  X = alloc@p1(...)
  ... when != X = E
(
* __SetPageOffline@p2(\(virt_to_page\|virt_to_head_page\)(X));
|
  P = \(virt_to_page\|virt_to_head_page\)(X);
  ... when != P = E
* __SetPageOffline@p2(P);
)

// A page table: the page is PageTable().
@ptable depends on !patch exists@
expression X, P, E;
position p1, p2;
@@

  X = pagetable_alloc@p1(...)
  ... when != X = E
      when != pagetable_free(X)
(
* __SetPageOffline@p2(ptdesc_page(X));
|
  P = ptdesc_page(X);
  ... when != P = E
* __SetPageOffline@p2(P);
)

// A page that was given another type right here.
@other depends on !patch exists@
expression P, E;
identifier settype = {__SetPageTable, __SetPageBuddy, __SetPageZsmalloc,
		      __SetPageGuard, __SetPageUnaccepted};
identifier cleartype = {__ClearPageTable, __ClearPageBuddy, __ClearPageZsmalloc,
			__ClearPageGuard, __ClearPageUnaccepted};
position p1, p2;
@@

  settype@p1(P);
  ... when != cleartype(P)
      when != P = E
* __SetPageOffline@p2(P);

// A page mapped to user space: it has a mapcount.
@mapped depends on !patch exists@
expression P, V, A, E;
position p1, p2;
@@

  vm_insert_page@p1(V, A, P)
  ... when != P = E
* __SetPageOffline@p2(P);

// A page pinned from user memory: it may be mapped there.
@gup_one depends on !patch exists@
expression P, E;
identifier gupfn = {get_user_pages, get_user_pages_fast, get_user_pages_remote,
		    get_user_pages_unlocked, pin_user_pages, pin_user_pages_fast,
		    pin_user_pages_remote, pin_user_pages_unlocked};
position p1, p2;
@@

  gupfn@p1(..., &P, ...)
  ... when != P = E
* __SetPageOffline@p2(P);

@gup_array depends on !patch exists@
expression PP, I, E;
identifier gupfn = {get_user_pages, get_user_pages_fast, get_user_pages_remote,
		    get_user_pages_unlocked, pin_user_pages, pin_user_pages_fast,
		    pin_user_pages_remote, pin_user_pages_unlocked};
position p1, p2;
@@

  gupfn@p1(..., PP, ...)
  ... when != PP = E
* __SetPageOffline@p2(PP[I]);

@script:python depends on report@
p1 << slab.p1;
p2 << slab.p2;
@@

coccilib.report.print_report(p2[0],
	"ERROR: __SetPageOffline() on a slab page (allocated on line %s)" % p1[0].line)

@script:python depends on report@
p1 << ptable.p1;
p2 << ptable.p2;
@@

coccilib.report.print_report(p2[0],
	"ERROR: __SetPageOffline() on a page-table page (allocated on line %s)" % p1[0].line)

@script:python depends on report@
p1 << other.p1;
p2 << other.p2;
@@

coccilib.report.print_report(p2[0],
	"ERROR: __SetPageOffline() on a page that has another page type (set on line %s)" % p1[0].line)

@script:python depends on report@
p1 << mapped.p1;
p2 << mapped.p2;
@@

coccilib.report.print_report(p2[0],
	"ERROR: __SetPageOffline() on a page mapped to user space (on line %s)" % p1[0].line)

@script:python depends on report@
p1 << gup_one.p1;
p2 << gup_one.p2;
@@

coccilib.report.print_report(p2[0],
	"ERROR: __SetPageOffline() on a page taken from user memory (on line %s)" % p1[0].line)

@script:python depends on report@
p1 << gup_array.p1;
p2 << gup_array.p2;
@@

coccilib.report.print_report(p2[0],
	"ERROR: __SetPageOffline() on a page taken from user memory (on line %s)" % p1[0].line)

@script:python depends on org@
p1 << slab.p1;
p2 << slab.p2;
@@

cocci.print_main("__SetPageOffline() on a slab page", p2)
cocci.print_secs("allocation", p1)

@script:python depends on org@
p1 << ptable.p1;
p2 << ptable.p2;
@@

cocci.print_main("__SetPageOffline() on a page-table page", p2)
cocci.print_secs("allocation", p1)

@script:python depends on org@
p1 << other.p1;
p2 << other.p2;
@@

cocci.print_main("__SetPageOffline() on a page that has another page type", p2)
cocci.print_secs("other type", p1)

@script:python depends on org@
p1 << mapped.p1;
p2 << mapped.p2;
@@

cocci.print_main("__SetPageOffline() on a page mapped to user space", p2)
cocci.print_secs("mapping", p1)

@script:python depends on org@
p1 << gup_one.p1;
p2 << gup_one.p2;
@@

cocci.print_main("__SetPageOffline() on a page taken from user memory", p2)
cocci.print_secs("pinning", p1)

@script:python depends on org@
p1 << gup_array.p1;
p2 << gup_array.p2;
@@

cocci.print_main("__SetPageOffline() on a page taken from user memory", p2)
cocci.print_secs("pinning", p1)
