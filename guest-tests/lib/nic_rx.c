// SPDX-License-Identifier: GPL-2.0
/* A zcrx receiver on the NIC under test; see nic_rx.h. */
#define _GNU_SOURCE
#define ZCRX_LIB_NO_HARNESS
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/netdev.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nic_lib.h"
#include "nic_rx.h"
#include "nsim_dev.h"

/* Default receive buffer of the accepted socket (the kernel doubles it):
 * far above what the sender's small SO_SNDBUF keeps in flight, so TCP
 * never prunes or collapses the queue (exact copy accounting), and the
 * queued buffers stay few (an area of a few hundred is "large enough"
 * for the E04 negative).
 */
#define NIC_RCVBUF	(512 * 1024)
#define NIC_RCVBUF_MIN	(16 * 1024)

uint16_t nic_test_port(void)
{
	static unsigned int n;

	return 20000 + (getpid() % 4000) * 8 + (n++ % 8);
}

static size_t nic_region_len(void)
{
	return page_align(first_stats_offset(NIC_RQ_ENTRIES) + sizeof(struct zcrx_stats));
}

/* skbs freed on the reader's CPU go to the allocating (NAPI) CPU's defer
 * list and wait for its next NET_RX softirq: on an idle machine that can
 * be minutes, and their net_iovs keep the area pinned after close.
 */
static int no_skb_defer(void)
{
	return write_str("/proc/sys/net/core/skb_defer_max", "0");
}

/* The virtual NIC packs payloads while its port's rx_pack file is not 0
 * (nic_pack.c sets it and resets it in its teardown, which a case killed
 * at its timeout never runs): every case starts unpacked. Not netdevsim,
 * or a netdevsim without the file: nothing to do.
 */
static int no_rx_pack(const char *nic)
{
	char path[160], v[16];

	if (nsim_port_debugfs(nic, "rx_pack", path, sizeof(path)) ||
	    read_str(path, v, sizeof(v)) || !strcmp(v, "0"))
		return 0;
	return write_str(path, "0");
}

/* this process (one case) configured the NIC: what nic_rx_close undoes */
static bool nic_readied;

bool nic_configured(void)
{
	return nic_readied;
}

int nic_zcrx_ready(void)
{
	const char *nic = nic_name();
	int ret;

	if (!nic)
		return -ENODEV;
	nic_readied = true;
	ret = no_skb_defer();
	if (!ret)
		ret = nic_set_rx_ring(nic, NIC_RING);
	if (ret)
		return ret;
	ret = nic_set_hds(nic, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);
	if (!ret)
		ret = no_rx_pack(nic);
	return ret ? ret : nic_rss_set_all(nic, NIC_OTHER_QUEUE);
}

int nic_rx_open_area(struct nic_rx *r, unsigned int rxq, void *area, size_t len,
		     uint32_t rx_buf_len, uint32_t type_mask, bool stats)
{
	struct io_uring_params params = {
		.flags = ZCRX_RING_FLAGS | IORING_SETUP_CQSIZE,
		.cq_entries = NIC_CQ_ENTRIES,
	};
	const char *nic = nic_name();
	long long end;
	char *region;
	int ret;

	memset(r, 0, sizeof(*r));
	r->family = AF_INET6;
	r->rcvbuf = NIC_RCVBUF;
	r->lfd = r->sock = r->rule = -1;
	r->port = nic_test_port();
	ifq_init(&r->z, NIC_RQ_ENTRIES, nic_region_len(), 0);
	r->z.area_mem = area;
	r->z.area_len = len;
	r->z.area.addr = (uintptr_t)area;
	r->z.area.len = len;
	if (!nic || !area)
		return -EINVAL;
	r->pin0 = vm_pinned_kb();
	/* one CQE per frame: a CQ that holds a full socket queue of them, so
	 * a batch never ends the multishot recv with -ENOSPC
	 */
	ret = io_uring_queue_init_params(RING_ENTRIES, &r->ring, &params);
	if (ret)
		return ret;
	r->ring_ok = true;

	r->z.reg.flags = 0;
	r->z.reg.if_idx = nic_ifindex();
	r->z.reg.if_rxq = rxq;
	r->z.reg.rx_buf_len = rx_buf_len;
	if (type_mask || stats)
		ifq_set_events(&r->z, EVENT_UD, type_mask,
			       stats ? ZCRX_EVENT_DESC_FLAG_STATS : 0,
			       stats ? first_stats_offset(NIC_RQ_ENTRIES) : 0);
	/* The previous test's ring is torn down asynchronously after its
	 * process exits: its ifq may still hold the queue for a moment.
	 */
	end = now_ms() + 3000;
	while ((ret = ifq_register(&r->ring, &r->z)) == -EEXIST && now_ms() < end)
		usleep(20000);
	if (ret)
		return ret;
	if (!r->z.region)
		return -ENOMEM;
	region = r->z.region;
	r->rq.khead = (__u32 *)(region + r->z.reg.offsets.head);
	r->rq.ktail = (__u32 *)(region + r->z.reg.offsets.tail);
	r->rq.rqes = (struct io_uring_zcrx_rqe *)(region + r->z.reg.offsets.rqes);
	r->rq.ring_entries = NIC_RQ_ENTRIES;
	r->rq.rq_tail = *r->rq.ktail;
	r->rq_head0 = __atomic_load_n(r->rq.khead, __ATOMIC_ACQUIRE);
	return 0;
}

