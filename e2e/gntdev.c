// SPDX-License-Identifier: GPL-2.0
/*
 * gntdev-hold: take pages out of the Xen balloon through gntdev and give
 * them back, for the nested e2e's Xen scenario.
 *
 *   gntdev-hold N STATEFILE
 *
 * IOCTL_GNTDEV_MAP_GRANT_REF with N grant references allocates N pages
 * with xen_alloc_ballooned_pages() (gnttab_alloc_pages(); the grants are
 * only mapped on mmap(), which this never does). It then writes
 * "mapped N" to STATEFILE and waits for SIGUSR1 (or SIGTERM), on which
 * IOCTL_GNTDEV_UNMAP_GRANT_REF gives the pages back to the balloon through
 * xen_free_ballooned_pages(), and it writes "unmapped N" to STATEFILE.
 * Any failure is written to STATEFILE as "error: ..." and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
/*
 * The header comes from the kernel tree (headers_install does not export
 * it): give it the kernel's annotations and the two Xen types it uses.
 */
#include <stdint.h>
#define __user
typedef uint32_t grant_ref_t;
typedef uint16_t domid_t;
#include <xen/gntdev.h>

static const char *state;

static void say(const char *fmt, unsigned long n, const char *err)
{
	FILE *f = fopen(state, "w");

	if (!f)
		exit(2);
	fprintf(f, fmt, n, err);
	fputc('\n', f);
	fclose(f);
}

static void fail(const char *what)
{
	say("error: %lu %s", 0, what);
	fprintf(stderr, "gntdev-hold: %s: %s\n", what, strerror(errno));
	exit(1);
}

static volatile sig_atomic_t go;

static void on_signal(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	struct ioctl_gntdev_map_grant_ref *map;
	struct ioctl_gntdev_unmap_grant_ref unmap;
	unsigned long n, i;
	sigset_t mask, old;
	char *end;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: gntdev-hold N STATEFILE\n");
		return 2;
	}
	n = strtoul(argv[1], &end, 10);
	if (*end || n == 0 || n > 4096) {
		fprintf(stderr, "gntdev-hold: expected N in 1..4096, found '%s'\n",
			argv[1]);
		return 2;
	}
	state = argv[2];
	signal(SIGUSR1, on_signal);
	signal(SIGTERM, on_signal);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);

	fd = open("/dev/xen/gntdev", O_RDWR);
	if (fd < 0)
		fail("open /dev/xen/gntdev");
	map = calloc(1, sizeof(*map) + n * sizeof(map->refs[0]));
	if (!map)
		fail("calloc");
	map->count = n;
	for (i = 0; i < n; i++) {
		map->refs[i].domid = 0;
		map->refs[i].ref = i + 1;
	}
	if (ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, map))
		fail("IOCTL_GNTDEV_MAP_GRANT_REF");
	say("mapped %lu%s", n, "");

	while (!go)
		sigsuspend(&old);

	memset(&unmap, 0, sizeof(unmap));
	unmap.index = map->index;
	unmap.count = n;
	if (ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap))
		fail("IOCTL_GNTDEV_UNMAP_GRANT_REF");
	close(fd);
	say("unmapped %lu%s", n, "");
	return 0;
}
