// SPDX-License-Identifier: GPL-2.0
/*
 * Receive on a zcrx-capable NIC: real zero-copy (payload DMA'd into the
 * area, header split, buffers recycled through the refill ring) against
 * copy fallback (the flow lands on a queue without zcrx). Both run a TCP
 * stream from the remote netns, checked byte for byte where the CQEs point.
 */
#include <errno.h>
#include <string.h>

#include "nic_lib.h"
#include "nic_rx.h"

/* 64 KiB writes: the sender's stack builds TSO skbs that the NIC segments */
#define ZC_STREAM	(4u << 20)
/* 2 MiB: about a sixth of the stream's buffers (one segment each), and
 * a receive buffer (an eighth of the area, nic_rx_steer) that does not
 * throttle it; 128 pages took 0.8 s here against 0.3 s
 */
#define ZC_AREA_PAGES	512
#define SEG_PAYLOAD_MAX	1440	/* MTU 1500 - IPv6 40 - TCP 20 */

FIXTURE(zc)
{
	struct nic_rx r;
	struct cq_tally t;
};

FIXTURE_SETUP(zc)
{
	NIC_CASE_SETUP(&self->r, 1, true);
}

FIXTURE_TEARDOWN(zc)
{
	nic_rx_close(&self->r);
}

TEST_F_TIMEOUT(zc, zero_copy_payload_refill__T04_E01, NIC_TEST_TIMEOUT)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, ZC_AREA_PAGES, 0,
				 1u << ZCRX_EVENT_COPY, true));
	ASSERT_EQ(0, nic_rx_steer(&self->r, NIC_ZC_QUEUE));
	ASSERT_EQ(0, nic_rx_start(&self->r, ZC_STREAM, 7, 65536));
	nic_rx_run(&self->r, &self->t, ZC_STREAM, 7, true, false, 60000);
	st = ifq_stats(&self->r.z);

	EXPECT_EQ(ZC_STREAM, self->t.bytes) {
		TH_LOG("zero-copy stream: expected %u bytes, saw %zu (final res %d)",
		       ZC_STREAM, self->t.bytes, self->t.final_res);
	}
	EXPECT_EQ(0, self->t.bad_payload) {
		TH_LOG("%d payload bytes differ from what the sender wrote", self->t.bad_payload);
	}
	EXPECT_EQ(0U, self->t.bad_off);
	/* 4 MiB in segments of at most SEG_PAYLOAD_MAX, one buffer each,
	 * through a 512-buffer area: every buffer beyond the area's own came
	 * back through the RQ, and the kernel took those entries
	 */
	EXPECT_CAME_BACK(&self->r, self->t.data_cqes, ZC_AREA_PAGES);
	/* T04: zero-copy frags are not copies; E01: no COPY event */
	EXPECT_EQ(0ULL, st->copy_count) {
		TH_LOG("T04: copy_count %llu after a zero-copy stream, expected 0",
		       (unsigned long long)st->copy_count);
	}
	EXPECT_EQ(0ULL, st->copy_bytes) {
		TH_LOG("T04: copy_bytes %llu after a zero-copy stream, expected 0",
		       (unsigned long long)st->copy_bytes);
	}
	EXPECT_EQ(0U, self->t.event_cqes) {
		TH_LOG("E01: %u event CQEs (first res %d) on a zero-copy stream, expected none",
		       self->t.event_cqes, self->t.event_res[0]);
	}
	/* the NIC segmented the sender's TSO skbs: no frag beyond one MSS */
	EXPECT_LE(self->t.max_len, (unsigned int)SEG_PAYLOAD_MAX) {
		TH_LOG("largest data CQE %u bytes: a TSO super-packet reached the receiver unsegmented",
		       self->t.max_len);
	}
	EXPECT_EQ(0, nic_rx_finish(&self->r)) {
		TH_LOG("sender status 0x%x", remote_sender_status());
	}
}

