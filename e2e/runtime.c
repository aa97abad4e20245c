// SPDX-License-Identifier: GPL-2.0
/*
 * runtime: the CPU time every task has had so far, from the
 * se.sum_exec_runtime line of /proc/PID/task/TID/sched (CONFIG_SCHED_DEBUG),
 * one "<tid> <ns>" line per task. The idle task is not listed: the sum of
 * the growth over tasks alive at both ends of a window is the guest's busy
 * time in it, which under QEMU -icount counts instructions.
 *
 *   runtime
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void task(const char *pid, const char *tid)
{
	char path[600], line[256];
	long long ms, frac;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/task/%s/sched", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return;		/* the task has gone */
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "se.sum_exec_runtime");

		if (p && sscanf(strchr(p, ':') + 1, "%lld.%lld", &ms,
				&frac) == 2) {
			printf("%s %lld\n", tid, ms * 1000000 + frac);
			break;
		}
	}
	fclose(f);
}

int main(void)
{
	DIR *proc = opendir("/proc"), *tasks;
	struct dirent *d, *t;
	char path[300];

	if (!proc) {
		perror("runtime: /proc");
		return 1;
	}
	while ((d = readdir(proc))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", d->d_name);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while ((t = readdir(tasks)))
			if (t->d_name[0] >= '0' && t->d_name[0] <= '9')
				task(d->d_name, t->d_name);
		closedir(tasks);
	}
	closedir(proc);
	return 0;
}