unsigned int nic_rx_rq_taken(const struct nic_rx *r)
{
	return __atomic_load_n(r->rq.khead, __ATOMIC_ACQUIRE) - r->rq_head0;
}

void nic_rx_init(struct nic_rx *r)
{
	r->lfd = r->sock = r->rule = -1;
}

int nic_rx_open(struct nic_rx *r, unsigned int rxq, size_t area_pages,
		uint32_t rx_buf_len, uint32_t type_mask, bool stats)
{
	size_t len = area_pages * page_size();
	void *area = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return nic_rx_open_area(r, rxq, area == MAP_FAILED ? NULL : area, len,
				rx_buf_len, type_mask, stats);
}

int nic_rx_steer(struct nic_rx *r, unsigned int queue)
{
	unsigned int loc;
	int ret = nic_flow_add(nic_name(), r->family, IPPROTO_TCP, r->port, queue,
			       &loc);

	if (!ret)
		r->rule = (int)loc;
	/*
	 * A zero-copy flow: TCP's out-of-order queue must never be able to
	 * hold the whole area. Segments queued behind a lost one keep their
	 * buffers; when they are all of them, the retransmission that would
	 * fill the hole finds no buffer and the stream is dead for good (seen
	 * under load: rcv_ooopack 128 with a 128-buffer area). A receive
	 * buffer of an eighth of the area keeps TCP's rmem (which counts
	 * each buffer's truesize) to a quarter of it.
	 */
	if (!ret && queue == r->z.reg.if_rxq && r->rcvbuf == NIC_RCVBUF) {
		size_t cap = r->z.area_len / 8;

		if (cap < NIC_RCVBUF_MIN)
			cap = NIC_RCVBUF_MIN;
		if (cap < (size_t)r->rcvbuf)
			r->rcvbuf = (int)cap;
	}
	return ret;
}

int nic_rx_start(struct nic_rx *r, size_t len, unsigned int seed, size_t chunk)
{
	r->lfd = local_listen(r->family, r->port);
	if (r->lfd < 0)
		return r->lfd;
	if (r->rcvbuf &&
	    setsockopt(r->lfd, SOL_SOCKET, SO_RCVBUF, &r->rcvbuf, sizeof(r->rcvbuf)))
		return -errno;
	r->sender = remote_sender_spawn(r->family, r->port, len, seed, chunk);
	if (r->sender < 0)
		return r->sender;
	r->sock = accept_timeout(r->lfd, 15000);
	if (r->sock < 0)
		return r->sock;
	return submit_recvzc(&r->ring, r->sock, r->z.reg.zcrx_id);
}

static void rq_push(struct nic_rx *r, __u64 off, __u32 len)
{
	struct io_uring_zcrx_rqe *rqe;

	rqe = &r->rq.rqes[r->rq.rq_tail & (r->rq.ring_entries - 1)];
	rqe->off = off;
	rqe->len = len;
	rqe->__pad = 0;
	r->rq.rq_tail++;
}

static void rq_publish(struct nic_rx *r)
{
	__atomic_store_n(r->rq.ktail, r->rq.rq_tail, __ATOMIC_RELEASE);
}

/* Copy fallback takes buffers from the area's freelist only; buffers given
 * back through the RQ go to the freelist when the zcrx queue's page pool
 * pulls them, or on FLUSH_RQ. With no traffic on that queue, only the
 * flush brings them back.
 */
