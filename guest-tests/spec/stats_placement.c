// SPDX-License-Identifier: GPL-2.0
/*
 * Spec 2.2 (S01-S11): where struct zcrx_stats may be placed in the refill
 * ring region, zcrx_validate_notif_stats() (zcrx.c:935-960).
 *
 * Every offset is computed from the IORING_REGISTER_QUERY answers
 * (rq_used_bytes(), stats_size, stats_off_alignment) and from the region
 * size, itself derived as PAGE_ALIGN(used + stats_size): the spec's 4096
 * (rq 128), 8192 (rq 256) and 129 pages (rq 32768).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zcrx_lib.h"

/*
 * IO_RQ_MAX_ENTRIES (zcrx.c:369) is neither in the uapi nor in any query
 * answer. It only picks the CLAMP input; the success variant checks it
 * against the rq_entries the kernel writes back.
 */
#define SPEC_RQ_MAX	32768U

static size_t stats_size(void)
{
	return zcrx_caps()->event.stats_size;
}

static size_t stats_align(void)
{
	return zcrx_caps()->event.stats_off_alignment;
}

static size_t region_for(size_t used)
{
	return page_align(used + stats_size());
}

/* ---- S01-S09: one registration per candidate offset ----------------------- */

enum off_base {
	AT_ZERO,	/* 0; with a negative delta it wraps to 2^64 - x */
	AT_USED,	/* rq_used_bytes(rq'): first byte after the rqes */
	AT_END,		/* region - stats_size: the last offset that fits */
	AT_UNROUNDED,	/* rqes + 16 * rq_entries as passed, before roundup */
	AT_HIGH,	/* 2^32 + used */
};

FIXTURE(stats_off) {
	struct io_uring ring;
	bool ring_ok;
	struct zcrx_ifq z;
};

FIXTURE_VARIANT(stats_off) {
	unsigned int rq_in;	/* rq_entries passed in */
	bool clamp;		/* IORING_SETUP_CLAMP on the ring */
	enum off_base base;
	int n_align;		/* + n_align * stats_off_alignment */
	int n_stats;		/* + n_stats * stats_size */
	bool half_align;	/* + stats_off_alignment / 2 */
	int bytes;		/* + bytes */
	int expect;		/* 0 or -errno */
	const char *row;
};

/* S01: alignment, checked before anything else */
FIXTURE_VARIANT_ADD(stats_off, used_plus_half_align__S01) {
	.rq_in = RQ_ENTRIES, .base = AT_USED, .half_align = true,
	.expect = -EINVAL, .row = "S01" };
FIXTURE_VARIANT_ADD(stats_off, one_below_used_unaligned__S01) {
	.rq_in = RQ_ENTRIES, .base = AT_ZERO, .bytes = 1,
	.expect = -EINVAL, .row = "S01" };
FIXTURE_VARIANT_ADD(stats_off, u64_max_unaligned_overflow__S01) {
	.rq_in = RQ_ENTRIES, .base = AT_ZERO, .bytes = -1,
	.expect = -EINVAL, .row = "S01" };
/* S02: below the end of the refill ring */
FIXTURE_VARIANT_ADD(stats_off, used_minus_align__S02) {
	.rq_in = RQ_ENTRIES, .base = AT_USED, .n_align = -1,
	.expect = -ERANGE, .row = "S02" };
FIXTURE_VARIANT_ADD(stats_off, unrounded_rq100_end__S02) {
	.rq_in = 100, .base = AT_UNROUNDED,
	.expect = -ERANGE, .row = "S02" };
FIXTURE_VARIANT_ADD(stats_off, clamp_rq_max_used_minus_align__S02) {
	.rq_in = 2 * SPEC_RQ_MAX, .clamp = true, .base = AT_USED, .n_align = -1,
	.expect = -ERANGE, .row = "S02" };
/* S03: exactly at the end of the refill ring */
FIXTURE_VARIANT_ADD(stats_off, at_used__S03) {
	.rq_in = RQ_ENTRIES, .base = AT_USED, .expect = 0, .row = "S03" };
FIXTURE_VARIANT_ADD(stats_off, rq256_at_used__S03) {
	.rq_in = 2 * RQ_ENTRIES, .base = AT_USED, .expect = 0, .row = "S03" };
