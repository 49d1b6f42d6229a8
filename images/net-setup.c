// SPDX-License-Identifier: GPL-2.0
/*
 * Guest network topology: lo up in the test namespace; when the VM has its
 * two virtio-net ports, the "local" one stays here and the "remote" one is
 * moved into the named network namespace /run/netns/remote (the same place
 * `ip netns` uses), each with an IPv4 and an IPv6 address. When the kernel
 * has the patched netdevsim (net-nsim.c), its pair is the NIC under test
 * (NETIF, LOCAL_*, REMOTE_*) and virtio-net moves to other addresses; the
 * virtio pair is always also exported as VIRTIO_*.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"
#include "rtnl.h"

/* The interface whose MAC address is @mac, or "" */
static void find_by_mac(const char *mac, char *name, size_t len)
{
	struct dirent *de;
	DIR *d = opendir("/sys/class/net");

	name[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[300], buf[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/net/%s/address", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && !strncmp(buf, mac, strlen(mac)) &&
		    strlen(de->d_name) < len)
			memcpy(name, de->d_name, strlen(de->d_name) + 1);
		fclose(f);
	}
	closedir(d);
}

/* Create /run/netns/@name with lo up; return an fd for it, or -1. */
static int make_remote_ns(FILE *log, const char *name)
{
	char path[64];
	int self;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	mkdir("/run", 0755);
	mkdir("/run/netns", 0755);
	close(open(path, O_CREAT | O_RDONLY, 0444));
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || unshare(CLONE_NEWNET) ||
	    mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL)) {
		fprintf(log, "# net: cannot create netns %s: %s\n", name, strerror(errno));
		if (self >= 0) {
			setns(self, CLONE_NEWNET);
			close(self);
		}
		return -1;
	}
	link_change(if_nametoindex("lo"), 1, -1);
	setns(self, CLONE_NEWNET);
	close(self);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static const struct net_addrs primary = {
	NET_LOCAL_V4, NET_REMOTE_V4, NET_LOCAL_V6, NET_REMOTE_V6,
};
static const struct net_addrs virtio_alt = {
	NET_VIRTIO_LOCAL_V4, NET_VIRTIO_REMOTE_V4, NET_VIRTIO_LOCAL_V6, NET_VIRTIO_REMOTE_V6,
};

/* Move the remote virtio port into @nsfd and configure both; 0 or -errno. */
static int virtio_pair(FILE *log, int nsfd, const char *local, const char *remote,
		       const struct net_addrs *a)
{
	int ret = link_change(if_nametoindex(remote), 0, nsfd);

	if (ret) {
		fprintf(log, "# net: moving %s to netns %s failed: %s\n", remote,
			NET_REMOTE_NS, strerror(-ret));
		return ret;
	}
	ret = port_up(log, local, a->local_v4, a->local_v6);
	if (!ret)
		ret = port_up_in(log, nsfd, remote, a->remote_v4, a->remote_v6);
	return ret;
}

/* The kernel selftests' names for the NIC under test. */
static void export_nic(const char *ifname, const struct net_addrs *a)
{
	setenv("NETIF", ifname, 1);
	setenv("LOCAL_V4", a->local_v4, 1);
	setenv("REMOTE_V4", a->remote_v4, 1);
	setenv("LOCAL_V6", a->local_v6, 1);
	setenv("REMOTE_V6", a->remote_v6, 1);
	setenv("REMOTE_TYPE", "netns", 1);
	setenv("REMOTE_ARGS", NET_REMOTE_NS, 1);
}

static void export_virtio(const char *ifname, const struct net_addrs *a)
{
	setenv("VIRTIO_NETIF", ifname, 1);
	setenv("VIRTIO_LOCAL_V4", a->local_v4, 1);
	setenv("VIRTIO_REMOTE_V4", a->remote_v4, 1);
	setenv("VIRTIO_LOCAL_V6", a->local_v6, 1);
	setenv("VIRTIO_REMOTE_V6", a->remote_v6, 1);
	setenv("VIRTIO_REMOTE_TYPE", "netns", 1);
	setenv("VIRTIO_REMOTE_ARGS", NET_REMOTE_NS, 1);
}