static void rq_flush(struct nic_rx *r)
{
	struct zcrx_ctrl c;

	memset(&c, 0, sizeof(c));
	c.zcrx_id = r->z.reg.zcrx_id;
	c.op = ZCRX_CTRL_FLUSH_RQ;
	zcrx_ctrl(r->ring.ring_fd, &c, 0);
}

static void hold(struct nic_rx *r, __u64 off)
{
	if (r->held_n == r->held_max) {
		unsigned int n = r->held_max ? 2 * r->held_max : 256;
		__u64 *p = realloc(r->held, n * sizeof(*p));

		if (!p)
			abort();
		r->held = p;
		r->held_max = n;
	}
	r->held[r->held_n++] = off;
}

void nic_rx_return(struct nic_rx *r, struct cq_tally *t)
{
	for (unsigned int i = 0; i < r->held_n; i++)
		rq_push(r, r->held[i], 0);
	t->returned += r->held_n;
	r->held_n = 0;
	rq_publish(r);
}

/* The buffer (niov) size of the ifq: what the registration wrote back. */
static __u64 nic_rx_buf_len(const struct nic_rx *r)
{
	return r->z.reg.rx_buf_len ? r->z.reg.rx_buf_len : page_size();
}

/* Tell @t what this receiver checks: its areas, buffer size and pattern. */
static void nic_tally_setup(const struct nic_rx *r, struct cq_tally *t, unsigned int seed)
{
	t->ev_ud = EVENT_UD;
	t->seed = seed;
	t->buf_len = nic_rx_buf_len(r);
	t->area[0].mem = r->z.area_mem;
	t->area[0].len = r->z.area_len;
	for (unsigned int i = 0; i < NIC_MORE_AREAS; i++) {
		t->area[i + 1].mem = i < r->nr_more ? r->more[i].mem : NULL;
		t->area[i + 1].len = i < r->nr_more ? r->more[i].len : 0;
	}
}

static void nic_cqe(struct nic_rx *r, struct cq_tally *t, struct io_uring_cqe *cqe,
		    bool refill)
{
	const struct io_uring_zcrx_cqe *zc = (const void *)cqe->big_cqe;

	if (cq_tally_cqe(t, r->ring.flags, cqe) != CQ_DATA)
		return;
	if (refill && !(r->hold_area0 && !(zc->off >> IORING_ZCRX_AREA_SHIFT))) {
		rq_push(r, zc->off, cqe->res);
		t->returned++;
	} else {
		hold(r, zc->off);
	}
}

/* Wait up to 20 ms for a CQE (GETEVENTS runs the deferred task work that
 * posts them), then process every CQE there is.
 */
static void nic_rx_poll(struct nic_rx *r, struct cq_tally *t, unsigned int seed,
			bool refill)
{
	struct __kernel_timespec ts = { .tv_nsec = 20 * 1000000 };
	struct io_uring_cqe *cqe;

	nic_tally_setup(r, t, seed);
	io_uring_wait_cqe_timeout(&r->ring, &cqe, &ts);
	while (!io_uring_peek_cqe(&r->ring, &cqe)) {
		nic_cqe(r, t, cqe, refill);
		io_uring_cqe_seen(&r->ring, cqe);
	}
}

/* The value of @key in a /proc/net/{snmp,netstat} table of @proto, or -1. */
static long long net_stat(const char *file, const char *proto, const char *key)
{
	char names[4096], vals[4096], *n, *v, *sn, *sv;
	size_t plen = strlen(proto);
	long long ret = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f) && fgets(vals, sizeof(vals), f)) {
		if (strncmp(names, proto, plen) || names[plen] != ':')
			continue;
		n = strtok_r(names + plen + 1, "\n ", &sn);
		v = strtok_r(vals + plen + 1, "\n ", &sv);
		for (; n && v; n = strtok_r(NULL, "\n ", &sn), v = strtok_r(NULL, "\n ", &sv))
			if (!strcmp(n, key))
				ret = strtoll(v, NULL, 10);
	}
	fclose(f);
	return ret;
}

/*
 * A stream that stopped short: say what the NIC and TCP saw, as KTAP
 * comments, so a stall can be told apart from a slow machine.
 */
