// SPDX-License-Identifier: GPL-2.0
/*
 * Spec 2.1 (R01-R35 except R30): io_register_zcrx, IORING_REGISTER_ZCRX_IFQ.
 * Error rows and their evaluation order are one variant table ("bad"): each
 * variant mutates a default NODEV registration and names the row it
 * establishes. R30 (netdev-only errors) needs a zcrx-capable NIC and is not
 * here. R25 (allocation failure) needs fault injection (fail-nth, failslab)
 * and skips without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "register.h"

#define BAD_FD		999999

/* Refill-ring region size (page multiple) that fits @rq entries. */
static size_t region_for(unsigned int rq)
{
	return page_align(rq_used_bytes(rq));
}

static void *map_prot(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A mapped but inaccessible page (kept mapped so nothing else lands there). */
static void *unreadable(void)
{
	return map_prot(page_size(), PROT_NONE);
}

/* Copy the first @readable bytes of @src so that they end exactly where an
 * inaccessible page starts: the object's remaining bytes cannot be read.
 */
static void *place_tail(const void *src, size_t readable)
{
	char *p = map_prot(2 * page_size(), PROT_READ | PROT_WRITE);

	if (!p)
		return NULL;
	mprotect(p + page_size(), page_size(), PROT_NONE);
	memcpy(p + page_size() - readable, src, readable);
	return p + page_size() - readable;
}

/* A read-only page holding a copy of @src. */
static void *ro_copy(const void *src, size_t len)
{
	void *p = map_prot(page_size(), PROT_READ | PROT_WRITE);

	if (!p)
		return NULL;
	memcpy(p, src, len);
	mprotect(p, page_size(), PROT_READ);
	return p;
}


static struct zcrx_event_desc *desc(struct zcrx_ifq *z)
{
	z->reg.event_desc = (uintptr_t)&z->desc;
	return &z->desc;
}



/* ---- R01 ---------------------------------------------------------------- */

TEST(no_net_admin_eperm_first__R01)
{
	struct io_uring ring, plain;
	struct zcrx_ifq z, imp;
	void *bad = unreadable();

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, ring_create(&ring, ZCRX_RING_FLAGS));
	ASSERT_EQ(0, ring_create(&plain, IORING_SETUP_CQE32));
	ifq_init(&z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, z.area_mem);
	memset(&imp, 0, sizeof(imp));
	imp.reg.flags = ZCRX_REG_IMPORT;
	imp.reg.if_idx = BAD_FD;

	/* with CAP_NET_ADMIN the bad inputs fail in their own ways ... */
	EXPECT_EQ(-EINVAL, raw_register(plain.ring_fd, IORING_REGISTER_ZCRX_IFQ, &z.reg, 1))
		TH_LOG("R01 contrast: no DEFER_TASKRUN with the capability");
	EXPECT_EQ(-EFAULT, raw_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, bad, 1))
		TH_LOG("R01 contrast: unreadable arg with the capability");
	EXPECT_EQ(-EBADF, raw_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, &imp.reg, 1))
		TH_LOG("R01 contrast: IMPORT of a bad fd with the capability");

	/* ... and without it every one of them, and a valid one, is EPERM */
	ASSERT_EQ(0, drop_capability(CAP_NET_ADMIN)) TH_LOG("R01: capset dropping CAP_NET_ADMIN");
	EXPECT_EQ(-EPERM, raw_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, &z.reg, 1))
		TH_LOG("R01: valid NODEV registration without CAP_NET_ADMIN");
	EXPECT_EQ(-EPERM, raw_register(plain.ring_fd, IORING_REGISTER_ZCRX_IFQ, &z.reg, 1))
		TH_LOG("R01: EPERM comes before the ring-flag checks");
	EXPECT_EQ(-EPERM, raw_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, bad, 1))
		TH_LOG("R01: EPERM comes before reading arg");
	EXPECT_EQ(-EPERM, raw_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, &imp.reg, 1))
		TH_LOG("R01: EPERM comes before the IMPORT path");
	EXPECT_EQ(-ENXIO, flush_rq(ring.ring_fd, 0)) TH_LOG("R01: nothing was registered");
	EXPECT_EQ(0, vm_pinned_kb()) TH_LOG("R01: nothing was pinned");
	ifq_release(&z);
	io_uring_queue_exit(&plain);
	io_uring_queue_exit(&ring);
}

/* ---- error rows: one mutation of the default registration each ------------ */


FIXTURE(bad) {
	struct io_uring ring;
	struct zcrx_ifq z;
};

FIXTURE_VARIANT(bad) {
	mutator mut;		/* returns the arg to pass, or NULL for &z->reg */
	__u64 val;
	int err;		/* expected errno; 0 for success */
	bool events;		/* needs the 7.3 events API */
	bool v73;		/* an ordering of the 7.3 code (zcrx_pre73) */
	unsigned int ring_flags;	/* 0: ZCRX_RING_FLAGS */
	const char *what;
};

FIXTURE_SETUP(bad)
{
	unsigned int flags = variant->ring_flags ? variant->ring_flags : ZCRX_RING_FLAGS;

	ASSERT_EQ(0, ring_create(&self->ring, flags));
	ifq_init(&self->z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, self->z.area_mem);
}

FIXTURE_TEARDOWN(bad)
{
	ifq_release(&self->z);
	io_uring_queue_exit(&self->ring);
}

TEST_F(bad, rejected)
{
	void *arg;
	int ret;

	if (variant->events)
		REQUIRE(zcrx_events_missing());
	else
		REQUIRE(zcrx_nodev_missing());
	if (variant->v73)
		REQUIRE(zcrx_pre73(), "this check order is the 7.3 code's");
	arg = variant->mut(&self->z, variant->val);
	ret = raw_register(self->ring.ring_fd, IORING_REGISTER_ZCRX_IFQ,
			   arg ? arg : &self->z.reg, 1);
	EXPECT_EQ(-variant->err, ret)
		TH_LOG("%s: got %d (%s)", variant->what, ret, strerror(-ret));
}

/* R02/R03 (the ring is the variant) and R04: arg itself */
static void *m_none(struct zcrx_ifq *z, __u64 v) { (void)z; (void)v; return NULL; }
static void *m_arg_unreadable(struct zcrx_ifq *z, __u64 v) { (void)z; (void)v; return unreadable(); }
static void *m_arg_tail(struct zcrx_ifq *z, __u64 v) { return place_tail(&z->reg, v); }

#define RING_NO_DEFER	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32)
#define RING_NO_CQE32	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN)

FIXTURE_VARIANT_ADD(bad, no_defer_taskrun__R02) {
	.mut = m_none, .err = EINVAL, .ring_flags = RING_NO_DEFER,
	.what = "R02: ring SINGLE_ISSUER|CQE32 without DEFER_TASKRUN" };
FIXTURE_VARIANT_ADD(bad, cqe32_only__R02) {
	.mut = m_none, .err = EINVAL, .ring_flags = IORING_SETUP_CQE32,
	.what = "R02: ring with only CQE32" };
FIXTURE_VARIANT_ADD(bad, no_defer_before_arg__R02_R04) {
	.mut = m_arg_unreadable, .err = EINVAL, .ring_flags = RING_NO_DEFER,
	.what = "R02: ring check precedes reading arg (unreadable arg)" };
FIXTURE_VARIANT_ADD(bad, no_cqe32__R03) {
	.mut = m_none, .err = EINVAL, .ring_flags = RING_NO_CQE32,
	.what = "R03: DEFER_TASKRUN ring with neither CQE32 nor CQE_MIXED" };
FIXTURE_VARIANT_ADD(bad, no_cqe32_before_arg__R03_R04) {
	.mut = m_arg_unreadable, .err = EINVAL, .ring_flags = RING_NO_CQE32,
	.what = "R03: CQE-size check precedes reading arg (unreadable arg)" };
FIXTURE_VARIANT_ADD(bad, arg_unreadable__R04) {
	.mut = m_arg_unreadable, .err = EFAULT,
	.what = "R04: arg on an inaccessible page" };
FIXTURE_VARIANT_ADD(bad, arg_last_byte_unreadable__R04) {
	.mut = m_arg_tail, .val = sizeof(struct io_uring_zcrx_ifq_reg) - 1, .err = EFAULT,
	.what = "R04: last byte of arg unreadable" };

