// SPDX-License-Identifier: GPL-2.0
/*
 * agent: the guest end of the end-to-end control channel.
 *
 *   agent DEVICE      serve on a tty (raw mode), e.g. /dev/ttyS1
 *   agent -           serve on stdin/stdout (host-side tests)
 *
 * Every message in either direction is one line, a frame:
 *
 *   @T:SEQ:RC:LEN:HEX:CRC\n
 *
 * T is the frame type, SEQ the command's sequence number, RC an exit
 * status, LEN the payload length in bytes, HEX the payload in lower-case
 * hex (2 * LEN characters) and CRC the CRC-32 (the zlib one) of the
 * characters from T to the last ':' before it, as 8 hex digits. A line that
 * is not exactly such a frame is damaged and is never acted upon.
 *
 * Host to agent:
 *   C  run the payload with /bin/sh -c (SEQ strictly increasing)
 *   R  send the result of command SEQ again
 *   P  ping: answer with H
 * Agent to host:
 *   H  hello: the agent is ready (sent at start and on P)
 *   A  command SEQ arrived intact and is about to run
 *   D  command SEQ has run: RC is its exit status, the payload its output
 *      (stdout and stderr)
 *   N  the line received was damaged (SEQ 0), or R asked for a command
 *      that never arrived (SEQ is that command)
 *
 * A command runs at most once: a C frame for the command that ran last is
 * answered with its stored result, an older one is ignored. Payloads are
 * hex so that a frame is plain ASCII and no byte of a command or of its
 * output can look like the end of a frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define LINE_MAX_BYTES	(64 * 1024)	/* longest frame accepted */
#define OUT_MAX_BYTES	(1024 * 1024)	/* output kept and sent back */
#define OUT_FILE	"/tmp/.agent-out"

static int in_fd, out_fd;
static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--)
		c = crc_table[(c ^ (unsigned char)*p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "agent: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	if (getpid() == 1) {
		sync();
		reboot(RB_AUTOBOOT);
	}
	exit(1);
}

static void write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(out_fd, p, n);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("write: %s", strerror(errno));
		}
		p += w;
		n -= w;
	}
}

