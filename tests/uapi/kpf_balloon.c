// SPDX-License-Identifier: GPL-2.0
/*
 * A program written for the old name of bit 23. It must keep building
 * against the patched headers and test the same bit as KPF_OFFLINE.
 */
#include <linux/kernel-page-flags.h>
#include <stdio.h>

int main(void)
{
	printf("KPF_BALLOON=%d\n", KPF_BALLOON);
	return 0;
}
