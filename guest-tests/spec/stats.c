// SPDX-License-Identifier: GPL-2.0
/*
 * Spec section 4 (T-rows): the shared-memory struct zcrx_stats, driven by
 * loopback TCP traffic received with IORING_OP_RECV_ZC on NODEV
 * registrations, where every payload frag is copied by io_zcrx_copy_frag.
 *
 * What the kernel guarantees, and so what is asserted (zcrx.c:1722-1773):
 * - copy_frag adds 1 to copy_count and ret to copy_bytes when its copy
 *   moved ret > 0 bytes; failed copies (-ENOMEM/-ENOSPC) add nothing.
 * - copy_chunk copies a frag into fresh buffers, one CQE per <= PAGE_SIZE
 *   chunk, all chunks but the last full. Hence, over loopback TCP where all
 *   payload sits in page frags (T11; head copies are T04, head_path.c):
 *   copy_bytes == payload bytes of the data CQEs;
 *   short CQEs (res < PAGE_SIZE) <= copy_count <= data CQEs; res <= PAGE_SIZE.
 * - Exact counts need a known frag layout. A test process is freshly
 *   forked, so its task page_frag (tcp_sendmsg's copy target,
 *   net/ipv4/tcp.c:1284) starts empty: a single write() of n bytes is one
 *   skb whose payload is one frag when the order-3 refill succeeded
 *   (net/core/sock.c:3200) or n/4096 page frags with the order-0 fallback.
 *   Writes totalling <= 4096 bytes, each reaped before the next, are one
 *   frag each under both, so those counts are exact.
 *
 * Not here: T04 (head_path.c). T07's lost increments need two copiers
 * racing in the same read-modify-write window, which a test cannot force:
 * only the single-writer exactness is tested.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "zcrx_lib.h"

#define SEED		11
#define AREA_SMALL	4	/* pages of the private ifq that marks ctx free */

/* ---- set-up ----------------------------------------------------------------- */

/* Ring + NODEV ifq over a user region prefilled with @fill. */
static int env_setup_user(struct zcrx_env *e, int fill, __u32 mask, __u32 flags, __u64 off)
{
	int ret;

	memset(e, 0, sizeof(*e));
	e->rx = e->tx = -1;
	ret = ring_create(&e->ring, ZCRX_RING_FLAGS);
	if (ret)
		return ret;
	ifq_init(&e->z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ifq_use_user_region(&e->z, fill);
	if (!e->z.area_mem || !e->z.region)
		return -ENOMEM;
	ifq_set_events(&e->z, EVENT_UD, mask, flags, off);
	ret = ifq_register(&e->ring, &e->z);
	if (ret)
		return ret;
	return tcp_pair(&e->rx, &e->tx);
}

/* One write of @len, reaped; returns the stream position after it. */
static size_t step(struct __test_metadata *_metadata, struct zcrx_env *e,
		   struct io_uring *ring, struct cq_tally *l, size_t len)
{
	size_t base = l->bytes;

	EXPECT_EQ(0, write_once(e->tx, base, len, SEED));
	cq_collect(ring, l, base + len);
	EXPECT_EQ(base + len, l->bytes) TH_LOG("%zu bytes delivered", len);
	return l->bytes;
}

/* ================================================================================ */

TRAFFIC_FIXTURE(traffic);

/* T01: STATS without any event subscription counts copies and posts nothing. */
TEST_F(traffic, mask0_counts_without_cqes__T01)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	step(_metadata, &self->e, &self->e.ring, &self->l, 1000);
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("T01: payload intact");
	EXPECT_EQ(1U, self->l.data_cqes) TH_LOG("T01: one data CQE");
	EXPECT_EQ(0U, self->l.event_cqes + self->l.other) TH_LOG("T01: no event CQE with type_mask 0");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T01: counted with type_mask 0");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("T01: counted with type_mask 0");
}

