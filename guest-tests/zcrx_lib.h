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

#ifndef ZCRX_LIB_NO_HARNESS
#include "kselftest_harness.h"
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

/* user_data values that tell CQEs apart */
#define EVENT_UD	0xe7e7e7e7e7e7e7e7ULL
#define RECV_UD		0x5ec0ULL

/* ---- discovery ---------------------------------------------------------- */

/* One query entry: the syscall's return (0 or -errno); @hdr keeps the
 * per-entry result and written size. */
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

#define REQUIRE_NODEV() do {						\
	const char *__why = zcrx_nodev_missing();			\
	if (__why)							\
		SKIP(return, "%s", __why);				\
} while (0)

#define REQUIRE_EVENTS() do {						\
	const char *__why = zcrx_events_missing();			\
	if (__why)							\
		SKIP(return, "%s", __why);				\
} while (0)

/* Offset of the first byte after the refill ring, from the query answer. */
size_t rq_used_bytes(unsigned int rq_entries);

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
/* The stats inside the mapped region (after a successful registration). */
volatile struct zcrx_stats *ifq_stats(struct zcrx_ifq *z);

/* IORING_REGISTER_ZCRX_CTRL: 0 or -errno. */
int zcrx_ctrl(int ring_fd, struct zcrx_ctrl *ctrl, unsigned int nr_args);
int zcrx_arm(struct io_uring *ring, uint32_t zcrx_id, uint32_t type);
/* Raw io_uring_register: 0/positive or -errno. */
int raw_register(int fd, unsigned int op, void *arg, unsigned int nr_args);

/* ---- traffic --------------------------------------------------------------- */

/* A connected TCP pair over lo (IPv4): @rx is the accepted socket. */
int tcp_pair(int *rx, int *tx);
/* Write @len bytes of pattern starting at @seed; 0 or -errno. */
int send_pattern(int fd, size_t len, unsigned int seed);

struct recv_tally {
	size_t bytes;		/* payload bytes in data CQEs */
	unsigned int data_cqes;
	unsigned int events[__ZCRX_EVENT_TYPE_LAST];
	unsigned int event_cqes;
	int event_res[8];	/* res of the first event CQEs, in order */
	unsigned int event_flags;	/* OR of the event CQEs' flags */
	unsigned int event_big_nonzero;	/* CQE32 events with big_cqe != 0 */
	int last_res;		/* res of a final non-F_MORE recv CQE, or 1 */
	int pattern_errors;	/* payload bytes that did not match */
	int order_error;	/* an event CQE came before any data CQE */
};

/* Queue a multishot IORING_OP_RECV_ZC on @sock for ifq @zcrx_id. */
int submit_recvzc(struct io_uring *ring, int sock, uint32_t zcrx_id);
/* Reap until @bytes were received or @timeout_ms passed; checks the payload
 * against the pattern from @seed (@seed < 0: no check). */
void reap(struct io_uring *ring, struct zcrx_ifq *z, size_t bytes,
	  int timeout_ms, int seed, struct recv_tally *t);

/* Pinned memory of this process in kB (VmPin in /proc/self/status). */
long vm_pinned_kb(void);

#endif
