// SPDX-License-Identifier: GPL-2.0
/*
 * hog: keep MiB of anonymous memory resident and in use, touching every
 * page again once a second, until killed.
 *
 *   hog MiB
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
	size_t size = mib << 20, off;
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p;
	unsigned char gen = 0;

	if (!mib) {
		fprintf(stderr, "usage: hog MiB\n");
		return 2;
	}
	p = malloc(size);
	if (!p) {
		perror("hog: malloc");
		return 1;
	}
	for (;;) {
		for (off = 0; off < size; off += page)
			p[off] = gen;
		if (!gen++) {
			printf("hog: %zu MiB resident\n", mib);
			fflush(stdout);
		}
		sleep(1);
	}
}
