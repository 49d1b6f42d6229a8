/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one CQE tally of the suite: every reader (reap() and cq_collect() for
 * the NODEV cases, nic_rx for the NIC cases) classifies the CQEs it takes
 * with cq_tally_cqe() into the same counters, so "data", "event", "final"
 * and "bad payload" mean the same thing in every test.
 *
 * Include through zcrx_lib.h (it needs the 7.3 uapi headers first).
 */
#ifndef CQ_TALLY_H
#define CQ_TALLY_H

#include <linux/io_uring.h>
#include <linux/io_uring/zcrx.h>
#include <stdbool.h>
#include <stddef.h>

/* Areas a tally knows by index: area 0 plus ZCRX_CTRL_ADD_AREA ones. */
#define CQ_TALLY_AREAS	4
/* CQEs kept in the log, in CQ order (later ones are counted only). */
#define CQ_TALLY_LOG	160

/* One CQE as logged. */
struct cqrec {
	__u64 ud;
	__s32 res;
	__u32 flags;
	__u64 big[2];
	bool has_big;
};

enum cq_kind {
	CQ_DATA,	/* RECV_UD with F_MORE and res > 0, in a 32-byte CQE */
	CQ_EVENT,	/* else: the event user_data (see ev_ud) */
	CQ_FINAL,	/* else: RECV_UD without F_MORE, the multishot recv ended */
	CQ_OTHER,	/* anything else */
};

/*
 * A zeroed tally is ready: every CQE that is not RECV_UD is an event, the
 * readers set seed and area 0 from their arguments. Set ev_ud, areas,
 * buf_len or st before the first CQE to check more.
 */
struct cq_tally {
	/* ---- what to check ---- */
	__u64 ev_ud;		/* event user_data; 0: any CQE that is not RECV_UD */
	int seed;		/* payload pattern; < 0: payload not checked */
	struct {
		const void *mem;	/* NULL: an unknown area (bad_off) */
		size_t len;
	} area[CQ_TALLY_AREAS];	/* by the area index of the CQE offset */
	__u64 buf_len;		/* buffer (niov) size for inbuf_*; 0: page size */
	/* T08: when set, every data CQE checks the stats already cover it */
	volatile struct zcrx_stats *st;

	/* ---- the log ---- */
	struct cqrec c[CQ_TALLY_LOG];
	unsigned int n;		/* every CQE, in CQ order */

	/* ---- data CQEs ---- */
	size_t bytes;		/* their payload bytes */
	unsigned int data_cqes;
	unsigned int max_len;	/* largest data CQE */
	unsigned int short_cqes;	/* res < PAGE_SIZE */
	unsigned int over_page;		/* res > PAGE_SIZE */
	unsigned int bad_off;	/* pointing outside a known area */
	int bad_payload;	/* payload bytes that did not match the pattern */
	unsigned int area_cqes[CQ_TALLY_AREAS];	/* data CQEs per area index */
	size_t area_bytes[CQ_TALLY_AREAS];	/* their payload bytes */
	__u64 off_or;		/* OR of the offsets within their area */
	/* offsets within the buffer (buf_len) a data CQE points into */
	unsigned int inbuf_nz;		/* not at the buffer's start */
	unsigned int inbuf_tail;	/* ... and ending exactly at its end */
	unsigned int inbuf_cross;	/* running past the buffer's end */
	__u64 inbuf_or;			/* OR of those offsets */
	unsigned int st_lag;	/* seen before st->copy_bytes covered them */
	unsigned int returned;	/* buffers the reader gave back through the RQ */

	/* ---- event CQEs ---- */
	unsigned int event_cqes;
	unsigned int events[__ZCRX_EVENT_TYPE_LAST];	/* by res */
	unsigned int clean[__ZCRX_EVENT_TYPE_LAST];	/* ... with flags 0, big_cqe 0 */
	int event_res[8];	/* res of the first event CQEs, in order */
	unsigned int event_flags;	/* OR of their flags */
	unsigned int event_big_nonzero;	/* CQE32 events with big_cqe != 0 */
	unsigned int event_bad;	/* events with flags != 0 or big_cqe != 0 */
	int order_error;	/* an event came before any data CQE */

	/* ---- the rest ---- */
	int final_res;		/* res of the final recv CQE; 1 (or 0): none */
	unsigned int other;	/* CQ_OTHER CQEs */
};

/*
 * Log and classify one CQE of a ring set up with @ring_flags (CQE32 tells
 * whether big_cqe is there). The final recv CQE is never data, even with
 * res > 0; with ev_ud == RECV_UD it is an event (E20's collision).
 */
enum cq_kind cq_tally_cqe(struct cq_tally *t, unsigned int ring_flags,
			  const struct io_uring_cqe *cqe);

/* Event CQEs that are not a clean @type event (res @type, flags 0, big_cqe
 * 0): 0 when every event was one.
 */
static inline unsigned int cq_unclean_events(const struct cq_tally *t, int type)
{
	return t->event_cqes - t->clean[type];
}

#endif
