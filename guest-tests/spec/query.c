// SPDX-License-Identifier: GPL-2.0
/* Spec 2.6 (Q01-Q10): IORING_REGISTER_QUERY, the zcrx discovery interface. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zcrx_lib.h"

#define FILL 0xAA

/* The query interface itself predates 7.3; without it everything skips. */
static const char *query_missing(void)
{
	static char why[96];
	struct io_uring_query_opcode o;
	struct io_uring_query_hdr h;
	int r = query_op(-1, IO_URING_QUERY_OPCODES, &o, sizeof(o), &h);

	if (!r)
		return NULL;
	snprintf(why, sizeof(why), "IORING_REGISTER_QUERY unsupported: %d (%s)",
		 r, strerror(-r));
	return why;
}

TEST(nr_args_nonzero_einval__Q01)
{
	struct io_uring_query_opcode o;
	struct io_uring_query_hdr h = { .query_op = IO_URING_QUERY_OPCODES,
					.query_data = (uintptr_t)&o, .size = sizeof(o) };

	REQUIRE(query_missing());
	EXPECT_EQ(-EINVAL, raw_register(-1, IORING_REGISTER_QUERY, &h, 1))
		TH_LOG("Q01: nr_args=1 must fail the syscall with EINVAL");
}

TEST(hdr_unreadable_efault__Q02)
{
	REQUIRE(query_missing());
	EXPECT_EQ(-EFAULT, raw_register(-1, IORING_REGISTER_QUERY, unmapped_page(), 0))
		TH_LOG("Q02: unreadable header must fail the syscall with EFAULT");
}

TEST(size_over_page_e2big__Q03)
{
	static char buf[8192];
	struct io_uring_query_opcode o;
	struct io_uring_query_hdr h;
	long page = sysconf(_SC_PAGESIZE);

	REQUIRE(query_missing());
	/* The size limit came with the 7.3 query.c (the one that knows
	 * IO_URING_QUERY_ZCRX_EVENT); older kernels accept any size.
	 */
	ASSERT_EQ(0, query_op(-1, IO_URING_QUERY_OPCODES, &o, sizeof(o), &h));
	if (o.nr_query_opcodes <= IO_URING_QUERY_ZCRX_EVENT)
		SKIP(return, "query.c predates 7.3: nr_query_opcodes %u, no IO_URING_QUERY_ZCRX_EVENT, no size limit",
		     o.nr_query_opcodes);
	EXPECT_EQ(-E2BIG, query_op(-1, IO_URING_QUERY_OPCODES, buf, page + 1, &h))
		TH_LOG("Q03: size PAGE_SIZE+1 must fail the syscall with E2BIG");
	EXPECT_EQ(0, query_op(-1, IO_URING_QUERY_OPCODES, buf, page, &h))
		TH_LOG("Q03: size PAGE_SIZE is the largest accepted");
}

TEST(unknown_op_eopnotsupp_zeroed__Q04)
{
	struct io_uring_query_opcode o;
	struct io_uring_query_hdr h;
	unsigned char buf[64];
	unsigned int ops[3];

	REQUIRE(query_missing());
	ASSERT_EQ(0, query_op(-1, IO_URING_QUERY_OPCODES, &o, sizeof(o), &h));
	ASSERT_EQ(0, h.result);
	/* the first op the kernel does not know, and far beyond it */
	ops[0] = o.nr_query_opcodes;
	ops[1] = o.nr_query_opcodes + 1;
	ops[2] = 0xFFFFFFFF;
	for (int i = 0; i < 3; i++) {
		memset(buf, FILL, sizeof(buf));
		EXPECT_EQ(0, query_op(-1, ops[i], buf, sizeof(buf), &h))
			TH_LOG("Q04: op %u: the syscall itself succeeds", ops[i]);
		EXPECT_EQ(-EOPNOTSUPP, h.result)
			TH_LOG("Q04: op %u: hdr.result", ops[i]);
		EXPECT_EQ(0U, h.size) TH_LOG("Q04: op %u: hdr.size", ops[i]);
		EXPECT_TRUE(all_bytes(buf, 0, sizeof(buf), 0))
			TH_LOG("Q04: op %u: the %zu-byte buffer must be zeroed", ops[i], sizeof(buf));
	}
}

FIXTURE(bad_hdr) {};
FIXTURE_SETUP(bad_hdr) {}
FIXTURE_TEARDOWN(bad_hdr) {}
FIXTURE_VARIANT(bad_hdr) {
	unsigned int resv_idx;	/* 1-based index into __resv, 0: none */
	int result_in;
	unsigned int size;
};
FIXTURE_VARIANT_ADD(bad_hdr, resv0__Q05) { .resv_idx = 1, .size = 64 };
FIXTURE_VARIANT_ADD(bad_hdr, resv2__Q05) { .resv_idx = 3, .size = 64 };
FIXTURE_VARIANT_ADD(bad_hdr, result_in__Q05) { .result_in = -1, .size = 64 };
FIXTURE_VARIANT_ADD(bad_hdr, size_zero__Q05) { .size = 0 };

