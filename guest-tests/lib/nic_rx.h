/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A zcrx receiver on the NIC under test (NETIF): a ring with a zcrx ifq
 * bound to one rx queue, a TCP flow from the remote netns, and a receive
 * loop that checks every payload byte where the CQE says it is and gives
 * buffers back through the refill ring, or holds them to starve the queue.
 */
#ifndef NIC_RX_H
#define NIC_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zcrx_lib.h"

/* The zcrx queue, and the queue everything else is steered to. */
#define NIC_ZC_QUEUE	1
#define NIC_OTHER_QUEUE	0
/* ethtool -G rx set by nic_zcrx_ready(): well below the areas of the
 * streaming cases. A ring that can hold the whole area (the default 512
 * against 64 buffers) leaves nothing for segments waiting out of order,
 * and a stream can stall for good once a retransmission finds no buffer.
 */
#define NIC_RING	64
/* Refill ring entries of a NIC ifq: more than any area here has buffers. */
#define NIC_RQ_ENTRIES	4096
#define NIC_CQ_ENTRIES	4096
/* Harness limit of a NIC case, seconds: streams that recover from drops
 * wait out TCP retransmit backoff, slow on a busy TCG host
 */
#define NIC_TEST_TIMEOUT	120
/* How long closing may take to unpin the area: the page pool retries its
 * release every second (about 1 s seen)
 */
#define NIC_UNPIN_MS	15000
/* Areas a nic_rx checks CQEs against besides the first one */
#define NIC_MORE_AREAS	(CQ_TALLY_AREAS - 1)

struct nic_rx {
	int family;		/* of the flow: AF_INET6 unless set after open */
	struct io_uring ring;
	struct zcrx_ifq z;
	struct io_uring_zcrx_rq rq;
	uint16_t port;
	int lfd, sock;
	pid_t sender;
	int rule;		/* ntuple rule location, or -1 */
	unsigned int held_n;	/* buffers held back (not yet returned) */
	__u64 *held;		/* their offsets */
	unsigned int held_max;
	bool ring_ok;
	bool flush_rq;		/* ZCRX_CTRL_FLUSH_RQ after each refill batch */
	int rcvbuf;		/* SO_RCVBUF of the flow; 0: the kernel's autotuning */
	bool rearm_enomem;	/* recv ended by -ENOMEM: flush the RQ, recv again */
	unsigned int rearms;	/* how often it did */
	long pin0;		/* VmPin (kB) before the registration */
	/* areas added after the registration (ZCRX_CTRL_ADD_AREA): area
	 * index i + 1 of the CQE offsets; memory owned by the caller
	 */
	struct {
		void *mem;
		size_t len;
	} more[NIC_MORE_AREAS];
	unsigned int nr_more;
	bool hold_area0;	/* with refill: hold area 0's buffers, return the rest */
	bool close_as_is;	/* nic_rx_close: no quiesce, buffers still held */
	__u32 rq_head0;		/* the refill ring's head after the registration */
};


/* A nic_rx with nothing open yet: nic_rx_close() may always be called. */
void nic_rx_init(struct nic_rx *r);

/*
 * The set-up of every NIC case: each of @rs (an array of @n nic_rx)
 * initialised, then skip unless NETIF is a zcrx-capable NIC (and, with
 * @events, the kernel has the 7.3 events API), then nic_zcrx_ready().
 */
#define NIC_CASE_SETUP(rs, n, events) do {				\
	for (unsigned int __i = 0; __i < (n); __i++)			\
		nic_rx_init(&(rs)[__i]);				\
	if (events)							\
		REQUIRE(zcrx_events_missing());				\
	REQUIRE(zcrx_nic_missing());					\
	ASSERT_EQ(0, nic_zcrx_ready());					\
} while (0)

