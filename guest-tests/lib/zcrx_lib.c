// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the zcrx-vmtest guest tests; see zcrx_lib.h. */
#define _GNU_SOURCE
#define ZCRX_LIB_NO_HARNESS
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "knob_lock.h"
#include "zcrx_lib.h"

int raw_register(int fd, unsigned int op, void *arg, unsigned int nr_args)
{
	int ret = syscall(__NR_io_uring_register, fd, op, arg, nr_args);

	return ret < 0 ? -errno : ret;
}

int query_op(int fd, unsigned int op, void *buf, unsigned int size,
	     struct io_uring_query_hdr *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->query_op = op;
	hdr->query_data = (uintptr_t)buf;
	hdr->size = size;
	return raw_register(fd, IORING_REGISTER_QUERY, hdr, 0);
}

const struct zcrx_caps *zcrx_caps(void)
{
	static struct zcrx_caps caps;
	static bool done;
	struct io_uring_query_hdr hdr;

	if (done)
		return &caps;
	done = true;
	caps.zcrx_result = -EOPNOTSUPP;
	caps.event_result = -EOPNOTSUPP;
	if (query_op(-1, IO_URING_QUERY_ZCRX, &caps.zcrx, sizeof(caps.zcrx), &hdr))
		return &caps;	/* no IORING_REGISTER_QUERY at all */
	caps.zcrx_result = hdr.result;
	if (hdr.result)
		return &caps;
	caps.nodev = caps.zcrx.register_flags & ZCRX_REG_NODEV;
	if (!query_op(-1, IO_URING_QUERY_ZCRX_EVENT, &caps.event, sizeof(caps.event), &hdr))
		caps.event_result = hdr.result;
	caps.events = (caps.zcrx.features & ZCRX_FEATURE_EVENT) &&
		      caps.zcrx.nr_ctrl_opcodes > ZCRX_CTRL_ARM_EVENT &&
		      caps.event_result == 0;
	return &caps;
}

const char *zcrx_nodev_missing(void)
{
	const struct zcrx_caps *c = zcrx_caps();
	static char why[160];

	if (c->zcrx_result) {
		snprintf(why, sizeof(why),
			 "IO_URING_QUERY_ZCRX answered %d (%s): kernel without zcrx query",
			 c->zcrx_result, strerror(-c->zcrx_result));
		return why;
	}
	if (!c->nodev) {
		snprintf(why, sizeof(why),
			 "ZCRX_REG_NODEV not in query register_flags 0x%llx",
			 (unsigned long long)c->zcrx.register_flags);
		return why;
	}
	return NULL;
}

const char *zcrx_events_missing(void)
{
	const struct zcrx_caps *c = zcrx_caps();
	static char why[200];

	if (c->zcrx_result)
		return zcrx_nodev_missing();
	if (!c->events) {
		snprintf(why, sizeof(why),
			 "zcrx events API missing: features 0x%x (need 0x%x), nr_ctrl_opcodes %u (need > %u), IO_URING_QUERY_ZCRX_EVENT result %d",
			 c->zcrx.features, ZCRX_FEATURE_EVENT, c->zcrx.nr_ctrl_opcodes,
			 ZCRX_CTRL_ARM_EVENT, c->event_result);
		return why;
	}
	return zcrx_nodev_missing();
}

const char *zcrx_pre73(void)
{
	const struct zcrx_caps *c = zcrx_caps();
	static char why[120];

	if (c->zcrx_result || c->zcrx.nr_ctrl_opcodes >= __ZCRX_CTRL_LAST)
		return NULL;
	snprintf(why, sizeof(why), "pre-7.3 zcrx (query nr_ctrl_opcodes %u < %u, no ZCRX_CTRL_ADD_AREA)",
		 c->zcrx.nr_ctrl_opcodes, (unsigned int)__ZCRX_CTRL_LAST);
	return why;
}

