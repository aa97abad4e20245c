// SPDX-License-Identifier: GPL-2.0
/*
 * Already converted code, definitions, and the UAPI name without -D kpf:
 * nothing may change.
 */
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <uapi/linux/kernel-page-flags.h>

enum pagetype {
	PGTY_unaccepted	= 0xf7,
	PGTY_balloon	= 0xf8,
};

PAGE_TYPE_OPS(Balloon, balloon, balloon)

static void inflate(struct page *page)
{
	__SetPageOffline(page);
}

static u64 flags(const struct page *page)
{
	u64 u = 0;

	if (PageOffline(page))
		u |= 1 << KPF_BALLOON;
	return u;
}
