// SPDX-License-Identifier: GPL-2.0
/*
 * Spec section 3 (E-rows): delivery of zcrx event CQEs, driven by loopback
 * TCP traffic received with IORING_OP_RECV_ZC on NODEV registrations. In
 * NODEV mode every payload frag is copied (io_zcrx_copy_frag), so every
 * copy that moves > 0 bytes is a COPY occurrence (E01).
 *
 * Exactness: a test process is freshly forked, so its task page_frag (where
 * tcp_sendmsg copies the payload, net/ipv4/tcp.c:1284) starts empty. A
 * single write() of n <= 4096 bytes is then one skb with one frag, even with
 * the order-0 fallback of skb_page_frag_refill, as long as the writes of a
 * test stay within 4096 bytes in total. Reaping the data of one write before
 * the next one keeps writes in separate skbs. A frag copy emits one CQE per
 * <= PAGE_SIZE chunk into a fresh buffer (io_zcrx_copy_chunk).
 *
 * Not here: E02 (head copies, head_path.c); E04/E05/E19 need a page pool on
 * a zcrx-capable NIC (ALLOC_FAIL is unreachable in NODEV). E09 (the
 * GFP_ATOMIC io_kiocb allocation of zcrx_send_notif fails) and the drop half
 * of E16 (the GFP_NOWAIT overflow entry cannot be allocated) need per-task
 * fault injection (fail-nth, failslab) and skip without it; E16's
 * overflow-list half runs everywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "zcrx_lib.h"

#define NOP_UD		0x9090ULL
#define SEED		7
#define POISON		0xA5
#define AREA_SMALL	4	/* pages of the private ifq that marks ctx free */

/* ---- traffic ---------------------------------------------------------------- */

/* Queue @n NOPs (their CQEs post at submit). */
static int post_nops(struct io_uring *ring, unsigned int n)
{
	while (n) {
		struct io_uring_sqe *sqe;
		unsigned int batch = 0;
		int ret;

		while (batch < n && (sqe = io_uring_get_sqe(ring))) {
			io_uring_prep_nop(sqe);
			sqe->user_data = NOP_UD;
			batch++;
		}
		ret = io_uring_submit(ring);
		if (ret != (int)batch)
			return ret < 0 ? ret : -EIO;
		n -= batch;
	}
	return 0;
}

static unsigned int sq_flags(struct io_uring *ring)
{
	return IO_URING_READ_ONCE(*ring->sq.kflags);
}

/* Run local task work until @flag shows in sq_flags or @timeout_ms passes. */
static bool wait_sq_flag(struct io_uring *ring, unsigned int flag, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	do {
		io_uring_get_events(ring);
		if (sq_flags(ring) & flag)
			return true;
		usleep(10000);
	} while (now_ms() < end);
	return false;
}

/* ================================================================================ */

TRAFFIC_FIXTURE(traffic);

/* E01: a NODEV frag copy of > 0 bytes fires COPY once. */
TEST_F(traffic, copy_fires__E01)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	cq_collect(&self->e.ring, &self->l, 1000);
	EXPECT_EQ(1000U, self->l.bytes) TH_LOG("E01: payload delivered");
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("E01: payload intact");
	EXPECT_EQ(1U, self->l.data_cqes) TH_LOG("E01: one frag of 1000 bytes, one chunk");
	EXPECT_EQ(1U, self->l.event_cqes) TH_LOG("E01: exactly one COPY event");
	EXPECT_EQ(0U, cq_unclean_events(&self->l, ZCRX_EVENT_COPY)) TH_LOG("E01: the event is COPY");
	EXPECT_EQ(0U, self->l.other) TH_LOG("E01: no other CQE");
	st = ifq_stats(&self->e.z);
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("E01: the copy was a frag copy");
	EXPECT_EQ(0, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E01: the COPY fired bit is set");
}

/* E03: no free buffer: copy_chunk gets -ENOMEM before copying anything. */
TEST_F(traffic, no_buffer_enomem_no_event__E03)
{
	volatile struct zcrx_stats *st;

	/* one-page area: the first 1000-byte copy takes its only buffer, which
	 * is never returned (no refill-ring entries are written)
	 */
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, 1, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	cq_collect(&self->e.ring, &self->l, 1000);
	ASSERT_EQ(1000U, self->l.bytes) TH_LOG("E03: first copy uses the only buffer");
	ASSERT_EQ(1U, self->l.event_cqes) TH_LOG("E03: first copy fired COPY");
	ASSERT_EQ(0, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E03: re-arm after the first event");
	ASSERT_EQ(0, write_once(self->e.tx, 1000, 1000, SEED));
	cq_collect(&self->e.ring, &self->l, 2000);
	EXPECT_EQ(-ENOMEM, self->l.final_res) TH_LOG("E03: recvzc ends with -ENOMEM");
	EXPECT_EQ(1000U, self->l.bytes) TH_LOG("E03: nothing more was copied");
	EXPECT_EQ(1U, self->l.event_cqes) TH_LOG("E03: a 0-byte copy fires no COPY event");
	EXPECT_EQ(-EINVAL, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E03: the 0-byte copy did not set the fired bit");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("E03: no stats for the failed copy");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("E03: no stats for the failed copy");
}

/* E03: CQ full: io_zcrx_queue_cqe fails, the copy returns -ENOSPC. */
TEST_F(traffic, cq_full_enospc_no_event__E03)
{
	volatile struct zcrx_stats *st;
	unsigned int cq;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, submit_recvzc(&self->e.ring, self->e.rx, self->e.z.reg.zcrx_id));
	cq = self->e.ring.cq.ring_entries;
	ASSERT_EQ(0, post_nops(&self->e.ring, cq));
	ASSERT_EQ(cq, io_uring_cq_ready(&self->e.ring)) TH_LOG("E03: CQ filled with NOPs");
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	/* the recvzc completion itself overflows: wait for that */
	ASSERT_TRUE(wait_sq_flag(&self->e.ring, IORING_SQ_CQ_OVERFLOW, 3000))
		TH_LOG("E03: the recvzc completion went to the overflow list");
	EXPECT_EQ(-EINVAL, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E03: -ENOSPC copy did not set the COPY fired bit");
	EXPECT_EQ(0ULL, st->copy_count) TH_LOG("E03: nothing counted");
	EXPECT_EQ(0ULL, st->copy_bytes) TH_LOG("E03: nothing counted");
	cq_tally_env(&self->l, &self->e, EVENT_UD, -1);
	cq_drain(&self->e.ring, &self->l);
	EXPECT_EQ(cq, self->l.other) TH_LOG("E03: the NOPs");
	cq_collect(&self->e.ring, &self->l, 1000);
	EXPECT_EQ(-ENOSPC, self->l.final_res) TH_LOG("E03: recvzc ended with -ENOSPC");
	EXPECT_EQ(0U, self->l.data_cqes) TH_LOG("E03: no data CQE");
	EXPECT_EQ(0U, self->l.event_cqes) TH_LOG("E03: no COPY event");
}

/* E03: a partial copy (> 0 bytes, then no buffer) does fire. */
TEST_F(traffic, partial_copy_fires__E03)
{
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, 1, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, 0));
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	/* 6000 bytes in one write: one 6000-byte frag (order-3 page_frag) or
	 * 4096 + 1904 (order-0 fallback); either way one page is copied and
	 * the next chunk finds no buffer
	 */
	ASSERT_EQ(0, write_once(self->e.tx, 0, 6000, SEED));
	cq_collect(&self->e.ring, &self->l, 6000);
	EXPECT_EQ(page_size(), self->l.bytes) TH_LOG("E03: one page copied");
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("E03: payload intact");
	EXPECT_EQ(-ENOMEM, self->l.final_res) TH_LOG("E03: then -ENOMEM");
	EXPECT_EQ(1U, self->l.event_cqes) TH_LOG("E03: the partial copy fired COPY");
	EXPECT_EQ(0U, cq_unclean_events(&self->l, ZCRX_EVENT_COPY)) TH_LOG("E03: COPY contents");
	EXPECT_EQ(0, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E03: fired bit set by the partial copy");
}

/* E06: a type outside type_mask posts nothing and sets no fired bit. */
TEST_F(traffic, unsubscribed_copy_silent__E06)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_ALLOC_FAIL, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	cq_collect(&self->e.ring, &self->l, 1000);
	EXPECT_EQ(1000U, self->l.bytes) TH_LOG("E06: data delivered");
	EXPECT_EQ(0U, self->l.event_cqes) TH_LOG("E06: no event CQE for an unsubscribed type");
	EXPECT_EQ(0U, self->l.other) TH_LOG("E06: no other CQE");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("E06: a copy did happen");
	EXPECT_EQ(-EINVAL, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E06: no COPY fired bit");
	EXPECT_EQ(-EINVAL, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_ALLOC_FAIL))
		TH_LOG("E06: no ALLOC_FAIL fired bit either (NODEV)");
}