TEST_F(bad_hdr, result_einval__Q05)
{
	unsigned char buf[64];
	struct io_uring_query_hdr h = { 0 };

	REQUIRE(query_missing());
	memset(buf, FILL, sizeof(buf));
	h.query_op = IO_URING_QUERY_OPCODES;
	h.query_data = (uintptr_t)buf;
	h.size = variant->size;
	h.result = variant->result_in;
	if (variant->resv_idx)
		h.__resv[variant->resv_idx - 1] = 1;
	EXPECT_EQ(0, raw_register(-1, IORING_REGISTER_QUERY, &h, 0))
		TH_LOG("Q05: a bad entry fails in hdr.result, not in the syscall");
	EXPECT_EQ(-EINVAL, h.result) TH_LOG("Q05: hdr.result");
	EXPECT_EQ(0U, h.size) TH_LOG("Q05: nothing written");
	EXPECT_TRUE(all_bytes(buf, 0, variant->size, 0))
		TH_LOG("Q05: the buffer is zeroed for its size");
}

TEST(query_data_unreadable_efault__Q06)
{
	struct io_uring_query_hdr h;

	REQUIRE(query_missing());
	EXPECT_EQ(-EFAULT, query_op(-1, IO_URING_QUERY_OPCODES, unmapped_page(),
				    sizeof(struct io_uring_query_opcode), &h))
		TH_LOG("Q06: unreadable query_data must fail the syscall with EFAULT");
}

TEST(zcrx_event_values__Q07)
{
	struct io_uring_query_zcrx_event *e;
	struct io_uring_query_hdr h;
	unsigned char buf[64];

	REQUIRE(query_missing());
	REQUIRE(zcrx_events_missing());
	memset(buf, FILL, sizeof(buf));
	ASSERT_EQ(0, query_op(-1, IO_URING_QUERY_ZCRX_EVENT, buf, sizeof(buf), &h));
	e = (void *)buf;
	EXPECT_EQ(0, h.result) TH_LOG("Q07: hdr.result");
	EXPECT_EQ(sizeof(*e), h.size) TH_LOG("Q07: hdr.size is the struct size");
	EXPECT_EQ((1u << __ZCRX_EVENT_TYPE_LAST) - 1, e->event_flags)
		TH_LOG("Q07: event_flags is the mask of 1 << ZCRX_EVENT_* for every type");
	EXPECT_EQ(sizeof(struct zcrx_stats), e->stats_size) TH_LOG("Q07: stats_size");
	EXPECT_EQ(__alignof__(struct zcrx_stats), e->stats_off_alignment)
		TH_LOG("Q07: stats_off_alignment");
	EXPECT_EQ(0U, e->__resv1) TH_LOG("Q07: __resv1");
	EXPECT_TRUE(all_bytes(buf, offsetof(typeof(*e), __resv2), sizeof(*e), 0))
		TH_LOG("Q07: __resv2 must be zeroed");
	EXPECT_TRUE(all_bytes(buf, sizeof(*e), sizeof(buf), 0))
		TH_LOG("Q07: bytes %zu..63 beyond the struct must be zeroed", sizeof(*e));
}

TEST(zcrx_values__Q08)
{
	struct io_uring_query_zcrx z;
	struct io_uring_query_hdr h;

	REQUIRE(query_missing());
	REQUIRE(zcrx_events_missing());
	REQUIRE(zcrx_pre73(), "Q08 lists the 7.3 answers");
	memset(&z, FILL, sizeof(z));
	ASSERT_EQ(0, query_op(-1, IO_URING_QUERY_ZCRX, &z, sizeof(z), &h));
	EXPECT_EQ(0, h.result) TH_LOG("Q08: hdr.result");
	EXPECT_EQ(sizeof(z), h.size) TH_LOG("Q08: hdr.size");
	EXPECT_EQ((__u64)(ZCRX_REG_IMPORT | ZCRX_REG_NODEV), z.register_flags)
		TH_LOG("Q08: register_flags");
	EXPECT_EQ((__u64)IORING_ZCRX_AREA_DMABUF, z.area_flags) TH_LOG("Q08: area_flags");
	EXPECT_EQ((__u32)__ZCRX_CTRL_LAST, z.nr_ctrl_opcodes) TH_LOG("Q08: nr_ctrl_opcodes");
	EXPECT_EQ((__u32)(ZCRX_FEATURE_RX_PAGE_SIZE | ZCRX_FEATURE_EVENT), z.features)
		TH_LOG("Q08: features");
	/* struct zcrx_rq_hdr: head and tail each on their own cache line */
	EXPECT_EQ(2 * z.rq_hdr_alignment, z.rq_hdr_size)
		TH_LOG("Q08: rq_hdr_size is two cache lines (alignment %u)", z.rq_hdr_alignment);
	EXPECT_EQ(0U, z.rq_hdr_alignment & (z.rq_hdr_alignment - 1))
		TH_LOG("Q08: rq_hdr_alignment %u is a power of two", z.rq_hdr_alignment);
	EXPECT_EQ(0ULL, z.__resv2) TH_LOG("Q08: __resv2");
}