int net_setup(FILE *log)
{
	char local[IFNAMSIZ], remote[IFNAMSIZ], nlocal[IFNAMSIZ], nremote[IFNAMSIZ];
	const struct net_addrs *va = &primary;
	int nsfd, ret, virtio, nsim = 0;

	ret = link_change(if_nametoindex("lo"), 1, -1);
	if (ret)
		fprintf(log, "# net: lo up failed: %s\n", strerror(-ret));

	find_by_mac(NET_LOCAL_MAC, local, sizeof(local));
	find_by_mac(NET_REMOTE_MAC, remote, sizeof(remote));
	virtio = local[0] && remote[0];
	if (!virtio)
		fprintf(log, "# net: no NIC pair (local '%s', remote '%s')\n", local, remote);
	if (!virtio && !nsim_available())
		return 0;
	nsfd = make_remote_ns(log, NET_REMOTE_NS);
	if (nsfd < 0)
		return 0;

	/* netdevsim first: the virtio addresses depend on whether it made it */
	ret = nsim_setup(log, nsfd, &primary, NSIM_LOCAL_ID, NSIM_REMOTE_ID, nlocal, nremote);
	if (ret && nsim_available())
		fprintf(log, "# net: the NIC under test stays virtio-net\n");
	if (!ret) {
		nsim = 1;
		va = &virtio_alt;
		export_nic(nlocal, &primary);
		setenv("NIC_DRIVER", NSIM_DRIVER, 1);
		fprintf(log, "# net: NETIF=%s NIC_DRIVER=%s LOCAL_V4=%s REMOTE_V4=%s (remote port %s in netns %s), %d rx queues\n",
			nlocal, NSIM_DRIVER, primary.local_v4, primary.remote_v4,
			nremote, NET_REMOTE_NS, rx_queues(nlocal));
	}
	if (virtio && virtio_pair(log, nsfd, local, remote, va))
		virtio = 0;
	close(nsfd);
	if (!virtio)
		return nsim;
	export_virtio(local, va);
	if (nsim) {
		fprintf(log, "# net: VIRTIO_NETIF=%s VIRTIO_LOCAL_V4=%s VIRTIO_REMOTE_V4=%s (remote port %s in netns %s), %d rx queues\n",
			local, va->local_v4, va->remote_v4, remote, NET_REMOTE_NS,
			rx_queues(local));
		return 1;
	}
	export_nic(local, va);
	fprintf(log, "# net: NETIF=%s LOCAL_V4=%s REMOTE_V4=%s (remote port %s in netns %s), %d rx queues\n",
		local, va->local_v4, va->remote_v4, remote, NET_REMOTE_NS, rx_queues(local));
	return 1;
}

/* Lane @k's pair, exported as NIC<k>_*: 0 or -errno (logged). */
static int nic_lane(FILE *log, int k)
{
	char ns[16], l4[20], r4[20], l6[24], r6[24], local[IFNAMSIZ], remote[IFNAMSIZ];
	char var[32];
	struct net_addrs a = { l4, r4, l6, r6 };
	static const char *const names[] = { NET_NETIF_FAMILY };
	const char *vals[ARRAY_SIZE(names)];

	_Static_assert(ARRAY_SIZE(names) == 7, "the seven NETIF names are filled below");
	int nsfd, ret;

	snprintf(ns, sizeof(ns), NET_LANE_NS_FMT, k);
	snprintf(l4, sizeof(l4), NET_LANE_V4_FMT, k, 1);
	snprintf(r4, sizeof(r4), NET_LANE_V4_FMT, k, 2);
	snprintf(l6, sizeof(l6), NET_LANE_V6_FMT, k, 1);
	snprintf(r6, sizeof(r6), NET_LANE_V6_FMT, k, 2);
	nsfd = make_remote_ns(log, ns);
	if (nsfd < 0)
		return -EIO;
	ret = nsim_setup(log, nsfd, &a, NSIM_LANE_LOCAL_ID(k), NSIM_LANE_REMOTE_ID(k),
			 local, remote);
	close(nsfd);
	if (ret)
		return ret;
	vals[0] = local;
	vals[1] = l4;
	vals[2] = r4;
	vals[3] = l6;
	vals[4] = r6;
	vals[5] = "netns";
	vals[6] = ns;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(var, sizeof(var), "NIC%d_%s", k, names[i]);
		setenv(var, vals[i], 1);
	}
	fprintf(log, "# net: NIC lane %d: NIC%d_NETIF=%s LOCAL_V4=%s REMOTE_V4=%s (remote port %s in netns %s)\n",
		k, k, local, l4, r4, remote, ns);
	return 0;
}

int nic_lanes_setup(FILE *log, int lanes)
{
	const char *drv = getenv("NIC_DRIVER");
	int k;

	if (!drv || strcmp(drv, NSIM_DRIVER))
		return 1;
	if (lanes > NIC_LANES_MAX)
		lanes = NIC_LANES_MAX;
	for (k = 2; k <= lanes; k++)
		if (nic_lane(log, k))
			break;	/* the lanes made so far are whole */
	return k - 1;
}
