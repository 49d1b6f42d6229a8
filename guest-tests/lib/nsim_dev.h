/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extra netdevsim devices for one test (a device without DMA, a device to
 * delete under a bound ifq), through /sys/bus/netdevsim (nsim_sysfs.h),
 * and link up/down through rtnetlink (rtnl.h). Only meaningful where the
 * NIC under test is the patched netdevsim (REQUIRE(zcrx_nic_missing())
 * first).
 */
#ifndef NSIM_DEV_H
#define NSIM_DEV_H

#include <stdbool.h>
#include <stddef.h>

/* new_device "@id 1 @queues" with the dma_rx parameter set to @dma for
 * its creation (restored to Y after), then its port's name in @ifname.
 * 0 or -errno.
 */
int nsim_dev_new(unsigned int id, unsigned int queues, bool dma, char *ifname,
		 size_t len);
/* del_device "@id". 0 or -errno. */
int nsim_dev_del(unsigned int id);
/* The path of @file in the debugfs directory of netdevsim port @ifname
 * (/sys/kernel/debug/netdevsim/netdevsim<id>/ports/<index>/@file) in
 * @path. 0, or -ENODEV when @ifname is not a netdevsim port.
 */
int nsim_port_debugfs(const char *ifname, const char *file, char *path, size_t len);
/* IFF_UP on or off. 0 or -errno. */
int link_set_up(const char *ifname, bool up);

#endif
