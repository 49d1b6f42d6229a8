// SPDX-License-Identifier: GPL-2.0
/*
 * Spec 2.3 (I01-I06): ZCRX_REG_IMPORT of a zcrx exported with
 * ZCRX_CTRL_EXPORT (import_zcrx, zcrx.c:832-892).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zcrx_lib.h"

#define XFER_LEN	16384
#define SEED		7

static const char *import_missing(void)
{
	const struct zcrx_caps *c = zcrx_caps();
	const char *why = zcrx_nodev_missing();
	static char buf[160];

	if (why)
		return why;
	if (!(c->zcrx.register_flags & ZCRX_REG_IMPORT) ||
	    c->zcrx.nr_ctrl_opcodes <= ZCRX_CTRL_EXPORT) {
		snprintf(buf, sizeof(buf),
			 "no zcrx export/import: register_flags 0x%llx, nr_ctrl_opcodes %u",
			 (unsigned long long)c->zcrx.register_flags, c->zcrx.nr_ctrl_opcodes);
		return buf;
	}
	return NULL;
}

#define REQUIRE_IMPORT() do {						\
	const char *__why = import_missing();				\
	if (__why)							\
		SKIP(return, "%s", __why);				\
} while (0)

static void import_reg_init(struct io_uring_zcrx_ifq_reg *reg, int box_fd)
{
	memset(reg, 0, sizeof(*reg));
	reg->flags = ZCRX_REG_IMPORT;
	reg->if_idx = box_fd;
}

static int import_zcrx(int ring_fd, struct io_uring_zcrx_ifq_reg *reg)
{
	return raw_register(ring_fd, IORING_REGISTER_ZCRX_IFQ, reg, 1);
}

/* An fd number that is certainly not open. */
static int closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	close(fd);
	return fd;
}

/* ---- I01-I05: refused imports -------------------------------------------- */

enum corrupt {
	C_NONE,		/* only the importer ring is wrong */
	C_IF_RXQ,
	C_RQ_ENTRIES,
	C_AREA_PTR,
	C_REGION_PTR,
	C_DESC_BOGUS_FD,	/* event_desc set and if_idx not an fd */
	C_DESC,			/* event_desc set, if_idx the good box fd */
	C_DESC_ZERO,		/* event_desc points to an all-zero desc */
	C_FLAG_NODEV,
	C_FD_CLOSED,
	C_FD_MINUS_ONE,
	C_FD_PIPE,
	C_FD_RING,
};

FIXTURE(bad_import) {
	struct io_uring creator, importer;
	bool creator_ok, importer_ok;
	struct zcrx_ifq z;
	int box_fd;
	int pipe_fd[2];
};

FIXTURE_VARIANT(bad_import) {
	unsigned int importer_flags;	/* 0: ZCRX_RING_FLAGS */
	enum corrupt corrupt;
	bool needs_events;
	int expect;
	const char *row;
};

FIXTURE_VARIANT_ADD(bad_import, importer_no_defer_taskrun__I01) {
	.importer_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32,
	.corrupt = C_NONE, .expect = -EINVAL, .row = "I01" };
FIXTURE_VARIANT_ADD(bad_import, importer_no_cqe32_or_mixed__I01) {
	.importer_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	.corrupt = C_NONE, .expect = -EINVAL, .row = "I01" };
FIXTURE_VARIANT_ADD(bad_import, if_rxq__I02) {
	.corrupt = C_IF_RXQ, .expect = -EINVAL, .row = "I02" };
FIXTURE_VARIANT_ADD(bad_import, rq_entries__I02) {
	.corrupt = C_RQ_ENTRIES, .expect = -EINVAL, .row = "I02" };
FIXTURE_VARIANT_ADD(bad_import, area_ptr__I02) {
	.corrupt = C_AREA_PTR, .expect = -EINVAL, .row = "I02" };
FIXTURE_VARIANT_ADD(bad_import, region_ptr__I02) {
	.corrupt = C_REGION_PTR, .expect = -EINVAL, .row = "I02" };
FIXTURE_VARIANT_ADD(bad_import, desc_before_fd_lookup__I03) {
	.corrupt = C_DESC_BOGUS_FD, .needs_events = true, .expect = -EINVAL, .row = "I03" };
