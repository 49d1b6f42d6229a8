// SPDX-License-Identifier: GPL-2.0
/* NIC under test: presence, names, sysfs counters; see nic_lib.h. */
#define _GNU_SOURCE
#define ZCRX_LIB_NO_HARNESS
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nic_lib.h"
#include "nic_profile.h"
#include "knob_lock.h"
#include "rtnl.h"
#include "zcrx_lib.h"

/* ---- presence and names ---------------------------------------------------- */

const char *nic_name(void)
{
	const char *n = getenv("NETIF");

	return n && *n ? n : NULL;
}

int nic_ifindex(void)
{
	const char *n = nic_name();
	unsigned int idx = n ? if_nametoindex(n) : 0;

	return idx ? (int)idx : -ENODEV;
}

const char *virtio_env(const char *var)
{
	const char *prof = getenv("NIC_PROFILE"), *v;
	char name[64];

	snprintf(name, sizeof(name), "VIRTIO_%s", var);
	v = getenv(name);
	if (v && *v)
		return v;
	/* NETIF has a NIC profile: it is the zcrx NIC, not a virtio pair */
	if (prof && *prof)
		return NULL;
	v = getenv(var);
	return v && *v ? v : NULL;
}

/* First line of /sys/class/net/@ifname/@attr into @buf; 0 or -errno. */
static int net_attr(const char *ifname, const char *attr, char *buf, size_t len)
{
	char path[128];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	if (r < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		return r;
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The name of @ifname's device driver, or a phrase saying it has none. */
static const char *driver_of(const char *ifname)
{
	static char link[256];
	char path[128], *slash;
	ssize_t r;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver", ifname);
	r = readlink(path, link, sizeof(link) - 1);
	if (r <= 0)
		return "a device without a driver";
	link[r] = '\0';
	slash = strrchr(link, '/');
	return slash ? slash + 1 : link;
}

const char *zcrx_nic_missing(void)
{
	static char why[512];
	const char *netif = nic_name(), *kind = nic_profile_driver(), *z;
	char val[32];

	if (!netif)
		return "NETIF unset: this VM has no NIC under test";
	z = nic_profile("ZCRX");
	if (!z || strcmp(z, "yes")) {
		snprintf(why, sizeof(why),
			 "NETIF=%s is %s, not a zcrx-capable NIC: no NIC profile with ZCRX=yes (vm/nic-profiles/; in the VM run with KSRC=debian for the patched netdevsim)",
			 netif, driver_of(netif));
		return why;
	}
	if (net_attr(netif, "flags", val, sizeof(val)) ||
	    !(strtoul(val, NULL, 16) & IFF_UP)) {
		snprintf(why, sizeof(why), "NETIF=%s (%s) is not up", netif, kind);
		return why;
	}
	/* carrier is on only while the linked peer is up too (bus.c, nsim_open) */
	if (net_attr(netif, "carrier", val, sizeof(val)) || strcmp(val, "1")) {
		snprintf(why, sizeof(why), "NETIF=%s (%s) has no carrier: its peer is unlinked or down",
			 netif, kind);
		return why;
	}
	return NULL;
}

/* ---- sysfs ---------------------------------------------------------------- */

long long nic_stat(const char *ifname, const char *name)
{
	char attr[96], val[32], *end;
	long long v;
	int ret;

	snprintf(attr, sizeof(attr), "statistics/%s", name);
	ret = net_attr(ifname, attr, val, sizeof(val));
	if (ret)
		return ret;
	errno = 0;
	v = strtoll(val, &end, 10);
	if (errno || end == val)
		return -EIO;
	return v;
}

int nic_rx_queues(const char *ifname)
{
	return rx_queues(ifname);
}

/* HUGEPAGES_LOCK, held from nic_huge_area() to nic_huge_release(): a NIC
 * binary on another lane would otherwise set vm.nr_hugepages back to 0
 * between this one's raise and its mmap
 */
static int huge_lock_fd = -1;

void *nic_huge_area(const char **why)
{
	static char reason[96];
	void *area;

	if (huge_lock_fd < 0) {
		int fd = knob_lock(HUGEPAGES_LOCK, KNOB_LOCK_MS);

		if (fd < 0) {
			snprintf(reason, sizeof(reason), "%s not taken within %d ms: %s",
				 HUGEPAGES_LOCK, KNOB_LOCK_MS, strerror(-fd));
			*why = reason;
			return NULL;
		}
		huge_lock_fd = fd;
	}
	if (write_str("/proc/sys/vm/nr_hugepages", "2")) {
		*why = "no hugetlb pages (CONFIG_HUGETLBFS): no area with 16 KiB DMA segments";
		return MAP_FAILED;
	}
	area = mmap(NULL, NIC_HUGE_AREA_SZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (area == MAP_FAILED) {
		snprintf(reason, sizeof(reason), "MAP_HUGETLB of 2 MiB failed (%s)", strerror(errno));
		*why = reason;
	}
	return area;
}

void nic_huge_release(void)
{
	/* without the lock the knob is another lane's */
	if (huge_lock_fd < 0)
		return;
	write_str("/proc/sys/vm/nr_hugepages", "0");
	close(huge_lock_fd);
	huge_lock_fd = -1;
}
