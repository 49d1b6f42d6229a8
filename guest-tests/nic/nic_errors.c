// SPDX-License-Identifier: GPL-2.0
/*
 * R30: the errors a real NIC gives a zcrx registration, and what the
 * device refuses while a queue is bound (ethtool and XDP changes that
 * would pull the ground from under the memory provider).
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <net/if.h>
#include <unistd.h>

#include "nic_lib.h"
#include "nic_rx.h"
#include "nsim_dev.h"
#include "xdp_lib.h"


/* One registration on @ifindex queue @rxq with a 16-page area: its result. */
static int bind_once(int ifindex, unsigned int rxq)
{
	return ifq_bind_once(ifindex, rxq, 16);
}

FIXTURE(nic)
{
	struct nic_rx r;
	int xdp_fd;
	bool xdp_on;
};

FIXTURE_SETUP(nic)
{
	self->xdp_fd = -1;
	NIC_CASE_SETUP(&self->r, 1, false);
}

FIXTURE_TEARDOWN(nic)
{
	nic_rx_close(&self->r);
	if (self->xdp_on)
		xdp_set(nic_ifindex(), -1);
	if (self->xdp_fd >= 0)
		close(self->xdp_fd);
	if (nic_configured())
		nic_zcrx_ready();
}

TEST_F_TIMEOUT(nic, queue_out_of_range__R30, NIC_TEST_TIMEOUT)
{
	int nrxq = nic_rx_queues(nic_name());

	ASSERT_GT(nrxq, 1);
	EXPECT_EQ(-ERANGE, bind_once(nic_ifindex(), nrxq)) {
		TH_LOG("R30: rxq %d (== real_num_rx_queues) should be ERANGE", nrxq);
	}
	EXPECT_EQ(-ERANGE, bind_once(nic_ifindex(), 0xffff));
}

TEST_F_TIMEOUT(nic, header_split_off__R30, NIC_TEST_TIMEOUT)
{
	ASSERT_EQ(0, nic_set_hds(nic_name(), ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0));
	EXPECT_EQ(-EINVAL, bind_once(nic_ifindex(), NIC_ZC_QUEUE)) {
		TH_LOG("R30: tcp-data-split off should be EINVAL");
	}
}

TEST_F_TIMEOUT(nic, hds_thresh_nonzero__R30, NIC_TEST_TIMEOUT)
{
	ASSERT_EQ(0, nic_set_hds(nic_name(), ETHTOOL_TCP_DATA_SPLIT_ENABLED, 1));
	EXPECT_EQ(-EINVAL, bind_once(nic_ifindex(), NIC_ZC_QUEUE)) {
		TH_LOG("R30: hds-thresh 1 should be EINVAL");
	}
}

TEST_F_TIMEOUT(nic, queue_already_bound__R30, NIC_TEST_TIMEOUT)
{
	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, 16, 0, 0, false));
	EXPECT_EQ(-EEXIST, bind_once(nic_ifindex(), NIC_ZC_QUEUE)) {
		TH_LOG("R30: a second ifq on a bound queue should be EEXIST");
	}
	/* another queue of the same device is free */
	EXPECT_EQ(0, bind_once(nic_ifindex(), NIC_ZC_QUEUE + 1));
}

/* The same driver, created with dma_rx=0: queue ops but no DMA device. */
TEST_F_TIMEOUT(nic, no_dma_device__R30, NIC_TEST_TIMEOUT)
{
	char ifname[IF_NAMESIZE];

	NIC_NEED_IS("SPARE_DEVICE", "netdevsim");
	ASSERT_EQ(0, nsim_dev_new(NSIM_SPARE_NODMA_ID, 2, false, ifname, sizeof(ifname)));
	EXPECT_EQ(0, nic_set_hds(ifname, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0));
	EXPECT_EQ(-EOPNOTSUPP, bind_once(if_nametoindex(ifname), 0)) {
		TH_LOG("R30: a device without a DMA-capable parent should be EOPNOTSUPP");
	}
	EXPECT_EQ(0, nsim_dev_del(NSIM_SPARE_NODMA_ID));
}

TEST_F_TIMEOUT(nic, xdp_attached__R30, NIC_TEST_TIMEOUT)
{
	self->xdp_fd = xdp_pass_load(true);
	if (self->xdp_fd == -ENOSYS)
		SKIP(return, "kernel without CONFIG_BPF_SYSCALL: no XDP program to attach");
	ASSERT_LE(0, self->xdp_fd);
	/* with header split on, only a multi-buffer program may attach */
	ASSERT_EQ(0, xdp_set(nic_ifindex(), self->xdp_fd));
	self->xdp_on = true;
	EXPECT_EQ(-EEXIST, bind_once(nic_ifindex(), NIC_ZC_QUEUE)) {
		TH_LOG("R30: XDP attached should be EEXIST");
	}
	EXPECT_EQ(0, xdp_set(nic_ifindex(), -1));
	self->xdp_on = false;
	EXPECT_EQ(0, bind_once(nic_ifindex(), NIC_ZC_QUEUE)) TH_LOG("after detaching XDP");
}

/* A bound queue pins the device's configuration (net/ethtool/rings.c,
 * net/ethtool/common.c, net/core/dev.c): what a real driver also refuses.
 */
TEST_F_TIMEOUT(nic, refused_while_bound__R30, NIC_TEST_TIMEOUT)
{
	const char *nic = nic_name();
	unsigned int combined, max;
	int fd;

	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, 16, 0, 0, false));
	EXPECT_EQ(-EINVAL, nic_set_hds(nic, ETHTOOL_TCP_DATA_SPLIT_DISABLED, -1)) {
		TH_LOG("tcp-data-split off under a memory provider should be EINVAL");
	}
	EXPECT_EQ(-EINVAL, nic_set_hds(nic, -1, 1)) {
		TH_LOG("hds-thresh 1 under a memory provider should be EINVAL");
	}
	ASSERT_EQ(0, nic_get_channels(nic, &combined, &max));
	EXPECT_EQ(-EINVAL, nic_set_channels(nic, NIC_ZC_QUEUE)) {
		TH_LOG("channels %u would drop bound queue %u: should be EINVAL",
		       NIC_ZC_QUEUE, NIC_ZC_QUEUE);
	}
	EXPECT_EQ(0, nic_set_channels(nic, combined));
	fd = xdp_pass_load(true);
	if (fd >= 0) {
		EXPECT_EQ(-EBUSY, xdp_set(nic_ifindex(), fd)) {
			TH_LOG("XDP attach under a memory provider should be EBUSY");
		}
		close(fd);
	} else {
		TH_LOG("XDP part not run: bpf() gave %d", fd);
	}
	/* nothing above went through: the queue still works zero-copy */
	EXPECT_EQ(-EEXIST, bind_once(nic_ifindex(), NIC_ZC_QUEUE));
}

TEST_HARNESS_MAIN