FIXTURE_VARIANT_ADD(bad_import, desc_with_good_fd__I03) {
	.corrupt = C_DESC, .needs_events = true, .expect = -EINVAL, .row = "I03" };
FIXTURE_VARIANT_ADD(bad_import, zero_desc_with_good_fd__I03) {
	.corrupt = C_DESC_ZERO, .needs_events = true, .expect = -EINVAL, .row = "I03" };
FIXTURE_VARIANT_ADD(bad_import, import_or_nodev__I04) {
	.corrupt = C_FLAG_NODEV, .expect = -EINVAL, .row = "I04" };
FIXTURE_VARIANT_ADD(bad_import, closed_fd__I05) {
	.corrupt = C_FD_CLOSED, .expect = -EBADF, .row = "I05" };
FIXTURE_VARIANT_ADD(bad_import, fd_minus_one__I05) {
	.corrupt = C_FD_MINUS_ONE, .expect = -EBADF, .row = "I05" };
FIXTURE_VARIANT_ADD(bad_import, pipe_fd__I05) {
	.corrupt = C_FD_PIPE, .expect = -EBADF, .row = "I05" };
FIXTURE_VARIANT_ADD(bad_import, io_uring_fd__I05) {
	.corrupt = C_FD_RING, .expect = -EBADF, .row = "I05" };