/* Send one frame. The frame buffer is static: no allocation on the way. */
static void send_frame(char type, unsigned long seq, int rc,
		       const char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	static char buf[64 + 2 * OUT_MAX_BYTES];
	size_t n, i;

	n = snprintf(buf, 64, "@%c:%lu:%d:%zu:", type, seq, rc, len);
	for (i = 0; i < len; i++) {
		buf[n++] = hex[(unsigned char)data[i] >> 4];
		buf[n++] = hex[(unsigned char)data[i] & 15];
	}
	buf[n++] = ':';
	/* the CRC covers T..the last ':' without the leading '@' */
	n += snprintf(buf + n, 16, "%08x\n", crc32(buf + 1, n - 1));
	write_all(buf, n);
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse a decimal field ending at `end`; 0 on success. */
static int field_num(const char *p, char end, const char **next, long *val)
{
	int neg = 0;
	long v = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		if (v > 100000000L)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	if (*p != end)
		return -1;
	*next = p + 1;
	*val = neg ? -v : v;
	return 0;
}

struct frame {
	char type;
	unsigned long seq;
	long rc;
	size_t len;
	char *data;		/* decoded in place, NUL-terminated */
};

/* Check and decode LINE (without its '\n'); 0 if it is an intact frame. */
static int parse_frame(char *line, size_t n, struct frame *f)
{
	const char *p;
	char *crc_at;
	long seq, len;
	unsigned long crc;
	size_t i;

	if (n < 12 || line[0] != '@' || line[2] != ':')
		return -1;
	/* CRC: the last field, 8 hex digits after the last ':' */
	crc_at = line + n - 8;
	if (crc_at[-1] != ':')
		return -1;
	crc = 0;
	for (i = 0; i < 8; i++) {
		if (unhex(crc_at[i]) < 0)
			return -1;
		crc = crc << 4 | unhex(crc_at[i]);
	}
	if (crc != crc32(line + 1, crc_at - line - 1))
		return -1;
	f->type = line[1];
	p = line + 3;
	if (field_num(p, ':', &p, &seq) || seq < 0 ||
	    field_num(p, ':', &p, &f->rc) ||
	    field_num(p, ':', &p, &len) || len < 0)
		return -1;
	if ((size_t)(crc_at - 1 - p) != 2 * (size_t)len)
		return -1;
	f->seq = seq;
	f->len = len;
	f->data = line + 3;	/* decode over the header: it is no longer needed */
	for (i = 0; i < f->len; i++) {
		int hi = unhex(p[2 * i]), lo = unhex(p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		f->data[i] = hi << 4 | lo;
	}
	f->data[f->len] = '\0';
	return 0;
}

/* The last command run and its result. */
static unsigned long last_seq;
static int last_rc;
static char *last_out;
static size_t last_len;

static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Run CMD with sh -c, output to OUT_FILE; store rc and output. */
static void run(const char *cmd)
{
	int fd, status;
	ssize_t r;
	pid_t pid;
	char c;

	last_len = 0;
	fd = open(OUT_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		last_rc = 125;
		last_len = snprintf(last_out, OUT_MAX_BYTES,
				    "agent: %s: %s\n", OUT_FILE,
				    strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		last_rc = 126;
		last_len = snprintf(last_out, OUT_MAX_BYTES,
				    "agent: fork: %s\n", strerror(errno));
		close(fd);
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null >= 0 ? null : fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		if (in_fd > 2)
			close(in_fd);
		if (out_fd > 2 && out_fd != in_fd)
			close(out_fd);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = 0xff00;
			break;
		}
	reap_orphans();
	last_rc = WIFEXITED(status) ? WEXITSTATUS(status)
				    : 128 + WTERMSIG(status);
	lseek(fd, 0, SEEK_SET);
	while (last_len < OUT_MAX_BYTES) {
		r = read(fd, last_out + last_len, OUT_MAX_BYTES - last_len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		last_len += r;
	}
	/* more output than can be kept: say so rather than send a part */
	if (last_len == OUT_MAX_BYTES && read(fd, &c, 1) == 1) {
		last_rc = 125;
		last_len = snprintf(last_out, OUT_MAX_BYTES,
				    "agent: output longer than %d bytes\n",
				    OUT_MAX_BYTES);
	}
	close(fd);
	unlink(OUT_FILE);
}

static void handle(char *line, size_t n)
{
	struct frame f;

	if (parse_frame(line, n, &f)) {
		send_frame('N', 0, 0, NULL, 0);
		return;
	}
	switch (f.type) {
	case 'C':
		if (f.seq == last_seq) {
			send_frame('D', last_seq, last_rc, last_out, last_len);
		} else if (f.seq > last_seq) {
			send_frame('A', f.seq, 0, NULL, 0);
			last_seq = f.seq;
			run(f.data);
			send_frame('D', last_seq, last_rc, last_out, last_len);
		}
		/* an older command: a stale duplicate, already answered */
		break;
	case 'R':
		if (f.seq == last_seq)
			send_frame('D', last_seq, last_rc, last_out, last_len);
		else if (f.seq > last_seq)
			send_frame('N', f.seq, 0, NULL, 0);
		break;
	case 'P':
		send_frame('H', last_seq, 0, NULL, 0);
		break;
	default:
		send_frame('N', 0, 0, NULL, 0);
	}
}

static void open_channel(const char *dev)
{
	struct termios t;

	if (!strcmp(dev, "-")) {
		in_fd = 0;
		out_fd = 1;
		return;
	}
	in_fd = open(dev, O_RDWR | O_NOCTTY);
	if (in_fd < 0)
		die("%s: %s", dev, strerror(errno));
	out_fd = in_fd;
	if (tcgetattr(in_fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(in_fd, TCSANOW, &t);
		tcflush(in_fd, TCIFLUSH);
	}
}

int main(int argc, char **argv)
{
	static char line[LINE_MAX_BYTES + 1];
	static char chunk[4096];
	size_t n = 0;
	int overlong = 0;
	ssize_t r, i;

	if (argc != 2) {
		fprintf(stderr, "usage: agent DEVICE|-\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	crc_init();
	last_out = malloc(OUT_MAX_BYTES);
	if (!last_out)
		die("cannot allocate the output buffer");
	/* keep the agent's own memory resident whatever the guest does */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	open_channel(argv[1]);
	send_frame('H', 0, 0, NULL, 0);
	for (;;) {
		r = read(in_fd, chunk, sizeof(chunk));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			die("read: %s", strerror(errno));
		if (r == 0)
			break;
		for (i = 0; i < r; i++) {
			if (chunk[i] != '\n') {
				if (n < LINE_MAX_BYTES)
					line[n++] = chunk[i];
				else
					overlong = 1;
				continue;
			}
			if (overlong)
				send_frame('N', 0, 0, NULL, 0);
			else if (n)
				handle(line, n);
			n = 0;
			overlong = 0;
		}
	}
	if (getpid() == 1)
		die("control channel closed");
	return 0;
}
