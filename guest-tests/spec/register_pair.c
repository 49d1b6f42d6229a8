// SPDX-License-Identifier: GPL-2.0
/*
 * Spec 2.1, R35: what a registration that fails has already done. Two
 * faults in one registration (the first check wins, nothing else is
 * touched) next to a live ifq with traffic, and the side effects a failed
 * registration leaves. Split from register.c so that the guest runs the
 * two at once (each case here sets up traffic: they take the longest).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "register.h"

/* R35: a failed registration has already zeroed the stats and the header */
FIXTURE(side_effect) {
	struct io_uring ring;
	struct zcrx_ifq z;
};

FIXTURE_VARIANT(side_effect) {
	bool netdev;	/* fail with ENODEV (if_idx 9999); else EFAULT (area.addr 0) */
	int err;
};

FIXTURE_VARIANT_ADD(side_effect, enodev__R35) { .netdev = true, .err = ENODEV };
FIXTURE_VARIANT_ADD(side_effect, nodev_area_efault__R35) { .netdev = false, .err = EFAULT };

FIXTURE_SETUP(side_effect)
{
	ASSERT_EQ(0, ring_create(&self->ring, ZCRX_RING_FLAGS));
	ifq_init(&self->z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, self->z.area_mem);
}

FIXTURE_TEARDOWN(side_effect)
{
	ifq_release(&self->z);
	io_uring_queue_exit(&self->ring);
}

TEST_F(side_effect, failed_reg_zeroes__R35)
{
	struct zcrx_ifq *z = &self->z;
	size_t hdr, off, sz;
	int ret;

	REQUIRE(zcrx_events_missing());
	ifq_use_user_region(z, 0xFF);
	ASSERT_NE(NULL, z->region);
	hdr = zcrx_caps()->zcrx.rq_hdr_size;
	sz = zcrx_caps()->event.stats_size;
	off = stats_ok(z);
	ifq_set_events(z, EVENT_UD, ALL_TYPES, ZCRX_EVENT_DESC_FLAG_STATS, off);
	if (variant->netdev)
		non_nodev(z);
	else
		z->area.addr = 0;
	ret = raw_register(self->ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, &z->reg, 1);
	EXPECT_EQ(-variant->err, ret) TH_LOG("R35: the registration fails: %d", ret);
	EXPECT_TRUE(all_bytes(z->region, off, off + sz, 0))
		TH_LOG("R35: the %zu stats bytes at %zu were zeroed anyway", sz, off);
	EXPECT_TRUE(all_bytes(z->region, 0, hdr, 0))
		TH_LOG("R35: the %zu-byte ring header was zeroed anyway", hdr);
	EXPECT_TRUE(all_bytes(z->region, hdr, off, 0xFF))
		TH_LOG("R35: bytes %zu..%zu (entries) keep 0xFF", hdr, off);
	EXPECT_TRUE(all_bytes(z->region, off + sz, z->region_len, 0xFF))
		TH_LOG("R35: bytes after the stats keep 0xFF");
	EXPECT_EQ(-ENXIO, flush_rq(self->ring.ring_fd, 0)) TH_LOG("R35: nothing was registered");
	EXPECT_EQ(0, vm_pinned_kb()) TH_LOG("R35: nothing stays pinned");
}

/*
 * Two bad fields at once, for the check orders the spec states (2.1 is "in
 * evaluation order"; R18, R28, R29, S01 say it outright), and the proof that
 * the failed registration left nothing behind. The ring already holds a live
 * ifq A (id 0: COPY events and stats, 1000 bytes received, so its stats are
 * {1, 1000} and COPY has fired); ifq B, registered next on the same ring,
 * carries a valid desc (all types, stats) over a 0xFF-filled user region
 * and gets two faults. Afterwards, exactly:
 * - the error of the earlier check;
 * - B's region: untouched when the failure precedes region creation; only
 *   the header zeroed (io_allocate_rbuf_ring, R35) when the failure comes
 *   after it and before the stats memset; header and stats zeroed when it
 *   comes after the stats memset (R35);
 * - B's reg, region desc and area reg: nothing written back;
 * - A's stats still {1, 1000}, VmPin back to A's area, no id 1 and no
 *   region behind id 1's mmap offset;
 * - A still works: 500 more bytes count {2, 1500} without an event (COPY
 *   still fired, R34's master ring untouched), arm 0 then EINVAL;
 * - the next valid registration gets id 1 (the failed one freed its id).
 */
#define PAIR_SEED	5
#define PAIR_UD		0x0b0b0b0b0b0b0b0bULL