size_t rq_used_bytes(unsigned int rq_entries)
{
	const struct zcrx_caps *c = zcrx_caps();
	size_t align = c->zcrx.rq_hdr_alignment ? c->zcrx.rq_hdr_alignment : 1;
	size_t hdr = (c->zcrx.rq_hdr_size + align - 1) / align * align;
	unsigned int rq = 1;

	while (rq < rq_entries)
		rq <<= 1;
	return hdr + (size_t)rq * sizeof(struct io_uring_zcrx_rqe);
}

size_t rq_rqes_offset(void)
{
	return rq_used_bytes(1) - sizeof(struct io_uring_zcrx_rqe);
}

uint64_t first_stats_offset(unsigned int rq_entries)
{
	uint64_t a = zcrx_caps()->event.stats_off_alignment;

	if (!a)
		a = 1;
	return (rq_used_bytes(rq_entries) + a - 1) / a * a;
}

size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

size_t page_align(size_t n)
{
	size_t p = page_size();

	return (n + p - 1) / p * p;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

bool all_bytes(const void *buf, size_t from, size_t to, unsigned char v)
{
	for (size_t i = from; i < to; i++)
		if (((const unsigned char *)buf)[i] != v)
			return false;
	return true;
}

void *unmapped_page(void)
{
	size_t len = page_size();
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(p, len);
	return p;
}

int drop_capability(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	d[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
	d[CAP_TO_INDEX(cap)].inheritable &= ~CAP_TO_MASK(cap);
	if (syscall(SYS_capset, &h, d))
		return -errno;
	if (syscall(SYS_capget, &h, d))
		return -errno;
	return d[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap) ? -EPERM : 0;
}

int ring_create(struct io_uring *ring, unsigned int flags)
{
	return io_uring_queue_init(RING_ENTRIES, ring, flags);
}

void ifq_init(struct zcrx_ifq *z, unsigned int rq_entries, size_t region_len,
	      size_t area_pages)
{
	long page = sysconf(_SC_PAGESIZE);

	memset(z, 0, sizeof(*z));
	z->ring_fd = -1;
	z->area_len = area_pages * page;
	if (z->area_len) {
		z->area_mem = mmap(NULL, z->area_len, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (z->area_mem == MAP_FAILED)
			z->area_mem = NULL;
	}
	z->region_len = region_len;
	z->area.addr = (uintptr_t)z->area_mem;
	z->area.len = z->area_len;
	z->rd.size = region_len;
	z->reg.flags = ZCRX_REG_NODEV;
	z->reg.rq_entries = rq_entries;
	z->reg.area_ptr = (uintptr_t)&z->area;
	z->reg.region_ptr = (uintptr_t)&z->rd;
}

void ifq_use_user_region(struct zcrx_ifq *z, int fill)
{
	void *mem = mmap(NULL, z->region_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return;
	memset(mem, fill, z->region_len);
	z->region = mem;
	z->user_region = true;
	z->rd.user_addr = (uintptr_t)mem;
	z->rd.flags = IORING_MEM_REGION_TYPE_USER;
}

void ifq_set_events(struct zcrx_ifq *z, uint64_t user_data, uint32_t type_mask,
		    uint32_t flags, uint64_t stats_offset)
{
	z->desc.user_data = user_data;
	z->desc.type_mask = type_mask;
	z->desc.flags = flags;
	z->desc.stats_offset = stats_offset;
	z->reg.event_desc = (uintptr_t)&z->desc;
}

int ifq_register(struct io_uring *ring, struct zcrx_ifq *z)
{
	int ret = raw_register(ring->ring_fd, IORING_REGISTER_ZCRX_IFQ, &z->reg, 1);

	if (ret)
		return ret;
	z->registered = true;
	z->ring_fd = ring->ring_fd;
	if (!z->user_region) {
		void *mem = mmap(NULL, z->region_len, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_POPULATE, ring->ring_fd,
				 z->rd.mmap_offset);

		z->region = mem == MAP_FAILED ? NULL : mem;
	}
	return 0;
}

void ifq_release(struct zcrx_ifq *z)
{
	if (z->region && z->region_len)
		munmap(z->region, z->region_len);
	if (z->area_mem)
		munmap(z->area_mem, z->area_len);
	z->region = NULL;
	z->area_mem = NULL;
}

void ifq_unmap_region(struct zcrx_ifq *z)
{
	if (z->user_region || !z->region)
		return;
	munmap(z->region, z->region_len);
	z->region = NULL;
}

volatile struct zcrx_stats *ifq_stats(struct zcrx_ifq *z)
{
	if (!z->region)
		return NULL;
	return (volatile struct zcrx_stats *)((char *)z->region + z->desc.stats_offset);
}

int zcrx_ctrl(int ring_fd, struct zcrx_ctrl *ctrl, unsigned int nr_args)
{
	return raw_register(ring_fd, IORING_REGISTER_ZCRX_CTRL, ctrl, nr_args);
}

int zcrx_arm(struct io_uring *ring, uint32_t zcrx_id, uint32_t type)
{
	struct zcrx_ctrl c = { .zcrx_id = zcrx_id, .op = ZCRX_CTRL_ARM_EVENT };

	c.zc_arm_event.event_type = type;
	return zcrx_ctrl(ring->ring_fd, &c, 0);
}

int zcrx_export(struct io_uring *ring, uint32_t zcrx_id, int *fd)
{
	struct zcrx_ctrl c = { .zcrx_id = zcrx_id, .op = ZCRX_CTRL_EXPORT };
	int ret = zcrx_ctrl(ring->ring_fd, &c, 0);

	*fd = ret ? -1 : (int)c.zc_export.zcrx_fd;
	return ret;
}

int zcrx_import(struct io_uring *ring, int box_fd, uint32_t *zcrx_id)
{
	struct io_uring_zcrx_ifq_reg reg;
	int ret;

	memset(&reg, 0, sizeof(reg));
	reg.flags = ZCRX_REG_IMPORT;
	reg.if_idx = box_fd;
	ret = raw_register(ring->ring_fd, IORING_REGISTER_ZCRX_IFQ, &reg, 1);
	*zcrx_id = reg.zcrx_id;
	return ret;
}

int tcp_pair(int *rx, int *tx)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int ls, one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		return -errno;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (void *)&sa, sizeof(sa)) || listen(ls, 1) ||
	    getsockname(ls, (void *)&sa, &len))
		goto fail;
	*tx = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*tx < 0 || connect(*tx, (void *)&sa, sizeof(sa)))
		goto fail;
	*rx = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (*rx < 0)
		goto fail;
	setsockopt(*tx, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	close(ls);
	return 0;
fail:
	one = -errno;
	close(ls);
	return one;
}

unsigned char pattern_byte(size_t pos, unsigned int seed)
{
	return (unsigned char)((pos * 31 + seed) ^ (pos >> 9));
}

void pattern_fill(void *buf, size_t len, size_t pos, unsigned int seed)
{
	unsigned char *b = buf;

	for (size_t i = 0; i < len; i++)
		b[i] = pattern_byte(pos + i, seed);
}

int write_once(int fd, size_t pos, size_t len, unsigned int seed)
{
	static unsigned char buf[32768];
	ssize_t w;

	if (len > sizeof(buf))
		return -E2BIG;
	pattern_fill(buf, len, pos, seed);
	w = write(fd, buf, len);
	if (w < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EIO;
}

int send_pattern(int fd, size_t len, unsigned int seed)
{
	unsigned char buf[4096];
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		ssize_t w;

		pattern_fill(buf, n, done, seed);
		w = write(fd, buf, n);
		if (w < 0)
			return -errno;
		done += w;
	}
	return 0;
}

struct io_uring_sqe *prep_recvzc(struct io_uring *ring, int sock, uint32_t zcrx_id)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return NULL;
	io_uring_prep_rw(IORING_OP_RECV_ZC, sqe, sock, NULL, 0, 0);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
	sqe->zcrx_ifq_idx = zcrx_id;
	sqe->user_data = RECV_UD;
	return sqe;
}