/*
 * The three ways a kernel says "7.3 events API" must agree: the
 * IO_URING_QUERY_ZCRX_EVENT op, ZCRX_FEATURE_EVENT in the ZCRX answer, and
 * ZCRX_CTRL_ARM_EVENT within nr_ctrl_opcodes. An old kernel has none of
 * them (and passes); one that answers the op but hides the feature bit
 * would make every events test skip as if it were old, so it fails here.
 */
TEST(event_discovery_consistent__Q07_Q08)
{
	const struct zcrx_caps *c = zcrx_caps();
	bool op, feature, ctrl;

	REQUIRE(query_missing());
	if (c->zcrx_result)
		SKIP(return, "IO_URING_QUERY_ZCRX answered %d: kernel without zcrx query", c->zcrx_result);
	op = c->event_result == 0;
	feature = c->zcrx.features & ZCRX_FEATURE_EVENT;
	ctrl = c->zcrx.nr_ctrl_opcodes > ZCRX_CTRL_ARM_EVENT;
	EXPECT_EQ(op, feature)
		TH_LOG("Q07/Q08: IO_URING_QUERY_ZCRX_EVENT result %d but features 0x%x (ZCRX_FEATURE_EVENT 0x%x)",
		       c->event_result, c->zcrx.features, ZCRX_FEATURE_EVENT);
	EXPECT_EQ(op, ctrl)
		TH_LOG("Q07/Q08: IO_URING_QUERY_ZCRX_EVENT result %d but nr_ctrl_opcodes %u (ARM_EVENT is %u)",
		       c->event_result, c->zcrx.nr_ctrl_opcodes, ZCRX_CTRL_ARM_EVENT);
}

TEST(blind_and_ring_fd_agree__Q09)
{
	struct io_uring_query_zcrx a, b;
	struct io_uring_query_hdr ha, hb;
	struct io_uring ring;

	REQUIRE(query_missing());
	ASSERT_EQ(0, ring_create(&ring, 0));
	memset(&a, FILL, sizeof(a));
	memset(&b, 0x55, sizeof(b));
	EXPECT_EQ(0, query_op(-1, IO_URING_QUERY_ZCRX, &a, sizeof(a), &ha)) TH_LOG("Q09: fd -1");
	EXPECT_EQ(0, query_op(ring.ring_fd, IO_URING_QUERY_ZCRX, &b, sizeof(b), &hb))
		TH_LOG("Q09: ring fd");
	EXPECT_EQ(ha.result, hb.result) TH_LOG("Q09: same result");
	EXPECT_EQ(ha.size, hb.size) TH_LOG("Q09: same size");
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a))) TH_LOG("Q09: same answer");
	io_uring_queue_exit(&ring);
}

/* Chain @n OPCODES entries; return the syscall result. */
static int chain(unsigned int n)
{
	size_t len = n * (sizeof(struct io_uring_query_hdr) + sizeof(struct io_uring_query_opcode));
	struct io_uring_query_hdr *h = mmap(NULL, len, PROT_READ | PROT_WRITE,
					    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct io_uring_query_opcode *o = (void *)(h + n);
	int ret;

	if (h == MAP_FAILED)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		h[i].query_op = IO_URING_QUERY_OPCODES;
		h[i].query_data = (uintptr_t)&o[i];
		h[i].size = sizeof(o[i]);
		h[i].next_entry = i + 1 < n ? (uintptr_t)&h[i + 1] : 0;
	}
	ret = raw_register(-1, IORING_REGISTER_QUERY, h, 0);
	munmap(h, len);
	return ret;
}

TEST(chain_limit_erange__Q10)
{
	int at_1000;

	REQUIRE(query_missing());
	EXPECT_EQ(0, chain(999)) TH_LOG("Q10: 999 chained entries are accepted");
	EXPECT_EQ(-ERANGE, chain(1001)) TH_LOG("Q10: more than 1000 entries give ERANGE");
	/* query.c counts with "++nr >= 1000" after each entry, so a chain of
	 * exactly 1000 is refused too: the spec's "at most 1000" is off by one.
	 */
	at_1000 = chain(1000);
	EXPECT_EQ(-ERANGE, at_1000)
		TH_LOG("Q10: 1000 entries: query.c refuses the 1000th (spec says at most 1000)");
	if (at_1000 == -ERANGE)
		TH_LOG("Q10 note: kernel refuses a chain of exactly 1000 entries; spec row says 'at most 1000'");
}

TEST_HARNESS_MAIN