/* What a zcrx user does to a real NIC first (ethtool -G tcp-data-split on
 * hds-thresh 0 rx NIC_RING; ethtool -X equal 1): header split on,
 * threshold 0, a posted ring well below the area, RSS onto
 * NIC_OTHER_QUEUE only; on the virtual NIC, payloads not packed (its
 * port's rx_pack 0); and net.core.skb_defer_max=0, so closing unpins
 * the area without waiting for network traffic. Every NIC case calls it
 * first, so a case may leave these changed (ring sizes). 0 or -errno.
 */
int nic_zcrx_ready(void);
/* Whether this process called nic_zcrx_ready(): a case that skipped before
 * it touched nothing, and its teardown must not either (the suite runs the
 * NIC binaries beside others when no NIC profile says ZCRX=yes, where
 * every case skips: images/suite-runner.c).
 */
bool nic_configured(void);
/* Ring + ifq on NETIF's rx queue @rxq with an area of @area_pages pages
 * (and @rx_buf_len, 0 = default), events {EVENT_UD, @type_mask} and the
 * stats when @stats. 0 or -errno (the registration's error; -EEXIST only
 * after 3 s, as the previous test's ifq may still be going away).
 */
int nic_rx_open(struct nic_rx *r, unsigned int rxq, size_t area_pages,
		uint32_t rx_buf_len, uint32_t type_mask, bool stats);
/* The same with caller-owned area memory (e.g. hugetlb). */
int nic_rx_open_area(struct nic_rx *r, unsigned int rxq, void *area, size_t len,
		     uint32_t rx_buf_len, uint32_t type_mask, bool stats);
/* Steer TCP over r->family to @port onto @queue with an ntuple rule (removed by
 * nic_rx_close).
 */
int nic_rx_steer(struct nic_rx *r, unsigned int queue);
/* Listen, start the remote sender of @len pattern bytes of @seed in writes
 * of @chunk, accept, and queue a multishot RECV_ZC. 0 or -errno.
 */
int nic_rx_start(struct nic_rx *r, size_t len, unsigned int seed, size_t chunk);
/* Process CQEs until @bytes payload bytes arrived, an event CQE arrived
 * (when @stop_on_event), the recv ended (with @stop_on_event, a recv that
 * ended with -ENOMEM, the area dry, does not stop the wait for the event),
 * or @timeout_ms passed. Each data
 * CQE's payload is checked against @seed; its buffer goes back through the
 * refill ring when @refill, else it is held (nic_rx_return gives held
 * buffers back).
 */
/* What NETIF and TCP counted, printed as KTAP comments when a stream
 * stopped short of @bytes (nic_rx_run calls it on its timeout).
 */
void nic_rx_stall_diag(const struct nic_rx *r, const struct cq_tally *t, size_t bytes,
		       int timeout_ms);
void nic_rx_run(struct nic_rx *r, struct cq_tally *t, size_t bytes,
		unsigned int seed, bool refill, bool stop_on_event, int timeout_ms);
/* Process CQEs for @ms, whatever arrives; buffers go back at once when
 * @refill, else they are held.
 */
void nic_rx_wait(struct nic_rx *r, struct cq_tally *t, unsigned int seed,
		 bool refill, int ms);
/* nic_rx_wait() that returns as soon as @t has @want event CQEs; returns
 * how many it has.
 */
unsigned int nic_rx_wait_events(struct nic_rx *r, struct cq_tally *t, unsigned int seed,
				bool refill, unsigned int want, int ms);
/* A starved queue, buffers held: process CQEs until the NIC's
 * alloc_fail counter of the queue (netdev qstats) has grown by @n, at
 * most NIC_FAILS_MS, then once more. Returns the growth, or -errno when
 * the counter cannot be read (-EOPNOTSUPP: the queue has none). Where the
 * NIC profile has no ALLOC_FAIL_QSTAT=yes: waits @ms on the clock and
 * returns NIC_NO_FAIL_COUNT.
 */
long long nic_rx_wait_refill_fails(struct nic_rx *r, struct cq_tally *t, unsigned int seed,
				   unsigned int n, int ms);