FIXTURE_SETUP(bad_import)
{
	unsigned int iflags = variant->importer_flags ? variant->importer_flags :
			      ZCRX_RING_FLAGS;

	self->box_fd = -1;
	self->pipe_fd[0] = self->pipe_fd[1] = -1;
	REQUIRE_IMPORT();
	if (variant->needs_events)
		REQUIRE(zcrx_events_missing());
	ASSERT_EQ(0, ring_create(&self->creator, ZCRX_RING_FLAGS));
	self->creator_ok = true;
	ifq_init(&self->z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	ASSERT_EQ(0, ifq_register(&self->creator, &self->z)) TH_LOG("%s: creator", variant->row);
	ASSERT_EQ(0, zcrx_export(&self->creator, self->z.reg.zcrx_id, &self->box_fd))
		TH_LOG("%s: ZCRX_CTRL_EXPORT", variant->row);
	ASSERT_LE(0, self->box_fd) TH_LOG("%s: ZCRX_CTRL_EXPORT", variant->row);
	ASSERT_EQ(0, ring_create(&self->importer, iflags))
		TH_LOG("%s: importer ring flags 0x%x", variant->row, iflags);
	self->importer_ok = true;
	ASSERT_EQ(0, pipe2(self->pipe_fd, O_CLOEXEC));
}

FIXTURE_TEARDOWN(bad_import)
{
	if (self->importer_ok)
		io_uring_queue_exit(&self->importer);
	if (self->creator_ok)
		io_uring_queue_exit(&self->creator);
	if (self->box_fd >= 0)
		close(self->box_fd);
	if (self->pipe_fd[0] >= 0) {
		close(self->pipe_fd[0]);
		close(self->pipe_fd[1]);
	}
	ifq_release(&self->z);
}

TEST_F(bad_import, refused__I01_I05)
{
	struct zcrx_event_desc desc = { .user_data = EVENT_UD,
					.type_mask = 1u << ZCRX_EVENT_COPY };
	struct zcrx_event_desc zero = { 0 };
	struct io_uring_zcrx_ifq_reg reg;
	const char *row = variant->row;
	struct io_uring good;
	int ret;

	import_reg_init(&reg, self->box_fd);
	switch (variant->corrupt) {
	case C_NONE:
		break;
	case C_IF_RXQ:
		reg.if_rxq = 1;
		break;
	case C_RQ_ENTRIES:
		reg.rq_entries = RQ_ENTRIES;
		break;
	case C_AREA_PTR:
		reg.area_ptr = (uintptr_t)&self->z.area;
		break;
	case C_REGION_PTR:
		reg.region_ptr = (uintptr_t)&self->z.rd;
		break;
	case C_DESC_BOGUS_FD:
		reg.if_idx = closed_fd();
		reg.event_desc = (uintptr_t)&desc;
		break;
	case C_DESC:
		reg.event_desc = (uintptr_t)&desc;
		break;
	case C_DESC_ZERO:
		reg.event_desc = (uintptr_t)&zero;
		break;
	case C_FLAG_NODEV:
		reg.flags |= ZCRX_REG_NODEV;
		break;
	case C_FD_CLOSED:
		reg.if_idx = closed_fd();
		break;
	case C_FD_MINUS_ONE:
		reg.if_idx = ~0U;
		break;
	case C_FD_PIPE:
		reg.if_idx = self->pipe_fd[0];
		break;
	case C_FD_RING:
		reg.if_idx = self->creator.ring_fd;
		break;
	}
	ret = import_zcrx(self->importer.ring_fd, &reg);
	EXPECT_EQ(variant->expect, ret) TH_LOG("%s: import refused (if_idx %u)", row, reg.if_idx);
	EXPECT_EQ(0U, reg.zcrx_id) TH_LOG("%s: no id written back", row);
	if (variant->corrupt == C_NONE)
		TH_LOG("I01 note: io_register_zcrx checks DEFER_TASKRUN and CQE32|CQE_MIXED (zcrx.c:981-984) before dispatching to import_zcrx, so import_zcrx's own re-check (zcrx.c:841-844) is unreachable; the EINVAL comes from the common check");

	/* control: the very same export imports cleanly into a proper ring */
	if (variant->importer_flags) {
		ASSERT_EQ(0, ring_create(&good, ZCRX_RING_FLAGS));
	} else {
		good = self->importer;
	}
	import_reg_init(&reg, self->box_fd);
	EXPECT_EQ(0, import_zcrx(good.ring_fd, &reg))
		TH_LOG("%s control: a clean import of the same fd succeeds", row);
	if (variant->importer_flags)
		io_uring_queue_exit(&good);
}

/* ---- I06: a successful import -------------------------------------------- */

TEST(import_new_id_shared_state__I06)
{
	struct zcrx_event_desc desc = { .user_data = EVENT_UD,
					.type_mask = 1u << ZCRX_EVENT_COPY };
	size_t used = rq_used_bytes(RQ_ENTRIES);
	size_t region = used + zcrx_caps()->event.stats_size;
	size_t page = sysconf(_SC_PAGESIZE);
	struct zcrx_ifq za, zdummy, zb;
	struct io_uring_zcrx_ifq_reg imp;
	struct cq_tally tb = { 0 };
	struct io_uring ra, rb;
	volatile struct zcrx_stats *sa, *sb;
	uint64_t stride, base, imp_off;
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_sec = 2 };
	unsigned char *mb;
	int box, rx, tx, nev = 0;

	REQUIRE_IMPORT();
	REQUIRE(zcrx_events_missing());
	region = (region + page - 1) / page * page;

	/* creator ring A: the zcrx with COPY events and stats, then a dummy
	 * whose mmap offset gives the per-id stride
	 */
	ASSERT_EQ(0, ring_create(&ra, ZCRX_RING_FLAGS));
	ifq_init(&za, RQ_ENTRIES, region, AREA_PAGES);
	ifq_set_events(&za, EVENT_UD, 1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS, used);
	ASSERT_EQ(0, ifq_register(&ra, &za)) TH_LOG("I06: creator registration");
	ASSERT_NE(NULL, za.region) TH_LOG("I06: creator mmap");
	ifq_init(&zdummy, RQ_ENTRIES, region, AREA_PAGES);
	ASSERT_EQ(0, ifq_register(&ra, &zdummy)) TH_LOG("I06: second zcrx on A");
	ASSERT_EQ(za.reg.zcrx_id + 1, zdummy.reg.zcrx_id) TH_LOG("I06: ids on A");
	stride = zdummy.rd.mmap_offset - za.rd.mmap_offset;
	base = za.rd.mmap_offset - za.reg.zcrx_id * stride;
	ASSERT_NE(0ULL, stride) TH_LOG("I06: regions of two ids share an mmap offset");
	ASSERT_EQ(0ULL, stride % page) TH_LOG("I06: per-id mmap stride is page aligned");
	TH_LOG("I06: zcrx region mmap base %#llx, stride %#llx",
	       (unsigned long long)base, (unsigned long long)stride);

	ASSERT_EQ(0, zcrx_export(&ra, za.reg.zcrx_id, &box)) TH_LOG("I06: ZCRX_CTRL_EXPORT");
	ASSERT_LE(0, box) TH_LOG("I06: ZCRX_CTRL_EXPORT");

	/* importer ring B already owns one zcrx, so the import is B's id 1 */
	ASSERT_EQ(0, ring_create(&rb, ZCRX_RING_FLAGS));
	ifq_init(&zb, RQ_ENTRIES, region, AREA_PAGES);
	ASSERT_EQ(0, ifq_register(&rb, &zb)) TH_LOG("I06: B's own zcrx");
	ASSERT_NE(NULL, zb.region) TH_LOG("I06: B's own mmap");
	EXPECT_EQ(base + zb.reg.zcrx_id * stride, zb.rd.mmap_offset)
		TH_LOG("I06: B's own region sits at the derived offset of its id");

	/* the importer cannot subscribe: any desc is refused (I03) */
	import_reg_init(&imp, box);
	imp.event_desc = (uintptr_t)&desc;
	EXPECT_EQ(-EINVAL, import_zcrx(rb.ring_fd, &imp)) TH_LOG("I06: import with a desc");

	import_reg_init(&imp, box);
	ASSERT_EQ(0, import_zcrx(rb.ring_fd, &imp)) TH_LOG("I06: import");
	EXPECT_EQ(zb.reg.zcrx_id + 1, imp.zcrx_id)
		TH_LOG("I06: the import gets the next free id of the importing ring");
	EXPECT_EQ(za.reg.offsets.head, imp.offsets.head) TH_LOG("I06: offsets.head");
	EXPECT_EQ(za.reg.offsets.tail, imp.offsets.tail) TH_LOG("I06: offsets.tail");
	EXPECT_EQ(za.reg.offsets.rqes, imp.offsets.rqes) TH_LOG("I06: offsets.rqes");

	/* B maps the creator's region through its own id */
	imp_off = base + imp.zcrx_id * stride;
	mb = mmap(NULL, region, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  rb.ring_fd, imp_off);
	ASSERT_NE(MAP_FAILED, mb) TH_LOG("I06: mmap of B at %#llx", (unsigned long long)imp_off);
	((volatile unsigned char *)za.region)[region - 1] = 0x5a;
	EXPECT_EQ(0x5a, ((volatile unsigned char *)mb)[region - 1])
		TH_LOG("I06: a byte written through A's mapping is seen through B's import id");
	EXPECT_EQ(0, ((volatile unsigned char *)zb.region)[region - 1])
		TH_LOG("I06: B's own zcrx region is a different region");
	((volatile unsigned char *)za.region)[region - 1] = 0;

	/* shared fired state: not fired yet, from either side */
	EXPECT_EQ(-EINVAL, zcrx_arm(&rb, imp.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("I06: COPY not fired yet (arm through the import)");

	/* copy traffic through the importer ring */
	ASSERT_EQ(0, tcp_pair(&rx, &tx));
	ASSERT_EQ(0, submit_recvzc(&rb, rx, imp.zcrx_id));
	ASSERT_EQ(0, send_pattern(tx, XFER_LEN, SEED));
	reap(&rb, &za, XFER_LEN, 5000, SEED, &tb);
	EXPECT_EQ((size_t)XFER_LEN, tb.bytes) TH_LOG("I06: bytes received through B");
	EXPECT_EQ(0, tb.bad_payload) TH_LOG("I06: payload in the creator's area");
	EXPECT_EQ(0U, tb.event_cqes) TH_LOG("I06: no event CQE on the importer ring");

	sa = ifq_stats(&za);
	sb = (volatile struct zcrx_stats *)(mb + used);
	EXPECT_EQ((__u64)XFER_LEN, sb->copy_bytes)
		TH_LOG("I06: creator's copy_bytes, read through B's mapping");
	EXPECT_LE(1ULL, sb->copy_count) TH_LOG("I06: copy_count through B");
	EXPECT_GE((__u64)tb.data_cqes, sb->copy_count)
		TH_LOG("I06: copy_count counts frags, at most one per data CQE");
	EXPECT_EQ(sa->copy_bytes, sb->copy_bytes) TH_LOG("I06: same copy_bytes from A");
	EXPECT_EQ(sa->copy_count, sb->copy_count) TH_LOG("I06: same copy_count from A");

	/* the COPY fired bit is the creator's: arm through B clears it for A */
	EXPECT_EQ(0, zcrx_arm(&rb, imp.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("I06: arm through the import id sees the shared fired bit");
	EXPECT_EQ(-EINVAL, zcrx_arm(&ra, za.reg.zcrx_id, ZCRX_EVENT_COPY))
		TH_LOG("I06: already re-armed through B, so arm through A fails");

	/* the event went to the creator ring */
	while (io_uring_wait_cqe_timeout(&ra, &cqe, &ts) == 0) {
		EXPECT_EQ(EVENT_UD, cqe->user_data) TH_LOG("I06: event user_data on A");
		EXPECT_EQ(ZCRX_EVENT_COPY, cqe->res) TH_LOG("I06: event res on A");
		EXPECT_EQ(0U, cqe->flags) TH_LOG("I06: event flags on A");
		nev++;
		io_uring_cqe_seen(&ra, cqe);
		ts.tv_sec = 0;
		ts.tv_nsec = 200 * 1000000;
	}
	EXPECT_EQ(1, nev) TH_LOG("I06: exactly one COPY event CQE, on the creator ring");

	close(rx);
	close(tx);
	munmap(mb, region);
	io_uring_queue_exit(&rb);
	io_uring_queue_exit(&ra);
	close(box);
	ifq_release(&zb);
	ifq_release(&zdummy);
	ifq_release(&za);
}

/* ---- rings that go away while the other keeps the ifq (I06, E12, E17, T10) ---- */

/*
 * Creator ring A registers ifq Z (one-page area, COPY events, stats) and
 * exports it; ring B imports it (the box fd is closed at once, so only the
 * two rings hold Z). Whichever ring closes also holds a private ifq whose
 * 4-page area is unpinned only when that ring's ctx is freed, so VmPin
 * tells when the close is complete. The receiving ring's user holds Z's only
 * buffer (1000 bytes received, not given back), so exactly, after the other
 * ring is gone:
 * - importer_closes: A still owns Z: the next write finds no buffer
 *   (-ENOMEM, nothing counted: the importer's exit must not take back the
 *   buffer A's user holds); after giving it back (FLUSH_RQ) and arming,
 *   1000 bytes arrive, their COPY event goes to A (E12: A is master_ctx,
 *   untouched by B's exit), stats {2, 2000};
 * - creator_closes: B still owns Z: the same -ENOMEM; the COPY fired before
 *   the close is still recorded (arm through B: 0, A07); after giving the
 *   buffer back the 1000 bytes arrive, no event anywhere and arm EINVAL
 *   (E17: master_ctx cleared), stats {2, 2000} through B's mapping (T10).
 */
#define GONE_SEED	13
#define GONE_PRIV	4

FIXTURE(gone) {
	struct io_uring a, b;
	bool a_up, b_up;
	struct zcrx_ifq z, priv;
	__u32 imp_id;
	void *mb;		/* Z's region through B's import id */
	int rx, tx;
};

FIXTURE_VARIANT(gone) {
	bool creator_closes;
};

FIXTURE_VARIANT_ADD(gone, importer_closes__I06_E12_T10) { .creator_closes = false };
FIXTURE_VARIANT_ADD(gone, creator_closes__I06_E17_T10_A07) { .creator_closes = true };

FIXTURE_SETUP(gone)
{
	int box;

	memset(self, 0, sizeof(*self));
	self->rx = self->tx = -1;
	if (import_missing() || zcrx_events_missing())
		return;		/* the test skips, saying why */
	ASSERT_EQ(0, ring_create(&self->a, ZCRX_RING_FLAGS));
	self->a_up = true;
	ASSERT_EQ(0, ring_create(&self->b, ZCRX_RING_FLAGS));
	self->b_up = true;
	ifq_init(&self->z, RQ_ENTRIES, REGION_SZ, 1);
	ASSERT_NE(NULL, self->z.area_mem);
	ifq_set_events(&self->z, EVENT_UD, 1u << ZCRX_EVENT_COPY, ZCRX_EVENT_DESC_FLAG_STATS,
		       first_stats_offset(RQ_ENTRIES));
	ASSERT_EQ(0, ifq_register(&self->a, &self->z));
	ASSERT_NE(NULL, self->z.region);
	ASSERT_EQ(0, zcrx_export(&self->a, self->z.reg.zcrx_id, &box));
	ASSERT_EQ(0, zcrx_import(&self->b, box, &self->imp_id));
	close(box);
	self->mb = mmap(NULL, REGION_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			self->b.ring_fd,
			ZCRX_REGION_MMAP_BASE + ((__u64)self->imp_id << ZCRX_REGION_ID_SHIFT));
	ASSERT_NE(MAP_FAILED, self->mb);
	ifq_init(&self->priv, RQ_ENTRIES, REGION_SZ, GONE_PRIV);
	ASSERT_EQ(0, ifq_register(variant->creator_closes ? &self->a : &self->b, &self->priv));
	ASSERT_EQ(0, tcp_pair(&self->rx, &self->tx));
}

FIXTURE_TEARDOWN(gone)
{
	if (self->rx >= 0)
		close(self->rx);
	if (self->tx >= 0)
		close(self->tx);
	if (self->mb && self->mb != MAP_FAILED)
		munmap(self->mb, REGION_SZ);
	ifq_unmap_region(&self->z);
	ifq_unmap_region(&self->priv);
	if (self->b_up)
		io_uring_queue_exit(&self->b);
	if (self->a_up)
		io_uring_queue_exit(&self->a);
	ifq_release(&self->priv);
	ifq_release(&self->z);
}

/* Hand the buffer of data CQE @c back through @region's refill ring and
 * FLUSH_RQ it through (@ring_fd, @id): the FLUSH_RQ result.
 */
static int gone_give_back(void *region, const struct zcrx_ifq *z, int ring_fd, __u32 id,
			  const struct cqrec *c)
{
	struct io_uring_zcrx_rqe *rqes = (void *)((char *)region + z->reg.offsets.rqes);
	__u32 *tailp = (__u32 *)((char *)region + z->reg.offsets.tail);
	__u32 tail = *tailp;
	struct zcrx_ctrl ctrl = { .zcrx_id = id, .op = ZCRX_CTRL_FLUSH_RQ };

	rqes[tail & (z->reg.rq_entries - 1)].off = c->big[0];
	rqes[tail & (z->reg.rq_entries - 1)].len = c->res;
	rqes[tail & (z->reg.rq_entries - 1)].__pad = 0;
	__atomic_store_n(tailp, tail + 1, __ATOMIC_RELEASE);
	return zcrx_ctrl(ring_fd, &ctrl, 0);
}

TEST_F(gone, other_ring_closed__I06_T10)
{
	bool cc = variant->creator_closes;
	struct io_uring *keep = cc ? &self->b : &self->a;
	struct io_uring *gone = cc ? &self->a : &self->b;
	__u32 kid = cc ? self->imp_id : self->z.reg.zcrx_id;
	void *kregion = cc ? self->mb : self->z.region;
	volatile struct zcrx_stats *st;
	struct zcrx_env view;	/* only for the tally's payload check */
	struct cq_tally l, la;
	long pin, want;
	unsigned int first;

	REQUIRE_IMPORT();
	REQUIRE(zcrx_events_missing());
	st = (volatile struct zcrx_stats *)((char *)kregion + self->z.desc.stats_offset);
	memset(&view, 0, sizeof(view));
	view.z = self->z;

	/* the keeping ring receives 1000 bytes into Z's only buffer */
	ASSERT_EQ(0, submit_recvzc(keep, self->rx, kid));
	cq_tally_env(&l, &view, EVENT_UD, GONE_SEED);
	ASSERT_EQ(0, write_once(self->tx, 0, 1000, GONE_SEED));
	cq_collect(keep, &l, 1000);
	ASSERT_EQ(1000U, l.bytes) TH_LOG("1000 bytes into the one-page area");
	ASSERT_EQ(1U, l.data_cqes);
	first = 0;
	while (first < l.n && l.c[first].ud != RECV_UD)
		first++;
	ASSERT_GT(l.n, first);
	cq_tally_env(&la, &view, EVENT_UD, -1);
	ASSERT_EQ(0, io_uring_get_events(&self->a));
	if (cc)
		cq_drain(&self->a, &la);
	else
		la = l;
	EXPECT_EQ(1U, la.event_cqes) TH_LOG("E12: the COPY event is on the creator ring");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T03: copy_count 1");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("T03: copy_bytes 1000");

	/* the other ring goes away, completely */
	if (cc)
		ifq_unmap_region(&self->z);
	else {
		munmap(self->mb, REGION_SZ);
		self->mb = NULL;
	}
	ifq_unmap_region(&self->priv);
	pin = vm_pinned_kb();
	want = pin - (long)(GONE_PRIV * page_size() / 1024);
	io_uring_queue_exit(gone);
	if (cc)
		self->a_up = false;
	else
		self->b_up = false;
	ASSERT_EQ(want, wait_vm_pinned_kb(want, 10000))
		TH_LOG("the closed ring's ctx was freed (its private area unpinned): VmPin %ld -> %ld kB",
		       pin, want);

	/* Z lives on for the keeping ring, its user still holding the buffer */
	if (cc) {
		EXPECT_EQ(0, zcrx_arm(keep, kid, ZCRX_EVENT_COPY))
			TH_LOG("A07: the COPY fired before the creator closed is still recorded");
	}
	ASSERT_EQ(0, write_once(self->tx, 1000, 1000, GONE_SEED));
	cq_collect(keep, &l, 2000);
	EXPECT_EQ(-ENOMEM, l.final_res)
		TH_LOG("the keeping ring's user still holds the only buffer: expected -ENOMEM, seen %d (%zu bytes)",
		       l.final_res, l.bytes);
	EXPECT_EQ(1000U, l.bytes) TH_LOG("nothing copied without a buffer");
	EXPECT_EQ(1ULL, st->copy_count) TH_LOG("T04: the failed copy is not counted");
	EXPECT_EQ(1000ULL, st->copy_bytes) TH_LOG("T04: the failed copy is not counted");
	EXPECT_EQ(pin - (long)(GONE_PRIV * page_size() / 1024), vm_pinned_kb())
		TH_LOG("Z's area stays pinned");

	/* give the buffer back, receive again */
	ASSERT_EQ(0, gone_give_back(kregion, &self->z, keep->ring_fd, kid, &l.c[first]))
		TH_LOG("C09: FLUSH_RQ through the keeping ring");
	if (!cc) {
		EXPECT_EQ(0, zcrx_arm(keep, kid, ZCRX_EVENT_COPY)) TH_LOG("A04: arm on the creator");
	}
	l.final_res = 1;
	ASSERT_EQ(0, submit_recvzc(keep, self->rx, kid));
	cq_collect(keep, &l, 2000);
	EXPECT_EQ(2000U, l.bytes) TH_LOG("the second 1000 bytes arrive after the give-back");
	EXPECT_EQ(0, l.bad_payload) TH_LOG("payload intact");
	EXPECT_EQ(1, l.final_res) TH_LOG("recv still armed");
	EXPECT_EQ(2ULL, st->copy_count) TH_LOG("T10: copy_count 2, seen %llu",
					       (unsigned long long)st->copy_count);
	EXPECT_EQ(2000ULL, st->copy_bytes) TH_LOG("T10: copy_bytes 2000, seen %llu",
						  (unsigned long long)st->copy_bytes);
	if (cc) {
		EXPECT_EQ(0U, l.event_cqes + l.other) TH_LOG("E17: no event on the importer");
		EXPECT_EQ(-EINVAL, zcrx_arm(keep, kid, ZCRX_EVENT_COPY))
			TH_LOG("E17: no master_ctx: the copy set no fired bit");
	} else {
		EXPECT_EQ(2U, l.event_cqes) TH_LOG("E12: the re-armed COPY still goes to the creator (2 in all), seen %u",
					       l.event_cqes);
		EXPECT_EQ(0U, cq_unclean_events(&l, ZCRX_EVENT_COPY)) TH_LOG("E10: COPY contents");
		EXPECT_EQ(0, zcrx_arm(keep, kid, ZCRX_EVENT_COPY)) TH_LOG("A04: fired");
		EXPECT_EQ(-EINVAL, zcrx_arm(keep, kid, ZCRX_EVENT_COPY)) TH_LOG("A05: cleared");
	}
}

TEST_HARNESS_MAIN
