// SPDX-License-Identifier: GPL-2.0
/*
 * kpf-count: count the pages that have one bit set in /proc/kpageflags,
 * independently of page-types. Prints "<pages with the bit> <pages>".
 *
 *   kpf-count [BIT]        (BIT defaults to 23, KPF_OFFLINE / KPF_BALLOON)
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
	unsigned long long set = 0, total = 0;
	int bit = argc > 1 ? atoi(argv[1]) : 23;
	ssize_t n, i;
	int fd;

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
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n / 8; i++)
			set += (buf[i] >> bit) & 1;
		total += n / 8;
	}
	if (n < 0) {
		fprintf(stderr, "kpf-count: read: %s\n", strerror(errno));
		return 1;
	}
	printf("%llu %llu\n", set, total);
	return 0;
}
