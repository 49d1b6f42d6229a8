// SPDX-License-Identifier: GPL-2.0
/* Extra netdevsim devices; see nsim_dev.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
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

int link_set_up(const char *ifname, bool up)
{
	int idx = if_nametoindex(ifname);

	return idx ? link_change(idx, up, -1) : -ENODEV;
}