/* T01: without the STATS flag nothing is written past the refill ring. */
TEST_F(traffic, no_stats_flag_writes_nothing__T01)
{
	size_t used = rq_used_bytes(RQ_ENTRIES);

	ASSERT_EQ(0, env_setup_user(&self->e, 0x5A, 1u << ZCRX_EVENT_COPY, 0, 0));
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	step(_metadata, &self->e, &self->e.ring, &self->l, 1000);
	EXPECT_EQ(1U, self->l.event_cqes) TH_LOG("T01: the copy happened (COPY fired)");
	EXPECT_TRUE(all_bytes(self->e.z.region, used, self->e.z.region_len, 0x5A))
		TH_LOG("T01: bytes %zu..%zu of the user region untouched without STATS",
		       used, self->e.z.region_len);
}

/* T01: counting does not depend on the fired/armed state. */
TEST_F(traffic, counts_regardless_of_arm__T01)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	step(_metadata, &self->e, &self->e.ring, &self->l, 1000);
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T01: armed (first event fires)");
	step(_metadata, &self->e, &self->e.ring, &self->l, 700);
	EXPECT_EQ(1U, self->l.event_cqes) TH_LOG("T01: fired, not re-armed: no second event");
	EXPECT_EQ(2ULL, st->copy_count) TH_LOG("T01: still counted while fired");
	EXPECT_EQ(1700ULL, st->copy_bytes) TH_LOG("T01: still counted while fired");
	ASSERT_EQ(0, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY));
	step(_metadata, &self->e, &self->e.ring, &self->l, 300);
	EXPECT_EQ(3ULL, st->copy_count) TH_LOG("T01: counted after re-arm");
	EXPECT_EQ(2000ULL, st->copy_bytes) TH_LOG("T01: counted after re-arm");
}

/* T02: the 16 bytes are zeroed at registration, and only then. */
TEST_F(traffic, zeroed_once_at_registration__T02)
{
	volatile struct zcrx_stats *st;
	size_t used = rq_used_bytes(RQ_ENTRIES);
	__u64 off = first_stats_offset(RQ_ENTRIES) + zcrx_caps()->event.stats_off_alignment;
	struct zcrx_ctrl flush = { .op = ZCRX_CTRL_FLUSH_RQ };

	/* one aligned slot past the ring end, so both neighbours are visible */
	ASSERT_EQ(0, env_setup_user(&self->e, 0xFF, 1u << ZCRX_EVENT_COPY,
				    ZCRX_EVENT_DESC_FLAG_STATS, off));
	st = ifq_stats(&self->e.z);
	EXPECT_EQ(0ULL, st->copy_count) TH_LOG("T02: copy_count zeroed");
	EXPECT_EQ(0ULL, st->copy_bytes) TH_LOG("T02: copy_bytes zeroed");
	EXPECT_TRUE(all_bytes(self->e.z.region, used, off, 0xFF))
		TH_LOG("T02: bytes before the stats untouched");
	EXPECT_TRUE(all_bytes(self->e.z.region, off + sizeof(struct zcrx_stats), self->e.z.region_len, 0xFF))
		TH_LOG("T02: bytes after the 16 stats bytes untouched");

	/* nothing later zeroes them again: ctrl ops, arm, traffic */
	st->copy_count = 5;
	st->copy_bytes = 50;
	flush.zcrx_id = self->e.z.reg.zcrx_id;
	EXPECT_EQ(0, zcrx_ctrl(self->e.ring.ring_fd, &flush, 0)) TH_LOG("T02: FLUSH_RQ");
	EXPECT_EQ(-EINVAL, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("T02: arm (nothing fired yet)");
	EXPECT_EQ(5ULL, st->copy_count) TH_LOG("T02: not re-zeroed by ctrl ops");
	EXPECT_EQ(50ULL, st->copy_bytes) TH_LOG("T02: not re-zeroed by ctrl ops");
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	step(_metadata, &self->e, &self->e.ring, &self->l, 1000);
	EXPECT_EQ(6ULL, st->copy_count) TH_LOG("T02: traffic adds, does not reset");
	EXPECT_EQ(1050ULL, st->copy_bytes) TH_LOG("T02: traffic adds, does not reset");
}

/* T03: +1 / +bytes for each frag copy. */
TEST_F(traffic, counted_per_frag_copy__T03)
{
	volatile struct zcrx_stats *st;
	static const size_t len[] = { 1000, 700, 300, 1 };
	__u64 sum = 0;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	for (unsigned int i = 0; i < 4; i++) {
		step(_metadata, &self->e, &self->e.ring, &self->l, len[i]);
		sum += len[i];
		EXPECT_EQ((__u64)i + 1, st->copy_count) TH_LOG("T03: write %u: +1 per frag", i);
		EXPECT_EQ(sum, st->copy_bytes) TH_LOG("T03: write %u: +bytes copied", i);
		EXPECT_EQ(i + 1, self->l.data_cqes) TH_LOG("T03: write %u: one CQE", i);
	}
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("T03: payload intact");
}

/* T03: a copy that fails (-ENOMEM: no buffer) adds nothing. */
TEST_F(traffic, failed_copy_not_counted__T03)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, 1, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	step(_metadata, &self->e, &self->e.ring, &self->l, 1000);
	ASSERT_EQ(1ULL, st->copy_count) TH_LOG("T03: the only buffer is used");
	ASSERT_EQ(0, write_once(self->e.tx, 1000, 1000, SEED));
	cq_collect(&self->e.ring, &self->l, 2000);
	EXPECT_EQ(-ENOMEM, self->l.final_res) TH_LOG("T03: the second copy fails");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T03: failed copy not counted");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("T03: failed copy not counted");
}

