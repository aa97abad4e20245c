// SPDX-License-Identifier: GPL-2.0
/* A balloon driver that never marks its pages: both functions are reported. */
#include <linux/mm.h>
#include <linux/list.h>

static LIST_HEAD(inflated);

struct resp {
	unsigned long pfn[16];
	unsigned int count;
};

/* keeps the page on its own list */
static void keep(struct page *page)
{
	list_add(&page->lru, &inflated);
}

/* reports the frame to the hypervisor */
static int inflate(struct resp *resp)
{
	struct page *page = alloc_page(GFP_HIGHUSER);

	if (!page)
		return -ENOMEM;
	adjust_managed_page_count(page, -1);
	resp->pfn[resp->count++] = page_to_pfn(page);
	return 0;
}
