// SPDX-License-Identifier: GPL-2.0
/* A balloon driver that marks its pages: nothing may be reported. */
#include <linux/mm.h>
#include <linux/list.h>

static LIST_HEAD(inflated);

struct resp {
	unsigned long pfn[16];
	unsigned int count;
};

/* marks, then keeps */
static void keep(struct page *page)
{
	if (!PageOffline(page))
		__SetPageOffline(page);
	list_add(&page->lru, &inflated);
}

/* a local staging list is not the balloon */
static int inflate_many(int n)
{
	struct page *page, *next;
	LIST_HEAD(pages);

	while (n--) {
		page = alloc_page(GFP_HIGHUSER);
		if (!page)
			break;
		adjust_managed_page_count(page, -1);
		list_add(&page->lru, &pages);
	}
	list_for_each_entry_safe(page, next, &pages, lru) {
		list_del(&page->lru);
		keep(page);
	}
	return 0;
}

/* marks, then reports the frame */
static int inflate(struct resp *resp)
{
	struct page *page = alloc_page(GFP_HIGHUSER);
	unsigned long pfn;

	if (!page)
		return -ENOMEM;
	__SetPageOffline(page);
	adjust_managed_page_count(page, -1);
	resp->pfn[resp->count++] = page_to_pfn(page);
	pfn = page_to_pfn(page);
	return pfn ? 0 : -EINVAL;
}

/* deflating: handing pages back to a list passed in is fine */
static void deflate(struct list_head *out)
{
	struct page *page = list_first_entry(&inflated, struct page, lru);

	list_del(&page->lru);
	__ClearPageOffline(page);
	adjust_managed_page_count(page, 1);
	list_add(&page->lru, out);
}