/* T03: the stats are updated before the COPY event is queued. */
TEST_F(traffic, counted_before_event__T03)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	cq_tally_env(&self->l, &self->e, EVENT_UD, SEED);
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	/* inline copy; the event stays queued until a GETEVENTS enter */
	ASSERT_EQ(1, submit_recvzc_nogetevents(&self->e.ring, self->e.rx, self->e.z.reg.zcrx_id));
	cq_drain(&self->e.ring, &self->l);
	ASSERT_EQ(0U, self->l.event_cqes) TH_LOG("T03: event not posted yet");
	EXPECT_EQ(0, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("T03: the event was queued");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T03: counted when the event is queued");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("T03: counted when the event is queued");
}

/* T05: copy_count counts frag copies, not CQEs. */
TEST_F(traffic, counts_frags_not_cqes__T05)
{
	volatile struct zcrx_stats *st;
	size_t len = 3 * page_size() + 100;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	step(_metadata, &self->e, &self->e.ring, &self->l, len);
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("T05: payload intact");
	EXPECT_EQ(4U, self->l.data_cqes) TH_LOG("T05: 4 chunks: 3 full pages + 100 bytes");
	EXPECT_EQ(1U, self->l.short_cqes) TH_LOG("T05: only the last chunk is short");
	EXPECT_EQ((__u64)len, st->copy_bytes) TH_LOG("T05: copy_bytes == bytes received");
	/* one write from an empty task page_frag: one frag when the order-3
	 * (32 KiB) page_frag refill succeeds, as it does in the guest; 4 would
	 * mean the order-0 fallback split the payload into page frags
	 */
	EXPECT_EQ(1ULL, st->copy_count)
		TH_LOG("T05: one frag copy producing 4 CQEs counts 1 (uapi comment says CQEs)");
}

/* T05: bounds for a burst of writes whose frag layout is not known. */
TEST_F(traffic, burst_bounds__T05)
{
	volatile struct zcrx_stats *st;
	size_t len = 8 * page_size();

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	/* 8 writes of a page back to back, reaped together */
	for (unsigned int i = 0; i < 8; i++)
		ASSERT_EQ(0, write_once(self->e.tx, i * page_size(), page_size(), SEED));
	cq_collect(&self->e.ring, &self->l, len);
	EXPECT_EQ(len, self->l.bytes) TH_LOG("T05: all delivered");
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("T05: payload intact");
	EXPECT_EQ((__u64)len, st->copy_bytes) TH_LOG("T05: copy_bytes == bytes received");
	EXPECT_EQ(0U, self->l.over_page) TH_LOG("T05: no CQE exceeds a page");
	EXPECT_LE((__u64)self->l.short_cqes, st->copy_count)
		TH_LOG("T05: each frag copy ends with at most one short chunk");
	EXPECT_LE(st->copy_count, (__u64)self->l.data_cqes)
		TH_LOG("T05: each frag copy posts at least one CQE");
	EXPECT_LE(8U, self->l.data_cqes) TH_LOG("T05: at least one CQE per page of payload");
	TH_LOG("T05: %zu bytes: %u data CQEs, copy_count %llu", len, self->l.data_cqes,
	       (unsigned long long)st->copy_count);
}

