// SPDX-License-Identifier: GPL-2.0
/*
 * Spec 2.5 (A01-A09): ZCRX_CTRL_ARM_EVENT (zcrx_arm_notif, zcrx.c:1549-1566),
 * a test-and-clear of the per-ifq fired bit of one event type.
 *
 * A COPY occurrence is produced without a NIC: a NODEV zcrx copies every
 * byte, and loopback TCP payload sits in page frags, so a multishot
 * IORING_OP_RECV_ZC of a few KiB fires ZCRX_EVENT_COPY (spec E01/T11).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "zcrx_lib.h"

#define COPY_MASK	(1u << ZCRX_EVENT_COPY)
#define ALLOC_MASK	(1u << ZCRX_EVENT_ALLOC_FAIL)
#define BURST		4096

_Static_assert(sizeof(struct zcrx_ctrl_arm_event) == 48, "A09: one u32 type + 11 reserved words");
_Static_assert(offsetof(struct zcrx_ctrl_arm_event, __resv) == 4, "A09: no mask field");

/* A ring with a NODEV zcrx; events with @mask unless @no_desc. */
static int arm_up(struct io_uring *ring, struct zcrx_ifq *z, uint32_t mask, bool no_desc)
{
	int ret = ring_create(ring, ZCRX_RING_FLAGS);

	if (ret)
		return ret;
	ifq_init(z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	if (!no_desc)
		ifq_set_events(z, EVENT_UD, mask, 0, 0);
	return ifq_register(ring, z);
}

/* Arm with an explicit reserved word (@resv_idx < 0: none). */
static int arm_raw(struct io_uring *ring, uint32_t id, uint32_t type, int resv_idx,
		   uint32_t val)
{
	struct zcrx_ctrl c = { .zcrx_id = id, .op = ZCRX_CTRL_ARM_EVENT };

	c.zc_arm_event.event_type = type;
	if (resv_idx >= 0)
		c.zc_arm_event.__resv[resv_idx] = val;
	return zcrx_ctrl(ring->ring_fd, &c, 0);
}

/* A loopback TCP pair with a multishot recvzc on @ring for @id. */
static int traffic_start(struct io_uring *ring, uint32_t id, int *rx, int *tx)
{
	int ret = tcp_pair(rx, tx);

	if (ret)
		return ret;
	return submit_recvzc(ring, *rx, id);
}

/* Send @len bytes and reap them (and any events) on @ring. */
static void burst(struct io_uring *ring, struct zcrx_ifq *z, int tx, unsigned int seed,
		  struct cq_tally *t)
{
	memset(t, 0, sizeof(*t));
	if (send_pattern(tx, BURST, seed))
		return;
	reap(ring, z, BURST, 2000, seed, t);
}

/* Events on @ring that nobody has asked for: GETEVENTS, then count. */
static unsigned int drain_events(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	unsigned int n = 0;

	io_uring_get_events(ring);
	while (!io_uring_peek_cqe(ring, &cqe)) {
		if (cqe->user_data == EVENT_UD)
			n++;
		io_uring_cqe_seen(ring, cqe);
	}
	return n;
}

/* Runs one burst that must fire exactly one COPY event. */
#define FIRE_COPY(ring, z, tx, seed) do {					\
	struct cq_tally __t;							\
	burst(ring, z, tx, seed, &__t);						\
	ASSERT_EQ((size_t)BURST, __t.bytes) TH_LOG("burst received");		\
	ASSERT_EQ(0, __t.bad_payload) TH_LOG("burst payload");		\
	ASSERT_EQ(1U, __t.events[ZCRX_EVENT_COPY]) TH_LOG("burst fired one COPY event"); \
	ASSERT_EQ(1U, __t.event_cqes) TH_LOG("and no other event");		\
} while (0)

/* ---- A01/A02: argument validation, before and after a fire ------------------- */

