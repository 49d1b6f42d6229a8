// SPDX-License-Identifier: GPL-2.0
/*
 * rx_buf_len > PAGE_SIZE on a NIC queue. In NODEV mode zcrx refuses it
 * (R31, zcrx.c:521-523: no DMA device); with a DMA-capable NIC whose queue
 * config accepts the size it is the buffer every niov has, provided the
 * area's DMA segments are that large (zcrx.c:537-540): a hugetlb area. With
 * MTU 9000 on both ports one frame's payload is larger than a page and
 * lands in one buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic_lib.h"
#include "nic_rx.h"

/* the buffer size and MTU: the NIC profile's BIG_BUF_LEN and JUMBO_MTU */

static int set_mtu(const char *ifname, int mtu)
{
	struct ifreq ifr = { .ifr_mtu = mtu };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCSIFMTU, &ifr))
		ret = -errno;
	close(s);
	return ret;
}

/* MTU of NETIF and of its peer in the remote netns (the peer's ifindex
 * there is NETIF's iflink).
 */
static int set_pair_mtu(int mtu)
{
	char path[128], buf[32], peer[IF_NAMESIZE], ns[128];
	const char *remote = getenv("REMOTE_ARGS");
	int self, other, idx, fd, ret;
	ssize_t n;

	ret = set_mtu(nic_name(), mtu);
	if (ret)
		return ret;
	if (remote_is_ssh()) {
		/* the peer's port: the one holding REMOTE_V4 (or V6) */
		const char *addr = getenv("REMOTE_V4") && *getenv("REMOTE_V4") ?
				   getenv("REMOTE_V4") : getenv("REMOTE_V6");
		char cmd[256];

		snprintf(cmd, sizeof(cmd),
			 "dev=$(ip -o addr show to '%s' | awk '{ print $2; exit }') && ip link set dev \"$dev\" mtu %d",
			 addr ? addr : "", mtu);
		ret = remote_ssh_run(cmd);
		return ret > 0 ? -EIO : ret;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/iflink", nic_name());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	idx = atoi(buf);
	snprintf(ns, sizeof(ns), "/run/netns/%s", remote && *remote ? remote : NET_REMOTE_NS);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	other = open(ns, O_RDONLY | O_CLOEXEC);
	if (self < 0 || other < 0 || setns(other, CLONE_NEWNET)) {
		ret = -errno;
	} else {
		ret = if_indextoname(idx, peer) ? set_mtu(peer, mtu) : -ENODEV;
		if (setns(self, CLONE_NEWNET))
			ret = -errno;
	}
	if (self >= 0)
		close(self);
	if (other >= 0)
		close(other);
	return ret;
}

FIXTURE(big)
{
	struct nic_rx r;
	struct cq_tally t;
	bool jumbo, huge;
};

FIXTURE_SETUP(big)
{
	NIC_CASE_SETUP(&self->r, 1, true);
}

FIXTURE_TEARDOWN(big)
{
	nic_rx_close(&self->r);
	if (self->jumbo)
		set_pair_mtu(1500);
	if (self->huge)
		nic_huge_release();
}

TEST_F_TIMEOUT(big, rx_buf_16k_on_dma_device__R31, NIC_TEST_TIMEOUT)
{
	const size_t len = 2u << 20;
	volatile struct zcrx_stats *st;
	const char *why;
	unsigned int big, mtu;
	void *area;

	big = NIC_PROFILE_INT("BIG_BUF_LEN");
	mtu = NIC_PROFILE_INT("JUMBO_MTU");
	self->huge = true;
	area = nic_huge_area(&why);
	ASSERT_NE(NULL, area) TH_LOG("%s", why);
	if (area == MAP_FAILED)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, set_pair_mtu((int)mtu));
	self->jumbo = true;

	ASSERT_EQ(0, nic_rx_open_area(&self->r, NIC_ZC_QUEUE, area, NIC_HUGE_AREA_SZ, big,
				      1u << ZCRX_EVENT_COPY, true)) {
		TH_LOG("R31: rx_buf_len %u on a DMA-capable queue with a hugetlb area", big);
	}
	EXPECT_EQ(big, self->r.z.reg.rx_buf_len) {
		TH_LOG("R31: rx_buf_len written back %u", self->r.z.reg.rx_buf_len);
	}
	ASSERT_EQ(0, nic_rx_steer(&self->r, NIC_ZC_QUEUE));
	ASSERT_EQ(0, nic_rx_start(&self->r, len, 51, 65536));
	nic_rx_run(&self->r, &self->t, len, 51, true, false, 60000);
	st = ifq_stats(&self->r.z);
	EXPECT_EQ(len, self->t.bytes);
	EXPECT_EQ(0, self->t.bad_payload);
	EXPECT_EQ(0U, self->t.bad_off);
	EXPECT_EQ(0ULL, st->copy_bytes);
	/* one jumbo frame's payload in one buffer: more than a page */
	EXPECT_GT(self->t.max_len, (unsigned int)page_size()) {
		TH_LOG("largest CQE %u bytes: no buffer held more than a page", self->t.max_len);
	}
	EXPECT_LE(self->t.max_len, big);
	EXPECT_EQ(0, nic_rx_finish(&self->r));
}

TEST_HARNESS_MAIN