/* R05 */
static void *m_resv(struct zcrx_ifq *z, __u64 v) { z->reg.__resv[v] = 1; return NULL; }
static void *m_zcrx_id(struct zcrx_ifq *z, __u64 v) { z->reg.zcrx_id = v; return NULL; }

FIXTURE_VARIANT_ADD(bad, resv0__R05) {
	.mut = m_resv, .val = 0, .err = EINVAL, .what = "R05: reg.__resv[0] (offset 80) = 1" };
FIXTURE_VARIANT_ADD(bad, resv1__R05) {
	.mut = m_resv, .val = 1, .err = EINVAL, .what = "R05: reg.__resv[1] (offset 88) = 1" };
FIXTURE_VARIANT_ADD(bad, zcrx_id_1__R05) {
	.mut = m_zcrx_id, .val = 1, .err = EINVAL, .what = "R05: input zcrx_id = 1" };
FIXTURE_VARIANT_ADD(bad, zcrx_id_max__R05) {
	.mut = m_zcrx_id, .val = 0xFFFFFFFF, .err = EINVAL, .what = "R05: input zcrx_id = ~0" };
FIXTURE_VARIANT_ADD(bad, resv_before_region__R05_R08) {
	.mut = m_resv1_region0, .err = EINVAL,
	.what = "R05: __resv[1] check precedes reading region_ptr (region_ptr 0)" };

/* R06, R07 */
static void *m_flags(struct zcrx_ifq *z, __u64 v) { z->reg.flags = v; return NULL; }
static void *m_import_badfd(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	memset(&z->reg, 0, sizeof(z->reg));
	z->reg.flags = ZCRX_REG_IMPORT;
	z->reg.if_idx = BAD_FD;
	return NULL;
}
static void *m_nodev_empty(struct zcrx_ifq *z, __u64 v)
{
	m_import_badfd(z, v);
	z->reg.flags = ZCRX_REG_NODEV;
	z->reg.if_idx = 0;
	return NULL;
}

FIXTURE_VARIANT_ADD(bad, flags_bit2__R06) {
	.mut = m_flags, .val = 4, .err = EINVAL, .what = "R06: reg.flags = 4" };
FIXTURE_VARIANT_ADD(bad, flags_nodev_bit2__R06) {
	.mut = m_flags, .val = ZCRX_REG_NODEV | 4, .err = EINVAL, .what = "R06: reg.flags = NODEV|4" };
FIXTURE_VARIANT_ADD(bad, flags_bit31__R06) {
	.mut = m_flags, .val = 0x80000000, .err = EINVAL, .what = "R06: reg.flags = 1<<31" };
FIXTURE_VARIANT_ADD(bad, flags_before_region__R06_R08) {
	.mut = m_flags_region0, .val = ZCRX_REG_NODEV | 8, .err = EINVAL,
	.what = "R06: flags check precedes reading region_ptr (region_ptr 0)" };
FIXTURE_VARIANT_ADD(bad, import_takes_import_path__R07) {
	.mut = m_import_badfd, .err = EBADF,
	.what = "R07: IMPORT with region_ptr 0 goes to import_zcrx (bad fd: EBADF, not EFAULT)" };
FIXTURE_VARIANT_ADD(bad, import_contrast_nodev__R07_R08) {
	.mut = m_nodev_empty, .err = EFAULT,
	.what = "R07 contrast: the same empty reg with NODEV instead of IMPORT reads region_ptr 0" };

/* R08 */
static void *m_region_ptr(struct zcrx_ifq *z, __u64 v) { z->reg.region_ptr = v; return NULL; }
static void *m_region_unreadable(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->reg.region_ptr = (uintptr_t)unreadable();
	return NULL;
}
static void *m_region_tail(struct zcrx_ifq *z, __u64 v)
{
	z->reg.region_ptr = (uintptr_t)place_tail(&z->rd, v);
	return NULL;
}

FIXTURE_VARIANT_ADD(bad, region_ptr_null__R08) {
	.mut = m_region_ptr, .val = 0, .err = EFAULT, .what = "R08: region_ptr = 0" };
FIXTURE_VARIANT_ADD(bad, region_unreadable__R08) {
	.mut = m_region_unreadable, .err = EFAULT, .what = "R08: region desc on an inaccessible page" };
FIXTURE_VARIANT_ADD(bad, region_last_byte_unreadable__R08) {
	.mut = m_region_tail, .val = sizeof(struct io_uring_region_desc) - 1, .err = EFAULT,
	.what = "R08: last byte of the region desc unreadable" };
FIXTURE_VARIANT_ADD(bad, region_before_rq__R08_R09) {
	.mut = m_region0_rq0, .err = EFAULT,
	.what = "R08: region_ptr read precedes the rq_entries check (rq 0)" };

/* R09, R10, R29 (no desc) */
static void *m_rq(struct zcrx_ifq *z, __u64 v) { z->reg.rq_entries = v; return NULL; }
static void *m_nonodev(struct zcrx_ifq *z, __u64 v) { (void)v; non_nodev(z); return NULL; }
static void *m_nonodev_rxq(struct zcrx_ifq *z, __u64 v)
{
	non_nodev(z);
	z->reg.if_rxq = v;
	return NULL;
}
static void *m_nonodev_rq(struct zcrx_ifq *z, __u64 v)
{
	non_nodev(z);
	z->reg.rq_entries = v;
	return NULL;
}
static void *m_if_idx(struct zcrx_ifq *z, __u64 v) { z->reg.if_idx = v; return NULL; }
static void *m_if_rxq(struct zcrx_ifq *z, __u64 v) { z->reg.if_rxq = v; return NULL; }

FIXTURE_VARIANT_ADD(bad, netdev_path_enodev__R29) {
	.mut = m_nonodev, .err = ENODEV,
	.what = "R29: flags 0, if_idx 9999, no event_desc reaches the netdev lookup" };
FIXTURE_VARIANT_ADD(bad, if_rxq_all_ones__R09) {
	.mut = m_nonodev_rxq, .val = 0xFFFFFFFF, .err = EINVAL,
	.what = "R09: if_rxq = ~0 (flags 0, if_idx 9999: EINVAL, not ENODEV)" };
FIXTURE_VARIANT_ADD(bad, rq_zero_nodev__R09) {
	.mut = m_rq, .val = 0, .err = EINVAL, .what = "R09: NODEV rq_entries = 0" };
FIXTURE_VARIANT_ADD(bad, rq_zero_netdev__R09) {
	.mut = m_nonodev_rq, .val = 0, .err = EINVAL,
	.what = "R09: rq_entries = 0 (flags 0, if_idx 9999: EINVAL, not ENODEV)" };
FIXTURE_VARIANT_ADD(bad, nodev_if_idx__R10) {
	.mut = m_if_idx, .val = 1, .err = EINVAL, .what = "R10: NODEV with if_idx 1" };
FIXTURE_VARIANT_ADD(bad, nodev_if_rxq__R10) {
	.mut = m_if_rxq, .val = 1, .err = EINVAL, .what = "R10: NODEV with if_rxq 1" };

/* R11 (boundary 32768 itself is in the rq table), R14, R15 */
static void *m_area_ptr(struct zcrx_ifq *z, __u64 v) { z->reg.area_ptr = v; return NULL; }
static void *m_area_unreadable(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->reg.area_ptr = (uintptr_t)unreadable();
	return NULL;
}
static void *m_area_tail(struct zcrx_ifq *z, __u64 v)
{
	z->reg.area_ptr = (uintptr_t)place_tail(&z->area, v);
	return NULL;
}
static void *m_token(struct zcrx_ifq *z, __u64 v) { z->area.rq_area_token = v; return NULL; }
static void *m_token_rduser0(struct zcrx_ifq *z, __u64 v)
{
	z->area.rq_area_token = v;
	z->rd.flags = IORING_MEM_REGION_TYPE_USER;	/* no user_addr: EFAULT */
	return NULL;
}

FIXTURE_VARIANT_ADD(bad, rq_32769__R11) {
	.mut = m_rq, .val = 32769, .err = EINVAL, .what = "R11: rq_entries 32769 without CLAMP" };
