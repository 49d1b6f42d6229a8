// SPDX-License-Identifier: GPL-2.0
/*
 * ZCRX_EVENT_ALLOC_FAIL on a NIC queue: raised only when the driver's page
 * pool asks io_uring for buffers and neither the refill ring nor the
 * freelist has one (zcrx.c:1373-1392). The queue is starved by holding
 * every received buffer instead of returning it; the NIC under test posts
 * a ring of `ethtool -G rx` buffers and retries an empty ring within its
 * profile's REFILL_RETRY_MS (1 ms on the virtual NIC).
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "nic_lib.h"
#include "nic_rx.h"

/* the ring sizes come from the NIC profile (RX_RING_SMALL), or are the
 * one the device has (not_from_initial_fill)
 */
#define AF_MASK		(1u << ZCRX_EVENT_ALLOC_FAIL)

FIXTURE(starve)
{
	struct nic_rx r;
	struct cq_tally t;
};

FIXTURE_SETUP(starve)
{
	NIC_CASE_SETUP(&self->r, 1, true);
}

FIXTURE_TEARDOWN(starve)
{
	nic_rx_close(&self->r);
}

/* ethtool -G rx @ring (the next case's nic_zcrx_ready() sets it back),
 * then an ifq with ALLOC_FAIL on the zcrx queue, the flow steered to it.
 */
static int starve_open(struct nic_rx *r, unsigned int ring, size_t area_pages)
{
	int ret = nic_set_rx_ring(nic_name(), ring);

	if (!ret)
		ret = nic_rx_open(r, NIC_ZC_QUEUE, area_pages, 0, AF_MASK, true);
	if (!ret)
		ret = nic_rx_steer(r, NIC_ZC_QUEUE);
	return ret;
}

TEST_F_TIMEOUT(starve, fires_once_then_rearms__E04_E08_E10_A04_T04, NIC_TEST_TIMEOUT)
{
	const size_t len = 512 * 1024;
	const char *nic = nic_name();
	unsigned int small_ring;
	long long drop0;

	NIC_NEED_INT("RX_RING_SMALL", &small_ring);
	ASSERT_EQ(0, starve_open(&self->r, small_ring, 32));
	drop0 = nic_stat(nic, "rx_dropped");
	ASSERT_EQ(0, nic_rx_start(&self->r, len, 21, 65536));

	/* hold every buffer: the 32-buffer area runs dry */
	nic_rx_run(&self->r, &self->t, len, 21, false, true, 20000);
	ASSERT_EQ(1U, self->t.event_cqes) {
		TH_LOG("E04: expected one ALLOC_FAIL after holding all 32 buffers, saw %u events (%zu bytes, %u held)",
		       self->t.event_cqes, self->t.bytes, self->r.held_n);
	}
	EXPECT_EQ(ZCRX_EVENT_ALLOC_FAIL, self->t.event_res[0]) {
		TH_LOG("E10: ALLOC_FAIL CQE res %d, expected the type index 0",
		       self->t.event_res[0]);
	}
	EXPECT_EQ(0U, self->t.event_bad) TH_LOG("E10: an event CQE with flags or big_cqe != 0");
	EXPECT_EQ(0U, self->t.other) TH_LOG("a CQE neither data, event nor the final recv");
	EXPECT_LE(self->r.held_n, 32U);
	EXPECT_EQ(0, self->t.bad_payload);

	/* starved: refill after refill fails, one CQE all the same (E08) */
	EXPECT_STARVED(&self->r, &self->t, 21, 500);
	EXPECT_EQ(1U, self->t.event_cqes) {
		TH_LOG("E08: %u ALLOC_FAIL CQEs while starved without an arm, expected 1",
		       self->t.event_cqes);
	}
	EXPECT_GT(nic_stat(nic, "rx_dropped"), drop0) {
		TH_LOG("the NIC dropped no frame while its ring was empty");
	}

	/* refill, then arm: the fired bit was set (A04) */
	nic_rx_return(&self->r, &self->t);
	EXPECT_EQ(0, zcrx_arm(&self->r.ring, self->r.z.reg.zcrx_id, ZCRX_EVENT_ALLOC_FAIL));
	/* the stream resumes and, held again, runs dry again: a second CQE */
	nic_rx_run(&self->r, &self->t, len, 21, false, true, 20000);
	EXPECT_EQ(2U, self->t.event_cqes) {
		TH_LOG("E04/E08: after refill + arm, a second starvation gave %u events in all, expected 2",
		       self->t.event_cqes);
	}
	EXPECT_EQ(ZCRX_EVENT_ALLOC_FAIL, self->t.event_res[1]);

	/* give everything back: the rest of the stream arrives intact */
	nic_rx_return(&self->r, &self->t);
	nic_rx_run(&self->r, &self->t, len, 21, true, false, 60000);
	EXPECT_EQ(len, self->t.bytes);
	EXPECT_EQ(0, self->t.bad_payload);
	EXPECT_EQ(0U, self->t.bad_off);
	EXPECT_EQ(2U, self->t.event_cqes) TH_LOG("no arm since the second event: no third");
	/* T04: starvation is not a copy, and there is no ALLOC_FAIL counter */
	EXPECT_EQ(0ULL, ifq_stats(&self->r.z)->copy_count);
	EXPECT_EQ(0ULL, ifq_stats(&self->r.z)->copy_bytes);
	EXPECT_EQ(0, nic_rx_finish(&self->r)) {
		TH_LOG("sender status 0x%x", remote_sender_status());
	}
}

