// SPDX-License-Identifier: GPL-2.0
/*
 * Spec 2.1 R30, the part a VM without a zcrx-capable NIC reaches: binding
 * to a real netdev queue that has no DMA-capable device or no queue
 * management ops fails with EOPNOTSUPP (zcrx.c:909-912,
 * net/core/netdev_rx_queue.c). lo has no parent device; virtio-net has no
 * queue_mgmt_ops (VIRTIO_NETIF, or NETIF on a guest without the patched
 * netdevsim). The NIC-side errors (ERANGE, EINVAL for header split,
 * EEXIST, EBUSY) need a zcrx-capable device.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "zcrx_lib.h"
#include "nic_lib.h"

/* Register a non-NODEV zcrx on queue @rxq of @ifname; 0 or -errno. */
static int bind_queue(const char *ifname, unsigned int rxq)
{
	return ifq_bind_once(if_nametoindex(ifname), rxq, AREA_PAGES);
}

TEST(lo_no_dma_device_eopnotsupp__R30)
{
	REQUIRE(zcrx_nodev_missing());
	ASSERT_NE(0U, if_nametoindex("lo"));
	EXPECT_EQ(-EOPNOTSUPP, bind_queue("lo", 0))
		TH_LOG("R30: lo has no DMA-capable parent device (zcrx.c:909-912)");
}

TEST(virtio_net_no_queue_ops_eopnotsupp__R30)
{
	/* the virtio-net port, also when a netdevsim pair is the NIC under test */
	const char *netif = virtio_env("NETIF");

	REQUIRE(zcrx_nodev_missing());
	if (!netif)
		SKIP(return, "VIRTIO_NETIF/NETIF unset: the VM has no virtio-net port (no virtio_net for this kernel)");
	for (unsigned int q = 0; q < 2; q++) {
		EXPECT_EQ(-EOPNOTSUPP, bind_queue(netif, q))
			TH_LOG("R30: %s queue %u: virtio-net has no zcrx support (no DMA dev / queue ops)",
			       netif, q);
	}
}

TEST_HARNESS_MAIN
