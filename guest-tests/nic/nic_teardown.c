// SPDX-License-Identifier: GPL-2.0
/*
 * Tearing things down under a NIC-bound zcrx: the ring with an ALLOC_FAIL
 * event still pending, the link going down and up, and the device going
 * away. Pinned memory must return to its baseline and the host's splat
 * scan must stay quiet.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nic_lib.h"
#include "nic_rx.h"
#include "nsim_dev.h"


FIXTURE(nic)
{
	struct nic_rx r;
	struct cq_tally t;
};

FIXTURE_SETUP(nic)
{
	NIC_CASE_SETUP(&self->r, 1, true);
}

FIXTURE_TEARDOWN(nic)
{
	bool bound = self->r.ring_ok;
	long pin0 = self->r.pin0, pin = nic_rx_close(&self->r);

	/* whatever happened to the link meanwhile: closing the ring
	 * unpins its area (the old page pools' release is retried every
	 * second, so this may take about one)
	 */
	if (bound) {
		EXPECT_EQ(pin0, pin) {
			TH_LOG("VmPin %ld kB after the close, %ld kB before the registration",
			       pin, pin0);
		}
	}
}

/* E18 on a NIC queue: ALLOC_FAIL fired, re-armed while starved, and the
 * re-fire left queued as task work (the ring is not entered) when the
 * ring is closed.
 */
TEST_F_TIMEOUT(nic, close_with_alloc_fail_pending__E18, NIC_TEST_TIMEOUT)
{
	long pin, pin0;
	long long t0;

	ASSERT_EQ(0, nic_set_rx_ring(nic_name(), NIC_PROFILE_INT("RX_RING_SMALL")));
	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, 16, 0,
				 1u << ZCRX_EVENT_ALLOC_FAIL, false));
	ASSERT_EQ(0, nic_rx_steer(&self->r, NIC_ZC_QUEUE));
	ASSERT_EQ(0, nic_rx_start(&self->r, 1u << 20, 31, 65536));
	nic_rx_run(&self->r, &self->t, 1u << 20, 31, false, true, 20000);
	ASSERT_EQ(1U, self->t.event_cqes) TH_LOG("E04: the 16-buffer area never ran dry");
	ASSERT_EQ(0, zcrx_arm(&self->r.ring, self->r.z.reg.zcrx_id, ZCRX_EVENT_ALLOC_FAIL));
	/* the NIC retries within REFILL_RETRY_MS: the second event is
	 * queued, not run
	 */
	usleep(300 * 1000 + 10 * 1000 * NIC_PROFILE_INT("REFILL_RETRY_MS"));
	pin0 = self->r.pin0;
	EXPECT_LT(pin0, vm_pinned_kb());
	/* closed with its buffers held and the ring not entered: the
	 * scrub after the queue's close releases them
	 */
	self->r.close_as_is = true;
	t0 = now_ms();
	pin = nic_rx_close(&self->r);
	TH_LOG("unpinned after %lld ms", now_ms() - t0);
	EXPECT_EQ(pin0, pin) {
		TH_LOG("E18: VmPin %ld kB 5 s after closing with an event pending, baseline %ld kB",
		       pin, pin0);
	}
}

/* NETIF down for @ms and up again, keeping its IPv6 addresses (later
 * tests need them).
 */
static int link_bounce(unsigned int ms)
{
	char keep[128];
	int ret;

	snprintf(keep, sizeof(keep), "/proc/sys/net/ipv6/conf/%s/keep_addr_on_down",
		 nic_name());
	if (write_str(keep, "1"))
		return -1;
	ret = link_set_up(nic_name(), false);
	usleep(ms * 1000);
	if (link_set_up(nic_name(), true))
		ret = -1;
	write_str(keep, "0");
	return ret;
}

/* Down and up again with the queue bound: the device rebuilds its page
 * pools from the still-installed provider, and the stream (IPv4 this time)
 * carries on zero-copy.
 */
TEST_F_TIMEOUT(nic, link_down_up_keeps_zero_copy, NIC_TEST_TIMEOUT)
{
	const size_t len = 2u << 20;
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, 128, 0,
				 1u << ZCRX_EVENT_COPY, true));
	self->r.family = AF_INET;
	ASSERT_EQ(0, nic_rx_steer(&self->r, NIC_ZC_QUEUE));
	ASSERT_EQ(0, nic_rx_start(&self->r, len, 32, 65536));
	nic_rx_run(&self->r, &self->t, len / 4, 32, true, false, 30000);
	ASSERT_GE(self->t.bytes, len / 4);

	ASSERT_EQ(0, link_bounce(100));

	nic_rx_run(&self->r, &self->t, len, 32, true, false, 60000);
	st = ifq_stats(&self->r.z);
	EXPECT_EQ(len, self->t.bytes) {
		TH_LOG("after down/up: %zu of %zu bytes (final res %d)",
		       self->t.bytes, len, self->t.final_res);
	}
	EXPECT_EQ(0, self->t.bad_payload);
	EXPECT_EQ(0ULL, st->copy_bytes) TH_LOG("the rebuilt pools fell back to copying");
	EXPECT_EQ(0U, self->t.event_cqes);
	EXPECT_EQ(0, nic_rx_finish(&self->r)) {
		TH_LOG("sender status 0x%x", remote_sender_status());
	}
}

