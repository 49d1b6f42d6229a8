// SPDX-License-Identifier: GPL-2.0
/* Extra netdevsim devices; see nsim_dev.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knob_lock.h"
#include "nsim_dev.h"
#include "nsim_sysfs.h"
#include "rtnl.h"

int nsim_dev_new(unsigned int id, unsigned int queues, bool dma, char *ifname,
		 size_t len)
{
	/* the parameter is the whole driver's: another lane's binary may be
	 * making a device too
	 */
	int lock = knob_lock(NSIM_PARAM_LOCK, KNOB_LOCK_MS), ret;

	if (lock < 0)
		return lock;
	ret = sysfs_write(NSIM_DMA_RX_PARAM, dma ? "Y" : "N");
	if (!ret) {
		ret = nsim_new_device(id, queues);
		sysfs_write(NSIM_DMA_RX_PARAM, "Y");
	}
	close(lock);
	if (ret)
		return ret;
	ret = nsim_port_name(id, ifname, len);
	if (ret)
		nsim_del_device(id);
	return ret;
}

int nsim_dev_del(unsigned int id)
{
	return nsim_del_device(id);
}

int nsim_port_debugfs(const char *ifname, const char *file, char *path, size_t len)
{
	char link[PATH_MAX], sys[128], port[32] = "";
	const char *dev;
	ssize_t n;
	FILE *f;

	/* the port's device is the bus device "netdevsim<id>" */
	snprintf(sys, sizeof(sys), "/sys/class/net/%s/device", ifname);
	n = readlink(sys, link, sizeof(link) - 1);
	if (n <= 0)
		return -ENODEV;
	link[n] = '\0';
	dev = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strncmp(dev, "netdevsim", 9))
		return -ENODEV;
	/* its phys_port_name is "p<number>", the port's index + 1 (dev.c,
	 * __nsim_dev_port_add: attrs.phys.port_number)
	 */
	snprintf(sys, sizeof(sys), "/sys/class/net/%s/phys_port_name", ifname);
	f = fopen(sys, "r");
	if (!f)
		return -ENODEV;
	if (!fgets(port, sizeof(port), f) || port[0] != 'p')
		port[0] = '\0';
	fclose(f);
	if (!port[0] || atoi(port + 1) < 1)
		return -ENODEV;
	snprintf(path, len, "/sys/kernel/debug/netdevsim/%s/ports/%d/%s", dev, atoi(port + 1) - 1,
		 file);
	return 0;
}

int link_set_up(const char *ifname, bool up)
{
	int idx = if_nametoindex(ifname);

	return idx ? link_change(idx, up, -1) : -ENODEV;
}