/* T06: a partial copy counts the bytes actually copied. */
TEST_F(traffic, partial_copy_counts_copied__T06)
{
	volatile struct zcrx_stats *st;

	/* one-page area, one 6000-byte write: the first page is copied, the
	 * next chunk finds no buffer (frag 6000, or frags 4096 + 1904)
	 */
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, 1, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	ASSERT_EQ(0, write_once(self->e.tx, 0, 6000, SEED));
	cq_collect(&self->e.ring, &self->l, 6000);
	EXPECT_EQ(page_size(), self->l.bytes) TH_LOG("T06: one page delivered");
	EXPECT_EQ(1U, self->l.data_cqes) TH_LOG("T06: in one CQE");
	EXPECT_EQ(-ENOMEM, self->l.final_res) TH_LOG("T06: then the recvzc ends with -ENOMEM");
	EXPECT_EQ((__u64)page_size(), st->copy_bytes) TH_LOG("T06: bytes actually copied");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T06: one copy moved data");
}

/* T07: with a single writer the counters are exact. */
TEST_F(traffic, single_writer_exact__T07)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	for (unsigned int i = 1; i <= 5; i++) {
		step(_metadata, &self->e, &self->e.ring, &self->l, 700);
		EXPECT_EQ((__u64)i, st->copy_count) TH_LOG("T07: after write %u", i);
		EXPECT_EQ((__u64)i * 700, st->copy_bytes) TH_LOG("T07: after write %u", i);
	}
	TH_LOG("T07 note: lost updates between concurrent copiers (non-atomic RMW, zcrx.c:1337-1340) cannot be forced deterministically; not tested");
}

/* T08: a reader that saw a data CQE sees the stats of its copy. */
TEST_F(traffic, visible_with_data_cqe__T08)
{
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	self->l.st = ifq_stats(&self->e.z);
	step(_metadata, &self->e, &self->e.ring, &self->l, 1000);
	step(_metadata, &self->e, &self->e.ring, &self->l, 2000);
	step(_metadata, &self->e, &self->e.ring, &self->l, 1000);
	EXPECT_EQ(3U, self->l.data_cqes) TH_LOG("T08: three data CQEs checked");
	EXPECT_EQ(0U, self->l.st_lag)
		TH_LOG("T08: at every data CQE, copy_bytes already covered it");
	EXPECT_EQ(4000ULL, self->l.st->copy_bytes) TH_LOG("T08: final value");
}

/* T09: userspace may overwrite the counters; the kernel adds to them. */
TEST_F(traffic, user_reset__T09)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	step(_metadata, &self->e, &self->e.ring, &self->l, 1000);
	EXPECT_EQ(1ULL, st->copy_count);
	EXPECT_EQ(1000ULL, st->copy_bytes);
	st->copy_count = 0;
	st->copy_bytes = 0;
	step(_metadata, &self->e, &self->e.ring, &self->l, 700);
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T09: counts from the reset value");
	EXPECT_EQ(700ULL, st->copy_bytes) TH_LOG("T09: counts from the reset value");
	st->copy_count = 1000000;
	st->copy_bytes = 5;
	step(_metadata, &self->e, &self->e.ring, &self->l, 300);
	EXPECT_EQ(1000001ULL, st->copy_count) TH_LOG("T09: adds to whatever is there");
	EXPECT_EQ(305ULL, st->copy_bytes) TH_LOG("T09: adds to whatever is there");
}

/*
 * T10: the stats live with the ifq. The creator ring exports the ifq to an
 * importer and closes; a private ifq with its own small area marks the
 * creator ctx as freed when its pinned pages go (VmPin).
 */
