// SPDX-License-Identifier: GPL-2.0
/* With -D kpf, KPF_BALLOON becomes KPF_OFFLINE too. */
#include <linux/mm.h>
#include <uapi/linux/kernel-page-flags.h>

static const char * const page_flag_names[] = {
	[KPF_THP]		= "t:thp",
	[KPF_BALLOON]		= "o:balloon",
	[KPF_PGTABLE]		= "g:pgtable",
};

static u64 flags(const struct page *page)
{
	u64 u = 0;

	if (PageBalloon(page))
		u |= 1 << KPF_BALLOON;
	return u;
}
