// SPDX-License-Identifier: GPL-2.0
/* Users of PG_balloon: every one is converted to PG_offline. */
#include <linux/mm.h>
#include <linux/page-flags.h>

static void inflate(struct page *page, struct list_head *pages)
{
	__SetPageBalloon(page);
	list_add(&page->lru, pages);
}

static void deflate(struct page *page)
{
	list_del(&page->lru);
	__ClearPageBalloon(page);
}

static bool in_balloon(const struct page *page)
{
	return PageBalloon(page);
}

static void mark_range(struct page *page, int n)
{
	int i;

	for (i = 0; i < n; i++)
		__SetPageBalloon(page + i);
}

static bool folio_in_balloon(struct folio *folio)
{
	if (folio_test_balloon(folio))
		return true;
	__folio_set_balloon(folio);
	__folio_clear_balloon(folio);
	return false;
}
