/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the zcrx-vmtest guest tests: feature discovery through
 * IORING_REGISTER_QUERY, ring and NODEV zcrx set-up, loopback traffic and
 * reaping. The 7.3 uapi headers (linux-libc-dev) must come before
 * liburing's own copies: same include guards, first one wins.
 */
#ifndef ZCRX_LIB_H
#define ZCRX_LIB_H

#include <linux/io_uring.h>
#include <linux/io_uring/query.h>
#include <linux/io_uring/zcrx.h>
#include <liburing.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cq_tally.h"

#ifndef ZCRX_LIB_NO_HARNESS
#include "kselftest_harness.h"
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Default geometry of the spec's preconditions (spec section 2). */
#define RQ_ENTRIES	128
#define REGION_SZ	4096
#define AREA_PAGES	64
#define RING_ENTRIES	64
#define ZCRX_RING_FLAGS	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | \
			 IORING_SETUP_CQE32)
#define MIXED_RING_FLAGS (IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | \
			  IORING_SETUP_CQE_MIXED)

/*
 * mmap offsets of zcrx refill-ring regions: region of zcrx id N is at
 * ZCRX_REGION_MMAP_BASE + (N << ZCRX_REGION_ID_SHIFT). ABI constants with no
 * uapi name: io_uring/memmap.h:6,8.
 */
#define ZCRX_REGION_MMAP_BASE	0x30000000ULL	/* IORING_MAP_OFF_ZCRX_REGION */
#define ZCRX_REGION_ID_SHIFT	16		/* IORING_OFF_ZCRX_SHIFT */

/* user_data values that tell CQEs apart */
#define EVENT_UD	0xe7e7e7e7e7e7e7e7ULL
#define RECV_UD		0x5ec0ULL

/* ---- discovery ---------------------------------------------------------- */

/* One query entry: the syscall's return (0 or -errno); @hdr keeps the
 * per-entry result and written size.
 */
int query_op(int fd, unsigned int op, void *buf, unsigned int size,
	     struct io_uring_query_hdr *hdr);

struct zcrx_caps {
	int zcrx_result;		/* hdr.result of IO_URING_QUERY_ZCRX */
	int event_result;		/* hdr.result of IO_URING_QUERY_ZCRX_EVENT */
	struct io_uring_query_zcrx zcrx;
	struct io_uring_query_zcrx_event event;
	bool events;			/* FEATURE_EVENT and ARM_EVENT and op 3 */
	bool nodev;			/* ZCRX_REG_NODEV supported */
};

/* Probed once per process. */
const struct zcrx_caps *zcrx_caps(void);

/* Why the 7.3 events API is not usable here, or NULL when it is. */
const char *zcrx_events_missing(void);
/* Why a NODEV zcrx is not usable here, or NULL when it is. */
const char *zcrx_nodev_missing(void);

/*
 * REQUIRE(why) or REQUIRE(why, "what needs it"): skip the case, saying why,
 * when @why (a function naming what the kernel or machine lacks, e.g.
 * zcrx_events_missing(), or NULL when nothing is missing) is not NULL.
 * The one precondition macro of the suite.
 */
#define REQUIRE(why_expr, ...) do {					\
	const char *__why = (why_expr);					\
	const char *__what = "" __VA_ARGS__;				\
	if (__why)							\
		SKIP(return, "%s%s%s", __why, *__what ? ": " : "", __what); \
} while (0)

/* Why this kernel's zcrx predates the 7.3 generation, or NULL: its ctrl
 * op set stops before ZCRX_CTRL_ADD_AREA (7.2 has the events API, but an
 * older refill-ring header, check order and aux-CQE layout).
 */
const char *zcrx_pre73(void);

/* Offset of the first byte after the refill ring, from the query answer. */
size_t rq_used_bytes(unsigned int rq_entries);
/* offsets.rqes: ALIGN(rq_hdr_size, rq_hdr_alignment), from the query answer. */
size_t rq_rqes_offset(void);
/* First valid stats_offset for @rq_entries: rq_used_bytes() rounded up to
 * the queried stats_off_alignment.
 */
uint64_t first_stats_offset(unsigned int rq_entries);

/* ---- small utilities ------------------------------------------------------- */