int submit_recvzc(struct io_uring *ring, int sock, uint32_t zcrx_id)
{
	if (!prep_recvzc(ring, sock, zcrx_id))
		return -EBUSY;
	return io_uring_submit(ring) == 1 ? 0 : -EIO;
}

int submit_recvzc_nogetevents(struct io_uring *ring, int sock, uint32_t zcrx_id)
{
	if (!prep_recvzc(ring, sock, zcrx_id))
		return -EBUSY;
	/* flush the SQ tail as liburing does, without its GETEVENTS */
	io_uring_smp_store_release(ring->sq.ktail, ring->sq.sqe_tail);
	ring->sq.sqe_head = ring->sq.sqe_tail;
	return io_uring_enter(ring->ring_fd, 1, 0, 0, NULL);
}

/* Area 0 memory holding the payload of a zcrx CQE, or NULL when the CQE's
 * area index is not 0 (only area 0 is known here).
 */
void reap(struct io_uring *ring, struct zcrx_ifq *z, size_t bytes,
	  int timeout_ms, int seed, struct cq_tally *t)
{
	t->seed = seed;
	t->area[0].mem = z->area_mem;
	t->area[0].len = z->area_len;
	cq_wait(ring, t, bytes, timeout_ms);
}

long vm_pinned_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