/* Seed 004's single_no_flow: the flow is not steered to the zcrx queue.
 * The NIC still splits headers, so all payload sits in page frags. The
 * fallback copies into buffers from the area's freelist, so the zcrx
 * queue's posted ring (ethtool -G rx 16) must leave some there.
 */
TEST_F_TIMEOUT(zc, copy_fallback_from_other_queue__E01_T03_T05, NIC_TEST_TIMEOUT)
{
	const size_t len = 1u << 20;
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, nic_set_rx_ring(nic_name(), 16));
	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, 256, 0,
				 1u << ZCRX_EVENT_COPY, true));
	/* RSS sends everything to NIC_OTHER_QUEUE, which has no zcrx */
	self->r.flush_rq = true;
	ASSERT_EQ(0, nic_rx_start(&self->r, len, 11, 65536));
	nic_rx_run(&self->r, &self->t, len, 11, true, false, 60000);
	st = ifq_stats(&self->r.z);

	EXPECT_EQ(len, self->t.bytes) TH_LOG("final res %d", self->t.final_res);
	EXPECT_EQ(0, self->t.bad_payload);
	EXPECT_EQ(0U, self->t.bad_off);
	/* T03: every payload byte was copied out of a page frag */
	EXPECT_EQ((unsigned long long)len, (unsigned long long)st->copy_bytes) {
		TH_LOG("T03: copy_bytes %llu, expected %zu (every byte of the stream)",
		       (unsigned long long)st->copy_bytes, len);
	}
	/* T05: one copy_frag per frag; each frag (<= 1 MSS) fits one buffer and
	 * gives one CQE, so the count equals the data CQEs here
	 */
	EXPECT_EQ((unsigned long long)self->t.data_cqes, (unsigned long long)st->copy_count) {
		TH_LOG("T05: copy_count %llu, data CQEs %u",
		       (unsigned long long)st->copy_count, self->t.data_cqes);
	}
	/* E01 + fire-once: exactly one COPY CQE, res 1, flags 0 */
	EXPECT_EQ(1U, self->t.event_cqes) {
		TH_LOG("E01: %u event CQEs, expected exactly one COPY", self->t.event_cqes);
	}
	EXPECT_EQ(1U, self->t.events[ZCRX_EVENT_COPY]);
	EXPECT_EQ(0U, self->t.event_bad) TH_LOG("E10: an event CQE with flags or big_cqe != 0");
	EXPECT_EQ(0U, self->t.other) TH_LOG("a CQE neither data, event nor the final recv");
	EXPECT_EQ(0, nic_rx_finish(&self->r)) {
		TH_LOG("sender status 0x%x", remote_sender_status());
	}
}

/* The default ring (512 buffers) takes the whole 64-buffer area: a copy
 * fallback finds no free buffer, copies nothing and the recv ends with
 * ENOMEM; a copy of 0 bytes is neither counted nor reported (E03, T04).
 */
TEST_F_TIMEOUT(zc, copy_fallback_without_free_buffer__E03_T04, NIC_TEST_TIMEOUT)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, nic_set_rx_ring(nic_name(), 512));
	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, 64, 0,
				 1u << ZCRX_EVENT_COPY, true));
	ASSERT_EQ(0, nic_rx_start(&self->r, 256 * 1024, 12, 65536));
	nic_rx_run(&self->r, &self->t, 256 * 1024, 12, true, false, 20000);
	st = ifq_stats(&self->r.z);
	EXPECT_EQ(-ENOMEM, self->t.final_res) {
		TH_LOG("E03: recv ended with %d (%zu bytes), expected -ENOMEM", self->t.final_res, self->t.bytes);
	}
	EXPECT_EQ(0U, self->t.data_cqes);
	EXPECT_EQ(0ULL, st->copy_count);
	EXPECT_EQ(0ULL, st->copy_bytes);
	EXPECT_EQ(0U, self->t.event_cqes) TH_LOG("E03: a copy of 0 bytes fired COPY");
}

TEST_HARNESS_MAIN