/* sysconf(_SC_PAGESIZE) */
size_t page_size(void);
/* @n rounded up to a multiple of page_size(). */
size_t page_align(size_t n);
/* CLOCK_MONOTONIC in milliseconds. */
long long now_ms(void);
/* True when bytes [@from, @to) of @buf all equal @v. */
bool all_bytes(const void *buf, size_t from, size_t to, unsigned char v);
/* The address of a page that was mapped and unmapped again: not mapped. */
void *unmapped_page(void);
/* Write @s to the file @path (sysfs, procfs): 0 or -errno. */
int write_str(const char *path, const char *s);
/* Read the first line of a (sysfs, procfs, debugfs) file into @buf without
 * its newline: 0 or -errno.
 */
int read_str(const char *path, char *buf, size_t len);
/* Drop @cap from the effective, permitted and inheritable sets of this
 * thread; 0 when capget afterwards shows it gone, else -errno/-EPERM.
 */
int drop_capability(int cap);

/* ---- rings and registrations --------------------------------------------- */

/* io_uring_queue_init with @flags; returns 0 or -errno. */
int ring_create(struct io_uring *ring, unsigned int flags);

struct zcrx_ifq {
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring_zcrx_area_reg area;
	struct io_uring_region_desc rd;
	struct zcrx_event_desc desc;
	void *area_mem;
	size_t area_len;
	void *region;		/* mapped refill-ring region after success */
	size_t region_len;
	bool user_region;	/* IORING_MEM_REGION_TYPE_USER */
	bool registered;
	int ring_fd;
};

/* NODEV registration with the default geometry, no events. */
void ifq_init(struct zcrx_ifq *z, unsigned int rq_entries, size_t region_len,
	      size_t area_pages);
/* Use caller memory (prefilled with @fill) as the refill-ring region. */
void ifq_use_user_region(struct zcrx_ifq *z, int fill);
/* Attach an event descriptor. */
void ifq_set_events(struct zcrx_ifq *z, uint64_t user_data, uint32_t type_mask,
		    uint32_t flags, uint64_t stats_offset);
/* IORING_REGISTER_ZCRX_IFQ: 0 or -errno; maps the region on success. */
int ifq_register(struct io_uring *ring, struct zcrx_ifq *z);
void ifq_release(struct zcrx_ifq *z);
/* munmap the region mapped by ifq_register through the ring fd (the mapping
 * keeps the ring file alive, so closing the ring frees nothing before it is
 * gone); no-op for a user region or when not mapped.
 */
void ifq_unmap_region(struct zcrx_ifq *z);
/* The stats inside the mapped region (after a successful registration). */
volatile struct zcrx_stats *ifq_stats(struct zcrx_ifq *z);

/* IORING_REGISTER_ZCRX_CTRL: 0 or -errno. */
int zcrx_ctrl(int ring_fd, struct zcrx_ctrl *ctrl, unsigned int nr_args);
int zcrx_arm(struct io_uring *ring, uint32_t zcrx_id, uint32_t type);
/* One non-NODEV registration on queue @rxq of @ifindex with an area of
 * @area_pages, torn down again: its result (0 or -errno). Waits until the
 * area is unpinned, which follows the queue's release, so the queue is
 * free again on return.
 */
int ifq_bind_once(int ifindex, unsigned int rxq, size_t area_pages);
/* Raw io_uring_register: 0/positive or -errno. */
int raw_register(int fd, unsigned int op, void *arg, unsigned int nr_args);
/* ZCRX_CTRL_EXPORT of @zcrx_id: 0 and the new [zcrx] fd in @fd (-1 on
 * failure), or -errno.
 */
int zcrx_export(struct io_uring *ring, uint32_t zcrx_id, int *fd);
/* ZCRX_REG_IMPORT of the exported @box_fd into @ring: 0 or -errno; the
 * zcrx_id the kernel wrote back in @zcrx_id (0 when it wrote none).
 */
int zcrx_import(struct io_uring *ring, int box_fd, uint32_t *zcrx_id);

/* ---- traffic --------------------------------------------------------------- */

/* A connected TCP pair over lo (IPv4): @rx is the accepted socket. */
int tcp_pair(int *rx, int *tx);
/* The payload pattern: byte at stream position @pos for @seed. Every
 * sender and every payload check use this one generator.
 */
unsigned char pattern_byte(size_t pos, unsigned int seed);
/* @buf[i] = pattern_byte(@pos + i, @seed) for i < @len. */
void pattern_fill(void *buf, size_t len, size_t pos, unsigned int seed);
/* Write @len bytes of pattern (positions 0..len-1) in write()s of at most
 * 4096 bytes; 0 or -errno.
 */
