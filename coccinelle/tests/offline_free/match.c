// SPDX-License-Identifier: GPL-2.0
/* Pages freed while still PageOffline(): every function must be reported. */
#include <linux/mm.h>
#include <linux/gfp.h>

/* freed on the error path only */
static int inflate_one(struct list_head *pages)
{
	struct page *page = alloc_page(GFP_KERNEL);

	if (!page)
		return -ENOMEM;
	__SetPageOffline(page);
	if (hypervisor_take(page_to_pfn(page))) {
		__free_page(page);
		return -EIO;
	}
	list_add(&page->lru, pages);
	return 0;
}

/* cleared on one branch only */
static void deflate_one(struct page *page, bool fast)
{
	__SetPageOffline(page);
	hypervisor_give(page_to_pfn(page));
	if (fast)
		__ClearPageOffline(page);
	__free_pages(page, 0);
}

/* put_page() and the folio form */
static void drop_ref(struct page *page, struct page *other)
{
	__SetPageOffline(page);
	put_page(page);
	__SetPageOffline(other);
	folio_put(page_folio(other));
}

/* returned to the allocator through its address */
static void give_back(struct page *page, unsigned int order)
{
	__SetPageOffline(page);
	free_pages((unsigned long)page_address(page), order);
}
