/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two binaries of spec 2.1 share (register.c: the rows one by
 * one; register_pair.c: R35, two faults in one registration): the
 * mutators of the default NODEV registration that both use, and small
 * helpers. Static inline: each binary takes what it uses.
 */
#ifndef ZCRX_SPEC_REGISTER_H
#define ZCRX_SPEC_REGISTER_H

#include "zcrx_lib.h"

#define NO_SUCH_IFINDEX	9999
/* the lowest event type bit the kernel does not know */
#define BAD_MASK_LOW	(1u << __ZCRX_EVENT_TYPE_LAST)
/* every event type the kernel knows */
#define ALL_TYPES	((1u << __ZCRX_EVENT_TYPE_LAST) - 1)

/* One change to the default registration; returns the argument to pass
 * instead of &z->reg, or NULL.
 */
typedef void *(*mutator)(struct zcrx_ifq *z, __u64 val);

/* The first valid stats_offset for the registration's (rounded) rq_entries. */
static inline int flush_rq(int ring_fd, uint32_t id)
{
	struct zcrx_ctrl c = { .zcrx_id = id, .op = ZCRX_CTRL_FLUSH_RQ };

	return zcrx_ctrl(ring_fd, &c, 0);
}

static inline __u64 stats_ok(struct zcrx_ifq *z)
{
	return rq_used_bytes(z->reg.rq_entries);
}

static inline void non_nodev(struct zcrx_ifq *z)
{
	z->reg.flags = 0;
	z->reg.if_idx = NO_SUCH_IFINDEX;
}

static inline void *m_area0_rdsize0(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->reg.area_ptr = 0;
	z->rd.size = 0;
	return NULL;
}

static inline void *m_flags_region0(struct zcrx_ifq *z, __u64 v)
{
	z->reg.flags = v;
	z->reg.region_ptr = 0;
	return NULL;
}

static inline void *m_region0_rq0(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->reg.region_ptr = 0;
	z->reg.rq_entries = 0;
	return NULL;
}

static inline void *m_resv1_region0(struct zcrx_ifq *z, __u64 v)
{
	(void)v;
	z->reg.__resv[1] = 1;
	z->reg.region_ptr = 0;
	return NULL;
}

static inline void *m_rq_area0(struct zcrx_ifq *z, __u64 v)
{
	z->reg.rq_entries = v;
	z->reg.area_ptr = 0;
	return NULL;
}

#endif