int send_pattern(int fd, size_t len, unsigned int seed);
/* ONE write() of the pattern bytes at stream positions [@pos, @pos + @len),
 * @len <= 32768: 0, -errno, -E2BIG or -EIO on a short write. A single
 * write keeps the frag layout the stats/events tests count on.
 */
int write_once(int fd, size_t pos, size_t len, unsigned int seed);


/* Get an SQE and prepare a multishot IORING_OP_RECV_ZC on @sock for ifq
 * @zcrx_id, user_data RECV_UD; NULL when the SQ is full. Not submitted.
 */
struct io_uring_sqe *prep_recvzc(struct io_uring *ring, int sock, uint32_t zcrx_id);
/* Queue a multishot IORING_OP_RECV_ZC on @sock for ifq @zcrx_id. */
int submit_recvzc(struct io_uring *ring, int sock, uint32_t zcrx_id);
/* The same SQE, published and entered WITHOUT IORING_ENTER_GETEVENTS (which
 * io_uring_submit() may add, spec 1.6): io_uring_enter(fd, 1, 0, 0) result.
 */
int submit_recvzc_nogetevents(struct io_uring *ring, int sock, uint32_t zcrx_id);
/* Reap into @t until @bytes were received, a final recv CQE came or
 * @timeout_ms passed, checking area 0 (@z's) against the pattern of @seed
 * (@seed < 0: no check); see cq_collect().
 */
void reap(struct io_uring *ring, struct zcrx_ifq *z, size_t bytes,
	  int timeout_ms, int seed, struct cq_tally *t);

/* Pinned memory of this process in kB (VmPin in /proc/self/status). */
long vm_pinned_kb(void);
/* Poll vm_pinned_kb() every 20 ms until it equals @want or @timeout_ms
 * passed; returns the last value read.
 */
long wait_vm_pinned_kb(long want, int timeout_ms);

/* ---- traffic environment and its CQE tally (events.c, stats.c) ------------- */

/* A ring, a NODEV ifq on it and a connected loopback TCP pair. */
struct zcrx_env {
	struct io_uring ring;
	struct zcrx_ifq z;
	int rx, tx;
	bool ring_up;		/* the ring was created: close must exit it */
};

/* An env with nothing made yet: zcrx_env_close() may always be called. */
void zcrx_env_init(struct zcrx_env *e);

/* Ring with @ring_flags + NODEV ifq of @area_pages (RQ_ENTRIES, REGION_SZ;
 * with an event desc {@ud, @mask, @flags} when @desc, stats at
 * first_stats_offset(RQ_ENTRIES) when @flags has ZCRX_EVENT_DESC_FLAG_STATS)
 * + tcp_pair(). 0 or -errno.
 */
int zcrx_env_setup(struct zcrx_env *e, unsigned int ring_flags, size_t area_pages,
		   bool desc, uint64_t ud, uint32_t mask, uint32_t flags);

/* Undo zcrx_env_setup() for a fixture's teardown: the TCP pair, the ifq's
 * memory and the ring. Safe on a half-made or never-made env.
 */
void zcrx_env_close(struct zcrx_env *e);

/*
 * The fixture of the traffic cases (events.c, stats.c): an env and a CQE
 * log, set up by the case itself (each wants its own geometry), closed by
 * the teardown whatever happened. Cases skip without the events API.
 */
#define TRAFFIC_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct zcrx_env e;					\
		struct cq_tally l;					\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		zcrx_env_init(&self->e);				\
		REQUIRE(zcrx_events_missing());				\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		zcrx_env_close(&self->e);				\
	}

/* An empty tally for events with user_data @ev_ud, payload checked against
 * the pattern of @seed in @e's area 0 (@seed < 0: no check).
 */
void cq_tally_env(struct cq_tally *t, struct zcrx_env *e, __u64 ev_ud, int seed);
/* Queue the multishot recvzc on @e's socket for its ifq and start @t empty
 * for it (cq_tally_env()): the first two steps of every traffic case.
 * 0 or -errno from the submission.
 */
int zcrx_env_recv(struct zcrx_env *e, struct cq_tally *t, __u64 ev_ud, int seed);
/* Tally every CQE already visible, without entering the kernel. */
void cq_drain(struct io_uring *ring, struct cq_tally *t);
/* Wait (running local task work) until @upto payload bytes or a final recv
 * CQE were tallied, or @timeout_ms passed, then cq_settle().
 */
