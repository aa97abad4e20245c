// SPDX-License-Identifier: GPL-2.0
/* Correct code: nothing here may be reported. */
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/balloon_compaction.h>

/* cleared before every free */
static void deflate_one(struct page *page)
{
	__SetPageOffline(page);
	hypervisor_give(page_to_pfn(page));
	__ClearPageOffline(page);
	__free_page(page);
}

/* the page variable is reused for another page before the free */
static void swap_page(struct page *page, struct page *spare)
{
	__SetPageOffline(page);
	page = spare;
	__free_page(page);
}

/* onlined pages: generic_online_page() clears PageOffline() */
static void online_one(struct page *page)
{
	__SetPageOffline(page);
	if (backed(page))
		generic_online_page(page, 0);
}

/* balloon_page_finalize() clears it */
static void release(struct page *page)
{
	__SetPageOffline(page);
	balloon_page_finalize(page);
	put_page(page);
}

/* freeing a page that was never made offline */
static void plain(struct page *page)
{
	SetPageReserved(page);
	__free_page(page);
}