FIXTURE_VARIANT_ADD(stats_off, clamp_rq_max_at_used__S03) {
	.rq_in = 2 * SPEC_RQ_MAX, .clamp = true, .base = AT_USED,
	.expect = 0, .row = "S03" };
FIXTURE_VARIANT_ADD(stats_off, rq100_at_rounded_used__S03) {
	.rq_in = 100, .base = AT_USED, .expect = 0, .row = "S03" };
/* S04: aligned to stats_off_alignment only, not to the struct size */
FIXTURE_VARIANT_ADD(stats_off, used_plus_align__S04) {
	.rq_in = RQ_ENTRIES, .base = AT_USED, .n_align = 1,
	.expect = 0, .row = "S04" };
/* S05: stats_offset + stats_size overflows u64 */
FIXTURE_VARIANT_ADD(stats_off, u64_wrap_minus_align__S05) {
	.rq_in = RQ_ENTRIES, .base = AT_ZERO, .n_align = -1,
	.expect = -ERANGE, .row = "S05" };
/* S06: the stats would end past the region */
FIXTURE_VARIANT_ADD(stats_off, region_minus_align__S06) {
	.rq_in = RQ_ENTRIES, .base = AT_END, .n_align = 1,
	.expect = -ERANGE, .row = "S06" };
FIXTURE_VARIANT_ADD(stats_off, region_size__S06) {
	.rq_in = RQ_ENTRIES, .base = AT_END, .n_stats = 1,
	.expect = -ERANGE, .row = "S06" };
FIXTURE_VARIANT_ADD(stats_off, rq256_region_minus_align__S06) {
	.rq_in = 2 * RQ_ENTRIES, .base = AT_END, .n_align = 1,
	.expect = -ERANGE, .row = "S06" };
/* S07: the stats end exactly at the region end */
FIXTURE_VARIANT_ADD(stats_off, region_minus_stats__S07) {
	.rq_in = RQ_ENTRIES, .base = AT_END, .expect = 0, .row = "S07" };
FIXTURE_VARIANT_ADD(stats_off, rq256_region_minus_stats__S07) {
	.rq_in = 2 * RQ_ENTRIES, .base = AT_END, .expect = 0, .row = "S07" };
/* S08: bits above 31 are not dropped on a 64-bit kernel */
FIXTURE_VARIANT_ADD(stats_off, high_bits_plus_used__S08) {
	.rq_in = RQ_ENTRIES, .base = AT_HIGH, .expect = -ERANGE, .row = "S08" };
/* S09: STATS flag with offset 0 (the refill ring header is there) */
FIXTURE_VARIANT_ADD(stats_off, zero__S02_S09) {
	.rq_in = RQ_ENTRIES, .base = AT_ZERO, .expect = -ERANGE, .row = "S09" };

FIXTURE_SETUP(stats_off)
{
	unsigned int flags = ZCRX_RING_FLAGS | (variant->clamp ? IORING_SETUP_CLAMP : 0);

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, ring_create(&self->ring, flags)) TH_LOG("%s: ring set-up", variant->row);
	self->ring_ok = true;
}

FIXTURE_TEARDOWN(stats_off)
{
	ifq_release(&self->z);
	if (self->ring_ok)
		io_uring_queue_exit(&self->ring);
}

