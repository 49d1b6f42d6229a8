// SPDX-License-Identifier: GPL-2.0
/* Extra netdevsim devices; see nsim_dev.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nsim_dev.h"
#define ZCRX_LIB_NO_HARNESS
#include "zcrx_lib.h"

#define DMA_RX_PARAM	"/sys/module/netdevsim/parameters/dma_rx"

int nsim_dev_new(unsigned int id, unsigned int queues, bool dma, char *ifname,
		 size_t len)
{
	char buf[64], path[96];
	struct dirent *de;
	int ret, tries;
	DIR *d;

	ret = write_str(DMA_RX_PARAM, dma ? "Y" : "N");
	if (ret)
		return ret;
	snprintf(buf, sizeof(buf), "%u 1 %u", id, queues);
	ret = write_str("/sys/bus/netdevsim/new_device", buf);
	write_str(DMA_RX_PARAM, "Y");
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/sys/bus/netdevsim/devices/netdevsim%u/net", id);
	for (tries = 0; tries < 100; tries++) {
		d = opendir(path);
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(ifname, len, "%s", de->d_name);
			closedir(d);
			return 0;
		}
		if (d)
			closedir(d);
		usleep(10000);
	}
	nsim_dev_del(id);
	return -ENODEV;
}

int nsim_dev_del(unsigned int id)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", id);
	return write_str("/sys/bus/netdevsim/del_device", buf);
}

int link_set_up(const char *ifname, bool up)
{
	struct ifreq ifr = {};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		ret = -errno;
	if (!ret) {
		ifr.ifr_flags = up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(s);
	return ret;
}
