// SPDX-License-Identifier: GPL-2.0
/* Correct code: nothing here may be reported. */
#include <linux/mm.h>
#include <linux/slab.h>

/* a page straight from the page allocator */
static struct page *inflate_one(void)
{
	struct page *page = alloc_page(GFP_HIGHUSER | __GFP_NOWARN);

	if (page)
		__SetPageOffline(page);
	return page;
}

/* setting it twice is fine on 6.12 */
static void twice(struct page *page)
{
	if (!PageOffline(page))
		__SetPageOffline(page);
	__SetPageOffline(page);
}

/* clearing a page that has no type is fine on 6.12 */
static void clear_untyped(struct page *page)
{
	__ClearPageOffline(page);
	__free_page(page);
}

/* the other type is dropped first */
static void retyped(struct page *page)
{
	__SetPageTable(page);
	__ClearPageTable(page);
	__SetPageOffline(page);
}

/* the kmalloc() buffer is not the page made offline */
static void unrelated(struct page *page)
{
	void *buf = kmalloc(64, GFP_KERNEL);

	buf = page_address(page);
	__SetPageOffline(virt_to_page(buf));
	kfree(buf);
}