TEST_F(stats_off, validate__S01_S09)
{
	const char *row = variant->row;
	unsigned int rq_eff = variant->rq_in;
	size_t used, region, align = stats_align();
	uint64_t off = 0;
	volatile struct zcrx_stats *st;
	int ret;

	if (variant->clamp && rq_eff > SPEC_RQ_MAX)
		rq_eff = SPEC_RQ_MAX;
	while (rq_eff & (rq_eff - 1))	/* roundup_pow_of_two, zcrx.c:1004 */
		rq_eff += rq_eff & -rq_eff;
	used = rq_used_bytes(rq_eff);
	region = region_for(used);
	ASSERT_NE(0U, align) TH_LOG("%s: query gave stats_off_alignment 0", row);
	ASSERT_GE(region, used + stats_size()) TH_LOG("%s: geometry", row);

	switch (variant->base) {
	case AT_ZERO:
		off = 0;
		break;
	case AT_USED:
		off = used;
		break;
	case AT_END:
		off = region - stats_size();
		break;
	case AT_UNROUNDED:
		off = rq_rqes_offset() + (uint64_t)variant->rq_in *
		      sizeof(struct io_uring_zcrx_rqe);
		break;
	case AT_HIGH:
		off = (1ULL << 32) + used;
		break;
	}
	off += (int64_t)variant->n_align * (int64_t)align;
	off += (int64_t)variant->n_stats * (int64_t)stats_size();
	off += (int64_t)variant->bytes;
	if (variant->half_align)
		off += align / 2;

	/* the variant really is what its name says, with these query answers */
	if (variant->expect == -EINVAL) {
		ASSERT_NE(0U, off % align) TH_LOG("%s: offset %#llx must be unaligned", row,
						   (unsigned long long)off);
	} else {
		ASSERT_EQ(0U, off % align) TH_LOG("%s: offset %#llx must be aligned", row,
						  (unsigned long long)off);
	}
	if (variant->n_align == 1 && variant->expect == 0) {
		ASSERT_NE(0U, off % stats_size())
			TH_LOG("S04: offset %llu is a multiple of stats_size %zu: not a S04 case",
			       (unsigned long long)off, stats_size());
	}

	TH_LOG("%s: rq_entries %u (effective %u), used %zu, region %zu, stats_offset %#llx",
	       row, variant->rq_in, rq_eff, used, region, (unsigned long long)off);

	ifq_init(&self->z, variant->rq_in, region, AREA_PAGES);
	ASSERT_NE(NULL, self->z.area_mem) TH_LOG("%s: area mmap", row);
	ifq_set_events(&self->z, EVENT_UD, 0, ZCRX_EVENT_DESC_FLAG_STATS, off);
	ret = ifq_register(&self->ring, &self->z);
	EXPECT_EQ(variant->expect, ret)
		TH_LOG("%s: stats_offset %#llx with used %zu and region %zu", row,
		       (unsigned long long)off, used, region);

	if (ret == 0) {
		EXPECT_EQ(rq_eff, self->z.reg.rq_entries)
			TH_LOG("%s: rq_entries written back (rounded/clamped)", row);
		EXPECT_EQ((__u32)rq_rqes_offset(), self->z.reg.offsets.rqes)
			TH_LOG("%s: rqes offset agrees with the query answer", row);
		ASSERT_NE(NULL, self->z.region) TH_LOG("%s: mmap of rd.mmap_offset", row);
		st = ifq_stats(&self->z);
		EXPECT_EQ(0ULL, st->copy_count) TH_LOG("%s: copy_count starts at 0", row);
		EXPECT_EQ(0ULL, st->copy_bytes) TH_LOG("%s: copy_bytes starts at 0", row);
		return;
	}
	if (variant->expect == 0)
		return;

	/*
	 * Control: the same geometry with the stats at the first valid offset
	 * registers, so the error above came from the offset alone (a bad
	 * geometry would give EINVAL too, R26).
	 */
	self->z.reg.rq_entries = variant->rq_in;
	self->z.reg.zcrx_id = 0;
	self->z.desc.stats_offset = used;
	EXPECT_EQ(0, ifq_register(&self->ring, &self->z))
		TH_LOG("%s control: same geometry with stats_offset = used (%zu) must register",
		       row, used);
}

/* ---- S10: a user-provided region shows exactly which bytes are zeroed ---- */

#define FILL 0xFF

