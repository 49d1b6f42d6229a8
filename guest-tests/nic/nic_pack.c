// SPDX-License-Identifier: GPL-2.0
/*
 * Zero-copy receive when the NIC packs payloads into its posted buffers,
 * as hardware GRO and striding rings do: several frames share one buffer
 * at non-zero offsets, and a frame that does not fit continues in the next
 * buffer. A zero-copy CQE then points into the middle of a buffer (its
 * offset is the frag's offset within the niov), one buffer is returned
 * through the refill ring once per CQE that pointed into it, and the
 * buffer only goes back to the NIC when the last of them came back.
 *
 * The virtual NIC packs when its port's rx_pack debugfs file is N > 0
 * (each payload at the next multiple of N bytes); the cases set it and put
 * it back to 0 in the teardown, whatever happened. It is the port's own:
 * the NIC binaries on the other lanes keep theirs.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nic_lib.h"
#include "nic_rx.h"
#include "nsim_dev.h"

#define PACK_STREAM	(4u << 20)
/* 128 buffers of 4 KiB carry 4 MiB: each is filled about 8 times. Not
 * fewer than NIC_RING (64) posted buffers: a ring that can hold the whole
 * area leaves nothing for segments waiting out of order (nic_rx.h)
 */
#define PACK_AREA_PAGES	128
#define BIG_BUF		16384

FIXTURE(pack)
{
	struct nic_rx r;
	struct cq_tally t;
	bool packing, huge;
	char rx_pack[160];	/* NETIF's rx_pack debugfs file */
};

FIXTURE_SETUP(pack)
{
	NIC_CASE_SETUP(&self->r, 1, true);
	NIC_NEED_IS("PACK", "netdevsim-rx_pack");
	if (nsim_port_debugfs(nic_name(), "rx_pack", self->rx_pack, sizeof(self->rx_pack)) ||
	    access(self->rx_pack, W_OK))
		SKIP(return, "NETIF=%s has no rx_pack debugfs file (%s): the virtual NIC predates payload packing per port",
		     nic_name(), self->rx_pack[0] ? self->rx_pack : "not a netdevsim port");
}

FIXTURE_TEARDOWN(pack)
{
	nic_rx_close(&self->r);
	if (self->packing)
		write_str(self->rx_pack, "0");
	if (self->huge)
		nic_huge_release();
}

static int set_pack(bool *packing, const char *path, unsigned int align)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", align);
	*packing = true;
	return write_str(path, v);
}

/* The checks every packed stream must pass: every byte where its CQE
 * points, no CQE past its buffer, no copy, no COPY event.
 */
static void packed_stream_exact(struct __test_metadata *_metadata,
				struct nic_rx *r, struct cq_tally *t, size_t len)
{
	volatile struct zcrx_stats *st = ifq_stats(&r->z);

	EXPECT_EQ(len, t->bytes) {
		TH_LOG("packed stream: expected %zu bytes, saw %zu (final res %d)",
		       len, t->bytes, t->final_res);
	}
	EXPECT_EQ(0, t->bad_payload) {
		TH_LOG("%d payload bytes differ where the CQEs point: the frag offset inside the buffer was lost",
		       t->bad_payload);
	}
	EXPECT_EQ(0U, t->bad_off);
	EXPECT_EQ(0U, t->inbuf_cross) {
		TH_LOG("%u CQEs run past the end of their buffer", t->inbuf_cross);
	}
	EXPECT_EQ(0ULL, st->copy_count) TH_LOG("T04: zero-copy frags counted as copies");
	EXPECT_EQ(0ULL, st->copy_bytes);
	EXPECT_EQ(0U, t->event_cqes) {
		TH_LOG("E01: %u event CQEs (first res %d) on a zero-copy stream",
		       t->event_cqes, t->event_res[0]);
	}
	EXPECT_EQ(0, nic_rx_finish(r)) {
		TH_LOG("sender status 0x%x", remote_sender_status());
	}
}