TEST(event_type_out_of_range_einval__A01)
{
	uint32_t bad[] = { __ZCRX_EVENT_TYPE_LAST, 33, 0xFFFFFFFF };
	struct io_uring ring;
	struct zcrx_ifq z;
	int rx, tx;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, arm_up(&ring, &z, COPY_MASK | ALLOC_MASK, false));
	for (unsigned int i = 0; i < 3; i++) {
		EXPECT_EQ(-EINVAL, zcrx_arm(&ring, z.reg.zcrx_id, bad[i]))
			TH_LOG("A01: event_type %u before any event", bad[i]);
	}
	ASSERT_EQ(0, traffic_start(&ring, z.reg.zcrx_id, &rx, &tx));
	FIRE_COPY(&ring, &z, tx, 1);
	for (unsigned int i = 0; i < 3; i++) {
		EXPECT_EQ(-EINVAL, zcrx_arm(&ring, z.reg.zcrx_id, bad[i]))
			TH_LOG("A01: event_type %u after COPY fired", bad[i]);
	}
	/* the refused calls left the fired bit alone */
	EXPECT_EQ(0, zcrx_arm(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("A01: control, COPY still armable after the refused calls");
	close(rx);
	close(tx);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

TEST(resv_nonzero_einval__A02)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	int rx, tx;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, arm_up(&ring, &z, COPY_MASK, false));
	for (int i = 0; i < 11; i++) {
		EXPECT_EQ(-EINVAL, arm_raw(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY, i, 1))
			TH_LOG("A02: __resv[%d]=1 before any event", i);
	}
	ASSERT_EQ(0, traffic_start(&ring, z.reg.zcrx_id, &rx, &tx));
	FIRE_COPY(&ring, &z, tx, 2);
	for (int i = 0; i < 11; i++) {
		EXPECT_EQ(-EINVAL, arm_raw(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY, i, 0x80000000))
			TH_LOG("A02: __resv[%d]=0x80000000 after COPY fired", i);
	}
	EXPECT_EQ(0, arm_raw(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY, -1, 0))
		TH_LOG("A02: control, zero __resv arms COPY (bit survived the refusals)");
	close(rx);
	close(tx);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* ---- A03: fired bit clear ------------------------------------------------------- */

FIXTURE(not_fired) {};
FIXTURE_SETUP(not_fired) {}
FIXTURE_TEARDOWN(not_fired) {}
FIXTURE_VARIANT(not_fired) {
	uint32_t mask;
	bool no_desc;
	bool traffic;
	uint32_t arm_type;
	unsigned int copy_events;	/* COPY CQEs the traffic produces */
};
/* subscribed, but no copy happened since registration */
FIXTURE_VARIANT_ADD(not_fired, never_fired__A03) {
	.mask = COPY_MASK, .arm_type = ZCRX_EVENT_COPY,
};
/* copies happen, but COPY is not in type_mask (E06) */
FIXTURE_VARIANT_ADD(not_fired, not_subscribed__A03) {
	.mask = ALLOC_MASK, .traffic = true, .arm_type = ZCRX_EVENT_COPY,
};
/* registration without an event_desc (R16) */
FIXTURE_VARIANT_ADD(not_fired, no_event_desc__A03) {
	.no_desc = true, .traffic = true, .arm_type = ZCRX_EVENT_COPY,
};
/* event_desc with type_mask 0: no master_ctx (E07) */
FIXTURE_VARIANT_ADD(not_fired, mask_zero__A03) {
	.mask = 0, .traffic = true, .arm_type = ZCRX_EVENT_COPY,
};
/* ALLOC_FAIL never fires on NODEV (E04), even with both subscribed */
FIXTURE_VARIANT_ADD(not_fired, alloc_fail_nodev__A03) {
	.mask = COPY_MASK | ALLOC_MASK, .traffic = true, .arm_type = ZCRX_EVENT_ALLOC_FAIL,
	.copy_events = 1,
};

TEST_F(not_fired, arm_einval__A03)
{
	struct cq_tally t;
	struct io_uring ring;
	struct zcrx_ifq z;
	int rx = -1, tx = -1;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, arm_up(&ring, &z, variant->mask, variant->no_desc));
	if (variant->traffic) {
		ASSERT_EQ(0, traffic_start(&ring, z.reg.zcrx_id, &rx, &tx));
		burst(&ring, &z, tx, 3, &t);
		ASSERT_EQ((size_t)BURST, t.bytes) TH_LOG("A03: the copies happened");
		EXPECT_EQ(variant->copy_events, t.events[ZCRX_EVENT_COPY])
			TH_LOG("A03: COPY events seen");
		EXPECT_EQ(0U, t.events[ZCRX_EVENT_ALLOC_FAIL]) TH_LOG("A03: no ALLOC_FAIL event");
	}
	EXPECT_EQ(-EINVAL, zcrx_arm(&ring, z.reg.zcrx_id, variant->arm_type))
		TH_LOG("A03: arm type %u whose fired bit is clear", variant->arm_type);
	EXPECT_EQ(-EINVAL, zcrx_arm(&ring, z.reg.zcrx_id, variant->arm_type))
		TH_LOG("A03: and again");
	if (variant->copy_events) {
		EXPECT_EQ(0, zcrx_arm(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY))
			TH_LOG("A03: control, the COPY that did fire is armable");
	}
	if (rx >= 0) {
		close(rx);
		close(tx);
	}
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* ---- A04/A05: test-and-clear ------------------------------------------------------ */

TEST(fired_bit_cleared__A04)
{
	struct cq_tally t;
	struct io_uring ring;
	struct zcrx_ifq z;
	int rx, tx;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, arm_up(&ring, &z, COPY_MASK, false));
	ASSERT_EQ(0, traffic_start(&ring, z.reg.zcrx_id, &rx, &tx));
	FIRE_COPY(&ring, &z, tx, 4);
	/* fire-once: without an arm the next copy is silent (E08) */
	burst(&ring, &z, tx, 5, &t);
	ASSERT_EQ((size_t)BURST, t.bytes);
	EXPECT_EQ(0U, t.event_cqes) TH_LOG("A04: fired bit set, no second event");
	EXPECT_EQ(0, zcrx_arm(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("A04: arm with the fired bit set returns 0");
	/* the bit is clear now: the next copy fires again */
	FIRE_COPY(&ring, &z, tx, 6);
	EXPECT_EQ(0, zcrx_arm(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("A04: the re-fired bit arms again");
	close(rx);
	close(tx);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

TEST(arm_twice_zero_then_einval__A05)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	int rx, tx;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, arm_up(&ring, &z, COPY_MASK, false));
	ASSERT_EQ(0, traffic_start(&ring, z.reg.zcrx_id, &rx, &tx));
	FIRE_COPY(&ring, &z, tx, 7);
	EXPECT_EQ(0, zcrx_arm(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY)) TH_LOG("A05: first arm");
	EXPECT_EQ(-EINVAL, zcrx_arm(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("A05: second arm with no event in between");
	EXPECT_EQ(0U, drain_events(&ring)) TH_LOG("A05: arming posted nothing");
	close(rx);
	close(tx);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* ---- A06: the bit is set when the event is queued, not posted --------------------- */

/* Count posted CQEs without entering the kernel. */
static void count_posted(struct io_uring *ring, unsigned int *data, unsigned int *events)
{
	struct io_uring_cqe *cqe;
	unsigned int head;

	*data = *events = 0;
	io_uring_for_each_cqe(ring, head, cqe) {
		if (cqe->user_data == EVENT_UD)
			(*events)++;
		else if (cqe->user_data == RECV_UD && cqe->res > 0)
			(*data)++;
	}
}

TEST(arm_before_event_cqe_posted__A06)
{
	struct cq_tally t = { 0 };
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct zcrx_ifq z;
	unsigned int data, events;
	struct pollfd pfd;
	int rx, tx, ret;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, arm_up(&ring, &z, COPY_MASK, false));
	ASSERT_EQ(0, tcp_pair(&rx, &tx));
	/* data first, so the recv copies inline in the submitting syscall */
	ASSERT_EQ(0, send_pattern(tx, BURST, 8));
	pfd.fd = rx;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 2000)) TH_LOG("A06: data queued on the receiver");

	sqe = prep_recvzc(&ring, rx, z.reg.zcrx_id);
	ASSERT_NE(NULL, sqe);
	/* publish the SQE ourselves: io_uring_submit may add GETEVENTS */
	__atomic_store_n(ring.sq.ktail, ring.sq.sqe_tail, __ATOMIC_RELEASE);
	ring.sq.sqe_head = ring.sq.sqe_tail;
	ret = syscall(__NR_io_uring_enter, ring.ring_fd, 1, 0, 0, NULL, 0);
	ASSERT_EQ(1, ret) TH_LOG("A06: io_uring_enter(fd, 1, 0, 0): one SQE submitted, no GETEVENTS");

	count_posted(&ring, &data, &events);
	ASSERT_LT(0U, data) TH_LOG("A06: the data CQEs are posted by the submit itself");
	EXPECT_EQ(0U, events) TH_LOG("A06: the COPY event is still only queued task work");
	EXPECT_EQ(0, zcrx_arm(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("A06: arm returns 0 although no event CQE exists yet");
	count_posted(&ring, &data, &events);
	EXPECT_EQ(0U, events) TH_LOG("A06: arming did not post the event");
	EXPECT_EQ(-EINVAL, zcrx_arm(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("A06: the arm consumed the bit");

	/* GETEVENTS runs the local task work: the queued event appears */
	reap(&ring, &z, BURST, 2000, 8, &t);
	EXPECT_EQ((size_t)BURST, t.bytes) TH_LOG("A06: all data");
	EXPECT_EQ(0, t.bad_payload) TH_LOG("A06: payload");
	EXPECT_EQ(1U, t.events[ZCRX_EVENT_COPY]) TH_LOG("A06: the event CQE arrives after GETEVENTS");
	EXPECT_EQ(1U, t.event_cqes) TH_LOG("A06: exactly one event CQE");
	close(rx);
	close(tx);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* ---- A07/A08: importers -------------------------------------------------------- */

TEST(fired_state_shared_with_importer__A07)
{
	struct io_uring ring, imp;
	struct zcrx_ifq z;
	uint32_t id, imp_id;
	int rx, tx, box;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, arm_up(&ring, &z, COPY_MASK, false));
	id = z.reg.zcrx_id;
	ASSERT_EQ(0, zcrx_export(&ring, id, &box)) TH_LOG("A07: EXPORT");
	ASSERT_EQ(0, ring_create(&imp, ZCRX_RING_FLAGS));
	ASSERT_EQ(0, zcrx_import(&imp, box, &imp_id)) TH_LOG("A07: import into a second ring");
	close(box);

	EXPECT_EQ(-EINVAL, zcrx_arm(&imp, imp_id, ZCRX_EVENT_COPY))
		TH_LOG("A07: nothing fired yet, through the importer");
	ASSERT_EQ(0, traffic_start(&ring, id, &rx, &tx));
	FIRE_COPY(&ring, &z, tx, 9);
	EXPECT_EQ(0, zcrx_arm(&imp, imp_id, ZCRX_EVENT_COPY))
		TH_LOG("A07: the creator's event is armed through the importer's id");
	EXPECT_EQ(-EINVAL, zcrx_arm(&ring, id, ZCRX_EVENT_COPY))
		TH_LOG("A07: ... after which the creator's id finds the bit clear");

	/* the other way round: the importer's arm re-enabled the event */
	FIRE_COPY(&ring, &z, tx, 10);
	EXPECT_EQ(0, zcrx_arm(&ring, id, ZCRX_EVENT_COPY)) TH_LOG("A07: arm through the creator");
	EXPECT_EQ(-EINVAL, zcrx_arm(&imp, imp_id, ZCRX_EVENT_COPY))
		TH_LOG("A07: ... after which the importer's id finds the bit clear");
	EXPECT_EQ(0U, drain_events(&imp)) TH_LOG("A07: the importer ring never gets event CQEs");
	close(rx);
	close(tx);
	io_uring_queue_exit(&imp);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

#define PIN_PAGES	16

/*
 * A08: arm checks neither the subscription nor master_ctx. The importer has
 * neither; and once the creator ring is gone, a bit that fired earlier is
 * still armable through the importer.
 * "Creator gone" is observed through VmPin: the creator ring also owns a
 * second, private zcrx whose PIN_PAGES-page area is unpinned only when the
 * creator ctx is freed (io_ring_ctx_free -> io_unregister_zcrx). The ctx can
 * only be freed after io_ring_exit_work ran io_terminate_zcrx, which cleared
 * master_ctx (zcrx.c:751-756, io_uring.c:2439-2441).
 */
TEST(arm_ignores_master_ctx__A08)
{
	struct io_uring ring, imp;
	struct cq_tally t;
	struct zcrx_ifq z, priv;
	long page = sysconf(_SC_PAGESIZE);
	long pin_before, pin_now = -1, pin_kb = PIN_PAGES * page / 1024;
	uint32_t imp_id;
	int rx, tx, rx2, tx2, box;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, arm_up(&ring, &z, COPY_MASK, false));
	ifq_init(&priv, RQ_ENTRIES, REGION_SZ, PIN_PAGES);
	ASSERT_EQ(0, ifq_register(&ring, &priv)) TH_LOG("A08: a second zcrx owned by the creator");
	/* its region mapping would keep the creator ring file alive */
	ifq_release(&priv);

	ASSERT_EQ(0, zcrx_export(&ring, z.reg.zcrx_id, &box));
	ASSERT_EQ(0, ring_create(&imp, ZCRX_RING_FLAGS));
	ASSERT_EQ(0, zcrx_import(&imp, box, &imp_id));
	close(box);

	ASSERT_EQ(0, traffic_start(&ring, z.reg.zcrx_id, &rx, &tx));
	FIRE_COPY(&ring, &z, tx, 11);
	close(rx);
	close(tx);

	/* the importer has no event_desc and is not master_ctx, yet its id
	 * reaches the fired bits (probe a type that never fired)
	 */
	EXPECT_EQ(-EINVAL, zcrx_arm(&imp, imp_id, ZCRX_EVENT_ALLOC_FAIL))
		TH_LOG("A08: importer id, ALLOC_FAIL never fired");

	pin_before = vm_pinned_kb();
	ASSERT_LE(pin_kb, pin_before) TH_LOG("A08: VmPin counts the private area");
	ifq_unmap_region(&z);		/* same reason as above */
	io_uring_queue_exit(&ring);
	for (int i = 0; i < 500; i++) {
		pin_now = vm_pinned_kb();
		if (pin_now <= pin_before - pin_kb)
			break;
		usleep(10000);
	}
	ASSERT_EQ(pin_before - pin_kb, pin_now)
		TH_LOG("A08: the creator ctx was freed (private area unpinned), so master_ctx is NULL");

	EXPECT_EQ(0, zcrx_arm(&imp, imp_id, ZCRX_EVENT_COPY))
		TH_LOG("A08: arm through the importer succeeds with no master_ctx at all");
	EXPECT_EQ(-EINVAL, zcrx_arm(&imp, imp_id, ZCRX_EVENT_COPY))
		TH_LOG("A08: and consumed the bit");

	/* with master_ctx gone the bit can never be set again (E17) */
	ASSERT_EQ(0, traffic_start(&imp, imp_id, &rx2, &tx2));
	burst(&imp, &z, tx2, 12, &t);
	EXPECT_EQ((size_t)BURST, t.bytes) TH_LOG("A08: copies through the importer continue");
	EXPECT_EQ(0, t.bad_payload) TH_LOG("A08: payload");
	EXPECT_EQ(0U, t.event_cqes) TH_LOG("A08: no event CQE on the importer");
	EXPECT_EQ(-EINVAL, zcrx_arm(&imp, imp_id, ZCRX_EVENT_COPY))
		TH_LOG("A08: no new fire without master_ctx");
	close(rx2);
	close(tx2);
	io_uring_queue_exit(&imp);
	ifq_release(&z);
}

/* ---- A09: one type per call -------------------------------------------------------- */

TEST(v1_mask_values__A09)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	int rx, tx;

	REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, arm_up(&ring, &z, COPY_MASK | ALLOC_MASK, false));
	ASSERT_EQ(0, traffic_start(&ring, z.reg.zcrx_id, &rx, &tx));
	FIRE_COPY(&ring, &z, tx, 13);
	/* v1: ZCRX_NOTIF_NO_BUFFERS = 1 << 0, ZCRX_NOTIF_COPY = 1 << 1 */
	EXPECT_EQ(-EINVAL, zcrx_arm(&ring, z.reg.zcrx_id, ALLOC_MASK | COPY_MASK))
		TH_LOG("A09: a v1 mask of both types (3) is refused, COPY has fired");
	EXPECT_EQ(-EINVAL, zcrx_arm(&ring, z.reg.zcrx_id, COPY_MASK))
		TH_LOG("A09: the v1 COPY mask bit (2) is refused");
	/* the v1 NO_BUFFERS mask bit (1) is the 7.3 COPY index */
	EXPECT_EQ(0, zcrx_arm(&ring, z.reg.zcrx_id, ALLOC_MASK))
		TH_LOG("A09: the v1 NO_BUFFERS mask value 1 arms COPY on 7.3");
	EXPECT_EQ(-EINVAL, zcrx_arm(&ring, z.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("A09: ... the COPY bit is now clear");
	close(rx);
	close(tx);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

TEST_HARNESS_MAIN
