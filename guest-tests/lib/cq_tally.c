// SPDX-License-Identifier: GPL-2.0
/* The one CQE tally: see cq_tally.h. */
#define ZCRX_LIB_NO_HARNESS

#include "zcrx_lib.h"

static bool is_event(const struct cq_tally *t, const struct io_uring_cqe *cqe)
{
	return t->ev_ud ? cqe->user_data == t->ev_ud : cqe->user_data != RECV_UD;
}

static void tally_event(struct cq_tally *t, const struct cqrec *r)
{
	bool bad = r->flags || r->big[0] || r->big[1];

	if (t->event_cqes < ARRAY_SIZE(t->event_res))
		t->event_res[t->event_cqes] = r->res;
	t->event_cqes++;
	if (r->res >= 0 && r->res < __ZCRX_EVENT_TYPE_LAST) {
		t->events[r->res]++;
		if (!bad)
			t->clean[r->res]++;
	}
	t->event_flags |= r->flags;
	if (r->big[0] || r->big[1])
		t->event_big_nonzero++;
	if (bad)
		t->event_bad++;
	if (!t->data_cqes)
		t->order_error = 1;
}

static void tally_inbuf(struct cq_tally *t, __u64 off, unsigned int len)
{
	__u64 buf = t->buf_len ? t->buf_len : page_size();
	__u64 in = off & (buf - 1);

	t->inbuf_or |= in;
	if (in)
		t->inbuf_nz++;
	if (in && in + len == buf)
		t->inbuf_tail++;
	if (in + len > buf)
		t->inbuf_cross++;
}

static void tally_data(struct cq_tally *t, const struct io_uring_cqe *cqe)
{
	const struct io_uring_zcrx_cqe *zc = (const void *)cqe->big_cqe;
	__u64 off = zc->off & ~IORING_ZCRX_AREA_MASK;
	__u64 idx = zc->off >> IORING_ZCRX_AREA_SHIFT;
	unsigned int len = cqe->res;
	const unsigned char *d;

	if (idx >= CQ_TALLY_AREAS || !t->area[idx].mem || off + len > t->area[idx].len) {
		t->bad_off++;
	} else {
		d = (const unsigned char *)t->area[idx].mem + off;
		if (t->seed >= 0)
			for (unsigned int i = 0; i < len; i++)
				if (d[i] != pattern_byte(t->bytes + i, t->seed))
					t->bad_payload++;
		t->area_cqes[idx]++;
		t->area_bytes[idx] += len;
		t->off_or |= off;
		tally_inbuf(t, off, len);
	}
	t->bytes += len;
	t->data_cqes++;
	if (len > t->max_len)
		t->max_len = len;
	if (len < page_size())
		t->short_cqes++;
	if (len > page_size())
		t->over_page++;
	if (t->st && t->st->copy_bytes < t->bytes)
		t->st_lag++;
}

enum cq_kind cq_tally_cqe(struct cq_tally *t, unsigned int ring_flags,
			  const struct io_uring_cqe *cqe)
{
	struct cqrec r = { .ud = cqe->user_data, .res = cqe->res, .flags = cqe->flags };

	r.has_big = (ring_flags & IORING_SETUP_CQE32) || (cqe->flags & IORING_CQE_F_32);
	if (r.has_big) {
		r.big[0] = cqe->big_cqe[0];
		r.big[1] = cqe->big_cqe[1];
	}
	if (t->n < ARRAY_SIZE(t->c))
		t->c[t->n] = r;
	t->n++;
	/* data first: with desc.user_data == RECV_UD (E20) only F_MORE tells */
	if (cqe->user_data == RECV_UD && (cqe->flags & IORING_CQE_F_MORE) &&
	    cqe->res > 0 && r.has_big) {
		tally_data(t, cqe);
		return CQ_DATA;
	}
	if (is_event(t, cqe)) {
		tally_event(t, &r);
		return CQ_EVENT;
	}
	if (cqe->user_data == RECV_UD && !(cqe->flags & IORING_CQE_F_MORE)) {
		t->final_res = cqe->res;
		return CQ_FINAL;
	}
	t->other++;
	return CQ_OTHER;
}
