// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's gcov counters out of the guest (make kcov-report): every
 * file under GCOV_DIR whose name ends in ".gcda" is streamed to a serial
 * port the host saves as gcov.stream. The framing (host side:
 * host-scripts/dev/kcov-lib.sh, kcov_unpack):
 *
 *   zcrx-gcov 1\n                       header
 *   <path>\n<size>\n<size bytes>        per file; <path> is absolute (the
 *                                       build path the kernel records),
 *                                       <size> decimal
 *   zcrx-gcov end <files>\n             terminator: nothing was cut off
 *
 * debugfs reports size 0 for these files, so each is read whole before its
 * header is written. The whole dump is bounded by GCOV_DUMP_TIMEOUT_S.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"

#define GCOV_FILE_MAX	(64u << 20)	/* far above any one object's counters */

static int out_fd = -1;
static unsigned int nfiles;
static unsigned long long nbytes;
static volatile sig_atomic_t timed_out;
static FILE *logf_;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* All of @len bytes, or -1 (an error, or the time limit: errno EINTR). */
static int write_all(const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(out_fd, p, len);

		if (n < 0) {
			if (errno == EINTR && !timed_out)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The whole of @path in a malloc'd buffer (*@len bytes), or NULL. */
static char *read_whole(const char *path, size_t *len)
{
	size_t cap = 64 << 10, n = 0;
	char *buf = malloc(cap), *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !buf)
		goto fail;
	for (;;) {
		if (n == cap) {
			if (cap >= GCOV_FILE_MAX) {
				errno = EFBIG;
				goto fail;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR && !timed_out)
			continue;
		if (r < 0)
			goto fail;
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int one_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + strlen(GCOV_DIR);
	size_t plen = strlen(path), len;
	char head[64];
	char *data;
	int hl;

	(void)st;
	(void)ftw;
	if (timed_out)
		return 1;
	if (type != FTW_F || plen < 5 || strcmp(path + plen - 5, ".gcda"))
		return 0;
	data = read_whole(path, &len);
	if (!data) {
		fprintf(logf_, "# init: gcov: cannot read %s: %s\n", path, strerror(errno));
		return 0;
	}
	hl = snprintf(head, sizeof(head), "\n%zu\n", len);
	if (write_all(rel, strlen(rel)) || write_all(head, (size_t)hl) ||
	    write_all(data, len)) {
		fprintf(logf_, "# init: gcov: writing %s: %s\n", GCOV_TTY,
			timed_out ? "time limit reached" : strerror(errno));
		free(data);
		return 1;
	}
	free(data);
	nfiles++;
	nbytes += len;
	return 0;
}

int gcov_dump(FILE *log)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct termios tio;
	char tail[64];
	int rc = -1, tl;

	logf_ = log;
	if (access(GCOV_DIR, F_OK)) {
		mkdir("/sys/kernel/debug", 0755);
		if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) && errno != EBUSY)
			fprintf(log, "# init: gcov: mount debugfs: %s\n", strerror(errno));
	}
	out_fd = open(GCOV_TTY, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (out_fd < 0) {
		fprintf(log, "# init: gcov: no channel %s: %s\n", GCOV_TTY, strerror(errno));
		return -1;
	}
	if (!tcgetattr(out_fd, &tio)) {
		cfmakeraw(&tio);
		tcsetattr(out_fd, TCSANOW, &tio);
	}
	/* no SA_RESTART: the alarm interrupts a blocked write or tcdrain */
	sigaction(SIGALRM, &sa, &old);
	timed_out = 0;
	alarm(GCOV_DUMP_TIMEOUT_S);
	if (write_all("zcrx-gcov 1\n", 12))
		goto out;
	if (access(GCOV_DIR, F_OK))
		fprintf(log, "# init: gcov: no %s (kernel without CONFIG_GCOV_KERNEL?)\n", GCOV_DIR);
	else if (nftw(GCOV_DIR, one_file, 16, FTW_PHYS) != 0)
		goto out;
	tl = snprintf(tail, sizeof(tail), "zcrx-gcov end %u\n", nfiles);
	if (write_all(tail, (size_t)tl))
		goto out;
	while (tcdrain(out_fd) && errno == EINTR && !timed_out)
		;
	if (!timed_out)
		rc = (int)nfiles;
out:
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	close(out_fd);
	out_fd = -1;
	if (rc >= 0)
		fprintf(log, "# init: gcov: %u file(s), %llu bytes to %s\n", nfiles, nbytes, GCOV_TTY);
	else
		fprintf(log, "# init: gcov: dump incomplete after %u file(s)%s\n", nfiles,
			timed_out ? " (time limit reached)" : "");
	return rc;
}