/* Tightly packed (rx_pack 1) into 4 KiB buffers: payloads start where
 * the previous one ended and every buffer boundary splits one; a 128-buffer area must
 * keep coming back although each buffer is returned in several pieces.
 */
TEST_F_TIMEOUT(pack, packed_4k_buffers_zero_copy__T04_E01, NIC_TEST_TIMEOUT)
{
	ASSERT_EQ(0, set_pack(&self->packing, self->rx_pack, 1));
	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, PACK_AREA_PAGES, 0,
				 1u << ZCRX_EVENT_COPY, true));
	ASSERT_EQ(0, nic_rx_steer(&self->r, NIC_ZC_QUEUE));
	ASSERT_EQ(0, nic_rx_start(&self->r, PACK_STREAM, 61, 65536));
	nic_rx_run(&self->r, &self->t, PACK_STREAM, 61, true, false, 60000);

	/* packing was on: CQEs inside buffers, odd offsets among them, and
	 * payloads that filled a buffer's tail and went on in the next
	 */
	EXPECT_GT(self->t.inbuf_nz, self->t.data_cqes / 2) {
		TH_LOG("%u of %u CQEs inside a buffer: the NIC did not pack",
		       self->t.inbuf_nz, self->t.data_cqes);
	}
	/* payloads of 1440 bytes (a multiple of 32, not of 64) end to end */
	EXPECT_NE(0ULL, self->t.inbuf_or & 63) TH_LOG("every CQE on a 64-byte stride");
	EXPECT_GT(self->t.inbuf_tail, 0U) TH_LOG("no payload was split across buffers");
	/* packed end to end: at least one buffer fill per 4 KiB */
	EXPECT_CAME_BACK(&self->r, self->t.bytes / page_size(), PACK_AREA_PAGES);
	packed_stream_exact(_metadata, &self->r, &self->t, PACK_STREAM);
}

/* Packed at 64-byte strides into 16 KiB buffers (hugetlb area, jumbo-free
 * 1500 MTU): about eleven payloads per buffer, every in-buffer offset a
 * multiple of 64 and some not 0.
 */
TEST_F_TIMEOUT(pack, packed_16k_buffers_stride_64__T04_E01, NIC_TEST_TIMEOUT)
{
	const char *why;
	void *area;

	self->huge = true;
	area = nic_huge_area(&why);
	ASSERT_NE(NULL, area) TH_LOG("%s", why);
	if (area == MAP_FAILED)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, set_pack(&self->packing, self->rx_pack, 64));
	ASSERT_EQ(0, nic_rx_open_area(&self->r, NIC_ZC_QUEUE, area, NIC_HUGE_AREA_SZ,
				      BIG_BUF, 1u << ZCRX_EVENT_COPY, true));
	ASSERT_EQ((unsigned int)BIG_BUF, self->r.z.reg.rx_buf_len);
	ASSERT_EQ(0, nic_rx_steer(&self->r, NIC_ZC_QUEUE));
	ASSERT_EQ(0, nic_rx_start(&self->r, PACK_STREAM, 62, 65536));
	nic_rx_run(&self->r, &self->t, PACK_STREAM, 62, true, false, 60000);

	EXPECT_EQ(0ULL, self->t.inbuf_or & 63) {
		TH_LOG("in-buffer offsets OR to 0x%llx: not on 64-byte strides",
		       (unsigned long long)self->t.inbuf_or);
	}
	EXPECT_GT(self->t.inbuf_nz, self->t.data_cqes / 2) {
		TH_LOG("%u of %u CQEs inside a buffer: the NIC did not pack",
		       self->t.inbuf_nz, self->t.data_cqes);
	}
	EXPECT_GT(self->t.inbuf_tail, 0U) TH_LOG("no payload was split across buffers");
	EXPECT_CAME_BACK(&self->r, self->t.bytes / BIG_BUF, NIC_HUGE_AREA_SZ / BIG_BUF);
	packed_stream_exact(_metadata, &self->r, &self->t, PACK_STREAM);
}

TEST_HARNESS_MAIN