void nic_rx_stall_diag(const struct nic_rx *r, const struct cq_tally *t, size_t bytes,
		       int timeout_ms)
{
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	int inq = -1;
	static const char *const ext[] = { "TCPOFOQueue", "TCPRcvQDrop", "PruneCalled",
					   "TCPZeroWindowDrop", "TCPBacklogDrop" };
	char path[128], buf[32] = "?";

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_dropped", nic_name());
	read_str(path, buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	printf("# nic_rx: %zu of %zu bytes after %d ms (%u data CQEs, %u returned, final res %d)\n",
	       t->bytes, bytes, timeout_ms, t->data_cqes, t->returned, t->final_res);
	printf("# nic_rx: %s rx_dropped %s; Tcp InErrs %lld;", nic_name(), buf,
	       net_stat("/proc/net/snmp", "Tcp", "InErrs"));
	for (size_t i = 0; i < ARRAY_SIZE(ext); i++)
		printf(" %s %lld", ext[i], net_stat("/proc/net/netstat", "TcpExt", ext[i]));
	printf("\n");
	/* data TCP holds for the recvzc request, and what it has out of order */
	memset(&ti, 0, sizeof(ti));
	if (r->sock >= 0) {
		if (ioctl(r->sock, SIOCINQ, &inq))
			inq = -errno;
		if (getsockopt(r->sock, IPPROTO_TCP, TCP_INFO, &ti, &tl))
			tl = 0;
	}
	printf("# nic_rx: socket inq %d, rcv_wnd %u, rcv_ooopack %u, state %u\n", inq,
	       tl ? ti.tcpi_rcv_wnd : 0, tl ? ti.tcpi_rcv_ooopack : 0, tl ? ti.tcpi_state : 0);
	fflush(stdout);
}

void nic_rx_run(struct nic_rx *r, struct cq_tally *t, size_t bytes,
		unsigned int seed, bool refill, bool stop_on_event, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	unsigned int events = t->event_cqes;

	if (!t->final_res)
		t->final_res = 1;
	for (;;) {
		nic_rx_poll(r, t, seed, refill);
		if (refill)
			rq_publish(r);
		if (refill && r->flush_rq)
			rq_flush(r);
		/* what an application does when the area ran dry under a copy
		 * burst: give buffers back, then receive again
		 */
		if (r->rearm_enomem && t->final_res == -ENOMEM && refill &&
		    !submit_recvzc(&r->ring, r->sock, r->z.reg.zcrx_id)) {
			t->final_res = 1;
			r->rearms++;
		}
		if (t->bytes >= bytes || (stop_on_event && t->event_cqes > events))
			break;
		/* the recv ended; but a recv that ended because the area ran
		 * dry (a copy into it found no buffer) does not end the CQ: the
		 * event a caller waits for (ALLOC_FAIL, as the NIC's refill
		 * finds the area empty too) is posted on its own, so keep
		 * reaping until it comes or the time is up
		 */
		if (t->final_res <= 0 &&
		    !(stop_on_event && t->final_res == -ENOMEM && t->event_cqes == events))
			break;
		if (now_ms() >= end) {
			/* short waits are polls on purpose: only a stream that
			 * had seconds to arrive is a stall
			 */
			if (timeout_ms >= 5000)
				nic_rx_stall_diag(r, t, bytes, timeout_ms);
			break;
		}
	}
}

void nic_rx_wait(struct nic_rx *r, struct cq_tally *t, unsigned int seed,
		 bool refill, int ms)
{
	nic_rx_wait_events(r, t, seed, refill, UINT_MAX, ms);
}

unsigned int nic_rx_wait_events(struct nic_rx *r, struct cq_tally *t, unsigned int seed,
				bool refill, unsigned int want, int ms)
{
	long long end = now_ms() + ms;

	while (t->event_cqes < want && now_ms() < end) {
		nic_rx_poll(r, t, seed, refill);
		if (refill)
			rq_publish(r);
	}
	return t->event_cqes;
}

long long nic_rx_wait_refill_fails(struct nic_rx *r, struct cq_tally *t, unsigned int seed,
				   unsigned int n, int ms)
{
	const unsigned int q = r->z.reg.if_rxq;
	long long end = now_ms() + NIC_FAILS_MS, f0, f;

	/* a driver whose counter is not known to count every failed refill
	 * (the profile's ALLOC_FAIL_QSTAT): the window on the clock
	 */
	if (nic_profile_missing_is("ALLOC_FAIL_QSTAT", "yes")) {
		nic_rx_wait(r, t, seed, false, ms);
		return NIC_NO_FAIL_COUNT;
	}
	/* from here every error is the case's: the profile says it counts */
	f0 = nic_qstat_rx(nic_name(), q, NETDEV_A_QSTATS_RX_ALLOC_FAIL);
	if (f0 < 0)
		return f0;
	f = f0;
	while (f - f0 < n && now_ms() < end) {
		nic_rx_poll(r, t, seed, false);
		f = nic_qstat_rx(nic_name(), q, NETDEV_A_QSTATS_RX_ALLOC_FAIL);
		if (f < 0)
			return f;
	}
	/* the CQEs of the last failures: task work runs on the next wait */
	nic_rx_poll(r, t, seed, false);
	return f - f0;
}

int nic_rx_wait_taken(struct nic_rx *r, int ms)
{
	long long end = now_ms() + ms;

	while (__atomic_load_n(r->rq.khead, __ATOMIC_ACQUIRE) != r->rq.rq_tail) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

int nic_rx_finish(struct nic_rx *r)
{
	int ret;

	/* shutdown, not only close: the multishot recv holds a file ref, so
	 * close() alone would not send the FIN the sender waits for
	 */
	if (r->sock >= 0) {
		shutdown(r->sock, SHUT_RDWR);
		close(r->sock);
	}
	r->sock = -1;
	if (r->sender <= 0)
		return -ECHILD;
	ret = remote_sender_wait(r->sender, 20000);
	r->sender = 0;
	return ret;
}

/* See nic_rx.h. zcrx.c closes the queue (destroying its page pool) before
 * it scrubs user references: a buffer still held then keeps the pool alive
 * until the pool's release retry, a second later.
 */
void nic_rx_quiesce(struct nic_rx *r)
{
	const __u64 cancel_ud = RECV_UD + 0x100;
	struct __kernel_timespec ts = { .tv_nsec = 20 * 1000000 };
	struct cq_tally scratch = { 0 };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	bool done = false;

	if (!r->ring_ok || !r->z.registered || r->close_as_is)
		return;
	nic_tally_setup(r, &scratch, 0);
	for (unsigned int i = 0; i < r->held_n; i++)
		rq_push(r, r->held[i], 0);
	r->held_n = 0;
	/* end the multishot recv, so that no buffer reaches the user after
	 * the flush; its final CQE (or the cancel's -ENOENT) ends the wait
	 */
	sqe = io_uring_get_sqe(&r->ring);
	if (sqe) {
		io_uring_prep_cancel64(sqe, RECV_UD, 0);
		sqe->user_data = cancel_ud;
		io_uring_submit(&r->ring);
	}
	for (long long end = now_ms() + 500; !done && now_ms() < end;) {
		io_uring_wait_cqe_timeout(&r->ring, &cqe, &ts);
		while (!io_uring_peek_cqe(&r->ring, &cqe)) {
			const struct io_uring_zcrx_cqe *zc = (const void *)cqe->big_cqe;

			if (cqe->user_data == cancel_ud && cqe->res == -ENOENT)
				done = true;
			switch (cq_tally_cqe(&scratch, r->ring.flags, cqe)) {
			case CQ_DATA:
				rq_push(r, zc->off, cqe->res);
				break;
			case CQ_FINAL:
				done = true;
				break;
			default:
				break;
			}
			io_uring_cqe_seen(&r->ring, cqe);
		}
		if (!sqe)
			break;
	}
	rq_publish(r);
	rq_flush(r);
}

long nic_rx_close(struct nic_rx *r)
{
	long pin = vm_pinned_kb();

	if (r->sender > 0) {
		kill(r->sender, SIGKILL);
		waitpid(r->sender, NULL, 0);
	}
	if (r->sock >= 0)
		close(r->sock);
	if (r->lfd >= 0)
		close(r->lfd);
	nic_rx_quiesce(r);
	if (r->rule >= 0)
		nic_flow_del(nic_name(), r->rule);
	if (r->ring_ok)
		io_uring_queue_exit(&r->ring);
	ifq_release(&r->z);
	if (r->ring_ok)
		pin = wait_vm_pinned_kb(r->pin0, NIC_UNPIN_MS);
	free(r->held);
	if (nic_name() && nic_readied)
		nic_rss_reset(nic_name());
	memset(r, 0, sizeof(*r));
	r->lfd = r->sock = r->rule = -1;
	return pin;
}