/* Buffers returned promptly and an area far larger than what can be out
 * of io_uring when the pool asks for more: the NIC's posted ring (the
 * NIC_RING of nic_zcrx_ready(); a NIC with an aggregation ring posts a few
 * times that), about 100 in the socket queue (SO_RCVBUF 256 KiB), and about
 * as many in CQEs not yet returned; the pool's own cache is empty when it
 * asks. 1024 buffers: still fewer than the 4 MiB stream needs (about
 * 2900), so the freelist is drawn on again and again. The starvation
 * cases' small ring is not needed here, and with it the NIC dropped
 * frames while its 16 slots waited for the poll: 1.2-1.4 s against
 * 0.3-0.4 s for the same stream.
 */
TEST_F_TIMEOUT(starve, none_when_buffers_return__E04, NIC_TEST_TIMEOUT)
{
	const size_t len = 4u << 20;

	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, 1024, 0, AF_MASK, true));
	ASSERT_EQ(0, nic_rx_steer(&self->r, NIC_ZC_QUEUE));
	self->r.rcvbuf = 256 * 1024;
	ASSERT_EQ(0, nic_rx_start(&self->r, len, 22, 65536));
	nic_rx_run(&self->r, &self->t, len, 22, true, false, 60000);
	EXPECT_EQ(len, self->t.bytes);
	EXPECT_EQ(0, self->t.bad_payload);
	EXPECT_EQ(0U, self->t.event_cqes) {
		TH_LOG("E04: %u spurious ALLOC_FAIL CQEs (first res %d) with buffers returned",
		       self->t.event_cqes, self->t.event_res[0]);
	}
	/* and no event was even queued: the fired bit is clear (A03) */
	EXPECT_EQ(-EINVAL, zcrx_arm(&self->r.ring, self->r.z.reg.zcrx_id,
				    ZCRX_EVENT_ALLOC_FAIL));
	EXPECT_EQ(0, nic_rx_finish(&self->r));
}

/* A ring of 512 (or the device's maximum, if smaller) is larger than an
 * 8-buffer area, so the initial
 * fill inside registration already asks io_uring for a buffer it does not
 * have. That failure is not reported and sets no fired bit.
 */