/* The link flaps while the sender is pushing: frames the peer queued
 * while the device was down must be polled once it is up again, even when
 * they fill the queue (the virtual NIC once dropped every later frame
 * unpolled: a stream stalled for good after one flap in twenty).
 */
TEST_F_TIMEOUT(nic, link_flaps_mid_stream_keep_zero_copy, NIC_TEST_TIMEOUT)
{
	const size_t len = 4u << 20;
	const unsigned int flaps = 4;
	volatile struct zcrx_stats *st;
	unsigned int i;

	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, 128, 0,
				 1u << ZCRX_EVENT_COPY, true));
	ASSERT_EQ(0, nic_rx_steer(&self->r, NIC_ZC_QUEUE));
	ASSERT_EQ(0, nic_rx_start(&self->r, len, 33, 65536));
	for (i = 1; i <= flaps; i++) {
		nic_rx_run(&self->r, &self->t, i * len / (flaps + 2), 33, true,
			   false, 30000);
		ASSERT_GE(self->t.bytes, i * len / (flaps + 2)) {
			TH_LOG("stalled after flap %u of %u", i - 1, flaps);
		}
		ASSERT_EQ(0, link_bounce(20));
	}
	nic_rx_run(&self->r, &self->t, len, 33, true, false, 60000);
	st = ifq_stats(&self->r.z);
	EXPECT_EQ(len, self->t.bytes) {
		TH_LOG("after %u flaps: %zu of %zu bytes (final res %d)", flaps,
		       self->t.bytes, len, self->t.final_res);
	}
	EXPECT_EQ(0, self->t.bad_payload);
	EXPECT_EQ(0ULL, st->copy_bytes) TH_LOG("the rebuilt pools fell back to copying");
	EXPECT_EQ(0U, self->t.event_cqes);
	EXPECT_EQ(0, nic_rx_finish(&self->r)) {
		TH_LOG("sender status 0x%x", remote_sender_status());
	}
}

/* C11: the device is deleted under a bound ifq. Unregistering it
 * uninstalls the provider (io_pp_uninstall), so the ifq has a DMA device
 * but no netdev: ADD_AREA is EFAULT, and closing frees everything.
 */
TEST_F_TIMEOUT(nic, device_removed_while_bound__C11, NIC_TEST_TIMEOUT)
{
	size_t page = page_size();
	struct io_uring_zcrx_area_reg add;
	char ifname[IF_NAMESIZE];
	struct zcrx_ctrl c;
	struct zcrx_ifq z;
	struct io_uring ring;
	long pin0 = vm_pinned_kb(), pin;
	void *mem;

	NIC_NEED_IS("SPARE_DEVICE", "netdevsim");
	ASSERT_EQ(0, nsim_dev_new(NSIM_SPARE_ID, 2, true, ifname, sizeof(ifname)));
	ASSERT_EQ(0, nic_set_hds(ifname, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0));
	ASSERT_EQ(0, link_set_up(ifname, true));
	ASSERT_EQ(0, ring_create(&ring, ZCRX_RING_FLAGS));
	ifq_init(&z, RQ_ENTRIES, REGION_SZ, 16);
	z.reg.flags = 0;
	z.reg.if_idx = if_nametoindex(ifname);
	z.reg.if_rxq = 1;
	ASSERT_EQ(0, ifq_register(&ring, &z));

	EXPECT_EQ(0, nsim_dev_del(NSIM_SPARE_ID)) TH_LOG("del_device with an ifq bound");

	mem = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(&add, 0, sizeof(add));
	add.addr = (uintptr_t)mem;
	add.len = 4 * page;
	memset(&c, 0, sizeof(c));
	c.zcrx_id = z.reg.zcrx_id;
	c.op = ZCRX_CTRL_ADD_AREA;
	c.zc_area.area_ptr = (uintptr_t)&add;
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, &c, 0)) {
		TH_LOG("C11: ADD_AREA after the netdev went away should be EFAULT");
	}
	io_uring_queue_exit(&ring);
	ifq_release(&z);
	munmap(mem, 4 * page);
	pin = wait_vm_pinned_kb(pin0, 5000);
	EXPECT_EQ(pin0, pin) TH_LOG("VmPin %ld kB after close, baseline %ld kB", pin, pin0);
}

TEST_HARNESS_MAIN