long wait_vm_pinned_kb(long want, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	long kb;

	for (;;) {
		kb = vm_pinned_kb();
		if (kb == want || now_ms() > end)
			return kb;
		/* the ring's exit work unpins within tens of ms: a 20 ms
		 * step cost every NIC case 10-20 ms of sleep
		 */
		usleep(2000);
	}
}

int zcrx_env_setup(struct zcrx_env *e, unsigned int ring_flags, size_t area_pages,
		   bool desc, uint64_t ud, uint32_t mask, uint32_t flags)
{
	int ret;

	zcrx_env_init(e);
	ret = ring_create(&e->ring, ring_flags);
	if (ret)
		return ret;
	e->ring_up = true;
	ifq_init(&e->z, RQ_ENTRIES, REGION_SZ, area_pages);
	if (!e->z.area_mem)
		return -ENOMEM;
	if (desc)
		ifq_set_events(&e->z, ud, mask, flags,
			       (flags & ZCRX_EVENT_DESC_FLAG_STATS) ?
			       first_stats_offset(RQ_ENTRIES) : 0);
	ret = ifq_register(&e->ring, &e->z);
	if (ret)
		return ret;
	if (!e->z.region)
		return -ENOMEM;
	return tcp_pair(&e->rx, &e->tx);
}

void zcrx_env_init(struct zcrx_env *e)
{
	memset(e, 0, sizeof(*e));
	e->rx = e->tx = -1;
}

void zcrx_env_close(struct zcrx_env *e)
{
	if (e->rx >= 0)
		close(e->rx);
	if (e->tx >= 0)
		close(e->tx);
	e->rx = e->tx = -1;
	ifq_release(&e->z);
	if (e->ring_up)
		io_uring_queue_exit(&e->ring);
	e->ring_up = false;
}

void cq_tally_env(struct cq_tally *t, struct zcrx_env *e, __u64 ev_ud, int seed)
{
	memset(t, 0, sizeof(*t));
	t->ev_ud = ev_ud;
	t->area[0].mem = e->z.area_mem;
	t->area[0].len = e->z.area_len;
	t->seed = seed;
	t->final_res = 1;
}

int zcrx_env_recv(struct zcrx_env *e, struct cq_tally *t, __u64 ev_ud, int seed)
{
	cq_tally_env(t, e, ev_ud, seed);
	return submit_recvzc(&e->ring, e->rx, e->z.reg.zcrx_id);
}