TEST_F_TIMEOUT(starve, not_from_initial_fill__E05, NIC_TEST_TIMEOUT)
{
	const size_t len = 256 * 1024;
	unsigned int cur, max;

	(void)cur;
	ASSERT_EQ(0, nic_get_rx_ring(nic_name(), &cur, &max));
	ASSERT_LT(8U, max) TH_LOG("E05: the device's largest rx ring (%u) is not above 8", max);
	ASSERT_EQ(0, starve_open(&self->r, max < 512 ? max : 512, 8));
	nic_rx_wait(&self->r, &self->t, 23, false, 300);
	EXPECT_EQ(0U, self->t.event_cqes) {
		TH_LOG("E05: %u event CQEs from the registration-time fill (res %d)",
		       self->t.event_cqes, self->t.event_res[0]);
	}
	EXPECT_EQ(-EINVAL, zcrx_arm(&self->r.ring, self->r.z.reg.zcrx_id,
				    ZCRX_EVENT_ALLOC_FAIL)) {
		TH_LOG("E05: the registration-time failure left the fired bit set");
	}
	/* the same queue reports once registration is over */
	ASSERT_EQ(0, nic_rx_start(&self->r, len, 23, 65536));
	nic_rx_run(&self->r, &self->t, len, 23, false, true, 20000);
	EXPECT_EQ(1U, self->t.event_cqes) {
		TH_LOG("E04: no ALLOC_FAIL once traffic needed more than 8 buffers");
	}
	EXPECT_EQ(ZCRX_EVENT_ALLOC_FAIL, self->t.event_res[0]);
}

/* Arm while still starved: the next refill retry fails and fires again at
 * once, with no new traffic needed. Refill first, then arm: nothing.
 */
TEST_F_TIMEOUT(starve, rearm_while_starved_refires__E19, NIC_TEST_TIMEOUT)
{
	const size_t len = 1u << 20;
	unsigned int seen, small_ring, retry_ms;

	NIC_NEED_INT("RX_RING_SMALL", &small_ring);
	NIC_NEED_INT("REFILL_RETRY_MS", &retry_ms);
	ASSERT_EQ(0, starve_open(&self->r, small_ring, 16));
	ASSERT_EQ(0, nic_rx_start(&self->r, len, 24, 65536));
	nic_rx_run(&self->r, &self->t, len, 24, false, true, 20000);
	ASSERT_EQ(1U, self->t.event_cqes) TH_LOG("E04: the 16-buffer area never ran dry");

	/* stop the traffic: from here only the NIC's refill retries run */
	kill(self->r.sender, SIGKILL);
	waitpid(self->r.sender, NULL, 0);
	self->r.sender = 0;
	EXPECT_STARVED(&self->r, &self->t, 24, 200);
	seen = self->t.event_cqes;
	EXPECT_EQ(1U, seen);

	EXPECT_EQ(0, zcrx_arm(&self->r.ring, self->r.z.reg.zcrx_id, ZCRX_EVENT_ALLOC_FAIL));
	/* one more at most until the next arm (E08): stop at the first */
	nic_rx_wait_events(&self->r, &self->t, 24, false, seen + 1, 500 + 10 * retry_ms);
	EXPECT_EQ(seen + 1, self->t.event_cqes) {
		TH_LOG("E19: arming while starved gave %u new events within %u ms, expected 1",
		       self->t.event_cqes - seen, 500 + 10 * retry_ms);
	}
	EXPECT_EQ(ZCRX_EVENT_ALLOC_FAIL, self->t.event_res[seen < 8 ? seen : 7]);

	/* the right order: give buffers back, let the NIC's retry take
	 * them, then arm
	 */
	seen = self->t.event_cqes;
	nic_rx_return(&self->r, &self->t);
	ASSERT_EQ(0, nic_rx_wait_taken(&self->r, 5000)) {
		TH_LOG("E19: the starved queue's refill retry never took the returned buffers");
	}
	/* The killed sender's socket lives on in the kernel and retransmits
	 * what the starved queue dropped: receive (returning every buffer)
	 * until its FIN, so that no frame can arrive after the arm. An
	 * occurrence during the drain posts nothing: the bit is still set.
	 */
	nic_rx_run(&self->r, &self->t, SIZE_MAX, 24, true, false, 30000);
	ASSERT_EQ(0, self->t.final_res) {
		TH_LOG("E19: the killed sender's connection did not end within 30 s (final res %d)",
		       self->t.final_res);
	}
	EXPECT_EQ(seen, self->t.event_cqes) TH_LOG("E19: an event posted while its bit was set");
	EXPECT_EQ(0, zcrx_arm(&self->r.ring, self->r.z.reg.zcrx_id, ZCRX_EVENT_ALLOC_FAIL));
	nic_rx_wait(&self->r, &self->t, 24, true, 500);
	EXPECT_EQ(seen, self->t.event_cqes) {
		TH_LOG("E19: refill then arm still fired %u times", self->t.event_cqes - seen);
	}
}

TEST_HARNESS_MAIN
