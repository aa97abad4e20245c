// SPDX-License-Identifier: GPL-2.0
/* Pages that still carry a type or a mapcount: each one must be reported. */
#include <linux/mm.h>
#include <linux/slab.h>

/* a slab object used as a balloon page */
static void from_kmalloc(void)
{
	void *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);

	if (!buf)
		return;
	__SetPageOffline(virt_to_page(buf));
}

/* the same through a page variable, from a cache */
static void from_cache(struct kmem_cache *cache)
{
	struct page *page;
	void *obj;

	obj = kmem_cache_alloc(cache, GFP_KERNEL);
	page = virt_to_page(obj);
	__SetPageOffline(page);
}

/* a page table */
static void from_pagetable(void)
{
	struct ptdesc *pt = pagetable_alloc(GFP_KERNEL, 0);

	if (pt)
		__SetPageOffline(ptdesc_page(pt));
}

/* another type set right before */
static void typed_twice(struct page *page)
{
	__SetPageTable(page);
	__SetPageOffline(page);
}

/* mapped into a user VMA first */
static int mapped_then_offline(struct vm_area_struct *vma, struct page *page)
{
	int err = vm_insert_page(vma, vma->vm_start, page);

	if (err)
		return err;
	__SetPageOffline(page);
	return 0;
}

/* pinned user pages */
static void pinned(unsigned long addr, struct page **pages, int n)
{
	int i;

	n = pin_user_pages_fast(addr, n, FOLL_WRITE, pages);
	for (i = 0; i < n; i++)
		__SetPageOffline(pages[i]);
}

/* one pinned user page */
static void pinned_one(unsigned long addr)
{
	struct page *page;

	if (get_user_pages_fast(addr, 1, 0, &page) == 1)
		__SetPageOffline(page);
}