FIXTURE_VARIANT_ADD(bad, rq_all_ones__R11) {
	.mut = m_rq, .val = 0xFFFFFFFF, .err = EINVAL, .what = "R11: rq_entries ~0 without CLAMP" };
FIXTURE_VARIANT_ADD(bad, rq_max_before_area__R11_R14) {
	.mut = m_rq_area0, .val = 32769, .err = EINVAL,
	.what = "R11: rq limit check precedes reading area_ptr (area_ptr 0)" };
FIXTURE_VARIANT_ADD(bad, area_ptr_null__R14) {
	.mut = m_area_ptr, .val = 0, .err = EFAULT, .what = "R14: area_ptr = 0" };
FIXTURE_VARIANT_ADD(bad, area_unreadable__R14) {
	.mut = m_area_unreadable, .err = EFAULT, .what = "R14: area reg on an inaccessible page" };
FIXTURE_VARIANT_ADD(bad, area_last_byte_unreadable__R14) {
	.mut = m_area_tail, .val = sizeof(struct io_uring_zcrx_area_reg) - 1, .err = EFAULT,
	.what = "R14: last byte of the area reg unreadable" };
FIXTURE_VARIANT_ADD(bad, area_before_region__R14_R27) {
	.mut = m_area0_rdsize0, .err = EFAULT,
	.what = "R14: area read precedes region validation (rd.size 0)" };
FIXTURE_VARIANT_ADD(bad, token_1__R15) {
	.mut = m_token, .val = 1, .err = EINVAL, .what = "R15: area.rq_area_token = 1" };
FIXTURE_VARIANT_ADD(bad, token_area1__R15) {
	.mut = m_token, .val = 1ULL << IORING_ZCRX_AREA_SHIFT, .err = EINVAL,
	.what = "R15: area.rq_area_token = 1 << IORING_ZCRX_AREA_SHIFT" };
FIXTURE_VARIANT_ADD(bad, token_before_region__R15_R27) {
	.mut = m_token_rduser0, .val = 1, .err = EINVAL, .v73 = true,
	.what = "R15: token check precedes region creation (USER flag without addr: EFAULT)" };

/* R17, R18 */
static void *m_desc_ptr(struct zcrx_ifq *z, __u64 v) { z->reg.event_desc = v; return NULL; }
static void *m_desc_unreadable(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->reg.event_desc = (uintptr_t)unreadable();
	return NULL;
}
static void *m_desc_tail(struct zcrx_ifq *z, __u64 v)
{
	z->reg.event_desc = (uintptr_t)place_tail(&z->desc, v);
	return NULL;
}
static void *m_desc_bad_rdsize0(struct zcrx_ifq *z, __u64 v)
{
	z->reg.event_desc = v;
	z->rd.size = 0;
	return NULL;
}
static void *m_desc_bad_rq256(struct zcrx_ifq *z, __u64 v)
{
	z->reg.event_desc = v;
	z->reg.rq_entries = 256;	/* does not fit REGION_SZ: R26 */
	return NULL;
}

FIXTURE_VARIANT_ADD(bad, desc_ptr_8__R17) {
	.mut = m_desc_ptr, .val = 8, .err = EFAULT, .events = true, .what = "R17: event_desc = 8" };
FIXTURE_VARIANT_ADD(bad, desc_unreadable__R17) {
	.mut = m_desc_unreadable, .err = EFAULT, .events = true,
	.what = "R17: event_desc on an inaccessible page" };
FIXTURE_VARIANT_ADD(bad, desc_8_readable__R17) {
	.mut = m_desc_tail, .val = 8, .err = EFAULT, .events = true,
	.what = "R17: only the first 8 bytes of the desc readable" };
FIXTURE_VARIANT_ADD(bad, desc_last_byte_unreadable__R17) {
	.mut = m_desc_tail, .val = sizeof(struct zcrx_event_desc) - 1, .err = EFAULT, .events = true,
	.what = "R17: last byte of the 96-byte desc unreadable" };
FIXTURE_VARIANT_ADD(bad, desc_before_rd_size0__R18) {
	.mut = m_desc_bad_rdsize0, .val = 8, .err = EFAULT, .events = true,
	.what = "R18: bad desc ptr with rd.size 0: EFAULT, not EINVAL" };
FIXTURE_VARIANT_ADD(bad, desc_before_ring_fit__R18_R26) {
	.mut = m_desc_bad_rq256, .val = 8, .err = EFAULT, .events = true,
	.what = "R18: bad desc ptr with a ring too big for the region: EFAULT" };

/* R19, R21, R22, R23 */
static void *m_type_mask(struct zcrx_ifq *z, __u64 v) { desc(z)->type_mask = v; return NULL; }
static void *m_type_mask_rduser0(struct zcrx_ifq *z, __u64 v)
{
	desc(z)->type_mask = v;
	z->rd.flags = IORING_MEM_REGION_TYPE_USER;
	return NULL;
}
static void *m_type_mask_stats0(struct zcrx_ifq *z, __u64 v)
{
	desc(z)->type_mask = v;
	z->desc.flags = ZCRX_EVENT_DESC_FLAG_STATS;	/* offset 0: ERANGE */
	return NULL;
}
static void *m_desc_flags(struct zcrx_ifq *z, __u64 v)
{
	desc(z)->flags = v;
	if (v & ZCRX_EVENT_DESC_FLAG_STATS)
		z->desc.stats_offset = stats_ok(z);
	return NULL;
}
static void *m_nostats_offset(struct zcrx_ifq *z, __u64 v)
{
	desc(z)->stats_offset = v ? v : stats_ok(z);
	z->desc.type_mask = (1u << __ZCRX_EVENT_TYPE_LAST) - 1;
	return NULL;
}
static void *m_resv2(struct zcrx_ifq *z, __u64 v) { desc(z)->__resv2[v] = 1; return NULL; }
static void *m_resv2_top(struct zcrx_ifq *z, __u64 v) { desc(z)->__resv2[v] = 1ULL << 63; return NULL; }


FIXTURE_VARIANT_ADD(bad, mask_first_unknown_bit__R19) {
	.mut = m_type_mask, .val = BAD_MASK_LOW, .err = EINVAL, .events = true,
	.what = "R19: type_mask = 1 << __ZCRX_EVENT_TYPE_LAST" };
FIXTURE_VARIANT_ADD(bad, mask_known_plus_unknown__R19) {
	.mut = m_type_mask, .val = ALL_TYPES | BAD_MASK_LOW, .err = EINVAL, .events = true,
	.what = "R19: type_mask = all types | next bit" };
FIXTURE_VARIANT_ADD(bad, mask_bit31__R19) {
	.mut = m_type_mask, .val = 0x80000000, .err = EINVAL, .events = true,
	.what = "R19: type_mask = 1<<31" };
FIXTURE_VARIANT_ADD(bad, mask_all_ones__R19) {
	.mut = m_type_mask, .val = 0xFFFFFFFF, .err = EINVAL, .events = true,
	.what = "R19: type_mask = ~0" };
FIXTURE_VARIANT_ADD(bad, mask_before_region__R19_R27) {
	.mut = m_type_mask_rduser0, .val = BAD_MASK_LOW, .err = EINVAL, .events = true,
	.what = "R19: desc check precedes region creation (USER flag without addr: EFAULT)" };
FIXTURE_VARIANT_ADD(bad, mask_before_stats__R19_R28) {
	.mut = m_type_mask_stats0, .val = BAD_MASK_LOW, .err = EINVAL, .events = true,
	.what = "R19: type_mask check precedes stats placement (offset 0: ERANGE)" };
FIXTURE_VARIANT_ADD(bad, desc_flags_bit1__R21) {
	.mut = m_desc_flags, .val = 2, .err = EINVAL, .events = true, .what = "R21: desc.flags = 2" };
FIXTURE_VARIANT_ADD(bad, desc_flags_stats_bit1__R21) {
	.mut = m_desc_flags, .val = ZCRX_EVENT_DESC_FLAG_STATS | 2, .err = EINVAL, .events = true,
	.what = "R21: desc.flags = STATS|2 with a valid stats_offset" };
FIXTURE_VARIANT_ADD(bad, desc_flags_bit31__R21) {
	.mut = m_desc_flags, .val = 0x80000000, .err = EINVAL, .events = true,
	.what = "R21: desc.flags = 1<<31" };