#define NIC_FAILS_MS	5000
#define NIC_NO_FAIL_COUNT	(-1000000LL)
/* Failed refills that show a starved queue stays starved: each of them
 * would post an event if the fired bit did not hold it back (E08)
 */
#define NIC_STARVE_FAILS	20
/* In a test: the queue of @r stays starved for NIC_STARVE_FAILS more failed
 * refills (@ms on the clock where the NIC has no alloc_fail counter), its
 * CQEs tallied in @t; fails the test when the counter does not grow.
 */
#define EXPECT_STARVED(r, t, seed, ms) do {					\
	long long __t0 = now_ms();						\
	long long __f = nic_rx_wait_refill_fails(r, t, seed, NIC_STARVE_FAILS, ms); \
	if (__f == NIC_NO_FAIL_COUNT) {						\
		TH_LOG("starved: %d ms on the clock (no ALLOC_FAIL_QSTAT=yes in the NIC profile)", ms); \
	} else {								\
		TH_LOG("starved: alloc_fail %+lld in %lld ms", __f, now_ms() - __t0); \
		EXPECT_LE((long long)NIC_STARVE_FAILS, __f) {			\
			TH_LOG("the starved queue's alloc_fail counter grew by %lld in %d ms (negative: -errno reading it), expected %d; the profile says ALLOC_FAIL_QSTAT=yes", \
			       __f, NIC_FAILS_MS, NIC_STARVE_FAILS);		\
		}								\
	}									\
} while (0)
/* Wait until the kernel has taken every refill-ring entry given back
 * (its head reached our tail): 0, or -ETIMEDOUT after @ms.
 */
int nic_rx_wait_taken(struct nic_rx *r, int ms);
/* Refill-ring entries the kernel has taken since the registration (its
 * head moved by that many).
 */
unsigned int nic_rx_rq_taken(const struct nic_rx *r);
/* In a test: @uses buffer fills (one per data CQE, or bytes / buffer size
 * when the NIC packs) from an area of @bufs buffers. Past the area's own,
 * each buffer came back through the refill ring before it was filled
 * again, however many pieces it was returned in, so the kernel's head
 * moved by at least @uses - @bufs. Fails too when @uses <= @bufs: then
 * nothing had to come back and the check would prove nothing.
 */
#define EXPECT_CAME_BACK(r, uses, bufs) do {					\
	long long __u = (long long)(uses), __b = (long long)(bufs);		\
	EXPECT_LT(__b, __u) {							\
		TH_LOG("%lld buffer fills fit the %lld-buffer area: none had to come back", \
		       __u, __b);						\
	}									\
	EXPECT_LE(__u - __b, (long long)nic_rx_rq_taken(r)) {			\
		TH_LOG("%lld buffer fills from a %lld-buffer area, but the refill ring's head moved by only %u", \
		       __u, __b, nic_rx_rq_taken(r));				\
	}									\
} while (0)
/* Give every held buffer back through the refill ring. */
void nic_rx_return(struct nic_rx *r, struct cq_tally *t);
/* The sender's result: 0 when it sent everything and saw the close. */
int nic_rx_finish(struct nic_rx *r);
/* A tidy application's teardown: every buffer held and every one still in
 * the CQ back through the RQ, then FLUSH_RQ, so that none is held by the
 * user when the queue closes. Nothing when r->close_as_is.
 */
void nic_rx_quiesce(struct nic_rx *r);
/* Stop the sender, close the socket, give every held buffer and every one
 * left in the CQ back and flush the RQ (unless r->close_as_is), remove the
 * rule, tear the ring down and wait (NIC_UNPIN_MS at most) until the area
 * is unpinned, which happens after the queue is released: the next test
 * can bind it. RSS back to default.
 * Returns VmPin after the wait (r->pin0 when all was released).
 */
long nic_rx_close(struct nic_rx *r);

/* A free TCP port for one test (per process). */
uint16_t nic_test_port(void);

#endif
