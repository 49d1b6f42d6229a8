// SPDX-License-Identifier: GPL-2.0
/* Locks for shared machine-wide knobs; see knob_lock.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "knob_lock.h"

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int knob_lock(const char *path, int timeout_ms)
{
	long long end = mono_ms() + timeout_ms;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = errno;

		if (err != EWOULDBLOCK || mono_ms() > end) {
			close(fd);
			return err == EWOULDBLOCK ? -ETIMEDOUT : -err;
		}
		usleep(5000);
	}
	return fd;
}