void cq_drain(struct io_uring *ring, struct cq_tally *t)
{
	struct io_uring_cqe *cqe;

	while (io_uring_cq_ready(ring) && !io_uring_peek_cqe(ring, &cqe)) {
		cq_tally_cqe(t, ring->flags, cqe);
		io_uring_cqe_seen(ring, cqe);
	}
}

void cq_wait(struct io_uring *ring, struct cq_tally *t, size_t upto, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	if (!t->final_res)
		t->final_res = 1;
	for (;;) {
		struct __kernel_timespec ts = { .tv_nsec = 20 * 1000000 };
		struct io_uring_cqe *cqe;

		/* waits with IORING_ENTER_GETEVENTS: runs the local task work */
		io_uring_wait_cqe_timeout(ring, &cqe, &ts);
		cq_drain(ring, t);
		if (t->bytes >= upto || t->final_res <= 0 || now_ms() > end)
			break;
	}
	cq_settle(ring, t);
}

void cq_settle(struct io_uring *ring, struct cq_tally *t)
{
	/*
	 * An event is a task-work item the copy queued after its data CQEs
	 * (E13, E14): it is pending once they are visible. Each pass runs
	 * the local task work without waiting; one that posts nothing ends
	 * it (an item a pass queues runs in the next). No timer: on a NODEV
	 * ifq nothing posts from another context (no softirq, no other
	 * thread), so this is everything the copy queued. A CQE some other
	 * context posted later would be counted by the next collect on the
	 * same tally, or by the fired bit the arm checks read; a count-only
	 * check at a test's very end would miss it, as it could have missed
	 * one after the 20 ms wait this replaced.
	 */
	for (int pass = 0; pass < 8; pass++) {
		unsigned int seen = t->n;

		io_uring_get_events(ring);
		cq_drain(ring, t);
		if (t->n == seen)
			break;
	}
}

void cq_collect(struct io_uring *ring, struct cq_tally *t, size_t upto)
{
	cq_wait(ring, t, upto, 5000);
}

int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, s, strlen(s));
	if (w < 0)
		ret = -errno;
	else if ((size_t)w != strlen(s))
		ret = -EIO;
	close(fd);
	return ret;
}

int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int ifq_bind_once(int ifindex, unsigned int rxq, size_t area_pages)
{
	long pin0 = vm_pinned_kb();
	struct io_uring ring;
	struct zcrx_ifq z;
	int ret;

	ret = ring_create(&ring, ZCRX_RING_FLAGS);
	if (ret)
		return ret;
	ifq_init(&z, RQ_ENTRIES, REGION_SZ, area_pages);
	z.reg.flags = 0;
	z.reg.if_idx = ifindex;
	z.reg.if_rxq = rxq;
	ret = ifq_register(&ring, &z);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
	wait_vm_pinned_kb(pin0, 15000);
	return ret;
}

/* ---- fault injection ------------------------------------------------------- */

const char *fault_injection_missing(void)
{
	static char why[200];
	struct stat st;

	if (access(FAIL_NTH_PATH, R_OK | W_OK)) {
		snprintf(why, sizeof(why),
			 "no %s (%s): kernel without CONFIG_FAULT_INJECTION",
			 FAIL_NTH_PATH, strerror(errno));
		return why;
	}
	if (stat(DEBUGFS_DIR "/failslab", &st) && errno == ENOENT)
		/* <sys/mount.h> clashes with the 7.3 <linux/fs.h>; EBUSY: mounted */
		syscall(SYS_mount, "debugfs", DEBUGFS_DIR, "debugfs", 0UL, NULL);
	if (stat(DEBUGFS_DIR "/failslab/ignore-gfp-wait", &st)) {
		snprintf(why, sizeof(why),
			 "no %s/failslab/ignore-gfp-wait (%s): kernel without CONFIG_FAILSLAB or CONFIG_FAULT_INJECTION_DEBUG_FS",
			 DEBUGFS_DIR, strerror(errno));
		return why;
	}
	return NULL;
}