FIXTURE_VARIANT_ADD(bad, offset_without_stats_valid__R22) {
	.mut = m_nostats_offset, .val = 0, .err = EINVAL, .events = true,
	.what = "R22: STATS clear with an otherwise valid stats_offset" };
FIXTURE_VARIANT_ADD(bad, offset_without_stats_1__R22) {
	.mut = m_nostats_offset, .val = 1, .err = EINVAL, .events = true,
	.what = "R22: STATS clear with stats_offset 1" };
FIXTURE_VARIANT_ADD(bad, offset_without_stats_top__R22) {
	.mut = m_nostats_offset, .val = 1ULL << 63, .err = EINVAL, .events = true,
	.what = "R22: STATS clear with stats_offset 1<<63" };
#define RESV2_VARIANT(i)						\
	FIXTURE_VARIANT_ADD(bad, resv2_##i##__R23) {			\
		.mut = m_resv2, .val = i, .err = EINVAL, .events = true,	\
		.what = "R23: desc.__resv2[" #i "] = 1" }
RESV2_VARIANT(0);
RESV2_VARIANT(1);
RESV2_VARIANT(2);
RESV2_VARIANT(3);
RESV2_VARIANT(4);
RESV2_VARIANT(5);
RESV2_VARIANT(6);
RESV2_VARIANT(7);
RESV2_VARIANT(8);
FIXTURE_VARIANT_ADD(bad, resv2_8_top_bit__R23) {
	.mut = m_resv2_top, .val = 8, .err = EINVAL, .events = true,
	.what = "R23: desc.__resv2[8] = 1<<63" };

/* R26, R13 */
static void *m_rq256_rduser0(struct zcrx_ifq *z, __u64 v)
{
	z->reg.rq_entries = v;
	z->rd.flags = IORING_MEM_REGION_TYPE_USER;
	return NULL;
}
static void *m_rq_region_short(struct zcrx_ifq *z, __u64 v)
{
	z->reg.rq_entries = v;
	z->rd.size = region_for(v) - page_size();
	return NULL;
}

FIXTURE_VARIANT_ADD(bad, ring_exceeds_region__R26) {
	.mut = m_rq, .val = 256, .err = EINVAL,
	.what = "R26: rq 256 does not fit a 4096-byte region" };
FIXTURE_VARIANT_ADD(bad, ring_one_page_short__R26) {
	.mut = m_rq_region_short, .val = 1024, .err = EINVAL,
	.what = "R26: rq 1024 with a region one page smaller than needed" };
FIXTURE_VARIANT_ADD(bad, rounded_rq_exceeds_region__R13_R26) {
	.mut = m_rq, .val = 129, .err = EINVAL,
	.what = "R13: rq 129 is rounded to 256 before the fit check (129 entries would fit 4096)" };
FIXTURE_VARIANT_ADD(bad, ring_fit_before_region__R26_R27) {
	.mut = m_rq256_rduser0, .val = 256, .err = EINVAL,
	.what = "R26: fit check precedes region validation (USER flag without addr: EFAULT)" };

/* R27: io_create_region */
static void *m_rd_resv(struct zcrx_ifq *z, __u64 v) { z->rd.__resv[v] = 1; return NULL; }
static void *m_rd_flags(struct zcrx_ifq *z, __u64 v) { z->rd.flags = v; return NULL; }
static void *m_rd_addr_nouser(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->rd.user_addr = (uintptr_t)map_prot(z->rd.size, PROT_READ | PROT_WRITE);
	return NULL;
}
static void *m_rd_mmap_off(struct zcrx_ifq *z, __u64 v) { z->rd.mmap_offset = v; return NULL; }
static void *m_rd_id(struct zcrx_ifq *z, __u64 v) { z->rd.id = v; return NULL; }
static void *m_rd_size(struct zcrx_ifq *z, __u64 v) { z->rd.size = v; return NULL; }
static void *m_rd_size_plus(struct zcrx_ifq *z, __u64 v) { z->rd.size += v; return NULL; }
static void *m_rd_user(struct zcrx_ifq *z, __u64 v)
{
	/* v: PROT of a fresh mapping; ~0: unaligned address in a RW mapping */
	char *p = map_prot(2 * z->rd.size, v == ~0ULL ? PROT_READ | PROT_WRITE : (int)v);

	z->rd.flags = IORING_MEM_REGION_TYPE_USER;
	z->rd.user_addr = (uintptr_t)p + (v == ~0ULL ? 64 : 0);
	return NULL;
}
static void *m_rd_user_wrap(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->rd.flags = IORING_MEM_REGION_TYPE_USER;
	z->rd.user_addr = -(__u64)page_size();		/* page aligned, end wraps */
	z->rd.size = 2 * page_size();
	return NULL;
}

FIXTURE_VARIANT_ADD(bad, rd_resv0__R27) {
	.mut = m_rd_resv, .val = 0, .err = EINVAL, .what = "R27: rd.__resv[0] = 1" };
FIXTURE_VARIANT_ADD(bad, rd_resv3__R27) {
	.mut = m_rd_resv, .val = 3, .err = EINVAL, .what = "R27: rd.__resv[3] = 1" };
FIXTURE_VARIANT_ADD(bad, rd_flags_bit1__R27) {
	.mut = m_rd_flags, .val = 2, .err = EINVAL, .what = "R27: rd.flags = 2" };
FIXTURE_VARIANT_ADD(bad, rd_flags_bit31__R27) {
	.mut = m_rd_flags, .val = 0x80000000, .err = EINVAL, .what = "R27: rd.flags = 1<<31" };
FIXTURE_VARIANT_ADD(bad, rd_user_flag_no_addr__R27) {
	.mut = m_rd_flags, .val = IORING_MEM_REGION_TYPE_USER, .err = EFAULT,
	.what = "R27: USER flag with user_addr 0" };
FIXTURE_VARIANT_ADD(bad, rd_addr_no_user_flag__R27) {
	.mut = m_rd_addr_nouser, .err = EFAULT,
	.what = "R27: user_addr set without the USER flag" };
FIXTURE_VARIANT_ADD(bad, rd_mmap_offset__R27) {
	.mut = m_rd_mmap_off, .val = ZCRX_REGION_MMAP_BASE, .err = EINVAL,
	.what = "R27: input rd.mmap_offset != 0" };
FIXTURE_VARIANT_ADD(bad, rd_id__R27) {
	.mut = m_rd_id, .val = 1, .err = EINVAL, .what = "R27: rd.id = 1" };
FIXTURE_VARIANT_ADD(bad, rd_size0__R27) {
	.mut = m_rd_size, .val = 0, .err = EINVAL, .what = "R27: rd.size = 0" };
FIXTURE_VARIANT_ADD(bad, rd_size_unaligned__R27) {
	.mut = m_rd_size_plus, .val = 8, .err = EINVAL, .what = "R27: rd.size = 4096 + 8" };
FIXTURE_VARIANT_ADD(bad, rd_size_too_many_pages__R27) {
	.mut = m_rd_size, .val = (0x7FFFFFFFULL + 1) << 12, .err = E2BIG,
	.what = "R27: rd.size of INT_MAX+1 pages" };
FIXTURE_VARIANT_ADD(bad, rd_user_addr_unaligned__R27) {
	.mut = m_rd_user, .val = ~0ULL, .err = EINVAL,
	.what = "R27: USER region at a non-page-aligned address" };
FIXTURE_VARIANT_ADD(bad, rd_user_addr_wraps__R27) {
	.mut = m_rd_user_wrap, .err = EOVERFLOW,
	.what = "R27: USER region whose user_addr + size overflows" };
FIXTURE_VARIANT_ADD(bad, rd_user_prot_none__R27) {
	.mut = m_rd_user, .val = PROT_NONE, .err = EFAULT,
	.what = "R27: USER region on PROT_NONE memory (pinning fails)" };
FIXTURE_VARIANT_ADD(bad, rd_user_read_only__R27) {
	.mut = m_rd_user, .val = PROT_READ, .err = EFAULT,
	.what = "R27: USER region on read-only memory (FOLL_WRITE pin fails)" };

/* R28: stats placement runs after region creation, before the area */
static void *m_stats_then(struct zcrx_ifq *z, __u64 off)
{
	desc(z)->flags = ZCRX_EVENT_DESC_FLAG_STATS;
	z->desc.stats_offset = off == ~0ULL ? stats_ok(z) + 1 : off;
	return NULL;
}
static void *m_stats0_rd_id(struct zcrx_ifq *z, __u64 v)
{
	m_stats_then(z, v);
	z->rd.id = 1;
	return NULL;
}
static void *m_stats0_rq256(struct zcrx_ifq *z, __u64 v)
{
	m_stats_then(z, v);
	z->reg.rq_entries = 256;
	return NULL;
}
static void *m_stats_area_addr0(struct zcrx_ifq *z, __u64 v)
{
	m_stats_then(z, v);
	z->area.addr = 0;
	return NULL;
}
static void *m_stats0_rxbuf(struct zcrx_ifq *z, __u64 v)
{
	m_stats_then(z, v);
	z->reg.rx_buf_len = 3;
	return NULL;
}
static void *m_stats0_dmabuf(struct zcrx_ifq *z, __u64 v)
{
	m_stats_then(z, v);
	z->area.flags = IORING_ZCRX_AREA_DMABUF;
	z->area.addr = 0;
	z->area.dmabuf_fd = BAD_FD;
	return NULL;
}

FIXTURE_VARIANT_ADD(bad, region_before_stats__R28) {
	.mut = m_stats0_rd_id, .val = 0, .err = EINVAL, .events = true,
	.what = "R28: region error (rd.id 1: EINVAL) wins over stats offset 0 (ERANGE)" };
FIXTURE_VARIANT_ADD(bad, ring_fit_before_stats__R28) {
	.mut = m_stats0_rq256, .val = 0, .err = EINVAL, .events = true,
	.what = "R28: ring-fit error (EINVAL) wins over stats offset 0 (ERANGE)" };
FIXTURE_VARIANT_ADD(bad, stats_before_area_import__R28) {
	.mut = m_stats_area_addr0, .val = 0, .err = ERANGE, .events = true,
	.what = "R28: stats offset 0 (ERANGE) wins over area.addr 0 (EFAULT)" };
FIXTURE_VARIANT_ADD(bad, stats_align_before_area_import__R28) {
	.mut = m_stats_area_addr0, .val = ~0ULL, .err = EINVAL, .events = true,
	.what = "R28: misaligned stats (EINVAL) wins over area.addr 0 (EFAULT)" };
FIXTURE_VARIANT_ADD(bad, stats_before_rx_buf_len__R28) {
	.mut = m_stats0_rxbuf, .val = 0, .err = ERANGE, .events = true,
	.what = "R28: stats offset 0 (ERANGE) wins over rx_buf_len 3 (EINVAL)" };
FIXTURE_VARIANT_ADD(bad, stats_before_dmabuf__R28) {
	.mut = m_stats0_dmabuf, .val = 0, .err = ERANGE, .events = true,
	.what = "R28: stats offset 0 (ERANGE) wins over a NODEV DMABUF area (EINVAL)" };

/* R29: the netdev lookup comes after every event/stats check */
static void *m_nonodev_mask(struct zcrx_ifq *z, __u64 v)
{
	non_nodev(z);
	desc(z)->type_mask = v;
	return NULL;
}
static void *m_nonodev_stats(struct zcrx_ifq *z, __u64 v)
{
	non_nodev(z);
	return m_stats_then(z, v);
}
static void *m_nonodev_good(struct zcrx_ifq *z, __u64 v)
{
	non_nodev(z);
	desc(z)->type_mask = v;
	z->desc.user_data = EVENT_UD;
	z->desc.flags = ZCRX_EVENT_DESC_FLAG_STATS;
	z->desc.stats_offset = stats_ok(z);
	return NULL;
}

FIXTURE_VARIANT_ADD(bad, netdev_bad_mask__R29) {
	.mut = m_nonodev_mask, .val = BAD_MASK_LOW, .err = EINVAL, .events = true,
	.what = "R29: bad type_mask + if_idx 9999: EINVAL before ENODEV" };
FIXTURE_VARIANT_ADD(bad, netdev_stats_range__R29) {
	.mut = m_nonodev_stats, .val = 0, .err = ERANGE, .events = true,
	.what = "R29: stats offset 0 + if_idx 9999: ERANGE before ENODEV" };
FIXTURE_VARIANT_ADD(bad, netdev_stats_misaligned__R29) {
	.mut = m_nonodev_stats, .val = ~0ULL, .err = EINVAL, .events = true,
	.what = "R29: misaligned stats + if_idx 9999: EINVAL before ENODEV" };
FIXTURE_VARIANT_ADD(bad, netdev_good_desc__R29) {
	.mut = m_nonodev_good, .val = ALL_TYPES, .err = ENODEV, .events = true,
	.what = "R29: valid desc (all types, STATS) + if_idx 9999: ENODEV" };

/* R31: NODEV area creation */
static void *m_rxbuf(struct zcrx_ifq *z, __u64 v) { z->reg.rx_buf_len = v; return NULL; }
/* rx_buf_len = PAGE_SIZE * v / 2 */
static void *m_rxbuf_half_pages(struct zcrx_ifq *z, __u64 v)
{
	z->reg.rx_buf_len = page_size() * v / 2;
	return NULL;
}
/* rx_buf_len = PAGE_SIZE + (signed) v */
static void *m_rxbuf_page_delta(struct zcrx_ifq *z, __u64 v)
{
	z->reg.rx_buf_len = page_size() + (__s64)v;
	return NULL;
}
static void *m_dmabuf(struct zcrx_ifq *z, __u64 v)
{
	z->area.flags = IORING_ZCRX_AREA_DMABUF;
	z->area.addr = 0;
	z->area.dmabuf_fd = v;
	return NULL;
}

FIXTURE_VARIANT_ADD(bad, rx_buf_len_1__R31) {
	.mut = m_rxbuf, .val = 1, .err = EINVAL, .what = "R31: rx_buf_len 1" };
FIXTURE_VARIANT_ADD(bad, rx_buf_len_half_page__R31) {
	.mut = m_rxbuf_half_pages, .val = 1, .err = EINVAL,
	.what = "R31: rx_buf_len PAGE_SIZE/2 (power of 2 below PAGE_SIZE)" };
FIXTURE_VARIANT_ADD(bad, rx_buf_len_page_minus_1__R31) {
	.mut = m_rxbuf_page_delta, .val = (__u64)-1, .err = EINVAL,
	.what = "R31: rx_buf_len PAGE_SIZE-1" };
FIXTURE_VARIANT_ADD(bad, rx_buf_len_page_plus_1__R31) {
	.mut = m_rxbuf_page_delta, .val = 1, .err = EINVAL,
	.what = "R31: rx_buf_len PAGE_SIZE+1 (not a power of 2)" };
FIXTURE_VARIANT_ADD(bad, rx_buf_len_1_5_pages__R31) {
	.mut = m_rxbuf_half_pages, .val = 3, .err = EINVAL,
	.what = "R31: rx_buf_len 1.5 pages (not a power of 2)" };
FIXTURE_VARIANT_ADD(bad, rx_buf_len_2_pages__R31) {
	.mut = m_rxbuf_half_pages, .val = 4, .err = EOPNOTSUPP,
	.what = "R31: NODEV rx_buf_len 2*PAGE_SIZE" };
FIXTURE_VARIANT_ADD(bad, rx_buf_len_16_pages__R31) {
	.mut = m_rxbuf_half_pages, .val = 32, .err = EOPNOTSUPP,
	.what = "R31: NODEV rx_buf_len 16*PAGE_SIZE" };
FIXTURE_VARIANT_ADD(bad, rx_buf_len_2g__R31) {
	.mut = m_rxbuf, .val = 0x80000000, .err = EOPNOTSUPP,
	.what = "R31: NODEV rx_buf_len 1<<31" };
FIXTURE_VARIANT_ADD(bad, dmabuf_area_bad_fd__R31) {
	.mut = m_dmabuf, .val = BAD_FD, .err = EINVAL,
	.what = "R31: NODEV DMABUF area: EINVAL (no device) before the fd lookup (EBADF)" };

/* ---- successes ---------------------------------------------------------- */

FIXTURE(ok) {
	struct io_uring ring;
	struct zcrx_ifq z, z2;
};

FIXTURE_VARIANT(ok) {
	unsigned int ring_flags;
};

FIXTURE_VARIANT_ADD(ok, cqe32__R33) { .ring_flags = ZCRX_RING_FLAGS };
FIXTURE_VARIANT_ADD(ok, cqe_mixed__R33) { .ring_flags = MIXED_RING_FLAGS };

FIXTURE_SETUP(ok)
{
	ASSERT_EQ(0, ring_create(&self->ring, variant->ring_flags));
	ifq_init(&self->z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ifq_init(&self->z2, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, self->z.area_mem);
	ASSERT_NE(NULL, self->z2.area_mem);
}

FIXTURE_TEARDOWN(ok)
{
	ifq_release(&self->z);
	ifq_release(&self->z2);
	io_uring_queue_exit(&self->ring);
}

TEST_F(ok, written_back__R33)
{
	const struct zcrx_caps *c;
	struct zcrx_ifq *z = &self->z, *z2 = &self->z2;
	long area_kb = z->area_len / 1024;

	REQUIRE(zcrx_nodev_missing());
	c = zcrx_caps();
	/* outputs prefilled with garbage: they must be overwritten */
	memset(&z->reg.offsets, 0xAA, offsetof(struct io_uring_zcrx_offsets, __resv2));
	memset(&z2->reg.offsets, 0xAA, offsetof(struct io_uring_zcrx_offsets, __resv2));

	ASSERT_EQ(0, ifq_register(&self->ring, z)) TH_LOG("R33: default NODEV registration");
	EXPECT_EQ(0U, z->reg.zcrx_id) TH_LOG("R33: first id of the ring");
	EXPECT_EQ((__u32)page_size(), z->reg.rx_buf_len) TH_LOG("R33: NODEV rx_buf_len is PAGE_SIZE");
	EXPECT_EQ((__u32)RQ_ENTRIES, z->reg.rq_entries) TH_LOG("R33: rq_entries");
	EXPECT_EQ(0U, z->reg.offsets.head) TH_LOG("R33: offsets.head");
	/* zcrx.h:46-49: head and tail are the two halves of the header (on
	 * 7.3 each on its own cache line, which Q08 pins: size 2 * alignment)
	 */
	EXPECT_EQ(c->zcrx.rq_hdr_size / 2, z->reg.offsets.tail) TH_LOG("R33: offsets.tail");
	EXPECT_EQ((__u32)rq_rqes_offset(), z->reg.offsets.rqes)
		TH_LOG("R33: offsets.rqes = ALIGN(rq_hdr_size, rq_hdr_alignment)");
	EXPECT_EQ(ZCRX_REGION_MMAP_BASE, z->rd.mmap_offset) TH_LOG("R33: rd.mmap_offset of id 0");
	EXPECT_EQ(0ULL, z->area.rq_area_token) TH_LOG("R33: first area's token");
	ASSERT_NE(NULL, z->region) TH_LOG("R33: region mmap at rd.mmap_offset");
	EXPECT_TRUE(all_bytes(z->region, 0, z->region_len, 0))
		TH_LOG("R33: kernel-allocated region reads zero");
	EXPECT_EQ(area_kb, vm_pinned_kb()) TH_LOG("R33: the area is pinned (VmPin)");

	ASSERT_EQ(0, ifq_register(&self->ring, z2)) TH_LOG("R33: second ifq on the ring");
	EXPECT_EQ(1U, z2->reg.zcrx_id) TH_LOG("R33: second id");
	EXPECT_EQ(ZCRX_REGION_MMAP_BASE + (1ULL << ZCRX_REGION_ID_SHIFT), z2->rd.mmap_offset)
		TH_LOG("R33: rd.mmap_offset of id 1");
	EXPECT_EQ(0ULL, z2->area.rq_area_token)
		TH_LOG("R33: token is the area index (0), not the zcrx id (1)");
	EXPECT_NE(NULL, z2->region) TH_LOG("R33: region of id 1 mmaps");
	EXPECT_EQ(0, flush_rq(self->ring.ring_fd, 1)) TH_LOG("R33: id 1 is live");
	EXPECT_EQ(2 * area_kb, vm_pinned_kb()) TH_LOG("R33: both areas pinned");
}

TEST_F(ok, rx_buf_len_page__R31_R33)
{
	REQUIRE(zcrx_nodev_missing());
	self->z.reg.rx_buf_len = page_size();
	EXPECT_EQ(0, ifq_register(&self->ring, &self->z))
		TH_LOG("R31: NODEV rx_buf_len == PAGE_SIZE is accepted");
	EXPECT_EQ((__u32)page_size(), self->z.reg.rx_buf_len) TH_LOG("R33: rx_buf_len written back");
}

/* R11 boundary, R12, R13: rq_entries rounding and clamping, written back */
FIXTURE(rq) {
	struct io_uring ring;
	struct zcrx_ifq z;
};

FIXTURE_VARIANT(rq) {
	unsigned int ring_flags;
	__u32 in, out;
};

#define CLAMP_RING (ZCRX_RING_FLAGS | IORING_SETUP_CLAMP)
FIXTURE_VARIANT_ADD(rq, max_without_clamp__R11) { .ring_flags = ZCRX_RING_FLAGS, .in = 32768, .out = 32768 };
FIXTURE_VARIANT_ADD(rq, clamp_32769__R12) { .ring_flags = CLAMP_RING, .in = 32769, .out = 32768 };
FIXTURE_VARIANT_ADD(rq, clamp_65536__R12) { .ring_flags = CLAMP_RING, .in = 65536, .out = 32768 };
FIXTURE_VARIANT_ADD(rq, clamp_all_ones__R12) { .ring_flags = CLAMP_RING, .in = 0xFFFFFFFF, .out = 32768 };
FIXTURE_VARIANT_ADD(rq, clamp_noop_100__R12_R13) { .ring_flags = CLAMP_RING, .in = 100, .out = 128 };
FIXTURE_VARIANT_ADD(rq, round_1__R13) { .ring_flags = ZCRX_RING_FLAGS, .in = 1, .out = 1 };
FIXTURE_VARIANT_ADD(rq, round_3__R13) { .ring_flags = ZCRX_RING_FLAGS, .in = 3, .out = 4 };
FIXTURE_VARIANT_ADD(rq, round_100__R13) { .ring_flags = ZCRX_RING_FLAGS, .in = 100, .out = 128 };
FIXTURE_VARIANT_ADD(rq, round_128__R13) { .ring_flags = ZCRX_RING_FLAGS, .in = 128, .out = 128 };
FIXTURE_VARIANT_ADD(rq, round_129__R13) { .ring_flags = ZCRX_RING_FLAGS, .in = 129, .out = 256 };
FIXTURE_VARIANT_ADD(rq, round_16385__R13) { .ring_flags = ZCRX_RING_FLAGS, .in = 16385, .out = 32768 };

FIXTURE_SETUP(rq)
{
	ASSERT_EQ(0, ring_create(&self->ring, variant->ring_flags));
	ifq_init(&self->z, variant->in, region_for(variant->out), AREA_PAGES);
	ASSERT_NE(NULL, self->z.area_mem);
}

FIXTURE_TEARDOWN(rq)
{
	ifq_release(&self->z);
	io_uring_queue_exit(&self->ring);
}

TEST_F(rq, written_back)
{
	int ret;

	REQUIRE(zcrx_nodev_missing());
	ret = ifq_register(&self->ring, &self->z);
	EXPECT_EQ(0, ret) TH_LOG("R11-R13: rq_entries %u in a %zu-byte region: %s",
				 variant->in, self->z.region_len, strerror(-ret));
	EXPECT_EQ(variant->out, self->z.reg.rq_entries)
		TH_LOG("R12/R13: rq_entries %u is written back as %u", variant->in, variant->out);
}

/* R16 */
TEST(no_event_desc_no_stats_memset__R16)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	size_t hdr;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, ring_create(&ring, ZCRX_RING_FLAGS));
	ifq_init(&z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ifq_use_user_region(&z, 0xFF);
	ASSERT_NE(NULL, z.region);
	hdr = zcrx_caps()->zcrx.rq_hdr_size;
	ASSERT_EQ(0ULL, z.reg.event_desc);
	EXPECT_EQ(0, ifq_register(&ring, &z)) TH_LOG("R16: event_desc 0 is accepted");
	EXPECT_TRUE(all_bytes(z.region, 0, hdr, 0))
		TH_LOG("R16: the %zu-byte ring header is zeroed", hdr);
	EXPECT_TRUE(all_bytes(z.region, hdr, z.region_len, 0xFF))
		TH_LOG("R16: no stats memset anywhere: bytes %zu..%zu keep 0xFF", hdr, z.region_len);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* R20, R24 */
FIXTURE(desc_ok) {
	struct io_uring ring;
	struct zcrx_ifq z;
};

FIXTURE_VARIANT(desc_ok) {
	__u32 type_mask;
	__u64 user_data;
};

FIXTURE_VARIANT_ADD(desc_ok, mask_none__R20) { .type_mask = 0, .user_data = EVENT_UD };
FIXTURE_VARIANT_ADD(desc_ok, mask_alloc_fail__R20) {
	.type_mask = 1u << ZCRX_EVENT_ALLOC_FAIL, .user_data = EVENT_UD };
FIXTURE_VARIANT_ADD(desc_ok, mask_copy__R20) { .type_mask = 1u << ZCRX_EVENT_COPY, .user_data = EVENT_UD };
FIXTURE_VARIANT_ADD(desc_ok, mask_all__R20) { .type_mask = ALL_TYPES, .user_data = EVENT_UD };
FIXTURE_VARIANT_ADD(desc_ok, user_data_0__R24) { .type_mask = ALL_TYPES, .user_data = 0 };
FIXTURE_VARIANT_ADD(desc_ok, user_data_all_ones__R24) { .type_mask = ALL_TYPES, .user_data = ~0ULL };
FIXTURE_VARIANT_ADD(desc_ok, user_data_recv_ud__R24) { .type_mask = ALL_TYPES, .user_data = RECV_UD };

FIXTURE_SETUP(desc_ok)
{
	ASSERT_EQ(0, ring_create(&self->ring, ZCRX_RING_FLAGS));
	ifq_init(&self->z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, self->z.area_mem);
}

FIXTURE_TEARDOWN(desc_ok)
{
	ifq_release(&self->z);
	io_uring_queue_exit(&self->ring);
}

TEST_F(desc_ok, accepted)
{
	int ret;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(variant->type_mask, variant->type_mask & zcrx_caps()->event.event_flags)
		TH_LOG("R20: mask 0x%x is within the queried event_flags 0x%x",
		       variant->type_mask, zcrx_caps()->event.event_flags);
	ifq_set_events(&self->z, variant->user_data, variant->type_mask, 0, 0);
	ret = ifq_register(&self->ring, &self->z);
	EXPECT_EQ(0, ret) TH_LOG("R20/R24: type_mask 0x%x, user_data 0x%llx: %s",
				 variant->type_mask, (unsigned long long)variant->user_data,
				 strerror(-ret));
	EXPECT_EQ(0U, self->z.reg.zcrx_id) TH_LOG("R20/R24: registered as id 0");
}

/*
 * R25: the ifq allocation fails. io_zcrx_ifq_alloc's kzalloc (GFP_KERNEL,
 * zcrx.c:604, 1026-1028) is the first fault-injectable call of the
 * register syscall: nothing before it allocates (capable(), the four
 * copy_from_user; no usercopy fault injection is configured), and failslab
 * counts GFP_KERNEL calls only with ignore-gfp-wait N. The id allocation that
 * follows cannot be the one failed here: xa_alloc of id 0 in a fresh ring's
 * empty xarray stores into the head and allocates no node. So with fail-nth
 * 1: -ENOMEM, fail-nth read back 0, and a 0xFF user region left untouched
 * (region creation would zero the header and the stats, R35) pin it to that
 * allocation. The id-allocation half of R25 stays out of reach: a failed
 * node allocation in xa_alloc is retried with the caller's GFP_KERNEL
 * (__xas_nomem), and fail-nth fails exactly one call.
 */
FAULT_FIXTURE(alloc_fault)

TEST_F(alloc_fault, ifq_alloc_failure_enomem__R25)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	char knob0[16], knob1[16];
	long area_kb, left;
	size_t hdr, off = 0, sz = 0;
	bool ev;
	void *m;
	int ret;

	REQUIRE(zcrx_nodev_missing());
	REQUIRE(fault_injection_missing(), "R25 needs the ifq kzalloc (GFP_KERNEL) in io_register_zcrx to fail");
	ev = !zcrx_events_missing();
	ASSERT_EQ(0, ring_create(&ring, ZCRX_RING_FLAGS));
	ifq_init(&z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, z.area_mem);
	ifq_use_user_region(&z, 0xFF);
	ASSERT_NE(NULL, z.region);
	area_kb = z.area_len / 1024;
	hdr = zcrx_caps()->zcrx.rq_hdr_size;
	if (ev) {
		/* with events and stats the failed ifq would also have set
		 * master_ctx and zeroed its stats
		 */
		sz = zcrx_caps()->event.stats_size;
		off = stats_ok(&z);
		ifq_set_events(&z, EVENT_UD, ALL_TYPES, ZCRX_EVENT_DESC_FLAG_STATS, off);
	}
	ASSERT_EQ(0L, vm_pinned_kb()) TH_LOG("R25: VmPin 0 before the registration");
	ASSERT_EQ(0, fault_knob_read("failslab/ignore-gfp-wait", knob0, sizeof(knob0)));

	ASSERT_EQ(0, fault_ctl_setup(&self->f, true))
		TH_LOG("R25: fail-nth open, failslab/ignore-gfp-wait N (GFP_KERNEL calls count)");
	ASSERT_EQ(0, fail_nth_arm(&self->f, 1));
	ret = raw_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, &z.reg, 1);
	left = fail_nth_left(&self->f);
	fault_ctl_restore(&self->f);
	ASSERT_EQ(0, fault_knob_read("failslab/ignore-gfp-wait", knob1, sizeof(knob1)));
	EXPECT_STREQ(knob0, knob1) TH_LOG("R25: failslab/ignore-gfp-wait restored to its value before the test");

	EXPECT_EQ(0L, left)
		TH_LOG("R25: fail-nth reads %ld after the registration, expected 0: the first fault-injectable call of the syscall (the ifq kzalloc) must have been failed",
		       left);
	EXPECT_EQ(-ENOMEM, ret)
		TH_LOG("R25: the ifq allocation fails: expected -ENOMEM (%d), seen %d (%s)",
		       -ENOMEM, ret, strerror(-ret));
	EXPECT_TRUE(all_bytes(z.region, 0, z.region_len, 0xFF))
		TH_LOG("R25: the %zu-byte user region keeps 0xFF: no region was created, no header (%zu bytes) or stats zeroed",
		       z.region_len, hdr);
	EXPECT_EQ(0U, z.reg.offsets.rqes) TH_LOG("R25: nothing written back (offsets.rqes)");
	EXPECT_EQ(0U, z.reg.rx_buf_len) TH_LOG("R25: nothing written back (rx_buf_len)");
	EXPECT_EQ(-ENXIO, flush_rq(ring.ring_fd, 0)) TH_LOG("R25: no ifq published under id 0");
	if (ev) {
		EXPECT_EQ(-ENXIO, zcrx_arm(&ring, 0, ZCRX_EVENT_COPY))
			TH_LOG("R25: arm finds no id 0 either");
	}
	m = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, ring.ring_fd, ZCRX_REGION_MMAP_BASE);
	EXPECT_EQ(MAP_FAILED, m) TH_LOG("R25: no region behind the id-0 mmap offset");
	if (m != MAP_FAILED)
		munmap(m, page_size());
	else
		EXPECT_EQ(EINVAL, errno) TH_LOG("R25: mmap of a missing region");
	EXPECT_EQ(0L, vm_pinned_kb()) TH_LOG("R25: the area was never pinned (VmPin)");

	/* the same registration again, nothing armed: it succeeds normally */
	ret = ifq_register(&ring, &z);
	ASSERT_EQ(0, ret) TH_LOG("R25: the registration after the failed one: expected 0, seen %d (%s)",
				 ret, strerror(-ret));
	EXPECT_EQ(0U, z.reg.zcrx_id) TH_LOG("R25: id 0: the failed registration took no id");
	EXPECT_EQ((__u32)page_size(), z.reg.rx_buf_len) TH_LOG("R25/R33: rx_buf_len written back");
	EXPECT_EQ((__u32)RQ_ENTRIES, z.reg.rq_entries) TH_LOG("R25/R33: rq_entries written back");
	EXPECT_EQ((__u32)rq_rqes_offset(), z.reg.offsets.rqes) TH_LOG("R25/R33: offsets.rqes written back");
	EXPECT_TRUE(all_bytes(z.region, 0, hdr, 0)) TH_LOG("R25: now the %zu-byte header is zeroed", hdr);
	if (ev) {
		EXPECT_TRUE(all_bytes(z.region, hdr, off, 0xFF))
			TH_LOG("R25: bytes %zu..%zu (entries) keep 0xFF", hdr, off);
		EXPECT_TRUE(all_bytes(z.region, off, off + sz, 0))
			TH_LOG("R25: the %zu stats bytes at %zu are zeroed", sz, off);
		EXPECT_EQ(-EINVAL, zcrx_arm(&ring, 0, ZCRX_EVENT_COPY))
			TH_LOG("R25: id 0 is live with nothing fired");
	}
	EXPECT_EQ(0, flush_rq(ring.ring_fd, 0)) TH_LOG("R25: id 0 is live");
	EXPECT_EQ(area_kb, vm_pinned_kb()) TH_LOG("R25: exactly one area pinned (VmPin)");
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* R32: copy_to_user fails after the ifq was published */
FIXTURE(publish) {
	struct io_uring ring;
	struct zcrx_ifq a, b, c;
};