/* E07: type_mask 0, or no event_desc: no master_ctx, no events ever. */
FIXTURE(no_master) {};
FIXTURE_SETUP(no_master) {}
FIXTURE_TEARDOWN(no_master) {}
FIXTURE_VARIANT(no_master) {
	bool desc;
};
FIXTURE_VARIANT_ADD(no_master, mask0_stats__E07) { .desc = true };
FIXTURE_VARIANT_ADD(no_master, no_desc__E07) { .desc = false };

TEST_F(no_master, never_posts__E07)
{
	struct cq_tally l;
	struct zcrx_env e;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, zcrx_env_setup(&e, ZCRX_RING_FLAGS, AREA_PAGES, variant->desc, EVENT_UD,
				    0, variant->desc ? ZCRX_EVENT_DESC_FLAG_STATS : 0));
	ASSERT_EQ(0, zcrx_env_recv(&e, &l, EVENT_UD, SEED));
	ASSERT_EQ(0, write_once(e.tx, 0, 1000, SEED));
	cq_collect(&e.ring, &l, 1000);
	ASSERT_EQ(0, write_once(e.tx, 1000, 700, SEED));
	cq_collect(&e.ring, &l, 1700);
	EXPECT_EQ(1700U, l.bytes) TH_LOG("E07: data delivered");
	EXPECT_EQ(2U, l.data_cqes) TH_LOG("E07: one data CQE per write");
	EXPECT_EQ(0U, l.event_cqes + l.other) TH_LOG("E07: no CQE besides data");
	EXPECT_EQ(-EINVAL, zcrx_arm(&e.ring, e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E07: nothing fired");
	if (variant->desc) {
		volatile struct zcrx_stats *st = ifq_stats(&e.z);

		EXPECT_EQ(2ULL, st->copy_count) TH_LOG("E07: stats work without events");
		EXPECT_EQ(1700ULL, st->copy_bytes) TH_LOG("E07: stats work without events");
	}
}

/* E08: fire-once until ARM_EVENT clears the bit. */
TEST_F(traffic, fire_once_until_armed__E08)
{
	volatile struct zcrx_stats *st;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));

	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	cq_collect(&self->e.ring, &self->l, 1000);
	EXPECT_EQ(1U, self->l.event_cqes) TH_LOG("E08: first copy fires");

	ASSERT_EQ(0, write_once(self->e.tx, 1000, 700, SEED));
	cq_collect(&self->e.ring, &self->l, 1700);
	EXPECT_EQ(1700U, self->l.bytes) TH_LOG("E08: second copy delivered");
	EXPECT_EQ(1U, self->l.event_cqes) TH_LOG("E08: second copy does not fire (bit still set)");
	EXPECT_EQ(2ULL, st->copy_count) TH_LOG("E08: the second copy happened");

	EXPECT_EQ(0, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E08: arm clears the bit");
	EXPECT_EQ(-EINVAL, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E08: bit already clear");

	ASSERT_EQ(0, write_once(self->e.tx, 1700, 300, SEED));
	cq_collect(&self->e.ring, &self->l, 2000);
	EXPECT_EQ(2000U, self->l.bytes) TH_LOG("E08: third copy delivered");
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("E08: payload intact");
	EXPECT_EQ(2U, self->l.event_cqes) TH_LOG("E08: after arm the next copy fires once more");
	EXPECT_EQ(0U, cq_unclean_events(&self->l, ZCRX_EVENT_COPY)) TH_LOG("E08: both events are COPY");
	EXPECT_EQ(0U, self->l.other) TH_LOG("E08: no other CQE");
}

/* ---- fault injection: E09, the drop half of E16 ---------------------------- */

FAULT_FIXTURE(fault)

/*
 * E09: the GFP_ATOMIC io_kiocb allocation in zcrx_send_notif fails
 * (zcrx.c:1357-1359). The data is in the socket before the RECV_ZC is
 * submitted, so io_uring_enter(fd, 1, 0, 0) copies it inline: the frag copy,
 * the stats and zcrx_send_notif all run in this task's syscall, where
 * fail-nth counts. failslab with ignore-gfp-wait Y counts only allocations
 * that cannot sleep, and the copy path has none before the notification
 * (the buffer comes from the area freelist, the CQE from the ring); a NOP
 * submitted first makes sure this task's io_uring context (tctx and its
 * xarray node, GFP_NOWAIT attempts) exists before anything is armed. So
 * fail-nth 1 fails the notification's allocation: fail-nth reading 0
 * afterwards, the copy delivered and counted, no event and no fired bit
 * can only come from that allocation failing (zcrx.c:1357-1359).
 */
TEST_F(fault, event_lost_on_atomic_alloc_failure__E09)
{
	volatile struct zcrx_stats *st;
	const struct cqrec *ev = NULL;
	struct cq_tally l;
	struct zcrx_env e;
	long left;
	int ret;

	REQUIRE(zcrx_events_missing());
	REQUIRE(fault_injection_missing(), "E09 needs the GFP_ATOMIC io_kiocb allocation in zcrx_send_notif to fail");
	ASSERT_EQ(0, zcrx_env_setup(&e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&e.z);
	cq_tally_env(&l, &e, EVENT_UD, SEED);
	ASSERT_EQ(0, post_nops(&e.ring, 1))
		TH_LOG("E09: a first submission: the task context exists before the fault is armed");
	cq_drain(&e.ring, &l);
	ASSERT_EQ(1U, l.other) TH_LOG("E09: the NOP's CQE");
	ASSERT_EQ(0, write_once(e.tx, 0, 1000, SEED));

	/* only non-sleeping allocations count: the io_kiocb is GFP_ATOMIC */
	ASSERT_EQ(0, fault_ctl_setup(&self->f, false))
		TH_LOG("E09: fail-nth open, failslab/ignore-gfp-wait Y");
	ASSERT_EQ(0, fail_nth_arm(&self->f, 1));
	ret = submit_recvzc_nogetevents(&e.ring, e.rx, e.z.reg.zcrx_id);
	left = fail_nth_left(&self->f);
	fault_ctl_restore(&self->f);
	ASSERT_EQ(1, ret) TH_LOG("E09: io_uring_enter(fd, 1, 0, 0) submits the recvzc: %d", ret);
	EXPECT_EQ(0L, left)
		TH_LOG("E09: fail-nth reads %ld after the submit, expected 0: the first non-sleeping allocation of the syscall (the event's io_kiocb) must have been failed",
		       left);

	/* the copy itself went through, inline, in this task */
	cq_drain(&e.ring, &l);
	EXPECT_EQ(1000U, l.bytes) TH_LOG("E09: the 1000 bytes were copied at submit");
	EXPECT_EQ(1U, l.data_cqes) TH_LOG("E09: one data CQE");
	EXPECT_EQ(0, l.bad_payload) TH_LOG("E09: payload intact");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("E09/T03: the copy was counted before the event attempt");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("E09/T03: the copy was counted before the event attempt");
	/* ... and its event is gone without a trace */
	ASSERT_EQ(0, io_uring_get_events(&e.ring)) TH_LOG("E09: GETEVENTS runs the local task work");
	cq_drain(&e.ring, &l);
	EXPECT_EQ(0U, l.event_cqes) TH_LOG("E09: no event CQE for the occurrence whose allocation failed");
	EXPECT_EQ(2U, l.n) TH_LOG("E09: the NOP and the data CQE, nothing else");
	EXPECT_EQ(0U, IO_URING_READ_ONCE(*e.ring.cq.koverflow))
		TH_LOG("E09: not a dropped CQE (cq_overflow 0): the event was never queued");
	EXPECT_EQ(-EINVAL, zcrx_arm(&e.ring, e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E09: the fired bit is NOT set after the failed allocation (arm: -EINVAL)");

	/* the next occurrence retries and fires, once */
	ASSERT_EQ(0, write_once(e.tx, 1000, 700, SEED));
	cq_collect(&e.ring, &l, 1700);
	EXPECT_EQ(1700U, l.bytes) TH_LOG("E09: the second copy delivered");
	EXPECT_EQ(2U, l.data_cqes) TH_LOG("E09: one data CQE per write");
	EXPECT_EQ(0, l.bad_payload) TH_LOG("E09: payload intact");
	EXPECT_EQ(1U, l.event_cqes) TH_LOG("E09: the next occurrence posts exactly one event CQE");
	EXPECT_EQ(0U, cq_unclean_events(&l, ZCRX_EVENT_COPY)) TH_LOG("E09/E10: it is COPY: res 1, flags 0, big_cqe 0");
	EXPECT_EQ(4U, l.n) TH_LOG("E09: NOP, data, data, event");
	for (unsigned int i = 0; i < l.n && i < ARRAY_SIZE(l.c); i++)
		if (l.c[i].ud == EVENT_UD)
			ev = &l.c[i];
	ASSERT_NE(NULL, ev) TH_LOG("E09: an event CQE with user_data 0x%llx",
				   (unsigned long long)EVENT_UD);
	EXPECT_EQ((int)ZCRX_EVENT_COPY, ev->res) TH_LOG("E09/E10: res is ZCRX_EVENT_COPY");
	EXPECT_EQ(0U, ev->flags) TH_LOG("E09/E10: flags 0");
	EXPECT_EQ(2ULL, st->copy_count) TH_LOG("E09: both copies counted");
	EXPECT_EQ(0, zcrx_arm(&e.ring, e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E09: the retry set the fired bit (arm: 0)");
}

/*
 * E10, E11, E13 with a controlled CQ: the data is in the socket before the
 * RECV_ZC is submitted, so the submit copies it inline and commits the data
 * CQE; the COPY event is local task work that only a GETEVENTS enter runs.
 * The free CQ slots are poisoned before that, so every field the kernel
 * writes for the event (and the ones it must not write) is checked.
 */
FIXTURE(layout) {};
FIXTURE_SETUP(layout) {}
FIXTURE_TEARDOWN(layout) {}
FIXTURE_VARIANT(layout) {
	unsigned int ring_flags;
};
FIXTURE_VARIANT_ADD(layout, cqe32__E11) {
	.ring_flags = ZCRX_RING_FLAGS | IORING_SETUP_TASKRUN_FLAG };
FIXTURE_VARIANT_ADD(layout, mixed__E11) {
	.ring_flags = MIXED_RING_FLAGS | IORING_SETUP_TASKRUN_FLAG };

TEST_F(layout, deferred_event_cqe__E10_E11_E13)
{
	bool cqe32 = variant->ring_flags & IORING_SETUP_CQE32;
	size_t slot = cqe32 ? 32 : 16;
	/* a data CQE takes one 32-byte slot on CQE32, two 16-byte slots on MIXED */
	unsigned int data_slots = cqe32 ? 1 : 2;
	struct io_uring_cqe *cqe;
	unsigned char *cqes;
	unsigned int mask, tail;
	struct zcrx_env e;

	REQUIRE(zcrx_events_missing());
	if (cqe32)
		REQUIRE(zcrx_pre73(), "before 7.3 an aux CQE on a CQE32 ring leaves big_cqe unwritten (7.3 zeroes it, io_uring.c:855-858); the MIXED variant still checks E10/E13");
	ASSERT_EQ(0, zcrx_env_setup(&e, variant->ring_flags, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, 0));
	cqes = (unsigned char *)e.ring.cq.cqes;
	mask = e.ring.cq.ring_mask;
	ASSERT_EQ(0, write_once(e.tx, 0, 1000, SEED));
	ASSERT_EQ(1, submit_recvzc_nogetevents(&e.ring, e.rx, e.z.reg.zcrx_id))
		TH_LOG("E13: io_uring_enter(fd, 1, 0, 0) submits the recvzc");

	/* E13: the data CQE is visible, the event is not */
	tail = io_uring_smp_load_acquire(e.ring.cq.ktail);
	EXPECT_EQ(data_slots, tail) TH_LOG("E13/E11: only the data CQE was posted inline");
	ASSERT_EQ(0, io_uring_peek_cqe(&e.ring, &cqe));
	EXPECT_EQ(RECV_UD, cqe->user_data) TH_LOG("E13: first CQE is the data");
	EXPECT_EQ(1000, cqe->res) TH_LOG("E13: data CQE res");
	EXPECT_EQ(IORING_CQE_F_MORE | (cqe32 ? 0U : IORING_CQE_F_32), cqe->flags)
		TH_LOG("E11: data CQE flags (F_32 on a MIXED ring)");
	EXPECT_TRUE((sq_flags(&e.ring) & IORING_SQ_TASKRUN) != 0)
		TH_LOG("E13: IORING_SQ_TASKRUN flags the queued event (TASKRUN_FLAG ring)");
	/* A06: the fired bit is set when the event is queued */
	EXPECT_EQ(0, zcrx_arm(&e.ring, e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E13: arm returns 0 before the event CQE exists");
	EXPECT_EQ(data_slots, io_uring_smp_load_acquire(e.ring.cq.ktail))
		TH_LOG("E13: arm does not post the event");

	/* poison every free slot, then let GETEVENTS run the local work */
	for (unsigned int i = tail; i < e.ring.cq.ring_entries; i++)
		memset(cqes + (size_t)(i & mask) * slot, POISON, slot);
	ASSERT_EQ(0, io_uring_get_events(&e.ring));
	EXPECT_EQ(tail + 1, io_uring_smp_load_acquire(e.ring.cq.ktail))
		TH_LOG("E11: the event takes exactly one slot (16 bytes on MIXED, 32 on CQE32)");
	EXPECT_FALSE((sq_flags(&e.ring) & IORING_SQ_TASKRUN) != 0)
		TH_LOG("E13: running the local work clears IORING_SQ_TASKRUN");
	cqe = (struct io_uring_cqe *)(cqes + (size_t)(tail & mask) * slot);
	EXPECT_EQ(EVENT_UD, cqe->user_data) TH_LOG("E10: user_data = desc.user_data");
	EXPECT_EQ((int)ZCRX_EVENT_COPY, cqe->res) TH_LOG("E10: res is the type index");
	EXPECT_EQ(0U, cqe->flags) TH_LOG("E10/E11: flags 0 (no F_MORE, F_NOTIF, F_32)");
	if (cqe32) {
		EXPECT_EQ(0ULL, cqe->big_cqe[0]) TH_LOG("E11: big_cqe[0] zeroed");
		EXPECT_EQ(0ULL, cqe->big_cqe[1]) TH_LOG("E11: big_cqe[1] zeroed");
	} else {
		unsigned char *next = cqes + (size_t)((tail + 1) & mask) * slot;
		bool untouched = true;

		for (size_t i = 0; i < slot; i++)
			untouched &= next[i] == POISON;
		EXPECT_TRUE(untouched) TH_LOG("E11: the slot after the 16-byte event is not written");
	}
}

/* E12: traffic through an importer's id posts the event to the creator. */
TEST_F(traffic, event_goes_to_creator__E12)
{
	struct io_uring imp;
	struct cq_tally l, la;
	__u32 imp_id;
	int fd;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, 0));
	ASSERT_EQ(0, zcrx_export(&self->e.ring, self->e.z.reg.zcrx_id, &fd));
	ASSERT_EQ(0, ring_create(&imp, ZCRX_RING_FLAGS));
	ASSERT_EQ(0, zcrx_import(&imp, fd, &imp_id));
	close(fd);
	ASSERT_EQ(0, submit_recvzc(&imp, self->e.rx, imp_id));
	cq_tally_env(&l, &self->e, EVENT_UD, SEED);
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	cq_collect(&imp, &l, 1000);
	EXPECT_EQ(1000U, l.bytes) TH_LOG("E12: data arrives on the importer");
	EXPECT_EQ(0, l.bad_payload) TH_LOG("E12: payload intact");
	EXPECT_EQ(0U, l.event_cqes + l.other) TH_LOG("E12: no event on the importer");

	cq_tally_env(&la, &self->e, EVENT_UD, -1);
	ASSERT_EQ(0, io_uring_get_events(&self->e.ring));
	cq_drain(&self->e.ring, &la);
	EXPECT_EQ(1U, la.n) TH_LOG("E12: exactly one CQE on the creator");
	EXPECT_EQ(1U, la.event_cqes) TH_LOG("E12: the COPY event is on the creator ring");
	EXPECT_EQ(0U, cq_unclean_events(&la, ZCRX_EVENT_COPY)) TH_LOG("E12: COPY contents");
	EXPECT_EQ(0, zcrx_arm(&imp, imp_id, ZCRX_EVENT_COPY))
		TH_LOG("E12: fired state is per ifq: arm through the importer's id");
}

/* E14: the event comes after every data CQE of the copy that fired it. */
TEST_F(traffic, event_after_its_data__E14)
{
	/* 3 pages + 100 bytes in one write: one frag (order-3 page_frag) or four
	 * page frags (fallback); both give 4 chunks: 4096, 4096, 4096, 100
	 */
	size_t len = 3 * page_size() + 100;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, 0));
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, EVENT_UD, SEED));
	ASSERT_EQ(0, write_once(self->e.tx, 0, len, SEED));
	cq_collect(&self->e.ring, &self->l, len);
	EXPECT_EQ(len, self->l.bytes) TH_LOG("E14: data delivered");
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("E14: payload intact");
	ASSERT_EQ(5U, self->l.n) TH_LOG("E14: 4 data CQEs and 1 event");
	for (unsigned int i = 0; i < 4; i++) {
		EXPECT_EQ(RECV_UD, self->l.c[i].ud) TH_LOG("E14: CQE %u is data", i);
	}
	EXPECT_EQ(EVENT_UD, self->l.c[4].ud) TH_LOG("E14: the event is last");
	EXPECT_EQ((int)ZCRX_EVENT_COPY, self->l.c[4].res) TH_LOG("E14: COPY");
}

/* E15: arming before the pending event is reaped gives a second CQE. */
TEST_F(traffic, arm_before_reap_two_cqes__E15)
{
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, 0));
	cq_tally_env(&self->l, &self->e, EVENT_UD, SEED);
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	ASSERT_EQ(1, submit_recvzc_nogetevents(&self->e.ring, self->e.rx, self->e.z.reg.zcrx_id));
	cq_drain(&self->e.ring, &self->l);
	ASSERT_EQ(1000U, self->l.bytes) TH_LOG("E15: first copy done inline");
	ASSERT_EQ(0U, self->l.event_cqes) TH_LOG("E15: its event is still queued, not posted");
	EXPECT_EQ(0, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E15: arm while the first event is pending");
	ASSERT_EQ(0, write_once(self->e.tx, 1000, 700, SEED));
	cq_collect(&self->e.ring, &self->l, 1700);
	EXPECT_EQ(1700U, self->l.bytes) TH_LOG("E15: second copy delivered");
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("E15: payload intact");
	EXPECT_EQ(2U, self->l.event_cqes) TH_LOG("E15: both events appear, no coalescing");
	EXPECT_EQ(0U, cq_unclean_events(&self->l, ZCRX_EVENT_COPY)) TH_LOG("E15: both are COPY");
	EXPECT_EQ(0U, self->l.other) TH_LOG("E15: no other CQE");
}

/*
 * E16: event CQE with a full CQ. io_post_aux_cqe puts it on the overflow
 * list (GFP_NOWAIT allocation); the drop path (allocation failure,
 * cq_overflow++) is event_dropped_when_overflow_alloc_fails__E16 below.
 */
TEST_F(traffic, cq_full_event_overflows__E16)
{
	volatile struct zcrx_stats *st;
	struct io_uring_cqe *cqe;
	unsigned int cq, head, seen = 0, evs = 0;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&self->e.z);
	ASSERT_EQ(0, submit_recvzc(&self->e.ring, self->e.rx, self->e.z.reg.zcrx_id));
	cq = self->e.ring.cq.ring_entries;
	/* leave exactly one slot: the data CQE takes it, the event overflows */
	ASSERT_EQ(0, post_nops(&self->e.ring, cq - 1));
	ASSERT_EQ(cq - 1, io_uring_cq_ready(&self->e.ring));
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	ASSERT_TRUE(wait_sq_flag(&self->e.ring, IORING_SQ_CQ_OVERFLOW, 3000))
		TH_LOG("E16: the event went to the overflow list");
	EXPECT_EQ(cq, io_uring_cq_ready(&self->e.ring)) TH_LOG("E16: the CQ is full");
	EXPECT_EQ(0U, IO_URING_READ_ONCE(*self->e.ring.cq.koverflow))
		TH_LOG("E16: nothing dropped (cq_overflow)");
	io_uring_for_each_cqe(&self->e.ring, head, cqe) {
		if (cqe->user_data == EVENT_UD)
			evs++;
		if (++seen == cq) {
			EXPECT_EQ(RECV_UD, cqe->user_data) TH_LOG("E16: the last slot holds the data");
		}
	}
	EXPECT_EQ(0U, evs) TH_LOG("E16: the event is not in the CQ");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("E16: the copy happened");
	EXPECT_EQ(0, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E16: fired bit set although the CQE is not visible");

	/* consume exactly the visible CQEs; the next enter flushes the overflow */
	io_uring_cq_advance(&self->e.ring, cq);
	ASSERT_EQ(0, io_uring_get_events(&self->e.ring));
	cq_tally_env(&self->l, &self->e, EVENT_UD, -1);
	cq_drain(&self->e.ring, &self->l);
	EXPECT_EQ(1U, self->l.n) TH_LOG("E16: one CQE flushed from the overflow list");
	EXPECT_EQ(1U, self->l.event_cqes) TH_LOG("E16: it is the event");
	EXPECT_EQ(0U, cq_unclean_events(&self->l, ZCRX_EVENT_COPY)) TH_LOG("E16: COPY contents preserved");
	EXPECT_FALSE((sq_flags(&self->e.ring) & IORING_SQ_CQ_OVERFLOW) != 0)
		TH_LOG("E16: overflow list empty again");
	EXPECT_EQ(0U, IO_URING_READ_ONCE(*self->e.ring.cq.koverflow))
		TH_LOG("E16: still nothing dropped");
}

/*
 * E16, the drop half: CQ full and the overflow entry cannot be allocated
 * (io_post_aux_cqe -> io_cqe_overflow_locked -> io_alloc_ocqe, GFP_NOWAIT,
 * io_uring.c:892-905, 882-890, 714-726): the CQE is dropped and counted in
 * cq_overflow (io_uring.c:693-703), the only place that counts a drop. The
 * COPY event is queued at submit (data copied inline into the last CQ slot,
 * the notification's io_kiocb allocated then, nothing armed yet); the next
 * GETEVENTS runs zcrx_notif_tw in this task, and the overflow entry is the
 * first non-sleeping allocation of that syscall, so fail-nth 1 fails it.
 * Then, as the spec says: the user never sees the event, the fired bit
 * stays set (a second occurrence does not fire, arm returns 0), and after
 * the arm the next occurrence posts one event.
 */
TEST_F(fault, event_dropped_when_overflow_alloc_fails__E16)
{
	volatile struct zcrx_stats *st;
	struct io_uring_cqe *cqe;
	struct cq_tally l;
	struct zcrx_env e;
	unsigned int cq, head, evs = 0;
	long left;
	int ret;

	REQUIRE(zcrx_events_missing());
	REQUIRE(fault_injection_missing(), "the drop half of E16 needs the GFP_NOWAIT overflow allocation (io_alloc_ocqe) to fail");
	ASSERT_EQ(0, zcrx_env_setup(&e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	st = ifq_stats(&e.z);
	cq = e.ring.cq.ring_entries;
	/* leave exactly one slot: the data CQE takes it, the event finds none */
	ASSERT_EQ(0, post_nops(&e.ring, cq - 1));
	ASSERT_EQ(cq - 1, io_uring_cq_ready(&e.ring));
	ASSERT_EQ(0, write_once(e.tx, 0, 1000, SEED));
	ASSERT_EQ(1, submit_recvzc_nogetevents(&e.ring, e.rx, e.z.reg.zcrx_id))
		TH_LOG("E16: io_uring_enter(fd, 1, 0, 0) submits the recvzc");
	ASSERT_EQ(cq, io_uring_cq_ready(&e.ring)) TH_LOG("E16: the inline data CQE filled the CQ");
	ASSERT_EQ(1000ULL, st->copy_bytes) TH_LOG("E16: the copy happened at submit");
	ASSERT_EQ(0U, sq_flags(&e.ring) & IORING_SQ_CQ_OVERFLOW) TH_LOG("E16: nothing overflowed yet");

	/* only non-sleeping allocations count: the overflow entry is GFP_NOWAIT */
	ASSERT_EQ(0, fault_ctl_setup(&self->f, false))
		TH_LOG("E16: fail-nth open, failslab/ignore-gfp-wait Y");
	ASSERT_EQ(0, fail_nth_arm(&self->f, 1));
	ret = io_uring_get_events(&e.ring);
	left = fail_nth_left(&self->f);
	fault_ctl_restore(&self->f);
	EXPECT_EQ(0, ret) TH_LOG("E16: GETEVENTS with min_complete 0 returns 0");
	EXPECT_EQ(0L, left)
		TH_LOG("E16: fail-nth reads %ld after GETEVENTS, expected 0: the first non-sleeping allocation of the syscall (the overflow entry) must have been failed",
		       left);
	EXPECT_EQ(1U, IO_URING_READ_ONCE(*e.ring.cq.koverflow))
		TH_LOG("E16: the dropped event CQE is counted: cq_overflow 0 -> 1");
	EXPECT_EQ(0U, sq_flags(&e.ring) & IORING_SQ_CQ_OVERFLOW)
		TH_LOG("E16: nothing on the overflow list (IORING_SQ_CQ_OVERFLOW clear)");
	EXPECT_EQ(cq, io_uring_cq_ready(&e.ring)) TH_LOG("E16: the CQ is still exactly full");
	io_uring_for_each_cqe(&e.ring, head, cqe) {
		if (cqe->user_data == EVENT_UD)
			evs++;
	}
	EXPECT_EQ(0U, evs) TH_LOG("E16: the event is not in the CQ");

	/* consume everything: the event never comes */
	cq_tally_env(&l, &e, EVENT_UD, SEED);
	cq_drain(&e.ring, &l);
	EXPECT_EQ(cq, l.n) TH_LOG("E16: %u CQEs were visible", cq);
	EXPECT_EQ(cq - 1, l.other) TH_LOG("E16: the NOPs");
	EXPECT_EQ(1U, l.data_cqes) TH_LOG("E16: the data CQE");
	EXPECT_EQ(1000U, l.bytes) TH_LOG("E16: 1000 bytes");
	EXPECT_EQ(0, l.bad_payload) TH_LOG("E16: payload intact");
	ASSERT_EQ(0, io_uring_get_events(&e.ring));
	cq_drain(&e.ring, &l);
	EXPECT_EQ(cq, l.n) TH_LOG("E16: with the CQ empty nothing is flushed: the event is lost");
	EXPECT_EQ(0U, l.event_cqes) TH_LOG("E16: the user never sees the event");

	/* the fired bit stayed set: a second occurrence does not fire */
	ASSERT_EQ(0, write_once(e.tx, 1000, 700, SEED));
	cq_collect(&e.ring, &l, 1700);
	EXPECT_EQ(1700U, l.bytes) TH_LOG("E16: the second copy delivered");
	EXPECT_EQ(2U, l.data_cqes) TH_LOG("E16: one data CQE per write");
	EXPECT_EQ(0U, l.event_cqes) TH_LOG("E16: the second occurrence does not fire: the bit is still set");
	EXPECT_EQ(0, zcrx_arm(&e.ring, e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E16: arm still returns 0 although the event was dropped");
	EXPECT_EQ(-EINVAL, zcrx_arm(&e.ring, e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E16: the arm cleared it");

	/* armed again: the next occurrence posts exactly one event */
	ASSERT_EQ(0, write_once(e.tx, 1700, 300, SEED));
	cq_collect(&e.ring, &l, 2000);
	EXPECT_EQ(2000U, l.bytes) TH_LOG("E16: the third copy delivered");
	EXPECT_EQ(0, l.bad_payload) TH_LOG("E16: payload intact");
	EXPECT_EQ(1U, l.event_cqes) TH_LOG("E16: after the arm one event CQE");
	EXPECT_EQ(0U, cq_unclean_events(&l, ZCRX_EVENT_COPY)) TH_LOG("E16/E10: it is COPY: res 1, flags 0, big_cqe 0");
	EXPECT_EQ(cq - 1, l.other) TH_LOG("E16: no other CQE");
	EXPECT_EQ(3ULL, st->copy_count) TH_LOG("E16: three copies counted");
	EXPECT_EQ(2000ULL, st->copy_bytes) TH_LOG("E16: three copies counted");
	EXPECT_EQ(1U, IO_URING_READ_ONCE(*e.ring.cq.koverflow))
		TH_LOG("E16: exactly one CQE was ever dropped");
}

/*
 * E17: the creator ring closes while an importer keeps the ifq. The creator
 * also holds a private ifq with its own small area: VmPin dropping by that
 * area means the creator ctx was freed, i.e. io_ring_exit_work (which runs
 * io_terminate_zcrx first) has finished.
 */
TEST_F(traffic, creator_closed_events_stop__E17)
{
	struct zcrx_ifq priv;
	struct io_uring imp;
	long before, want;
	__u32 imp_id;
	void *map;
	int fd;

	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
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
	ASSERT_NE(MAP_FAILED, map) TH_LOG("E17: importer maps the region");

	/* region mappings hold the creator's file: drop them, then close */
	ifq_unmap_region(&self->e.z);
	ifq_unmap_region(&priv);
	before = vm_pinned_kb();
	want = before - (long)(AREA_SMALL * page_size() / 1024);
	io_uring_queue_exit(&self->e.ring);
	ASSERT_EQ(want, wait_vm_pinned_kb(want, 10000))
		TH_LOG("E17: creator ctx freed (private area unpinned)");

	ASSERT_EQ(0, submit_recvzc(&imp, self->e.rx, imp_id));
	cq_tally_env(&self->l, &self->e, EVENT_UD, SEED);
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	cq_collect(&imp, &self->l, 1000);
	EXPECT_EQ(1000U, self->l.bytes) TH_LOG("E17: data still flows through the importer");
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("E17: payload intact");
	EXPECT_EQ(0U, self->l.event_cqes + self->l.other) TH_LOG("E17: no event anywhere visible");
	EXPECT_EQ(-EINVAL, zcrx_arm(&imp, imp_id, ZCRX_EVENT_COPY))
		TH_LOG("E17: no master_ctx, so the fired bit is never set");
	EXPECT_EQ(1ULL, ((volatile struct zcrx_stats *)((char *)map + first_stats_offset(RQ_ENTRIES)))->copy_count)
		TH_LOG("E17: stats keep counting");
	EXPECT_EQ(1000ULL, ((volatile struct zcrx_stats *)((char *)map + first_stats_offset(RQ_ENTRIES)))->copy_bytes)
		TH_LOG("E17: stats keep counting");
	EXPECT_EQ(before - (long)(AREA_SMALL * page_size() / 1024), vm_pinned_kb())
		TH_LOG("E17: the shared ifq's area stays pinned");
}

/* E18: close with an event queued (and already re-armed): nothing leaks. */
TEST_F(traffic, close_with_pending_event_unpins__E18)
{
	long base, reg;

	base = vm_pinned_kb();
	ASSERT_LE(0, base) TH_LOG("E18: VmPin readable");
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	reg = vm_pinned_kb();
	EXPECT_EQ(base + (long)(AREA_PAGES * page_size() / 1024), reg)
		TH_LOG("E18: the area is accounted in pinned_vm");
	cq_tally_env(&self->l, &self->e, EVENT_UD, -1);
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	ASSERT_EQ(1, submit_recvzc_nogetevents(&self->e.ring, self->e.rx, self->e.z.reg.zcrx_id));
	cq_drain(&self->e.ring, &self->l);
	ASSERT_EQ(1000U, self->l.bytes) TH_LOG("E18: copied inline");
	ASSERT_EQ(0U, self->l.event_cqes) TH_LOG("E18: the event is pending");
	ASSERT_EQ(0, zcrx_arm(&self->e.ring, self->e.z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("E18: arm done while the event is pending");
	/* the region mapping holds the ring file: drop it so close releases */
	ifq_unmap_region(&self->e.z);
	io_uring_queue_exit(&self->e.ring);
	EXPECT_EQ(base, wait_vm_pinned_kb(base, 10000))
		TH_LOG("E18: VmPin back to baseline: ctx and ifq freed despite the pending event");
}

/*
 * E20: desc.user_data equal to the recv's user_data is accepted; the event
 * is then only told apart by its shape (no F_MORE, res 1, flags 0), which a
 * final 1-byte recv CQE would share: applications must use a unique value.
 */
TEST_F(traffic, user_data_collision_accepted__E20)
{
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, RECV_UD,
				    1u << ZCRX_EVENT_COPY, 0))
		TH_LOG("E20: desc.user_data == recv user_data is not rejected");
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, RECV_UD, SEED));
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, SEED));
	cq_collect(&self->e.ring, &self->l, 1000);
	ASSERT_EQ(2U, self->l.n) TH_LOG("E20: data CQE + event CQE");
	EXPECT_EQ(RECV_UD, self->l.c[0].ud) TH_LOG("E20: data");
	EXPECT_EQ(IORING_CQE_F_MORE, self->l.c[0].flags) TH_LOG("E20: data has F_MORE");
	EXPECT_EQ(RECV_UD, self->l.c[1].ud) TH_LOG("E20: the event carries the same user_data");
	EXPECT_EQ(1, self->l.c[1].res) TH_LOG("E20: res 1 (COPY) reads like a 1-byte result");
	EXPECT_EQ(0U, self->l.c[1].flags) TH_LOG("E20: no F_MORE: reads like the recv's final CQE");
	/* yet the recv is alive: the CQE was the event, not its termination */
	ASSERT_EQ(0, write_once(self->e.tx, 1000, 700, SEED));
	cq_collect(&self->e.ring, &self->l, 1700);
	EXPECT_EQ(1700U, self->l.bytes) TH_LOG("E20: the recvzc keeps delivering");
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("E20: payload intact");
	EXPECT_EQ(3U, self->l.n) TH_LOG("E20: one more data CQE only (fire-once)");
}

/* ---- E10/R24: the event user_data is delivered exactly ------------------------ */

/*
 * R24 accepts any user_data at registration; E10 says the event CQE carries
 * it. 0 and ~0ULL are the values a kernel could plausibly treat as "unset"
 * or truncate; the ordinary value has every byte different. The event is
 * told apart from the data by RECV_UD (distinct from all three).
 */
FIXTURE(event_ud) {
	bool up;
	struct zcrx_env e;
};

FIXTURE_VARIANT(event_ud) {
	__u64 ud;
};

FIXTURE_VARIANT_ADD(event_ud, zero__E10_R24) { .ud = 0 };
FIXTURE_VARIANT_ADD(event_ud, all_ones__E10_R24) { .ud = ~0ULL };
FIXTURE_VARIANT_ADD(event_ud, ordinary__E10_R24) { .ud = 0x0123456789abcdefULL };

FIXTURE_SETUP(event_ud)
{
	memset(&self->e, 0, sizeof(self->e));
	self->e.rx = self->e.tx = -1;
	if (zcrx_events_missing())
		return;		/* the test skips, saying why */
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AREA_PAGES, true, variant->ud,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS))
		TH_LOG("R24: user_data %#llx is accepted", (unsigned long long)variant->ud);
	self->up = true;
}

FIXTURE_TEARDOWN(event_ud)
{
	zcrx_env_close(&self->e);
}

static void check_event_rec(struct __test_metadata *_metadata, const struct cqrec *r,
			    __u64 ud, unsigned int i)
{
	EXPECT_EQ(ud, r->ud)
		TH_LOG("E10: CQE %u: expected event user_data %#llx, seen %#llx", i,
		       (unsigned long long)ud, (unsigned long long)r->ud);
	EXPECT_EQ((int)ZCRX_EVENT_COPY, r->res)
		TH_LOG("E10: CQE %u: expected res %d (COPY), seen %d", i, ZCRX_EVENT_COPY, r->res);
	EXPECT_EQ(0U, r->flags) TH_LOG("E10: CQE %u: expected flags 0, seen %#x", i, r->flags);
	/* before 7.3 an aux CQE leaves big_cqe unwritten (see layout.cqe32__E11) */
	if (!zcrx_pre73()) {
		EXPECT_EQ(0ULL, r->big[0] | r->big[1])
			TH_LOG("E11: CQE %u: big_cqe %#llx %#llx, expected 0", i,
			       (unsigned long long)r->big[0], (unsigned long long)r->big[1]);
	}
}

TEST_F(event_ud, delivered_exactly__E10)
{
	volatile struct zcrx_stats *st;
	struct zcrx_env *e = &self->e;
	struct cq_tally l;

	REQUIRE(zcrx_events_missing());
	st = ifq_stats(&e->z);
	ASSERT_EQ(0, zcrx_env_recv(e, &l, variant->ud, SEED));
	ASSERT_EQ(0, write_once(e->tx, 0, 1000, SEED));
	cq_collect(&e->ring, &l, 1000);
	ASSERT_EQ(2U, l.n) TH_LOG("E01/E10: expected 2 CQEs (data, event), seen %u", l.n);
	EXPECT_EQ(RECV_UD, l.c[0].ud) TH_LOG("E14: CQE 0 is the data");
	EXPECT_EQ(1000, l.c[0].res) TH_LOG("CQE 0: 1000 bytes");
	EXPECT_EQ(IORING_CQE_F_MORE, l.c[0].flags) TH_LOG("CQE 0: F_MORE only");
	check_event_rec(_metadata, &l.c[1], variant->ud, 1);
	EXPECT_EQ(0, l.bad_payload) TH_LOG("payload intact");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T03: copy_count 1");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("T03: copy_bytes 1000");

	/* once more after an arm: the same user_data again */
	EXPECT_EQ(0, zcrx_arm(&e->ring, e->z.reg.zcrx_id, ZCRX_EVENT_COPY)) TH_LOG("A04: arm");
	ASSERT_EQ(0, write_once(e->tx, 1000, 700, SEED));
	cq_collect(&e->ring, &l, 1700);
	ASSERT_EQ(4U, l.n) TH_LOG("E08/E10: expected 4 CQEs after the re-armed copy, seen %u", l.n);
	EXPECT_EQ(RECV_UD, l.c[2].ud) TH_LOG("E14: CQE 2 is the data");
	EXPECT_EQ(700, l.c[2].res) TH_LOG("CQE 2: 700 bytes");
	check_event_rec(_metadata, &l.c[3], variant->ud, 3);
	EXPECT_EQ(2U, l.event_cqes) TH_LOG("E08: two events in all");
	EXPECT_EQ(2ULL, st->copy_count) TH_LOG("T03: copy_count 2");
	EXPECT_EQ(1700ULL, st->copy_bytes) TH_LOG("T03: copy_bytes 1700");
	EXPECT_EQ(0, zcrx_arm(&e->ring, e->z.reg.zcrx_id, ZCRX_EVENT_COPY)) TH_LOG("A04: arm");
	EXPECT_EQ(-EINVAL, zcrx_arm(&e->ring, e->z.reg.zcrx_id, ZCRX_EVENT_COPY)) TH_LOG("A05");
}

/* ---- E03/E16/T06/C09: CQ full in the middle of a multi-chunk copy ------------- */

/*
 * One 16512-byte write (4 pages + 128) is one frag (a fresh task page_frag,
 * order-3, as T05 relies on), copied into 4096-byte buffers by
 * io_zcrx_copy_chunk. With 2 free CQ slots the first two chunks post, the
 * third buffer is taken, filled, and given back when its CQE cannot be
 * queued (-ENOSPC): copy_frag returns 8192 (T06: counted {1, 8192}; E03: a
 * partial copy fires COPY, the event goes to the overflow list, E16), the
 * multishot recv retries, copies nothing and ends with -ENOSPC. Recovery:
 * reap, give the two buffers back (refill ring + FLUSH_RQ, C09), recv again:
 * the remaining 8320 bytes arrive exactly (4096, 4096, 128), counted
 * {2, 16512}. Then every buffer of the 8-page area must be free: eight
 * 128-byte writes land in eight distinct buffers 0..7 and a ninth finds
 * none (-ENOMEM). 128-byte writes keep the page_frag offset a multiple of
 * 128, so no write straddles two frags.
 */
#define CQF_PAGES	8
#define CQF_FIRST	(4 * 4096 + 128)
#define CQF_SMALL	128

FIXTURE(cq_full) {
	bool up;
	struct zcrx_env e;
};

FIXTURE_SETUP(cq_full)
{
	memset(&self->e, 0, sizeof(self->e));
	self->e.rx = self->e.tx = -1;
	if (zcrx_events_missing() || page_size() != 4096)
		return;		/* the test skips, saying why */
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, CQF_PAGES, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	self->up = true;
}

FIXTURE_TEARDOWN(cq_full)
{
	zcrx_env_close(&self->e);
}

/* Put every data CQE of l->c[from..l->n) on the refill ring and FLUSH_RQ:
 * the FLUSH_RQ result; *given the number of entries.
 */
static int give_back(struct zcrx_env *e, struct cq_tally *l, unsigned int from,
		     unsigned int *given)
{
	struct zcrx_ifq *z = &e->z;
	struct io_uring_zcrx_rqe *rqes = (void *)((char *)z->region + z->reg.offsets.rqes);
	__u32 *tailp = (__u32 *)((char *)z->region + z->reg.offsets.tail);
	__u32 mask = z->reg.rq_entries - 1, tail = *tailp;
	struct zcrx_ctrl c = { .zcrx_id = z->reg.zcrx_id, .op = ZCRX_CTRL_FLUSH_RQ };

	*given = 0;
	for (unsigned int i = from; i < l->n; i++) {
		const struct cqrec *r = &l->c[i];

		if (r->ud != RECV_UD || !(r->flags & IORING_CQE_F_MORE) || r->res <= 0)
			continue;
		rqes[tail & mask].off = r->big[0];
		rqes[tail & mask].len = r->res;
		rqes[tail & mask].__pad = 0;
		tail++;
		(*given)++;
	}
	__atomic_store_n(tailp, tail, __ATOMIC_RELEASE);
	return zcrx_ctrl(e->ring.ring_fd, &c, 0);
}

static __u32 rq_head(struct zcrx_env *e)
{
	return __atomic_load_n((__u32 *)((char *)e->z.region + e->z.reg.offsets.head),
			       __ATOMIC_ACQUIRE);
}

static __u32 rq_tail(struct zcrx_env *e)
{
	return *(__u32 *)((char *)e->z.region + e->z.reg.offsets.tail);
}

TEST_F(cq_full, mid_copy_then_full_recovery__E03_E16_T06_C09)
{
	volatile struct zcrx_stats *st;
	struct zcrx_env *e = &self->e;
	unsigned int cq, given, mark, seen_bufs = 0;
	struct cq_tally l;

	REQUIRE(zcrx_events_missing());
	if (page_size() != 4096)
		SKIP(return, "the chunk arithmetic assumes 4096-byte pages (page size %zu)", page_size());
	if (zcrx_caps()->zcrx.nr_ctrl_opcodes <= ZCRX_CTRL_FLUSH_RQ)
		SKIP(return, "no ZCRX_CTRL_FLUSH_RQ (nr_ctrl_opcodes %u): buffers cannot be given back in NODEV",
		     zcrx_caps()->zcrx.nr_ctrl_opcodes);
	st = ifq_stats(&e->z);
	ASSERT_EQ(0, submit_recvzc(&e->ring, e->rx, e->z.reg.zcrx_id));
	cq = e->ring.cq.ring_entries;
	ASSERT_EQ(0, post_nops(&e->ring, cq - 2));
	ASSERT_EQ(cq - 2, io_uring_cq_ready(&e->ring)) TH_LOG("CQ holds %u NOPs, 2 slots free", cq - 2);

	ASSERT_EQ(0, write_once(e->tx, 0, CQF_FIRST, SEED));
	ASSERT_TRUE(wait_sq_flag(&e->ring, IORING_SQ_CQ_OVERFLOW, 3000))
		TH_LOG("E16: the event and the recv's end went to the overflow list");
	EXPECT_EQ(cq, io_uring_cq_ready(&e->ring)) TH_LOG("E03: the CQ is full");
	EXPECT_EQ(1ULL, st->copy_count)
		TH_LOG("T06: one frag copy that moved bytes: expected copy_count 1, seen %llu",
		       (unsigned long long)st->copy_count);
	EXPECT_EQ(8192ULL, st->copy_bytes)
		TH_LOG("T06: two chunks fit the CQ: expected copy_bytes 8192, seen %llu",
		       (unsigned long long)st->copy_bytes);

	cq_tally_env(&l, e, EVENT_UD, SEED);
	cq_drain(&e->ring, &l);
	EXPECT_EQ(cq - 2, l.other) TH_LOG("the NOPs");
	EXPECT_EQ(2U, l.data_cqes) TH_LOG("E03: two data CQEs before the CQ filled, seen %u", l.data_cqes);
	EXPECT_EQ(8192U, l.bytes) TH_LOG("E03: 8192 bytes before the CQ filled, seen %zu", l.bytes);
	EXPECT_EQ(0U, l.event_cqes) TH_LOG("E16: the event is not in the CQ");
	cq_collect(&e->ring, &l, CQF_FIRST);
	EXPECT_EQ(-ENOSPC, l.final_res) TH_LOG("E03: the recv ends with -ENOSPC, seen %d", l.final_res);
	EXPECT_EQ(1U, l.event_cqes) TH_LOG("E03/E16: the partial copy's COPY event, flushed from the overflow list");
	EXPECT_EQ(0U, cq_unclean_events(&l, ZCRX_EVENT_COPY)) TH_LOG("E10: COPY contents");
	EXPECT_EQ(2U, l.data_cqes) TH_LOG("no further data CQE");
	EXPECT_EQ(0U, IO_URING_READ_ONCE(*e->ring.cq.koverflow)) TH_LOG("E16: nothing dropped");
	EXPECT_FALSE((sq_flags(&e->ring) & IORING_SQ_CQ_OVERFLOW) != 0)
		TH_LOG("E16: the overflow list is empty again");

	/* recovery: the two buffers back, recv again */
	ASSERT_EQ(0, give_back(e, &l, 0, &given)) TH_LOG("C09: FLUSH_RQ");
	EXPECT_EQ(2U, given);
	EXPECT_EQ(rq_tail(e), rq_head(e)) TH_LOG("C09: FLUSH_RQ consumed every refill entry");
	mark = l.n;
	l.final_res = 1;
	ASSERT_EQ(0, submit_recvzc(&e->ring, e->rx, e->z.reg.zcrx_id));
	cq_collect(&e->ring, &l, CQF_FIRST);
	EXPECT_EQ((size_t)CQF_FIRST, l.bytes) TH_LOG("the rest of the write arrives: %zu of %d bytes",
						       l.bytes, CQF_FIRST);
	EXPECT_EQ(0, l.bad_payload) TH_LOG("payload intact across the -ENOSPC");
	EXPECT_EQ(1, l.final_res) TH_LOG("the new recv is still armed");
	ASSERT_EQ(mark + 3, l.n) TH_LOG("three data CQEs (4096, 4096, 128), seen %u CQEs", l.n - mark);
	EXPECT_EQ(4096, l.c[mark].res);
	EXPECT_EQ(4096, l.c[mark + 1].res);
	EXPECT_EQ(128, l.c[mark + 2].res);
	EXPECT_EQ(1U, l.event_cqes) TH_LOG("E08: COPY still fired, no second event");
	EXPECT_EQ(2ULL, st->copy_count) TH_LOG("T03: copy_count 2, seen %llu",
						 (unsigned long long)st->copy_count);
	EXPECT_EQ((__u64)CQF_FIRST, st->copy_bytes) TH_LOG("T03: copy_bytes %d, seen %llu", CQF_FIRST,
							     (unsigned long long)st->copy_bytes);
	ASSERT_EQ(0, give_back(e, &l, mark, &given)) TH_LOG("C09: FLUSH_RQ");
	EXPECT_EQ(3U, given);
	EXPECT_EQ(rq_tail(e), rq_head(e)) TH_LOG("C09: FLUSH_RQ consumed every refill entry");
	EXPECT_EQ(0, zcrx_arm(&e->ring, e->z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("A04: the partial copy set the fired bit");

	/* every buffer of the area is back: 8 one-buffer writes, then none */
	for (unsigned int i = 0; i < CQF_PAGES; i++) {
		size_t pos = CQF_FIRST + i * CQF_SMALL;
		unsigned int before = l.n, idx = ~0U;

		ASSERT_EQ(0, write_once(e->tx, pos, CQF_SMALL, SEED));
		cq_collect(&e->ring, &l, pos + CQF_SMALL);
		ASSERT_EQ(pos + CQF_SMALL, l.bytes)
			TH_LOG("buffer %u of %d: the write must land (recv end %d)", i + 1, CQF_PAGES, l.final_res);
		for (unsigned int j = before; j < l.n; j++)
			if (l.c[j].ud == RECV_UD && l.c[j].res > 0)
				idx = (l.c[j].big[0] & ~IORING_ZCRX_AREA_MASK) >> 12;
		ASSERT_GT(CQF_PAGES, (int)idx) TH_LOG("buffer index %u inside the area", idx);
		EXPECT_EQ(0U, seen_bufs & (1U << idx)) TH_LOG("buffer %u handed out twice", idx);
		seen_bufs |= 1U << idx;
	}
	EXPECT_EQ((1U << CQF_PAGES) - 1, seen_bufs)
		TH_LOG("all %d buffers of the area came back: seen mask %#x", CQF_PAGES, seen_bufs);
	ASSERT_EQ(0, write_once(e->tx, CQF_FIRST + CQF_PAGES * CQF_SMALL, CQF_SMALL, SEED));
	cq_collect(&e->ring, &l, CQF_FIRST + (CQF_PAGES + 1) * CQF_SMALL);
	EXPECT_EQ(-ENOMEM, l.final_res) TH_LOG("E03: a ninth buffer does not exist: -ENOMEM, seen %d", l.final_res);
	EXPECT_EQ((size_t)(CQF_FIRST + CQF_PAGES * CQF_SMALL), l.bytes) TH_LOG("nothing more copied");
	EXPECT_EQ(0, l.bad_payload) TH_LOG("payload intact");
	EXPECT_EQ(2U, l.event_cqes) TH_LOG("E08: one event after the arm, two in all, seen %u", l.event_cqes);
	EXPECT_EQ(0U, cq_unclean_events(&l, ZCRX_EVENT_COPY)) TH_LOG("E10: COPY contents");
	EXPECT_EQ((__u64)(2 + CQF_PAGES), st->copy_count) TH_LOG("T03: copy_count %d, seen %llu",
		2 + CQF_PAGES, (unsigned long long)st->copy_count);
	EXPECT_EQ((__u64)(CQF_FIRST + CQF_PAGES * CQF_SMALL), st->copy_bytes)
		TH_LOG("T03/T04: copy_bytes %d (the failed copy adds nothing), seen %llu",
		       CQF_FIRST + CQF_PAGES * CQF_SMALL, (unsigned long long)st->copy_bytes);
}

TEST_HARNESS_MAIN
