// SPDX-License-Identifier: GPL-2.0
/* netdevsim's sysfs bus; see nsim_sysfs.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nsim_sysfs.h"

int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int nsim_new_device(unsigned int id, unsigned int queues)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u 1 %u", id, queues);
	return sysfs_write(NSIM_BUS "new_device", buf);
}

int nsim_del_device(unsigned int id)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", id);
	return sysfs_write(NSIM_BUS "del_device", buf);
}

int nsim_port_name(unsigned int id, char *name, size_t len)
{
	struct timespec ms10 = { .tv_nsec = 10 * 1000 * 1000 };
	char path[64];

	snprintf(path, sizeof(path), NSIM_BUS "devices/netdevsim%u/net", id);
	for (int i = 0; i < 100; i++) {
		DIR *d = opendir(path);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.' || strlen(de->d_name) >= len)
				continue;
			memcpy(name, de->d_name, strlen(de->d_name) + 1);
			closedir(d);
			return 0;
		}
		if (d)
			closedir(d);
		nanosleep(&ms10, NULL);
	}
	return -ENODEV;
}