enum pair_mark {
	PAIR_UNTOUCHED,		/* failed before region creation */
	PAIR_HEADER,		/* region created, stats not placed */
	PAIR_HEADER_STATS,	/* stats zeroed, then a later step failed */
};

FIXTURE(pair) {
	bool up;
	struct zcrx_env a;	/* live ifq A with traffic */
	struct zcrx_ifq b;	/* the failing registration */
	struct zcrx_ifq c;	/* the valid one after it */
	struct cq_tally l;
};

FIXTURE_VARIANT(pair) {
	mutator mut;
	__u64 val;
	int err;
	enum pair_mark mark;
	bool v73;
	const char *what;
};

FIXTURE_SETUP(pair)
{
	memset(self, 0, sizeof(*self));
	self->a.rx = self->a.tx = -1;
	if (zcrx_events_missing())
		return;		/* the test skips, saying why */
	ASSERT_EQ(0, zcrx_env_setup(&self->a, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	self->up = true;
	ASSERT_EQ(0, zcrx_env_recv(&self->a, &self->l, EVENT_UD, PAIR_SEED));
	ASSERT_EQ(0, write_once(self->a.tx, 0, 1000, PAIR_SEED));
	cq_collect(&self->a.ring, &self->l, 1000);
	ASSERT_EQ(1000U, self->l.bytes) TH_LOG("pair set-up: A received 1000 bytes");
	ASSERT_EQ(1U, self->l.event_cqes) TH_LOG("pair set-up: A's COPY fired once");
	ASSERT_EQ(1ULL, ifq_stats(&self->a.z)->copy_count) TH_LOG("pair set-up: A's stats");
	ASSERT_EQ(1000ULL, ifq_stats(&self->a.z)->copy_bytes) TH_LOG("pair set-up: A's stats");

	ifq_init(&self->b, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, self->b.area_mem);
	ifq_use_user_region(&self->b, 0xFF);
	ASSERT_NE(NULL, self->b.region);
	ifq_set_events(&self->b, PAIR_UD, ALL_TYPES, ZCRX_EVENT_DESC_FLAG_STATS,
		       stats_ok(&self->b));
}

FIXTURE_TEARDOWN(pair)
{
	if (self->a.rx >= 0)
		close(self->a.rx);
	if (self->a.tx >= 0)
		close(self->a.tx);
	ifq_release(&self->c);
	ifq_release(&self->b);
	ifq_release(&self->a.z);
	if (self->up)
		io_uring_queue_exit(&self->a.ring);
}

/* B's region desc loses its user_addr: io_create_region says EFAULT (R27) */
static void rd_user_no_addr(struct zcrx_ifq *z)
{
	z->rd.user_addr = 0;
}

static void *p_token_desc8(struct zcrx_ifq *z, __u64 v)
{
	z->area.rq_area_token = v;
	z->reg.event_desc = 8;
	return NULL;
}
static void *p_desc8_rdsize0(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->reg.event_desc = 8;
	z->rd.size = 0;
	return NULL;
}
static void *p_mask_rd(struct zcrx_ifq *z, __u64 v) { z->desc.type_mask = v; rd_user_no_addr(z); return NULL; }
static void *p_dflags_rd(struct zcrx_ifq *z, __u64 v) { z->desc.flags |= v; rd_user_no_addr(z); return NULL; }
static void *p_nostats_rd(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->desc.flags = 0;	/* stats_offset stays set: R22 */
	rd_user_no_addr(z);
	return NULL;
}
static void *p_resv2_rd(struct zcrx_ifq *z, __u64 v) { z->desc.__resv2[v] = 1; rd_user_no_addr(z); return NULL; }
static void *p_rq_rd(struct zcrx_ifq *z, __u64 v) { z->reg.rq_entries = v; rd_user_no_addr(z); return NULL; }
static void *p_rdid_stats(struct zcrx_ifq *z, __u64 v)
{
	z->rd.id = 1;
	z->desc.stats_offset = v;
	return NULL;
}
static void *p_rq_stats(struct zcrx_ifq *z, __u64 v)
{
	z->reg.rq_entries = 256;	/* R26 in a 4096-byte region */
	z->desc.stats_offset = v;
	return NULL;
}
static void *p_stats(struct zcrx_ifq *z, __u64 v) { z->desc.stats_offset = v; return NULL; }
static void *p_stats_area0(struct zcrx_ifq *z, __u64 v)
{
	z->desc.stats_offset = v == ~0ULL ? stats_ok(z) + 1 : v;
	z->area.addr = 0;
	return NULL;
}
static void *p_stats_netdev(struct zcrx_ifq *z, __u64 v)
{
	non_nodev(z);
	z->desc.stats_offset = v == ~0ULL ? stats_ok(z) + 1 : v;
	return NULL;
}
static void *p_mask_netdev(struct zcrx_ifq *z, __u64 v) { non_nodev(z); z->desc.type_mask = v; return NULL; }
/* contrasts: one bad field only, failing after the stats memset */
static void *p_netdev(struct zcrx_ifq *z, __u64 v) { (void)v; non_nodev(z); return NULL; }
static void *p_area0(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->area.addr = 0;
	return NULL;
}

FIXTURE_VARIANT_ADD(pair, resv_then_region__R05_R08) {
	.mut = m_resv1_region0, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R05 before R08: __resv[1] = 1 and region_ptr 0" };
FIXTURE_VARIANT_ADD(pair, flags_then_region__R06_R08) {
	.mut = m_flags_region0, .val = ZCRX_REG_NODEV | 8, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R06 before R08: flags NODEV|8 and region_ptr 0" };
FIXTURE_VARIANT_ADD(pair, region_then_rq__R08_R09) {
	.mut = m_region0_rq0, .err = EFAULT, .mark = PAIR_UNTOUCHED,
	.what = "R08 before R09: region_ptr 0 and rq_entries 0" };
FIXTURE_VARIANT_ADD(pair, rq_max_then_area__R11_R14) {
	.mut = m_rq_area0, .val = 32769, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R11 before R14: rq_entries 32769 (no CLAMP) and area_ptr 0" };
FIXTURE_VARIANT_ADD(pair, area_then_region__R14_R27) {
	.mut = m_area0_rdsize0, .err = EFAULT, .mark = PAIR_UNTOUCHED,
	.what = "R14 before R27: area_ptr 0 and rd.size 0" };
FIXTURE_VARIANT_ADD(pair, token_then_desc__R15_R17) {
	.mut = p_token_desc8, .val = 1, .err = EINVAL, .mark = PAIR_UNTOUCHED, .v73 = true,
	.what = "R15 before R17: rq_area_token 1 and event_desc 8" };
FIXTURE_VARIANT_ADD(pair, desc_then_region__R17_R18_R27) {
	.mut = p_desc8_rdsize0, .err = EFAULT, .mark = PAIR_UNTOUCHED,
	.what = "R17 before R27 (R18): event_desc 8 and rd.size 0" };
FIXTURE_VARIANT_ADD(pair, mask_then_region__R19_R27) {
	.mut = p_mask_rd, .val = BAD_MASK_LOW, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R19 before R27: type_mask 4 and a USER region without user_addr (EFAULT)" };
FIXTURE_VARIANT_ADD(pair, desc_flags_then_region__R21_R27) {
	.mut = p_dflags_rd, .val = 2, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R21 before R27: desc.flags STATS|2 and a USER region without user_addr" };
FIXTURE_VARIANT_ADD(pair, offset_no_stats_then_region__R22_R27) {
	.mut = p_nostats_rd, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R22 before R27: stats_offset without STATS and a USER region without user_addr" };
FIXTURE_VARIANT_ADD(pair, resv2_then_region__R23_R27) {
	.mut = p_resv2_rd, .val = 8, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R23 before R27: __resv2[8] = 1 and a USER region without user_addr" };
FIXTURE_VARIANT_ADD(pair, ring_fit_then_region__R26_R27) {
	.mut = p_rq_rd, .val = 256, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R26 before R27: rq 256 in 4096 bytes and a USER region without user_addr" };
FIXTURE_VARIANT_ADD(pair, region_then_stats__R27_R28) {
	.mut = p_rdid_stats, .val = 0, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R27 before R28: rd.id 1 and stats_offset 0 (ERANGE)" };
FIXTURE_VARIANT_ADD(pair, ring_fit_then_stats__R26_R28) {
	.mut = p_rq_stats, .val = 0, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R26 before R28: rq 256 in 4096 bytes and stats_offset 0 (ERANGE)" };
FIXTURE_VARIANT_ADD(pair, align_then_range__S01_S02) {
	.mut = p_stats, .val = 1, .err = EINVAL, .mark = PAIR_HEADER,
	.what = "S01 before S02: stats_offset 1 is misaligned and below the ring" };
FIXTURE_VARIANT_ADD(pair, align_then_end__S01_S06) {
	.mut = p_stats, .val = REGION_SZ - 4, .err = EINVAL, .mark = PAIR_HEADER,
	.what = "S01 before S06: stats_offset region-4 is misaligned and ends past the region" };
FIXTURE_VARIANT_ADD(pair, stats_range_then_area__R28_S09) {
	.mut = p_stats_area0, .val = 0, .err = ERANGE, .mark = PAIR_HEADER,
	.what = "R28: stats_offset 0 (ERANGE) before area.addr 0 (EFAULT)" };
FIXTURE_VARIANT_ADD(pair, stats_align_then_area__R28_S01) {
	.mut = p_stats_area0, .val = ~0ULL, .err = EINVAL, .mark = PAIR_HEADER,
	.what = "R28: misaligned stats_offset (EINVAL) before area.addr 0 (EFAULT)" };
FIXTURE_VARIANT_ADD(pair, stats_range_then_netdev__R29_S09) {
	.mut = p_stats_netdev, .val = 0, .err = ERANGE, .mark = PAIR_HEADER,
	.what = "R29: stats_offset 0 (ERANGE) before if_idx 9999 (ENODEV)" };
FIXTURE_VARIANT_ADD(pair, mask_then_netdev__R19_R29) {
	.mut = p_mask_netdev, .val = BAD_MASK_LOW, .err = EINVAL, .mark = PAIR_UNTOUCHED,
	.what = "R29: type_mask 4 (EINVAL) before if_idx 9999 (ENODEV)" };
FIXTURE_VARIANT_ADD(pair, netdev_after_stats__R29_R35) {
	.mut = p_netdev, .err = ENODEV, .mark = PAIR_HEADER_STATS,
	.what = "R29/R35 contrast: only if_idx 9999: ENODEV after the stats memset" };
FIXTURE_VARIANT_ADD(pair, area_after_stats__R28_R35) {
	.mut = p_area0, .err = EFAULT, .mark = PAIR_HEADER_STATS,
	.what = "R28/R35 contrast: only area.addr 0: EFAULT after the stats memset" };

TEST_F(pair, first_check_wins_no_side_effect__R35)
{
	struct io_uring_zcrx_ifq_reg reg0;
	struct io_uring_zcrx_area_reg area0;
	struct io_uring_region_desc rd0;
	volatile struct zcrx_stats *sa;
	struct zcrx_ifq *b = &self->b;
	__u64 off1 = ZCRX_REGION_MMAP_BASE + (1ULL << ZCRX_REGION_ID_SHIFT);
	size_t hdr, off, sz, len;
	long pin0, area_kb;
	void *m;
	int ret;

	REQUIRE(zcrx_events_missing());
	if (variant->v73)
		REQUIRE(zcrx_pre73(), "this check order is the 7.3 code's");
	sa = ifq_stats(&self->a.z);
	hdr = zcrx_caps()->zcrx.rq_hdr_size;
	sz = zcrx_caps()->event.stats_size;
	off = b->desc.stats_offset;	/* where B's stats would have been */
	len = b->region_len;
	area_kb = self->a.z.area_len / 1024;
	pin0 = vm_pinned_kb();
	ASSERT_EQ(area_kb, pin0) TH_LOG("VmPin before: A's %ld kB area only, seen %ld", area_kb, pin0);

	ASSERT_EQ(NULL, variant->mut(b, variant->val));
	reg0 = b->reg;
	rd0 = b->rd;
	area0 = b->area;
	ret = raw_register(self->a.ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, &b->reg, 1);
	EXPECT_EQ(-variant->err, ret)
		TH_LOG("%s: expected %d (%s), seen %d (%s)", variant->what, -variant->err,
		       strerror(variant->err), ret, strerror(-ret));

	/* B's user region */
	switch (variant->mark) {
	case PAIR_UNTOUCHED:
		EXPECT_TRUE(all_bytes(b->region, 0, len, 0xFF))
			TH_LOG("%s: R35: failed before region creation, so all %zu bytes of B's region must keep 0xFF",
			       variant->what, len);
		break;
	case PAIR_HEADER:
		EXPECT_TRUE(all_bytes(b->region, 0, hdr, 0))
			TH_LOG("%s: R35: the region was created, its %zu-byte header zeroed", variant->what, hdr);
		EXPECT_TRUE(all_bytes(b->region, hdr, len, 0xFF))
			TH_LOG("%s: R35/S10: stats never placed, bytes %zu..%zu must keep 0xFF",
			       variant->what, hdr, len);
		break;
	case PAIR_HEADER_STATS:
		EXPECT_TRUE(all_bytes(b->region, 0, hdr, 0))
			TH_LOG("%s: R35: header zeroed", variant->what);
		EXPECT_TRUE(all_bytes(b->region, hdr, off, 0xFF))
			TH_LOG("%s: R35: bytes %zu..%zu keep 0xFF", variant->what, hdr, off);
		EXPECT_TRUE(all_bytes(b->region, off, off + sz, 0))
			TH_LOG("%s: R35: the %zu stats bytes at %zu were zeroed", variant->what, sz, off);
		EXPECT_TRUE(all_bytes(b->region, off + sz, len, 0xFF))
			TH_LOG("%s: R35: bytes after the stats keep 0xFF", variant->what);
		break;
	}
	EXPECT_EQ(0, memcmp(&reg0, &b->reg, sizeof(reg0)))
		TH_LOG("%s: R32: nothing written back into the reg (zcrx_id %u, rq_entries %u, rqes %u)",
		       variant->what, b->reg.zcrx_id, b->reg.rq_entries, b->reg.offsets.rqes);
	EXPECT_EQ(0, memcmp(&rd0, &b->rd, sizeof(rd0)))
		TH_LOG("%s: nothing written back into the region desc (mmap_offset %#llx)",
		       variant->what, (unsigned long long)b->rd.mmap_offset);
	EXPECT_EQ(0, memcmp(&area0, &b->area, sizeof(area0)))
		TH_LOG("%s: nothing written back into the area reg (token %#llx)",
		       variant->what, (unsigned long long)b->area.rq_area_token);

	/* the ring and A */
	EXPECT_EQ(pin0, wait_vm_pinned_kb(pin0, 2000))
		TH_LOG("%s: VmPin back to %ld kB (A's area only)", variant->what, pin0);
	EXPECT_EQ(1ULL, sa->copy_count) TH_LOG("%s: A's copy_count stays 1", variant->what);
	EXPECT_EQ(1000ULL, sa->copy_bytes) TH_LOG("%s: A's copy_bytes stays 1000", variant->what);
	EXPECT_EQ(-ENXIO, flush_rq(self->a.ring.ring_fd, 1))
		TH_LOG("%s: no ifq published under id 1", variant->what);
	m = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->a.ring.ring_fd, off1);
	EXPECT_EQ(MAP_FAILED, m) TH_LOG("%s: no region behind id 1's mmap offset", variant->what);
	if (m != MAP_FAILED)
		munmap(m, page_size());

	ASSERT_EQ(0, write_once(self->a.tx, 1000, 500, PAIR_SEED));
	cq_collect(&self->a.ring, &self->l, 1500);
	EXPECT_EQ(1500U, self->l.bytes) TH_LOG("%s: A keeps receiving", variant->what);
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("%s: A's payload intact", variant->what);
	EXPECT_EQ(1U, self->l.event_cqes)
		TH_LOG("%s: E08: no second event, COPY is still fired (seen %u events)",
		       variant->what, self->l.event_cqes);
	EXPECT_EQ(0U, self->l.other) TH_LOG("%s: no stray CQE on the ring", variant->what);
	EXPECT_EQ(2ULL, sa->copy_count) TH_LOG("%s: A's copy_count 1 -> 2", variant->what);
	EXPECT_EQ(1500ULL, sa->copy_bytes) TH_LOG("%s: A's copy_bytes 1000 -> 1500", variant->what);
	EXPECT_EQ(0, zcrx_arm(&self->a.ring, self->a.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("%s: A04: A's COPY fired bit survived the failed registration", variant->what);
	EXPECT_EQ(-EINVAL, zcrx_arm(&self->a.ring, self->a.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("%s: A05: and is clear after one arm", variant->what);

	/* the failed registration gave its id back */
	ifq_init(&self->c, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, self->c.area_mem);
	ret = ifq_register(&self->a.ring, &self->c);
	ASSERT_EQ(0, ret) TH_LOG("%s: a valid registration after the failed one: %d (%s)",
				 variant->what, ret, strerror(-ret));
	EXPECT_EQ(1U, self->c.reg.zcrx_id)
		TH_LOG("%s: the failed registration's preallocated id is free again: expected id 1, seen %u",
		       variant->what, self->c.reg.zcrx_id);
	EXPECT_EQ(off1, self->c.rd.mmap_offset)
		TH_LOG("%s: the new region is at id 1's offset %#llx, seen %#llx", variant->what,
		       (unsigned long long)off1, (unsigned long long)self->c.rd.mmap_offset);
	EXPECT_EQ(pin0 + (long)(self->c.area_len / 1024), vm_pinned_kb())
		TH_LOG("%s: VmPin: A's and the new area", variant->what);
}

TEST_HARNESS_MAIN
