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

#define NSIM_PARAM	"/sys/module/netdevsim/parameters/dma_rx"
#define NSIM_BUS	"/sys/bus/netdevsim/"
#define NSIM_LOCAL_ID	10
#define NSIM_REMOTE_ID	11
#define NSIM_QUEUES	4

int nsim_available(void)
{
	return !access(NSIM_PARAM, W_OK) && !access(NSIM_BUS "new_device", W_OK);
}

/* One write of @val to a sysfs attribute: 0 or the store's -errno. */
static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The port name of netdevsim device @id. Probing runs inside the
 * new_device store, so the port is normally there at once; the short
 * retry only covers a driver that someday probes asynchronously.
 */
static int port_name(unsigned int id, char *name)
{
	struct timespec ms10 = { .tv_nsec = 10 * 1000 * 1000 };
	char path[64];

	snprintf(path, sizeof(path), NSIM_BUS "devices/netdevsim%u/net", id);
	for (int i = 0; i < 100; i++) {
		DIR *d = opendir(path);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.' || strlen(de->d_name) >= IFNAMSIZ)
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

static int new_device(unsigned int id)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u 1 %u", id, NSIM_QUEUES);
	return sysfs_write(NSIM_BUS "new_device", buf);
}

static void del_device(unsigned int id)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", id);
	sysfs_write(NSIM_BUS "del_device", buf);
}

int nsim_setup(FILE *log, int remote_ns, const struct net_addrs *a,
	       char *local, char *remote)
{
	const char *step;
	int made = 0, ret;

	if (!nsim_available())
		return -ENOENT;
	step = "dma_rx=Y";
	ret = sysfs_write(NSIM_PARAM, "Y");
	if (!ret) {
		step = "new_device";
		ret = new_device(NSIM_LOCAL_ID);
		made += !ret;
	}
	if (!ret) {
		ret = new_device(NSIM_REMOTE_ID);
		made += !ret;
	}
	if (!ret) {
		step = "port names";
		ret = port_name(NSIM_LOCAL_ID, local);
	}
	if (!ret)
		ret = port_name(NSIM_REMOTE_ID, remote);
	if (!ret) {
		step = "move to netns " NET_REMOTE_NS;
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
	fprintf(log, "# net: netdevsim dma_rx pair failed at %s: %s; the NIC under test stays virtio-net\n",
		step, strerror(-ret));
	if (made > 1)
		del_device(NSIM_REMOTE_ID);
	if (made > 0)
		del_device(NSIM_LOCAL_ID);
	return ret;
}