FIXTURE_VARIANT(publish) {
	int ro;		/* 0: reg, 1: region desc, 2: area reg is read-only */
};

FIXTURE_VARIANT_ADD(publish, reg_read_only__R32) { .ro = 0 };
FIXTURE_VARIANT_ADD(publish, region_desc_read_only__R32) { .ro = 1 };
FIXTURE_VARIANT_ADD(publish, area_reg_read_only__R32) { .ro = 2 };

FIXTURE_SETUP(publish)
{
	ASSERT_EQ(0, ring_create(&self->ring, ZCRX_RING_FLAGS));
	ifq_init(&self->a, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ifq_init(&self->b, 100, REGION_SZ, AREA_PAGES);
	ifq_init(&self->c, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, self->a.area_mem);
	ASSERT_NE(NULL, self->b.area_mem);
	ASSERT_NE(NULL, self->c.area_mem);
}

FIXTURE_TEARDOWN(publish)
{
	ifq_release(&self->a);
	ifq_release(&self->b);
	ifq_release(&self->c);
	io_uring_queue_exit(&self->ring);
}

TEST_F(publish, efault_unpublished__R32)
{
	struct zcrx_ifq *b = &self->b;
	struct io_uring_zcrx_ifq_reg *reg = &b->reg;
	__u64 off1 = ZCRX_REGION_MMAP_BASE + (1ULL << ZCRX_REGION_ID_SHIFT);
	long area_kb = self->a.area_len / 1024;
	void *m;
	int ret;

	REQUIRE(zcrx_nodev_missing());
	/* the failed ifq would have carried events: no master ring is set either */
	if (!zcrx_events_missing())
		ifq_set_events(b, EVENT_UD, ALL_TYPES, 0, 0);
	ASSERT_EQ(0, ifq_register(&self->ring, &self->a)) TH_LOG("R32: ifq A takes id 0");
	ASSERT_EQ(area_kb, vm_pinned_kb());

	if (variant->ro == 0) {
		reg = ro_copy(&b->reg, sizeof(b->reg));
	} else if (variant->ro == 1) {
		b->reg.region_ptr = (uintptr_t)ro_copy(&b->rd, sizeof(b->rd));
		ASSERT_NE(0ULL, b->reg.region_ptr);
	} else {
		b->reg.area_ptr = (uintptr_t)ro_copy(&b->area, sizeof(b->area));
		ASSERT_NE(0ULL, b->reg.area_ptr);
	}
	ASSERT_NE(NULL, reg);
	ret = raw_register(self->ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, reg, 1);
	EXPECT_EQ(-EFAULT, ret) TH_LOG("R32: copy_to_user after publish fails: %d", ret);

	if (variant->ro == 0) {
		EXPECT_EQ(100U, reg->rq_entries) TH_LOG("R32: the read-only reg is unchanged");
	} else {
		/* the reg copy-out (first of the three) went through */
		EXPECT_EQ(1U, b->reg.zcrx_id) TH_LOG("R32: reg was written before the failing copy");
		EXPECT_EQ(128U, b->reg.rq_entries) TH_LOG("R32: reg was written before the failing copy");
		TH_LOG("R32 detail (consistent with the spec): the kernel wrote zcrx_id %u back into reg before failing with EFAULT",
		       b->reg.zcrx_id);
	}
	EXPECT_EQ(area_kb, wait_vm_pinned_kb(area_kb, 2000))
		TH_LOG("R32: the failed ifq's area is unpinned again (VmPin)");
	EXPECT_EQ(-ENXIO, flush_rq(self->ring.ring_fd, 1)) TH_LOG("R32: id 1 was erased");
	EXPECT_EQ(0, flush_rq(self->ring.ring_fd, 0)) TH_LOG("R32: ifq A is untouched");
	m = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->ring.ring_fd, off1);
	EXPECT_EQ(MAP_FAILED, m) TH_LOG("R32: no region behind the id-1 mmap offset");
	if (m != MAP_FAILED)
		munmap(m, page_size());
	else
		EXPECT_EQ(EINVAL, errno) TH_LOG("R32: mmap of a missing region");

	ASSERT_EQ(0, ifq_register(&self->ring, &self->c)) TH_LOG("R32: ifq C registers");
	EXPECT_EQ(1U, self->c.reg.zcrx_id) TH_LOG("R32: the erased id 1 is handed out again");
	EXPECT_EQ(off1, self->c.rd.mmap_offset) TH_LOG("R32: C's region is at id 1's offset");
	EXPECT_EQ(2 * area_kb, vm_pinned_kb()) TH_LOG("R32: A and C pinned, not B");
}

