// SPDX-License-Identifier: GPL-2.0
/*
 * Spec 2.4 (C01-C11): IORING_REGISTER_ZCRX_CTRL dispatch (io_zcrx_ctrl,
 * zcrx.c:1596-1627) and the FLUSH_RQ / EXPORT / ADD_AREA payloads.
 * ARM_EVENT has its own file (arm.c, rows A01-A09).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "zcrx_lib.h"

static struct zcrx_ctrl mk_ctrl(uint32_t id, uint32_t op)
{
	struct zcrx_ctrl c;

	memset(&c, 0, sizeof(c));
	c.zcrx_id = id;
	c.op = op;
	return c;
}

/* A SINGLE_ISSUER|DEFER_TASKRUN|CQE32 ring with a NODEV zcrx (no events). */
static int zc_up(struct io_uring *ring, struct zcrx_ifq *z, size_t area_pages)
{
	int ret = ring_create(ring, ZCRX_RING_FLAGS);

	if (ret)
		return ret;
	ifq_init(z, RQ_ENTRIES, REGION_SZ, area_pages);
	return ifq_register(ring, z);
}

static bool add_area_supported(void)
{
	return zcrx_caps()->zcrx.nr_ctrl_opcodes > ZCRX_CTRL_ADD_AREA;
}

#define REQUIRE_ADD_AREA() do {						\
	REQUIRE(zcrx_nodev_missing());						\
	if (!add_area_supported())					\
		SKIP(return, "ZCRX_CTRL_ADD_AREA unsupported: nr_ctrl_opcodes %u", \
		     zcrx_caps()->zcrx.nr_ctrl_opcodes);		\
} while (0)

/* ---- C01 ------------------------------------------------------------------ */

struct other_thread {
	int ring_fd;
	struct zcrx_ctrl ctrl;
	unsigned int nr_args;
	int ret;
};

static void *ctrl_thread(void *arg)
{
	struct other_thread *o = arg;

	o->ret = zcrx_ctrl(o->ring_fd, &o->ctrl, o->nr_args);
	return NULL;
}

static int ctrl_from_thread(int ring_fd, struct zcrx_ctrl c, unsigned int nr_args)
{
	struct other_thread o = { .ring_fd = ring_fd, .ctrl = c, .nr_args = nr_args,
				  .ret = 1 };
	pthread_t th;

	if (pthread_create(&th, NULL, ctrl_thread, &o))
		return 2;
	pthread_join(th, NULL);
	return o.ret;
}

TEST(other_task_eexist__C01)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;
	uint32_t id;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	id = z.reg.zcrx_id;

	EXPECT_EQ(-EEXIST, ctrl_from_thread(ring.ring_fd, mk_ctrl(id, ZCRX_CTRL_FLUSH_RQ), 0))
		TH_LOG("C01: FLUSH_RQ from a second thread of the process");
	EXPECT_EQ(-EEXIST, ctrl_from_thread(ring.ring_fd, mk_ctrl(id, ZCRX_CTRL_EXPORT), 0))
		TH_LOG("C01: EXPORT from a second thread of the process");
	/* the task check (register.c:814) comes before ctrl's own nr_args check */
	EXPECT_EQ(-EEXIST, ctrl_from_thread(ring.ring_fd, mk_ctrl(id, ZCRX_CTRL_FLUSH_RQ), 1))
		TH_LOG("C01: the submitter-task check precedes the nr_args check");
	EXPECT_EQ(-EEXIST, ctrl_from_thread(ring.ring_fd, mk_ctrl(id + 1, ZCRX_CTRL_FLUSH_RQ), 0))
		TH_LOG("C01: the submitter-task check precedes the id lookup");
	/* control: the same call from the submitter task succeeds */
	c = mk_ctrl(id, ZCRX_CTRL_FLUSH_RQ);
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C01: FLUSH_RQ from the ring's submitter task");
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* ---- C02-C07 ------------------------------------------------------------------ */

TEST(nr_args_nonzero_einval__C02)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	c = mk_ctrl(z.reg.zcrx_id, ZCRX_CTRL_FLUSH_RQ);
	EXPECT_EQ(-EINVAL, zcrx_ctrl(ring.ring_fd, &c, 1)) TH_LOG("C02: nr_args=1");
	EXPECT_EQ(-EINVAL, zcrx_ctrl(ring.ring_fd, &c, 0xFFFFFFFF)) TH_LOG("C02: nr_args=~0");
	EXPECT_EQ(-EINVAL, zcrx_ctrl(ring.ring_fd, unmapped_page(), 1))
		TH_LOG("C02: nr_args is checked before arg is read (unreadable arg)");
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C02: control, nr_args=0");
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

TEST(arg_unreadable_efault__C03)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;
	char *pg;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, NULL, 0)) TH_LOG("C03: arg NULL");
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, unmapped_page(), 0))
		TH_LOG("C03: arg on an unmapped page");

	/* a valid FLUSH_RQ ctrl whose last byte (of 72) is unmapped */
	pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pg);
	ASSERT_EQ(0, munmap(pg + 4096, 4096));
	c = mk_ctrl(z.reg.zcrx_id, ZCRX_CTRL_FLUSH_RQ);
	memcpy(pg + 4096 - (sizeof(c) - 1), &c, sizeof(c) - 1);
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, (void *)(pg + 4096 - (sizeof(c) - 1)), 0))
		TH_LOG("C03: all %zu bytes are read: the last one unmapped", sizeof(c));
	memcpy(pg + 4096 - sizeof(c), &c, sizeof(c));
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, (void *)(pg + 4096 - sizeof(c)), 0))
		TH_LOG("C03: control, the same ctrl ending exactly at the page end");
	munmap(pg, 4096);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

FIXTURE(ctrl_resv) {};
FIXTURE_SETUP(ctrl_resv) {}
FIXTURE_TEARDOWN(ctrl_resv) {}
FIXTURE_VARIANT(ctrl_resv) {
	unsigned int idx;
	uint32_t op;
};
FIXTURE_VARIANT_ADD(ctrl_resv, resv0_flush__C04) { .idx = 0, .op = ZCRX_CTRL_FLUSH_RQ };
FIXTURE_VARIANT_ADD(ctrl_resv, resv1_flush__C04) { .idx = 1, .op = ZCRX_CTRL_FLUSH_RQ };
FIXTURE_VARIANT_ADD(ctrl_resv, resv0_export__C04) { .idx = 0, .op = ZCRX_CTRL_EXPORT };
FIXTURE_VARIANT_ADD(ctrl_resv, resv1_arm__C04) { .idx = 1, .op = ZCRX_CTRL_ARM_EVENT };

