// SPDX-License-Identifier: GPL-2.0
/*
 * timeit: run a command with its output thrown away and print how long it
 * took on CLOCK_MONOTONIC, in microseconds ("<us> <exit status>").
 *
 *   timeit COMMAND [ARG...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	long long t0, t1;
	int status, fd;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: timeit COMMAND [ARG...]\n");
		return 2;
	}
	t0 = now_us();
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 1;
	}
	if (!pid) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[1], argv + 1);
		perror("timeit: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("timeit: waitpid");
		return 1;
	}
	t1 = now_us();
	printf("%lld %d\n", t1 - t0,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