/* R34: the master ring's ctx ref does not outlive the ring */
FIXTURE(master) {
	struct zcrx_ifq z;
};

FIXTURE_VARIANT(master) {
	__u32 type_mask;
};

FIXTURE_VARIANT_ADD(master, events__R34) { .type_mask = ALL_TYPES };
FIXTURE_VARIANT_ADD(master, no_events__R34) { .type_mask = 0 };

FIXTURE_SETUP(master)
{
	ifq_init(&self->z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_NE(NULL, self->z.area_mem);
}

FIXTURE_TEARDOWN(master)
{
	ifq_release(&self->z);
}

/*
 * With type_mask != 0 the registering ring becomes master_ctx and takes a
 * percpu ref on itself (zcrx.c:1092-1093, 65-74). The area is unpinned only
 * from io_ring_ctx_free (io_unregister_zcrx), which io_ring_exit_work reaches
 * only after every ctx ref is gone (ref_comp); the master ref is dropped by
 * io_terminate_zcrx at the start of that work. VmPin returning to its
 * baseline after close shows the master ref does not pin the ring (a leaked
 * ref would keep the area pinned forever). That the ref is taken at all, and
 * which ring receives the events (the observable side of master_ctx), cannot
 * be seen from here: events are E12/E17.
 */
TEST_F(master, ring_close_releases__R34)
{
	struct io_uring ring;
	long area_kb = self->z.area_len / 1024;
	long base = vm_pinned_kb();

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, ring_create(&ring, ZCRX_RING_FLAGS));
	ifq_set_events(&self->z, EVENT_UD, variant->type_mask, 0, 0);
	ASSERT_EQ(0, ifq_register(&ring, &self->z)) TH_LOG("R34: registration");
	EXPECT_EQ(base + area_kb, vm_pinned_kb()) TH_LOG("R34: area pinned while the ring lives");
	ifq_unmap_region(&self->z);
	io_uring_queue_exit(&ring);
	EXPECT_EQ(base, wait_vm_pinned_kb(base, 10000))
		TH_LOG("R34: after close the ctx is freed and the area unpinned (type_mask 0x%x)",
		       variant->type_mask);
}

TEST_HARNESS_MAIN
