// SPDX-License-Identifier: GPL-2.0
/*
 * kpf-count: count the pages that have one bit set in /proc/kpageflags,
 * independently of page-types. Prints "<pages with the bit> <pages>".
 *
 *   kpf-count [BIT [PFN PAGES]]
 *
 * BIT defaults to 23 (KPF_OFFLINE, formerly KPF_BALLOON); PFN and PAGES
 * limit the count to the PAGES page frames from PFN on (one memory
 * block, say), else every page frame is counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static uint64_t buf[8192];
	unsigned long long set = 0, total = 0, pfn = 0;
	unsigned long long left = ~0ULL;
	int bit = argc > 1 ? atoi(argv[1]) : 23;
	size_t want;
	ssize_t n, i;
	int fd;

	if (argc == 4) {
		pfn = strtoull(argv[2], NULL, 0);
		left = strtoull(argv[3], NULL, 0);
	} else if (argc > 2) {
		fprintf(stderr, "usage: kpf-count [BIT [PFN PAGES]], found %d arguments\n",
			argc - 1);
		return 2;
	}

	if (bit < 0 || bit > 63) {
		fprintf(stderr, "kpf-count: bit %d out of range 0..63\n", bit);
		return 2;
	}
	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "kpf-count: /proc/kpageflags: %s\n",
			strerror(errno));
		return 1;
	}
	if (pfn && lseek(fd, pfn * 8, SEEK_SET) < 0) {
		fprintf(stderr, "kpf-count: seek to pfn %llu: %s\n", pfn,
			strerror(errno));
		return 1;
	}
	for (;;) {
		want = left < sizeof(buf) / 8 ? left * 8 : sizeof(buf);
		if (!want)
			break;
		n = read(fd, buf, want);
		if (n <= 0)
			break;
		for (i = 0; i < n / 8; i++)
			set += (buf[i] >> bit) & 1;
		total += n / 8;
		left -= n / 8;
	}
	if (n < 0) {
		fprintf(stderr, "kpf-count: read: %s\n", strerror(errno));
		return 1;
	}
	printf("%llu %llu\n", set, total);
	return 0;
}