TEST_F(traffic, survive_creator_close__T10)
{
	volatile struct zcrx_stats *st;
	struct zcrx_ifq priv;
	struct io_uring imp;
	long want;
	__u32 imp_id;
	void *map;
	int fd;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	ifq_init(&priv, RQ_ENTRIES, REGION_SZ, AREA_SMALL);
	ASSERT_EQ(0, ifq_register(&self->e.ring, &priv));
	ASSERT_EQ(0, zcrx_export(&self->e.ring, self->e.z.reg.zcrx_id, &fd));
	ASSERT_EQ(0, ring_create(&imp, ZCRX_RING_FLAGS));
	ASSERT_EQ(0, zcrx_import(&imp, fd, &imp_id));
	close(fd);
	/* both are the first id of their ring, so the region offset is shared */
	ASSERT_EQ(self->e.z.reg.zcrx_id, imp_id);
	map = mmap(NULL, REGION_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		   imp.ring_fd, self->e.z.rd.mmap_offset);
	ASSERT_NE(MAP_FAILED, map) TH_LOG("T10: importer maps the region");
	st = (volatile struct zcrx_stats *)((char *)map + first_stats_offset(RQ_ENTRIES));

	ASSERT_EQ(0, submit_recvzc(&imp, self->e.rx, imp_id));
	cq_tally_env(&self->l, &self->e, EVENT_UD, SEED);
	step(_metadata, &self->e, &imp, &self->l, 500);
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T10: importer traffic counted");
	EXPECT_EQ(500ULL, st->copy_bytes) TH_LOG("T10: importer traffic counted");

	ifq_unmap_region(&self->e.z);
	ifq_unmap_region(&priv);
	want = vm_pinned_kb() - (long)(AREA_SMALL * page_size() / 1024);
	io_uring_queue_exit(&self->e.ring);
	ASSERT_EQ(want, wait_vm_pinned_kb(want, 10000)) TH_LOG("T10: creator ctx freed");

	step(_metadata, &self->e, &imp, &self->l, 500);
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("T10: payload intact");
	EXPECT_EQ(2ULL, st->copy_count) TH_LOG("T10: still counting after the creator closed");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("T10: 500 -> 1000");
}

/* T11: NODEV over loopback TCP: every received byte is a counted frag copy. */
FIXTURE(nodev) {};
FIXTURE_SETUP(nodev) {}
FIXTURE_TEARDOWN(nodev) {}
FIXTURE_VARIANT(nodev) {
	size_t chunk;		/* bytes per write() */
	unsigned int writes;
};
FIXTURE_VARIANT_ADD(nodev, page_writes__T11) { .chunk = 4096, .writes = 5 };
FIXTURE_VARIANT_ADD(nodev, odd_writes__T11) { .chunk = 3001, .writes = 7 };
FIXTURE_VARIANT_ADD(nodev, byte_writes__T11) { .chunk = 1, .writes = 40 };

TEST_F(nodev, copy_bytes_equal_received__T11)
{
	size_t len = variant->chunk * variant->writes;
	volatile struct zcrx_stats *st;
	struct cq_tally l;
	struct zcrx_env e;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, zcrx_env_setup(&e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD, 0,
				    ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&e.z);
	ASSERT_EQ(0, zcrx_env_recv(&e, &l, EVENT_UD, SEED));
	/* a burst, reaped together: the frag layout is up to TCP */
	for (unsigned int i = 0; i < variant->writes; i++)
		ASSERT_EQ(0, write_once(e.tx, i * variant->chunk, variant->chunk, SEED));
	cq_collect(&e.ring, &l, len);
	EXPECT_EQ(len, l.bytes) TH_LOG("T11: all delivered");
	EXPECT_EQ(0, l.bad_payload) TH_LOG("T11: payload intact");
	EXPECT_EQ((__u64)l.bytes, st->copy_bytes)
		TH_LOG("T11: copy_bytes == bytes received (payload only in frags)");
	EXPECT_EQ(0U, l.over_page) TH_LOG("T11: no CQE exceeds a page");
	EXPECT_LE((__u64)l.short_cqes, st->copy_count) TH_LOG("T11: >= short chunks");
	EXPECT_LE(st->copy_count, (__u64)l.data_cqes) TH_LOG("T11: <= data CQEs");
	EXPECT_LE(1ULL, st->copy_count) TH_LOG("T11: at least one frag copy");
	TH_LOG("T11: %u x %zu bytes: %u data CQEs, copy_count %llu", variant->writes,
	       variant->chunk, l.data_cqes, (unsigned long long)st->copy_count);
}

TEST_HARNESS_MAIN