void fault_ctl_none(struct fault_ctl *f)
{
	memset(f, 0, sizeof(*f));
	f->nth_fd = -1;
	f->lock_fd = -1;
}

/* FAULT_LOCK, exclusive, bounded: 0 or -errno */
static int fault_lock(struct fault_ctl *f)
{
	int fd;

	if (f->lock_fd >= 0)
		return 0;
	fd = knob_lock(FAULT_LOCK, FAULT_LOCK_MS);
	f->lock_fd = fd < 0 ? -1 : fd;
	return fd < 0 ? fd : 0;
}

int fault_knob_read(const char *name, char *buf, size_t len)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", DEBUGFS_DIR, name);
	return read_str(path, buf, len);
}

/* Set @name (under DEBUGFS_DIR) to @val, recording the old value when it
 * differs. 0, or -errno.
 */
static int knob_set(struct fault_ctl *f, const char *name, const char *val)
{
	char path[96], old[16];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", DEBUGFS_DIR, name);
	ret = read_str(path, old, sizeof(old));
	if (ret)
		return ret;
	if (!strcmp(old, val))
		return 0;
	if (f->nknobs == FAULT_KNOBS)
		return -ENOSPC;
	/* record first: a crash after the write still gets it restored */
	snprintf(f->knob[f->nknobs].path, sizeof(f->knob[0].path), "%s", path);
	snprintf(f->knob[f->nknobs].old, sizeof(f->knob[0].old), "%s", old);
	f->nknobs++;
	return write_str(path, val);
}

int fault_ctl_setup(struct fault_ctl *f, bool sleeping)
{
	struct stat st;
	int ret;

	if (f->nth_fd < 0)
		f->nth_fd = open(FAIL_NTH_PATH, O_RDWR | O_CLOEXEC);
	if (f->nth_fd < 0)
		return -errno;
	ret = fault_lock(f);
	if (ret)
		return ret;
	ret = knob_set(f, "failslab/ignore-gfp-wait", sleeping ? "N" : "Y");
	if (!ret)
		ret = knob_set(f, "failslab/cache-filter", "N");
	if (!ret && !stat(DEBUGFS_DIR "/fail_page_alloc", &st))
		ret = knob_set(f, "fail_page_alloc/ignore-gfp-wait", "Y");
	return ret;
}

int fail_nth_arm(struct fault_ctl *f, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (f->nth_fd < 0)
		return -EBADF;
	return write(f->nth_fd, buf, len) == len ? 0 : -errno;
}

long fail_nth_left(struct fault_ctl *f)
{
	char buf[16];
	ssize_t n;

	if (f->nth_fd < 0)
		return -EBADF;
	n = pread(f->nth_fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static void knobs_put(struct fault_ctl *f)
{
	while (f->nknobs) {
		f->nknobs--;
		write_str(f->knob[f->nknobs].path, f->knob[f->nknobs].old);
	}
}

void fault_ctl_restore_knobs(struct fault_ctl *f)
{
	/* the harness's parent, after the test process died holding the
	 * lock (gone with it): take it again, or another binary's values
	 * could be overwritten mid-case. lock_fd is the dead test's number.
	 */
	struct fault_ctl mine;

	if (!f->nknobs)
		return;
	fault_ctl_none(&mine);
	fault_lock(&mine);	/* not got within FAULT_LOCK_MS: restore anyway */
	knobs_put(f);
	if (mine.lock_fd >= 0)
		close(mine.lock_fd);
}

void fault_ctl_restore(struct fault_ctl *f)
{
	if (f->nth_fd >= 0) {
		fail_nth_arm(f, 0);
		close(f->nth_fd);
		f->nth_fd = -1;
	}
	knobs_put(f);
	if (f->lock_fd >= 0) {
		close(f->lock_fd);	/* drops the flock */
		f->lock_fd = -1;
	}
}
