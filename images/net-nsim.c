// SPDX-License-Identifier: GPL-2.0
/*
 * The NIC under test on kernels whose netdevsim carries the project's
 * dma_rx patch: two netdevsim devices of one 4-queue port each, made with
 * dma_rx=Y (DMA-capable parent, provider-ready page pools, header split,
 * RSS, ntuple), the second port moved into the remote netns, and the two
 * linked back to back (bus.c link_device). A stock netdevsim has no
 * dma_rx parameter; then nothing here runs and virtio-net stays the NIC.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "nsim_sysfs.h"
#include "rtnl.h"

int nsim_available(void)
{
	return !access(NSIM_DMA_RX_PARAM, W_OK) && !access(NSIM_BUS "new_device", W_OK);
}

/* ifindex of @ifname inside the netns @ns, or 0. A moved link keeps its
 * index unless the target netns already uses it, so ask there.
 */
static unsigned int ifindex_in(int ns, const char *ifname)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	unsigned int idx = 0;

	if (self < 0)
		return 0;
	if (!setns(ns, CLONE_NEWNET))
		idx = if_nametoindex(ifname);
	setns(self, CLONE_NEWNET);
	close(self);
	return idx;
}

/* Link the two ports: "<netns fd>:<ifindex> <netns fd>:<ifindex>", with the
 * fds open in this process (bus.c link_device_store, get_net_ns_by_fd).
 */
static int link_ports(int remote_ns, const char *local, const char *remote)
{
	unsigned int lidx = if_nametoindex(local), ridx = ifindex_in(remote_ns, remote);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), ret;
	char buf[64];

	if (self < 0)
		return -errno;
	if (!lidx || !ridx) {
		close(self);
		return -ENODEV;
	}
	snprintf(buf, sizeof(buf), "%d:%u %d:%u", self, lidx, remote_ns, ridx);
	ret = sysfs_write(NSIM_BUS "link_device", buf);
	close(self);
	return ret;
}

int nsim_setup(FILE *log, int remote_ns, const struct net_addrs *a,
	       unsigned int local_id, unsigned int remote_id, char *local, char *remote)
{
	const char *step;
	int made = 0, ret;

	if (!nsim_available())
		return -ENOENT;
	step = "dma_rx=Y";
	ret = sysfs_write(NSIM_DMA_RX_PARAM, "Y");
	if (!ret) {
		step = "new_device";
		ret = nsim_new_device(local_id, NSIM_QUEUES);
		made += !ret;
	}
	if (!ret) {
		ret = nsim_new_device(remote_id, NSIM_QUEUES);
		made += !ret;
	}
	if (!ret) {
		step = "port names";
		ret = nsim_port_name(local_id, local, IFNAMSIZ);
	}
	if (!ret)
		ret = nsim_port_name(remote_id, remote, IFNAMSIZ);
	if (!ret) {
		step = "move to the remote netns";
		ret = link_change(if_nametoindex(remote), 0, remote_ns);
	}
	if (!ret) {
		step = "link_device";
		ret = link_ports(remote_ns, local, remote);
	}
	if (!ret) {
		step = "addresses";
		ret = port_up(log, local, a->local_v4, a->local_v6);
	}
	if (!ret)
		ret = port_up_in(log, remote_ns, remote, a->remote_v4, a->remote_v6);
	if (!ret)
		return 0;
	/* Deleting the devices takes their ports (and addresses) with them,
	 * wherever they are, so the virtio pair can take the addresses.
	 */
	fprintf(log, "# net: netdevsim dma_rx pair %u/%u failed at %s: %s\n",
		local_id, remote_id, step, strerror(-ret));
	if (made > 1)
		nsim_del_device(remote_id);
	if (made > 0)
		nsim_del_device(local_id);
	return ret;
}