void cq_wait(struct io_uring *ring, struct cq_tally *t, size_t upto, int timeout_ms);
/* Run the ring's pending local task work, without waiting, until a pass
 * posts no CQE, tallying what it posts: the events queued by the last
 * copy (E13, E14).
 */
void cq_settle(struct io_uring *ring, struct cq_tally *t);
/* cq_wait() for at most 5 s. */
void cq_collect(struct io_uring *ring, struct cq_tally *t, size_t upto);

/* ---- fault injection (Documentation/fault-injection/fault-injection.rst) -- */

#define FAIL_NTH_PATH	"/proc/thread-self/fail-nth"
#define DEBUGFS_DIR	"/sys/kernel/debug"

/* Why per-task fault injection is not usable here, or NULL. It needs this
 * thread's fail-nth (CONFIG_FAULT_INJECTION) and debugfs's failslab
 * directory (CONFIG_FAILSLAB + CONFIG_FAULT_INJECTION_DEBUG_FS); debugfs is
 * mounted at DEBUGFS_DIR first when failslab is not there. Decided from
 * those files only, never from a version.
 */
const char *fault_injection_missing(void);

#define FAULT_KNOBS	4

/* This thread's fail-nth and the debugfs knobs a test changed. Lives in
 * fixture data, so that a FIXTURE_TEARDOWN_PARENT can put the knobs back
 * when the test itself died before fault_ctl_restore().
 */
struct fault_ctl {
	int nth_fd;		/* FAIL_NTH_PATH of the test thread, or -1 */
	int lock_fd;		/* FAULT_LOCK, held from setup to restore, or -1 */
	unsigned int nknobs;	/* knobs changed so far, restored in reverse */
	struct {
		char path[96];
		char old[16];
	} knob[FAULT_KNOBS];
};

/* Read debugfs knob @name (relative to DEBUGFS_DIR, e.g.
 * "failslab/ignore-gfp-wait") into @buf without its newline: 0 or -errno.
 */
int fault_knob_read(const char *name, char *buf, size_t len);
/* Nothing open, nothing changed (fixture setup). */
void fault_ctl_none(struct fault_ctl *f);

/* FAULT_FIXTURE(name): a fixture holding one struct fault_ctl, in memory
 * shared with the harness's parent, which restores the debugfs knobs after
 * the test even when the test process died.
 */
#define FAULT_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct fault_ctl f;					\
	};								\
	FIXTURE_SETUP(name) { fault_ctl_none(&self->f); }		\
	FIXTURE_TEARDOWN_PARENT(name) { fault_ctl_restore_knobs(&self->f); }
/*
 * Open this thread's fail-nth and make exactly the wanted allocations
 * countable: failslab/ignore-gfp-wait "N" with @sleeping (GFP_KERNEL slab
 * allocations count too) or "Y" (only those that cannot sleep: GFP_ATOMIC,
 * GFP_NOWAIT), failslab/cache-filter "N" (every cache), and, when
 * CONFIG_FAIL_PAGE_ALLOC is there, fail_page_alloc/ignore-gfp-wait "Y".
 * Each knob whose value changes is recorded for fault_ctl_restore(). 0 or -errno.
 * The knobs are global and the guest runs shared binaries at once: setup
 * first takes FAULT_LOCK (an flock, waited for at most FAULT_LOCK_MS:
 * -ETIMEDOUT), which fault_ctl_restore() drops after putting them back.
 */
#define FAULT_LOCK	"/tmp/zcrx-vmtest-fault.lock"
#define FAULT_LOCK_MS	60000
int fault_ctl_setup(struct fault_ctl *f, bool sleeping);
/* Write @n to fail-nth: the @n-th fault-injectable call of this thread
 * fails (0 disarms). 0 or -errno.
 */
int fail_nth_arm(struct fault_ctl *f, unsigned int n);
/* fail-nth read back: 0 once the armed fault was injected, what is left
 * otherwise; -errno when unreadable.
 */
long fail_nth_left(struct fault_ctl *f);
/* Disarm and close fail-nth (when open in this process), then put every
 * recorded knob back, last changed first. Idempotent.
 */
void fault_ctl_restore(struct fault_ctl *f);
/* Only the knobs (from the harness's parent process, which does not share
 * the test's fail-nth descriptor). Idempotent.
 */
void fault_ctl_restore_knobs(struct fault_ctl *f);

#endif