TEST_F(ctrl_resv, efault_not_einval__C04)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	c = mk_ctrl(z.reg.zcrx_id, variant->op);
	c.__resv[variant->idx] = 1;
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C04: op %u, __resv[%u]=1 gives EFAULT (every other reserved field gives EINVAL)",
		       variant->op, variant->idx);
	c.__resv[variant->idx] = 1ULL << 63;
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C04: op %u, __resv[%u] top bit", variant->op, variant->idx);
	/* ordering: __resv is checked before the id lookup and the op */
	c.zcrx_id = z.reg.zcrx_id + 1;
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C04: __resv is checked before the id (unknown id gives EFAULT, not ENXIO)");
	c.op = 0xFFFFFFFF;
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C04: __resv is checked before the op");
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

TEST(unknown_id_enxio__C05)
{
	struct io_uring ring, other;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;
	uint32_t id;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	ASSERT_EQ(0, ring_create(&other, ZCRX_RING_FLAGS));
	id = z.reg.zcrx_id;

	c = mk_ctrl(id + 1, ZCRX_CTRL_FLUSH_RQ);
	EXPECT_EQ(-ENXIO, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C05: id %u + 1", id);
	c = mk_ctrl(0xFFFFFFFF, ZCRX_CTRL_FLUSH_RQ);
	EXPECT_EQ(-ENXIO, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C05: id 0xFFFFFFFF");
	/* a valid id of another ring is unknown in this one */
	c = mk_ctrl(id, ZCRX_CTRL_FLUSH_RQ);
	EXPECT_EQ(-ENXIO, zcrx_ctrl(other.ring_fd, &c, 0))
		TH_LOG("C05: id %u of ring A used on ring B, which has no zcrx", id);
	c = mk_ctrl(id, ZCRX_CTRL_EXPORT);
	EXPECT_EQ(-ENXIO, zcrx_ctrl(other.ring_fd, &c, 0))
		TH_LOG("C05: EXPORT through a ring without that id");
	c = mk_ctrl(id, ZCRX_CTRL_FLUSH_RQ);
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C05: control, the owning ring");
	io_uring_queue_exit(&other);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

TEST(unknown_id_before_op__C06)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;
	uint32_t bad_op = zcrx_caps()->zcrx.nr_ctrl_opcodes;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	c = mk_ctrl(z.reg.zcrx_id + 1, bad_op);
	EXPECT_EQ(-ENXIO, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C06: unknown id + op %u: the id is checked first", bad_op);
	c = mk_ctrl(z.reg.zcrx_id + 1, 0xFFFFFFFF);
	EXPECT_EQ(-ENXIO, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C06: unknown id + op 0xFFFFFFFF: the id is checked first");
	/* control: the same ops on the known id are refused for the op */
	c = mk_ctrl(z.reg.zcrx_id, bad_op);
	EXPECT_EQ(-EOPNOTSUPP, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C06: control, known id + op %u", bad_op);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

TEST(unknown_op_eopnotsupp__C07)
{
	uint32_t ops[3] = { zcrx_caps()->zcrx.nr_ctrl_opcodes,
			    zcrx_caps()->zcrx.nr_ctrl_opcodes + 1, 0xFFFFFFFF };
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	/* the query's nr_ctrl_opcodes is the first op the kernel does not know
	 * (its value on 7.3, __ZCRX_CTRL_LAST, is checked by Q08)
	 */
	for (int i = 0; i < 3; i++) {
		c = mk_ctrl(z.reg.zcrx_id, ops[i]);
		EXPECT_EQ(-EOPNOTSUPP, zcrx_ctrl(ring.ring_fd, &c, 0))
			TH_LOG("C07: op %u", ops[i]);
		/* nothing was written back */
		EXPECT_EQ(ops[i], c.op) TH_LOG("C07: op %u: ctrl untouched", ops[i]);
	}
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* ---- C08 ------------------------------------------------------------------ */

TEST(no_eperm_without_net_admin__C08)
{
	struct io_uring ring, ring2;
	struct zcrx_ifq z, z2;
	struct io_uring_zcrx_area_reg add;
	struct zcrx_ctrl c;
	void *mem;
	uint32_t id;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	id = z.reg.zcrx_id;
	ASSERT_EQ(0, ring_create(&ring2, ZCRX_RING_FLAGS));
	ASSERT_EQ(0, drop_capability(CAP_NET_ADMIN)) TH_LOG("C08: capset dropping CAP_NET_ADMIN");

	/* the drop is effective: a registration is refused (R01) */
	ifq_init(&z2, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_EQ(-EPERM, ifq_register(&ring2, &z2))
		TH_LOG("C08: after the drop, IORING_REGISTER_ZCRX_IFQ gives EPERM");

	c = mk_ctrl(id, ZCRX_CTRL_FLUSH_RQ);
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C08: FLUSH_RQ without CAP_NET_ADMIN");
	c = mk_ctrl(id, ZCRX_CTRL_EXPORT);
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C08: EXPORT without CAP_NET_ADMIN");
	EXPECT_LT(2U, c.zc_export.zcrx_fd) TH_LOG("C08: EXPORT wrote an fd back");
	close(c.zc_export.zcrx_fd);
	c = mk_ctrl(id, ZCRX_CTRL_FLUSH_RQ);
	c.__resv[0] = 1;
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C08: validation errors are unchanged without the capability");
	c = mk_ctrl(id, 0xFFFFFFFF);
	EXPECT_EQ(-EOPNOTSUPP, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C08: an unknown op still gives EOPNOTSUPP, not EPERM");
	if (!zcrx_events_missing()) {
		/* nothing fired: EINVAL (A03), not EPERM */
		EXPECT_EQ(-EINVAL, zcrx_arm(&ring, id, ZCRX_EVENT_COPY))
			TH_LOG("C08: ARM_EVENT without CAP_NET_ADMIN reaches its own checks");
	}
	if (add_area_supported()) {
		long page = sysconf(_SC_PAGESIZE);

		mem = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, mem);
		memset(&add, 0, sizeof(add));
		add.addr = (uintptr_t)mem;
		add.len = 4 * page;
		c = mk_ctrl(id, ZCRX_CTRL_ADD_AREA);
		c.zc_area.area_ptr = (uintptr_t)&add;
		EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0))
			TH_LOG("C08: ADD_AREA without CAP_NET_ADMIN");
	}
	ifq_release(&z2);
	io_uring_queue_exit(&ring2);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* ---- C09 FLUSH_RQ payload ---------------------------------------------------- */

FIXTURE(flush_resv) {};
FIXTURE_SETUP(flush_resv) {}
FIXTURE_TEARDOWN(flush_resv) {}
FIXTURE_VARIANT(flush_resv) { unsigned int idx; uint64_t val; };
FIXTURE_VARIANT_ADD(flush_resv, first__C09) { .idx = 0, .val = 1 };
FIXTURE_VARIANT_ADD(flush_resv, last__C09) { .idx = 5, .val = 1ULL << 63 };

TEST_F(flush_resv, einval__C09)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	c = mk_ctrl(z.reg.zcrx_id, ZCRX_CTRL_FLUSH_RQ);
	c.zc_flush.__resv[variant->idx] = variant->val;
	EXPECT_EQ(-EINVAL, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C09: zc_flush.__resv[%u]=0x%llx", variant->idx,
		       (unsigned long long)variant->val);
	c.zc_flush.__resv[variant->idx] = 0;
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C09: zero payload");
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/*
 * C09/C11 effect: a 2-page area is used up by 8 KiB of copied data. Then the
 * buffers are given back (FLUSH_RQ of refill-ring entries) or a second area
 * is added (ADD_AREA), and another 8 KiB must arrive. Without either, the
 * next receive ends with -ENOMEM (NODEV has no page pool that would consume
 * the refill ring by itself).
 */
#define SMALL_AREA	2
#define CHUNK		8192

struct data_cqes {
	size_t bytes;
	unsigned int n;
	uint64_t off[16];
	uint32_t len[16];
	int final_res;		/* res of a final (no F_MORE) recv CQE, or 1 */
};

/* Collect data CQEs until @bytes arrived, recv ended, or 2 s passed. */
static void collect(struct io_uring *ring, size_t bytes, struct data_cqes *d)
{
	long long end = now_ms() + 2000;

	memset(d, 0, sizeof(*d));
	d->final_res = 1;
	while (d->bytes < bytes && d->final_res > 0 && now_ms() < end) {
		struct __kernel_timespec ts = { .tv_nsec = 20 * 1000000 };
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe_timeout(ring, &cqe, &ts))
			continue;
		if (cqe->user_data == RECV_UD) {
			struct io_uring_zcrx_cqe *rc = (void *)cqe->big_cqe;

			if (!(cqe->flags & IORING_CQE_F_MORE))
				d->final_res = cqe->res;
			if (cqe->res > 0) {
				if (d->n < 16) {
					d->off[d->n] = rc->off;
					d->len[d->n] = cqe->res;
				}
				d->n++;
				d->bytes += cqe->res;
			}
		}
		io_uring_cqe_seen(ring, cqe);
	}
}

static uint32_t *rq_word(struct zcrx_ifq *z, uint32_t off)
{
	return (uint32_t *)((char *)z->region + off);
}

FIXTURE(refill) {};
FIXTURE_SETUP(refill) {}
FIXTURE_TEARDOWN(refill) {}
FIXTURE_VARIANT(refill) {
	bool flush;		/* return the buffers with FLUSH_RQ */
	bool add_area;		/* ADD_AREA a second 2-page area */
};
FIXTURE_VARIANT_ADD(refill, control_enomem__C09) { 0 };
FIXTURE_VARIANT_ADD(refill, flush_rq_returns_buffers__C09) { .flush = true };
FIXTURE_VARIANT_ADD(refill, add_area_adds_buffers__C11) { .add_area = true };

TEST_F(refill, second_chunk)
{
	struct io_uring_zcrx_area_reg area2;
	struct io_uring_zcrx_rqe *rqes;
	struct data_cqes d1, d2;
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;
	uint32_t mask, tail;
	void *mem2;
	int rx, tx;

	REQUIRE(zcrx_nodev_missing());
	if (variant->add_area)
		REQUIRE_ADD_AREA();
	ASSERT_EQ(0, zc_up(&ring, &z, SMALL_AREA));
	ASSERT_NE(NULL, z.region);
	ASSERT_EQ(0, tcp_pair(&rx, &tx));
	ASSERT_EQ(0, submit_recvzc(&ring, rx, z.reg.zcrx_id));

	ASSERT_EQ(0, send_pattern(tx, CHUNK, 1));
	collect(&ring, CHUNK, &d1);
	ASSERT_EQ((size_t)CHUNK, d1.bytes) TH_LOG("first %d bytes fill the %d-page area",
						   CHUNK, SMALL_AREA);
	ASSERT_EQ(1, d1.final_res) TH_LOG("recvzc still armed after the first chunk");
	ASSERT_GE(16U, d1.n);

	mask = z.reg.rq_entries - 1;
	rqes = (void *)((char *)z.region + z.reg.offsets.rqes);
	EXPECT_EQ(0U, *rq_word(&z, z.reg.offsets.head)) TH_LOG("refill head before");
	if (variant->flush) {
		tail = *rq_word(&z, z.reg.offsets.tail);
		for (unsigned int i = 0; i < d1.n; i++) {
			rqes[(tail + i) & mask].off = d1.off[i];
			rqes[(tail + i) & mask].len = d1.len[i];
			rqes[(tail + i) & mask].__pad = 0;
		}
		__atomic_store_n(rq_word(&z, z.reg.offsets.tail), tail + d1.n, __ATOMIC_RELEASE);
		c = mk_ctrl(z.reg.zcrx_id, ZCRX_CTRL_FLUSH_RQ);
		EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C09: FLUSH_RQ");
		EXPECT_EQ(tail + d1.n, __atomic_load_n(rq_word(&z, z.reg.offsets.head),
						       __ATOMIC_ACQUIRE))
			TH_LOG("C09: FLUSH_RQ consumed all %u refill entries", d1.n);
	}
	if (variant->add_area) {
		long page = sysconf(_SC_PAGESIZE);

		mem2 = mmap(NULL, SMALL_AREA * page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, mem2);
		memset(&area2, 0, sizeof(area2));
		area2.addr = (uintptr_t)mem2;
		area2.len = SMALL_AREA * page;
		c = mk_ctrl(z.reg.zcrx_id, ZCRX_CTRL_ADD_AREA);
		c.zc_area.area_ptr = (uintptr_t)&area2;
		EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C11: ADD_AREA on NODEV");
		EXPECT_EQ((__u64)1 << IORING_ZCRX_AREA_SHIFT, area2.rq_area_token)
			TH_LOG("C11: the token of area index 1 is written back");
	}

	ASSERT_EQ(0, send_pattern(tx, CHUNK, 2));
	collect(&ring, CHUNK, &d2);
	if (!variant->flush && !variant->add_area) {
		EXPECT_EQ(0U, d2.bytes) TH_LOG("control: no buffer left for the second chunk");
		EXPECT_EQ(-ENOMEM, d2.final_res) TH_LOG("control: recvzc ends with -ENOMEM");
	} else {
		EXPECT_EQ((size_t)CHUNK, d2.bytes) TH_LOG("second chunk received");
		EXPECT_EQ(1, d2.final_res) TH_LOG("recvzc still armed");
	}
	if (variant->add_area)
		for (unsigned int i = 0; i < d2.n && i < 16; i++) {
			EXPECT_EQ(1ULL, d2.off[i] >> IORING_ZCRX_AREA_SHIFT)
				TH_LOG("C11: data CQE %u lands in the added area", i);
		}
	if (variant->flush)
		for (unsigned int i = 0; i < d2.n && i < 16; i++) {
			EXPECT_EQ(0ULL, d2.off[i] >> IORING_ZCRX_AREA_SHIFT)
				TH_LOG("C09: data CQE %u reuses the flushed area 0", i);
		}
	close(rx);
	close(tx);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* ---- C10 EXPORT -------------------------------------------------------------- */

FIXTURE(export_payload) {};
FIXTURE_SETUP(export_payload) {}
FIXTURE_TEARDOWN(export_payload) {}
FIXTURE_VARIANT(export_payload) { int word; uint32_t val; };	/* word -1: zcrx_fd */
FIXTURE_VARIANT_ADD(export_payload, zcrx_fd__C10) { .word = -1, .val = 1 };
FIXTURE_VARIANT_ADD(export_payload, resv1_first__C10) { .word = 0, .val = 1 };
FIXTURE_VARIANT_ADD(export_payload, resv1_last__C10) { .word = 10, .val = 0x80000000 };

TEST_F(export_payload, einval__C10)
{
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c, before;
	int fds_before, fds_after;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	c = mk_ctrl(z.reg.zcrx_id, ZCRX_CTRL_EXPORT);
	if (variant->word < 0)
		c.zc_export.zcrx_fd = variant->val;
	else
		c.zc_export.__resv1[variant->word] = variant->val;
	before = c;
	fds_before = dup(0);
	close(fds_before);
	EXPECT_EQ(-EINVAL, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C10: nonzero EXPORT payload word %d", variant->word);
	EXPECT_EQ(0, memcmp(&before, &c, sizeof(c))) TH_LOG("C10: nothing written back");
	fds_after = dup(0);
	close(fds_after);
	EXPECT_EQ(fds_before, fds_after) TH_LOG("C10: no fd was installed");
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

TEST(export_success_writes_fd__C10)
{
	struct io_uring ring, ring2;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;
	char link[64], path[64];
	ssize_t n;
	uint32_t id2;
	int fd, next;

	REQUIRE(zcrx_nodev_missing());
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	next = dup(0);
	close(next);
	c = mk_ctrl(z.reg.zcrx_id, ZCRX_CTRL_EXPORT);
	ASSERT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C10: EXPORT");
	fd = c.zc_export.zcrx_fd;
	EXPECT_EQ(next, fd) TH_LOG("C10: the lowest free fd is written into zc_export.zcrx_fd");
	EXPECT_EQ(z.reg.zcrx_id, c.zcrx_id) TH_LOG("C10: zcrx_id written back unchanged");
	EXPECT_EQ((__u32)ZCRX_CTRL_EXPORT, c.op) TH_LOG("C10: op written back unchanged");
	for (int i = 0; i < 11; i++) {
		EXPECT_EQ(0U, c.zc_export.__resv1[i]) TH_LOG("C10: __resv1[%d]", i);
	}
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD)) TH_LOG("C10: the fd is O_CLOEXEC");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = 0;
	EXPECT_STREQ("anon_inode:[zcrx]", link) TH_LOG("C10: the fd is a [zcrx] box");
	/* the box is usable: another ring imports it */
	ASSERT_EQ(0, ring_create(&ring2, ZCRX_RING_FLAGS));
	EXPECT_EQ(0, zcrx_import(&ring2, fd, &id2)) TH_LOG("C10: the exported fd imports");
	/* a second export gives a second fd */
	c = mk_ctrl(z.reg.zcrx_id, ZCRX_CTRL_EXPORT);
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C10: second EXPORT");
	EXPECT_NE((__u32)fd, c.zc_export.zcrx_fd) TH_LOG("C10: a new fd each time");
	close(c.zc_export.zcrx_fd);
	close(fd);
	io_uring_queue_exit(&ring2);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* ---- C11 ADD_AREA payload ------------------------------------------------------ */

TEST(add_area_errors__C11)
{
	struct io_uring_zcrx_area_reg a;
	struct io_uring ring;
	struct zcrx_ifq z;
	struct zcrx_ctrl c;
	long page = sysconf(_SC_PAGESIZE);
	void *mem;

	REQUIRE_ADD_AREA();
	ASSERT_EQ(0, zc_up(&ring, &z, AREA_PAGES));
	mem = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(&a, 0, sizeof(a));
	a.addr = (uintptr_t)mem;
	a.len = 4 * page;

	c = mk_ctrl(z.reg.zcrx_id, ZCRX_CTRL_ADD_AREA);
	c.zc_area.area_ptr = 0;
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C11: area_ptr 0");
	c.zc_area.area_ptr = (uintptr_t)unmapped_page();
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C11: area_ptr unmapped");
	/* the area is read before the payload __resv is checked */
	c.zc_area.__resv[0] = 1;
	EXPECT_EQ(-EFAULT, zcrx_ctrl(ring.ring_fd, &c, 0))
		TH_LOG("C11: unreadable area + payload __resv: EFAULT first");

	c.zc_area.area_ptr = (uintptr_t)&a;
	c.zc_area.__resv[0] = 1;
	EXPECT_EQ(-EINVAL, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C11: zc_area.__resv[0]");
	c.zc_area.__resv[0] = 0;
	c.zc_area.__resv[4] = 1ULL << 63;
	EXPECT_EQ(-EINVAL, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C11: zc_area.__resv[4]");
	c.zc_area.__resv[4] = 0;
	a.rq_area_token = 1ULL << IORING_ZCRX_AREA_SHIFT;
	EXPECT_EQ(-EINVAL, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C11: rq_area_token != 0");
	EXPECT_EQ(1ULL << IORING_ZCRX_AREA_SHIFT, a.rq_area_token)
		TH_LOG("C11: the refused token is not overwritten");
	a.rq_area_token = 0;

	/* success: the token of the next area index is written back */
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C11: ADD_AREA succeeds on NODEV");
	EXPECT_EQ(1ULL << IORING_ZCRX_AREA_SHIFT, a.rq_area_token)
		TH_LOG("C11: token of area index 1");
	a.rq_area_token = 0;
	a.addr += 2 * page;
	a.len = 2 * page;
	EXPECT_EQ(0, zcrx_ctrl(ring.ring_fd, &c, 0)) TH_LOG("C11: a third area");
	EXPECT_EQ(2ULL << IORING_ZCRX_AREA_SHIFT, a.rq_area_token)
		TH_LOG("C11: token of area index 2");
	ifq_release(&z);
	io_uring_queue_exit(&ring);
}

/* C11 'netdev gone' needs a NIC queue whose device goes away: nic_teardown.c */

/* ---- every control op after traffic (C09, C10, C11, I06, A04) ----------------- */

/*
 * The ifq has COPY events and stats and has already received 1000 bytes:
 * stats {1, 1000}, COPY fired and its event reaped. Each control op then
 * must keep exactly the state the spec gives it: EXPORT (C10), IMPORT (I06:
 * the importer shares the stats and the fired state), FLUSH_RQ (C09: only
 * the refill head moves), ADD_AREA (C11: only a new area) leave the stats
 * at {1, 1000} and COPY fired, so the next 500 bytes post no event; ARM
 * (A04) clears COPY, so they post exactly one. None of them posts a CQE or
 * installs an fd it does not return. The stats are then {2, 1500}, COPY is
 * fired (arm 0, then EINVAL), and once every ring, fd and mapping is gone
 * the areas are unpinned (VmPin back to where it was): no op left a
 * reference behind.
 */
#define AT_SEED		9
#define AT_PAGES	4
#define AT_UD		0xc7c7c7c7c7c7c7c7ULL

enum at_op { AT_EXPORT, AT_IMPORT, AT_FLUSH, AT_ARM, AT_ADD_AREA };

FIXTURE(after_traffic) {
	bool up, ring2_up;
	struct zcrx_env e;
	struct io_uring ring2;
	int box;
	void *map2, *mem2;
	long pin0;
	struct cq_tally l;
};

FIXTURE_VARIANT(after_traffic) {
	enum at_op op;
};

FIXTURE_VARIANT_ADD(after_traffic, export__C10_T01_E08) { .op = AT_EXPORT };
FIXTURE_VARIANT_ADD(after_traffic, import__I06_T01_E08) { .op = AT_IMPORT };
FIXTURE_VARIANT_ADD(after_traffic, flush_rq__C09_T01_E08) { .op = AT_FLUSH };
FIXTURE_VARIANT_ADD(after_traffic, arm__A04_T01_E08) { .op = AT_ARM };
FIXTURE_VARIANT_ADD(after_traffic, add_area__C11_T01_E08) { .op = AT_ADD_AREA };

FIXTURE_SETUP(after_traffic)
{
	memset(self, 0, sizeof(*self));
	self->e.rx = self->e.tx = -1;
	self->box = -1;
	if (zcrx_events_missing())
		return;		/* the test skips, saying why */
	self->pin0 = vm_pinned_kb();
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, AT_PAGES, true, AT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	self->up = true;
	ASSERT_EQ(0, zcrx_env_recv(&self->e, &self->l, AT_UD, AT_SEED));
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, AT_SEED));
	cq_collect(&self->e.ring, &self->l, 1000);
	ASSERT_EQ(1000U, self->l.bytes) TH_LOG("set-up: 1000 bytes received");
	ASSERT_EQ(2U, self->l.n) TH_LOG("set-up: one data CQE and the COPY event");
	ASSERT_EQ(1U, self->l.event_cqes) TH_LOG("set-up: COPY fired");
}

FIXTURE_TEARDOWN(after_traffic)
{
	if (self->e.rx >= 0)
		close(self->e.rx);
	if (self->e.tx >= 0)
		close(self->e.tx);
	if (self->box >= 0)
		close(self->box);
	if (self->map2)
		munmap(self->map2, REGION_SZ);
	if (self->ring2_up)
		io_uring_queue_exit(&self->ring2);
	ifq_release(&self->e.z);
	if (self->up)
		io_uring_queue_exit(&self->e.ring);
	if (self->mem2)
		munmap(self->mem2, 2 * page_size());
}

static int next_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

TEST_F(after_traffic, state_kept__T01_E08)
{
	struct zcrx_env *e = &self->e;
	struct zcrx_ifq *z = &e->z;
	volatile struct zcrx_stats *st, *st2 = NULL;
	struct io_uring_zcrx_area_reg area2;
	struct zcrx_ctrl c, c0;
	struct cq_tally l2;
	unsigned int n0;
	uint32_t imp_id = ~0U;
	int fd0, ret;

	REQUIRE(zcrx_events_missing());
	if (variant->op == AT_ADD_AREA && zcrx_caps()->zcrx.nr_ctrl_opcodes <= ZCRX_CTRL_ADD_AREA)
		SKIP(return, "ZCRX_CTRL_ADD_AREA unsupported: query nr_ctrl_opcodes %u",
		     zcrx_caps()->zcrx.nr_ctrl_opcodes);
	if (variant->op == AT_FLUSH && zcrx_caps()->zcrx.nr_ctrl_opcodes <= ZCRX_CTRL_FLUSH_RQ)
		SKIP(return, "ZCRX_CTRL_FLUSH_RQ unsupported: query nr_ctrl_opcodes %u",
		     zcrx_caps()->zcrx.nr_ctrl_opcodes);
	if ((variant->op == AT_EXPORT || variant->op == AT_IMPORT) &&
	    !(zcrx_caps()->zcrx.register_flags & ZCRX_REG_IMPORT))
		SKIP(return, "no ZCRX_REG_IMPORT in the query's register_flags");
	st = ifq_stats(z);
	fd0 = next_fd();
	n0 = self->l.n;

	switch (variant->op) {
	case AT_EXPORT:
		ASSERT_EQ(0, zcrx_export(&e->ring, z->reg.zcrx_id, &self->box)) TH_LOG("C10: EXPORT");
		EXPECT_EQ(fd0, self->box) TH_LOG("C10: the box is the lowest free fd %d, seen %d",
						 fd0, self->box);
		break;
	case AT_IMPORT:
		ASSERT_EQ(0, zcrx_export(&e->ring, z->reg.zcrx_id, &self->box)) TH_LOG("C10: EXPORT");
		ASSERT_EQ(0, ring_create(&self->ring2, ZCRX_RING_FLAGS));
		self->ring2_up = true;
		ASSERT_EQ(0, zcrx_import(&self->ring2, self->box, &imp_id)) TH_LOG("I06: IMPORT");
		close(self->box);
		self->box = -1;
		self->map2 = mmap(NULL, REGION_SZ, PROT_READ, MAP_SHARED | MAP_POPULATE,
				  self->ring2.ring_fd,
				  ZCRX_REGION_MMAP_BASE + ((__u64)imp_id << ZCRX_REGION_ID_SHIFT));
		ASSERT_NE(MAP_FAILED, self->map2) TH_LOG("I06: the importer maps the region");
		st2 = (volatile struct zcrx_stats *)((char *)self->map2 + z->desc.stats_offset);
		EXPECT_EQ(1ULL, st2->copy_count) TH_LOG("I06: stats through the importer: count 1");
		EXPECT_EQ(1000ULL, st2->copy_bytes) TH_LOG("I06: stats through the importer: bytes 1000");
		break;
	case AT_FLUSH: {
		struct io_uring_zcrx_rqe *rqes = (void *)((char *)z->region + z->reg.offsets.rqes);
		__u32 *tailp = (__u32 *)((char *)z->region + z->reg.offsets.tail);
		__u32 *headp = (__u32 *)((char *)z->region + z->reg.offsets.head);
		__u32 tail = *tailp;

		rqes[tail & (z->reg.rq_entries - 1)].off = self->l.c[0].big[0];
		rqes[tail & (z->reg.rq_entries - 1)].len = self->l.c[0].res;
		rqes[tail & (z->reg.rq_entries - 1)].__pad = 0;
		__atomic_store_n(tailp, tail + 1, __ATOMIC_RELEASE);
		memset(&c, 0, sizeof(c));
		c.zcrx_id = z->reg.zcrx_id;
		c.op = ZCRX_CTRL_FLUSH_RQ;
		c0 = c;
		ASSERT_EQ(0, zcrx_ctrl(e->ring.ring_fd, &c, 0)) TH_LOG("C09: FLUSH_RQ");
		EXPECT_EQ(tail + 1, __atomic_load_n(headp, __ATOMIC_ACQUIRE))
			TH_LOG("C09: the refill head moved past the one entry");
		EXPECT_EQ(0, memcmp(&c0, &c, sizeof(c)))
			TH_LOG("C09: FLUSH_RQ writes nothing back into its argument (zc_export.zcrx_fd %u)",
			       c.zc_export.zcrx_fd);
		break;
	}
	case AT_ARM:
		ASSERT_EQ(0, zcrx_arm(&e->ring, z->reg.zcrx_id, ZCRX_EVENT_COPY)) TH_LOG("A04: ARM");
		break;
	case AT_ADD_AREA:
		self->mem2 = mmap(NULL, 2 * page_size(), PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, self->mem2);
		memset(&area2, 0, sizeof(area2));
		area2.addr = (uintptr_t)self->mem2;
		area2.len = 2 * page_size();
		memset(&c, 0, sizeof(c));
		c.zcrx_id = z->reg.zcrx_id;
		c.op = ZCRX_CTRL_ADD_AREA;
		c.zc_area.area_ptr = (uintptr_t)&area2;
		ASSERT_EQ(0, zcrx_ctrl(e->ring.ring_fd, &c, 0)) TH_LOG("C11: ADD_AREA");
		EXPECT_EQ(1ULL << IORING_ZCRX_AREA_SHIFT, area2.rq_area_token) TH_LOG("C11: token of area 1");
		break;
	}

	/* right after the op */
	EXPECT_EQ(1ULL, st->copy_count)
		TH_LOG("T01: the op leaves copy_count at 1, seen %llu", (unsigned long long)st->copy_count);
	EXPECT_EQ(1000ULL, st->copy_bytes)
		TH_LOG("T01: the op leaves copy_bytes at 1000, seen %llu", (unsigned long long)st->copy_bytes);
	if (variant->op != AT_EXPORT) {
		EXPECT_EQ(fd0, next_fd()) TH_LOG("no fd installed by the op (next free fd %d)", fd0);
	}
	ASSERT_EQ(0, io_uring_get_events(&e->ring));
	cq_drain(&e->ring, &self->l);
	EXPECT_EQ(n0, self->l.n) TH_LOG("the op posts no CQE on the creator ring (seen %u)",
					self->l.n - n0);
	if (self->ring2_up) {
		cq_tally_env(&l2, e, AT_UD, -1);
		io_uring_get_events(&self->ring2);
		cq_drain(&self->ring2, &l2);
		EXPECT_EQ(0U, l2.n) TH_LOG("I06/E12: nothing on the importer ring");
	}

	/* traffic after the op */
	ASSERT_EQ(0, write_once(e->tx, 1000, 500, AT_SEED));
	cq_collect(&e->ring, &self->l, 1500);
	EXPECT_EQ(1500U, self->l.bytes) TH_LOG("the recv keeps delivering after the op");
	EXPECT_EQ(0, self->l.bad_payload) TH_LOG("payload intact");
	EXPECT_EQ(variant->op == AT_ARM ? 2U : 1U, self->l.event_cqes)
		TH_LOG("E08: %s, seen %u events in all",
		       variant->op == AT_ARM ? "ARM cleared COPY: the next copy fires once (2 in all)"
					     : "the op kept COPY fired: no second event (1 in all)",
		       self->l.event_cqes);
	EXPECT_EQ(0U, cq_unclean_events(&self->l, ZCRX_EVENT_COPY)) TH_LOG("E10: COPY contents");
	EXPECT_EQ(0U, self->l.other) TH_LOG("no other CQE");
	EXPECT_EQ(2ULL, st->copy_count) TH_LOG("T03: copy_count 2, seen %llu",
					       (unsigned long long)st->copy_count);
	EXPECT_EQ(1500ULL, st->copy_bytes) TH_LOG("T03: copy_bytes 1500, seen %llu",
						  (unsigned long long)st->copy_bytes);
	if (st2) {
		EXPECT_EQ(2ULL, st2->copy_count) TH_LOG("I06/T10: same stats through the importer");
		EXPECT_EQ(1500ULL, st2->copy_bytes) TH_LOG("I06/T10: same stats through the importer");
	}
	if (variant->op == AT_IMPORT) {
		EXPECT_EQ(0, zcrx_arm(&self->ring2, imp_id, ZCRX_EVENT_COPY))
			TH_LOG("A07: COPY fired, seen through the importer's id");
	} else {
		EXPECT_EQ(0, zcrx_arm(&e->ring, z->reg.zcrx_id, ZCRX_EVENT_COPY)) TH_LOG("A04: COPY fired");
	}
	EXPECT_EQ(-EINVAL, zcrx_arm(&e->ring, z->reg.zcrx_id, ZCRX_EVENT_COPY)) TH_LOG("A05: cleared");

	/* everything goes away: nothing the op did keeps the ifq alive */
	close(e->rx);
	close(e->tx);
	e->rx = e->tx = -1;
	if (self->box >= 0) {
		close(self->box);
		self->box = -1;
	}
	if (self->map2) {
		munmap(self->map2, REGION_SZ);
		self->map2 = NULL;
	}
	if (self->ring2_up) {
		io_uring_queue_exit(&self->ring2);
		self->ring2_up = false;
	}
	ifq_unmap_region(z);
	io_uring_queue_exit(&e->ring);
	self->up = false;
	ret = wait_vm_pinned_kb(self->pin0, 10000);
	EXPECT_EQ(self->pin0, ret)
		TH_LOG("every area unpinned once the rings and fds are gone: VmPin expected %ld kB, seen %d kB",
		       self->pin0, ret);
}

/* ---- two bad fields at once, and a refused ctrl changes nothing ---------------- */

/*
 * The orders 2.4 and 2.5 state (C02 nr_args, C03 arg, C04 ctrl.__resv, C05
 * zcrx_id, then the op: C07 unknown op, C09-C11 and A01-A03 payloads), each
 * as a pair of faults, on an ifq with history: 1000 bytes received (stats
 * {1, 1000}), COPY fired and reaped, and the received buffer already on the
 * refill ring (tail 1, head 0, not flushed). After the refused call,
 * exactly: the error of the earlier check; the argument not written back;
 * the refill entry not consumed (head 0); stats {1, 1000}; no fd
 * installed; no CQE. Then the state is intact: a valid FLUSH_RQ consumes
 * the entry, COPY is still fired (arm 0, then EINVAL), and a valid ADD_AREA
 * gets area index 1 (no area was added).
 */
#define CP_SEED		15
#define CP_BAD_ID	7

FIXTURE(ctrl_pair) {
	bool up;
	struct zcrx_env e;
	struct io_uring_zcrx_area_reg area;
	void *mem;
};

FIXTURE_VARIANT(ctrl_pair) {
	__u32 id_delta;		/* added to the live id (CP_BAD_ID: unknown id) */
	__u32 op;
	int field;		/* which payload fault, see ctrl_pair_build() */
	__u64 val;
	unsigned int nr_args;
	bool arg_unreadable;
	bool add_area;		/* needs ZCRX_CTRL_ADD_AREA */
	int err;
	const char *what;
};

enum { CPF_NONE, CPF_RESV0, CPF_RESV1, CPF_FLUSH_RESV, CPF_EXPORT_FD, CPF_EXPORT_RESV,
	CPF_ARM_TYPE, CPF_ARM_TYPE_RESV, CPF_ARM_RESV, CPF_AREA_UNMAPPED_RESV, CPF_AREA_RESV_TOKEN };

FIXTURE_VARIANT_ADD(ctrl_pair, nr_args_then_arg__C02_C03) {
	.op = ZCRX_CTRL_FLUSH_RQ, .nr_args = 1, .arg_unreadable = true, .err = EINVAL,
	.what = "C02 before C03: nr_args 1 and an unreadable arg" };
FIXTURE_VARIANT_ADD(ctrl_pair, resv_then_id__C04_C05) {
	.id_delta = CP_BAD_ID, .op = ZCRX_CTRL_FLUSH_RQ, .field = CPF_RESV0, .err = EFAULT,
	.what = "C04 before C05: ctrl.__resv[0] = 1 and an unknown zcrx_id" };
FIXTURE_VARIANT_ADD(ctrl_pair, resv_then_op__C04_C07) {
	.op = 99, .field = CPF_RESV1, .err = EFAULT,
	.what = "C04 before C07: ctrl.__resv[1] = 1 and op 99" };
FIXTURE_VARIANT_ADD(ctrl_pair, id_then_op__C05_C06_C07) {
	.id_delta = CP_BAD_ID, .op = 99, .err = ENXIO,
	.what = "C05 before C07 (C06): unknown zcrx_id and op 99" };
FIXTURE_VARIANT_ADD(ctrl_pair, id_then_flush_payload__C05_C09) {
	.id_delta = CP_BAD_ID, .op = ZCRX_CTRL_FLUSH_RQ, .field = CPF_FLUSH_RESV, .val = 1,
	.err = ENXIO, .what = "C05 before C09: unknown zcrx_id and zc_flush.__resv[0] = 1" };
FIXTURE_VARIANT_ADD(ctrl_pair, id_then_export_payload__C05_C10) {
	.id_delta = CP_BAD_ID, .op = ZCRX_CTRL_EXPORT, .field = CPF_EXPORT_FD, .val = 1,
	.err = ENXIO, .what = "C05 before C10: unknown zcrx_id and zc_export.zcrx_fd = 1" };
FIXTURE_VARIANT_ADD(ctrl_pair, id_then_arm_type__C05_A01) {
	.id_delta = CP_BAD_ID, .op = ZCRX_CTRL_ARM_EVENT, .field = CPF_ARM_TYPE,
	.val = __ZCRX_EVENT_TYPE_LAST, .err = ENXIO,
	.what = "C05 before A01: unknown zcrx_id and event_type 2" };
FIXTURE_VARIANT_ADD(ctrl_pair, flush_payload_with_entry__C09) {
	.op = ZCRX_CTRL_FLUSH_RQ, .field = CPF_FLUSH_RESV, .val = 1ULL << 63, .err = EINVAL,
	.what = "C09: zc_flush.__resv[5] = 1<<63 with an entry on the refill ring" };
FIXTURE_VARIANT_ADD(ctrl_pair, export_payload__C10) {
	.op = ZCRX_CTRL_EXPORT, .field = CPF_EXPORT_RESV, .val = 1, .err = EINVAL,
	.what = "C10: zc_export.__resv1[3] = 1" };
FIXTURE_VARIANT_ADD(ctrl_pair, arm_type_then_resv__A01_A02) {
	.op = ZCRX_CTRL_ARM_EVENT, .field = CPF_ARM_TYPE_RESV, .val = 33, .err = EINVAL,
	.what = "A01 before A02: event_type 33 (1<<33 would alias COPY) and __resv[10] = 1" };
FIXTURE_VARIANT_ADD(ctrl_pair, arm_resv_while_fired__A02_A04) {
	.op = ZCRX_CTRL_ARM_EVENT, .field = CPF_ARM_RESV, .val = 1, .err = EINVAL,
	.what = "A02 before A04: COPY has fired, __resv[0] = 1" };
FIXTURE_VARIANT_ADD(ctrl_pair, add_area_unreadable_then_resv__C11) {
	.op = ZCRX_CTRL_ADD_AREA, .field = CPF_AREA_UNMAPPED_RESV, .add_area = true, .err = EFAULT,
	.what = "C11: an unmapped area_ptr before zc_area.__resv[0] = 1" };
FIXTURE_VARIANT_ADD(ctrl_pair, add_area_resv_then_token__C11) {
	.op = ZCRX_CTRL_ADD_AREA, .field = CPF_AREA_RESV_TOKEN, .add_area = true, .err = EINVAL,
	.what = "C11: zc_area.__resv[4] = 1 and rq_area_token != 0" };

FIXTURE_SETUP(ctrl_pair)
{
	struct zcrx_ifq *z;
	struct cq_tally l;
	__u32 *tailp;
	struct io_uring_zcrx_rqe *rqe;

	memset(self, 0, sizeof(*self));
	self->e.rx = self->e.tx = -1;
	if (zcrx_events_missing())
		return;		/* the test skips, saying why */
	ASSERT_EQ(0, zcrx_env_setup(&self->e, ZCRX_RING_FLAGS, 4, true, EVENT_UD,
				    1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS));
	self->up = true;
	z = &self->e.z;
	ASSERT_EQ(0, submit_recvzc(&self->e.ring, self->e.rx, z->reg.zcrx_id));
	cq_tally_env(&l, &self->e, EVENT_UD, CP_SEED);
	ASSERT_EQ(0, write_once(self->e.tx, 0, 1000, CP_SEED));
	cq_collect(&self->e.ring, &l, 1000);
	ASSERT_EQ(2U, l.n) TH_LOG("set-up: the data CQE and the COPY event");
	ASSERT_EQ(1U, l.event_cqes);
	/* the received buffer goes on the refill ring, not flushed */
	tailp = (__u32 *)((char *)z->region + z->reg.offsets.tail);
	rqe = (void *)((char *)z->region + z->reg.offsets.rqes);
	rqe->off = l.c[0].big[0];
	rqe->len = l.c[0].res;
	rqe->__pad = 0;
	__atomic_store_n(tailp, 1, __ATOMIC_RELEASE);
	self->mem = mmap(NULL, 2 * page_size(), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->area.addr = (uintptr_t)self->mem;
	self->area.len = 2 * page_size();
}

FIXTURE_TEARDOWN(ctrl_pair)
{
	zcrx_env_close(&self->e);
	if (self->mem && self->mem != MAP_FAILED)
		munmap(self->mem, 2 * page_size());
}

TEST_F(ctrl_pair, first_check_wins_no_side_effect__C09_A04)
{
	struct zcrx_env *e = &self->e;
	struct zcrx_ifq *z = &e->z;
	volatile struct zcrx_stats *st;
	struct io_uring_zcrx_area_reg area0;
	struct zcrx_ctrl c, c0;
	__u32 *headp;
	void *arg;
	int fd0, ret;

	REQUIRE(zcrx_events_missing());
	if (variant->add_area && !add_area_supported())
		SKIP(return, "ZCRX_CTRL_ADD_AREA unsupported: query nr_ctrl_opcodes %u",
		     zcrx_caps()->zcrx.nr_ctrl_opcodes);
	st = ifq_stats(z);
	headp = (__u32 *)((char *)z->region + z->reg.offsets.head);
	c = mk_ctrl(z->reg.zcrx_id + variant->id_delta, variant->op);
	switch (variant->field) {
	case CPF_RESV0:
		c.__resv[0] = 1;
		break;
	case CPF_RESV1:
		c.__resv[1] = 1;
		break;
	case CPF_FLUSH_RESV:
		c.zc_flush.__resv[variant->val == 1 ? 0 : 5] = variant->val;
		break;
	case CPF_EXPORT_FD:
		c.zc_export.zcrx_fd = variant->val;
		break;
	case CPF_EXPORT_RESV:
		c.zc_export.__resv1[3] = variant->val;
		break;
	case CPF_ARM_TYPE:
		c.zc_arm_event.event_type = variant->val;
		break;
	case CPF_ARM_TYPE_RESV:
		c.zc_arm_event.event_type = variant->val;
		c.zc_arm_event.__resv[10] = 1;
		break;
	case CPF_ARM_RESV:
		c.zc_arm_event.event_type = ZCRX_EVENT_COPY;
		c.zc_arm_event.__resv[0] = variant->val;
		break;
	case CPF_AREA_UNMAPPED_RESV:
		c.zc_area.area_ptr = (uintptr_t)unmapped_page();
		c.zc_area.__resv[0] = 1;
		break;
	case CPF_AREA_RESV_TOKEN:
		c.zc_area.area_ptr = (uintptr_t)&self->area;
		c.zc_area.__resv[4] = 1;
		self->area.rq_area_token = 1ULL << IORING_ZCRX_AREA_SHIFT;
		break;
	}
	c0 = c;
	area0 = self->area;
	arg = variant->arg_unreadable ? unmapped_page() : (void *)&c;
	fd0 = next_fd();

	ret = zcrx_ctrl(e->ring.ring_fd, arg, variant->nr_args);
	EXPECT_EQ(-variant->err, ret)
		TH_LOG("%s: expected %d (%s), seen %d (%s)", variant->what, -variant->err,
		       strerror(variant->err), ret, strerror(-ret));

	/* nothing changed */
	EXPECT_EQ(0, memcmp(&c0, &c, sizeof(c)))
		TH_LOG("%s: the argument is not written back", variant->what);
	EXPECT_EQ(0, memcmp(&area0, &self->area, sizeof(area0)))
		TH_LOG("%s: the area reg is not written back (token %#llx)", variant->what,
		       (unsigned long long)self->area.rq_area_token);
	EXPECT_EQ(0U, __atomic_load_n(headp, __ATOMIC_ACQUIRE))
		TH_LOG("%s: C09: the refill entry is not consumed (head 0, tail 1)", variant->what);
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("%s: stats stay {1, 1000}", variant->what);
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("%s: stats stay {1, 1000}", variant->what);
	EXPECT_EQ(fd0, next_fd()) TH_LOG("%s: C10: no fd installed", variant->what);
	ASSERT_EQ(0, io_uring_get_events(&e->ring));
	EXPECT_EQ(0U, io_uring_cq_ready(&e->ring)) TH_LOG("%s: no CQE", variant->what);

	/* and the state is intact */
	c = mk_ctrl(z->reg.zcrx_id, ZCRX_CTRL_FLUSH_RQ);
	EXPECT_EQ(0, zcrx_ctrl(e->ring.ring_fd, &c, 0)) TH_LOG("%s: C09: a valid FLUSH_RQ", variant->what);
	EXPECT_EQ(1U, __atomic_load_n(headp, __ATOMIC_ACQUIRE))
		TH_LOG("%s: C09: the valid FLUSH_RQ consumes the entry", variant->what);
	EXPECT_EQ(0, zcrx_arm(&e->ring, z->reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("%s: A04: COPY is still fired", variant->what);
	EXPECT_EQ(-EINVAL, zcrx_arm(&e->ring, z->reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("%s: A05: cleared by the one valid arm", variant->what);
	if (add_area_supported()) {
		self->area.rq_area_token = 0;
		c = mk_ctrl(z->reg.zcrx_id, ZCRX_CTRL_ADD_AREA);
		c.zc_area.area_ptr = (uintptr_t)&self->area;
		EXPECT_EQ(0, zcrx_ctrl(e->ring.ring_fd, &c, 0)) TH_LOG("%s: C11: a valid ADD_AREA", variant->what);
		EXPECT_EQ(1ULL << IORING_ZCRX_AREA_SHIFT, self->area.rq_area_token)
			TH_LOG("%s: C11: the refused call added no area: the new one is index 1", variant->what);
	}
}

TEST_HARNESS_MAIN
