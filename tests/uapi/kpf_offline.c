// SPDX-License-Identifier: GPL-2.0
/*
 * Count the pages that /proc/kpageflags reports as logically offline,
 * using the name the series gives bit 23. Built against the installed
 * UAPI headers of the patched tree. With an argument, it only prints the
 * bit number (for machines without /proc/kpageflags access).
 */
#include <linux/kernel-page-flags.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	uint64_t flags, offline = 0, pages = 0;
	FILE *f;

	printf("KPF_OFFLINE=%d\n", KPF_OFFLINE);
	if (argc > 1 && argv[1][0] == '-')
		return 0;
	f = fopen("/proc/kpageflags", "rb");
	if (!f) {
		perror("/proc/kpageflags");
		return 1;
	}
	while (fread(&flags, sizeof(flags), 1, f) == 1) {
		pages++;
		if (flags & (1ULL << KPF_OFFLINE))
			offline++;
	}
	fclose(f);
	printf("pages=%llu offline=%llu\n", (unsigned long long)pages,
	       (unsigned long long)offline);
	return pages ? 0 : 1;
}