TEST(user_region_zeroes_exactly_stats__S10)
{
	size_t used = rq_used_bytes(RQ_ENTRIES);
	size_t region = region_for(used + stats_size());
	size_t sz = stats_size();
	uint64_t offs[3];
	struct zcrx_ifq z[4];
	struct io_uring ring;

	REQUIRE(zcrx_events_missing());
	/* after the ring, one struct further, and the last slot of the region */
	offs[0] = used;
	offs[1] = used + sz;
	offs[2] = region - sz;
	ASSERT_EQ(0, ring_create(&ring, ZCRX_RING_FLAGS));

	for (int i = 0; i < 3; i++) {
		volatile struct zcrx_stats *st;
		unsigned char *m;

		ifq_init(&z[i], RQ_ENTRIES, region, AREA_PAGES);
		ifq_use_user_region(&z[i], FILL);
		ASSERT_TRUE(z[i].user_region) TH_LOG("S10: user region mmap");
		ifq_set_events(&z[i], EVENT_UD, 0, ZCRX_EVENT_DESC_FLAG_STATS, offs[i]);
		ASSERT_EQ(0, ifq_register(&ring, &z[i]))
			TH_LOG("S10: register with stats at %llu", (unsigned long long)offs[i]);
		m = z[i].region;
		st = ifq_stats(&z[i]);
		EXPECT_EQ((void *)(m + offs[i]), (void *)st)
			TH_LOG("S10: stats live at region + stats_offset");
		EXPECT_EQ(0ULL, st->copy_count)
			TH_LOG("S10: copy_count zeroed at %llu", (unsigned long long)offs[i]);
		EXPECT_EQ(0ULL, st->copy_bytes)
			TH_LOG("S10: copy_bytes zeroed at %llu", (unsigned long long)offs[i]);
		EXPECT_EQ(~0ULL, *(uint64_t *)(m + offs[i] - stats_align()))
			TH_LOG("S10: the word before the stats keeps 0xFF..FF");
		/* everything after the ring header except the 16 bytes is untouched */
		EXPECT_TRUE(all_bytes(m, rq_rqes_offset(), offs[i], FILL))
			TH_LOG("S10: bytes %zu..%llu must keep 0x%02x", rq_rqes_offset(),
			       (unsigned long long)offs[i], FILL);
		EXPECT_TRUE(all_bytes(m, offs[i], offs[i] + sz, 0))
			TH_LOG("S10: exactly the %zu stats bytes are zeroed", sz);
		EXPECT_TRUE(all_bytes(m, offs[i] + sz, region, FILL))
			TH_LOG("S10: bytes %llu..%zu must keep 0x%02x",
			       (unsigned long long)(offs[i] + sz), region, FILL);
	}

	/* control: without the STATS flag nothing past the header is written */
	ifq_init(&z[3], RQ_ENTRIES, region, AREA_PAGES);
	ifq_use_user_region(&z[3], FILL);
	ASSERT_TRUE(z[3].user_region) TH_LOG("S10: user region mmap");
	ASSERT_EQ(0, ifq_register(&ring, &z[3])) TH_LOG("S10 control: register, no desc");
	EXPECT_TRUE(all_bytes(z[3].region, rq_rqes_offset(), region, FILL))
		TH_LOG("S10 control: no stats, so bytes %zu..%zu keep 0x%02x",
		       rq_rqes_offset(), region, FILL);

	io_uring_queue_exit(&ring);
	for (int i = 0; i < 4; i++)
		ifq_release(&z[i]);
}

/* ---- S11: kernel-allocated regions start zeroed ----------------------------- */

TEST(kernel_region_already_zero__S11)
{
	size_t used = rq_used_bytes(RQ_ENTRIES);
	size_t region = region_for(used);
	struct zcrx_ifq plain, stats;
	volatile struct zcrx_stats *st;
	struct io_uring ring;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, ring_create(&ring, ZCRX_RING_FLAGS));

	/* no desc: whatever we read is what io_create_region gave us */
	ifq_init(&plain, RQ_ENTRIES, region, AREA_PAGES);
	ASSERT_EQ(0, ifq_register(&ring, &plain)) TH_LOG("S11: register without desc");
	ASSERT_NE(NULL, plain.region) TH_LOG("S11: mmap of rd.mmap_offset");
	EXPECT_TRUE(all_bytes(plain.region, 0, region, 0))
		TH_LOG("S11: a kernel region without stats is all zero (%zu bytes)", region);

	ifq_init(&stats, RQ_ENTRIES, region, AREA_PAGES);
	ifq_set_events(&stats, EVENT_UD, 0, ZCRX_EVENT_DESC_FLAG_STATS, region - stats_size());
	ASSERT_EQ(0, ifq_register(&ring, &stats)) TH_LOG("S11: register with stats");
	ASSERT_NE(NULL, stats.region) TH_LOG("S11: mmap of rd.mmap_offset");
	st = ifq_stats(&stats);
	EXPECT_EQ(0ULL, st->copy_count) TH_LOG("S11: copy_count");
	EXPECT_EQ(0ULL, st->copy_bytes) TH_LOG("S11: copy_bytes");
	EXPECT_TRUE(all_bytes(stats.region, 0, region, 0))
		TH_LOG("S11: the region with stats is all zero: the memset is not observable");

	io_uring_queue_exit(&ring);
	ifq_release(&plain);
	ifq_release(&stats);
}

TEST_HARNESS_MAIN
