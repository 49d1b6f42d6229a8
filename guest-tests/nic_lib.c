// SPDX-License-Identifier: GPL-2.0
/* Helpers for tests of the NIC under test; see nic_lib.h. */
#define _GNU_SOURCE
#define ZCRX_LIB_NO_HARNESS
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nic_lib.h"
#include "zcrx_lib.h"

/* ---- presence and names ---------------------------------------------------- */

const char *nic_name(void)
{
	const char *n = getenv("NETIF");

	return n && *n ? n : NULL;
}

int nic_ifindex(void)
{
	const char *n = nic_name();
	unsigned int idx = n ? if_nametoindex(n) : 0;

	return idx ? (int)idx : -ENODEV;
}

const char *virtio_env(const char *var)
{
	const char *kind = getenv("NIC_KIND"), *v;
	char name[64];

	snprintf(name, sizeof(name), "VIRTIO_%s", var);
	v = getenv(name);
	if (v && *v)
		return v;
	/* a guest with no VIRTIO_* but NETIF on netdevsim has no virtio pair */
	if (kind && !strcmp(kind, NIC_KIND_NSIM_DMA))
		return NULL;
	v = getenv(var);
	return v && *v ? v : NULL;
}

/* First line of /sys/class/net/@ifname/@attr into @buf; 0 or -errno. */
static int net_attr(const char *ifname, const char *attr, char *buf, size_t len)
{
	char path[128];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	if (r < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		return r;
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The name of @ifname's device driver, or a phrase saying it has none. */
static const char *driver_of(const char *ifname)
{
	static char link[256];
	char path[128], *slash;
	ssize_t r;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver", ifname);
	r = readlink(path, link, sizeof(link) - 1);
	if (r <= 0)
		return "a device without a driver";
	link[r] = '\0';
	slash = strrchr(link, '/');
	return slash ? slash + 1 : link;
}

const char *zcrx_nic_missing(void)
{
	static char why[512];
	const char *netif = nic_name(), *kind = getenv("NIC_KIND");
	char val[32];

	if (!netif)
		return "NETIF unset: this VM has no NIC under test";
	if (!kind || strcmp(kind, NIC_KIND_NSIM_DMA)) {
		snprintf(why, sizeof(why),
			 "NETIF=%s is %s, not a zcrx-capable NIC (run with KSRC=debian for the patched netdevsim)",
			 netif, driver_of(netif));
		return why;
	}
	if (net_attr(netif, "flags", val, sizeof(val)) ||
	    !(strtoul(val, NULL, 16) & IFF_UP)) {
		snprintf(why, sizeof(why), "NETIF=%s (%s) is not up", netif, kind);
		return why;
	}
	/* carrier is on only while the linked peer is up too (bus.c, nsim_open) */
	if (net_attr(netif, "carrier", val, sizeof(val)) || strcmp(val, "1")) {
		snprintf(why, sizeof(why), "NETIF=%s (%s) has no carrier: its peer is unlinked or down",
			 netif, kind);
		return why;
	}
	return NULL;
}

/* ---- ethtool over generic netlink -------------------------------------- */

#define NL_TIMEOUT_S	5

struct nlmsg {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[256];
};

/* Append attribute @type with @len bytes of @data; returns it, so a nest
 * can be closed by nl_nest_end(). */
static struct nlattr *nl_put(struct nlmsg *m, unsigned short type, const void *data,
			     size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static void nl_nest_end(struct nlmsg *m, struct nlattr *nest)
{
	nest->nla_len = (char *)m + m->nh.nlmsg_len - (char *)nest;
}

static void nl_init(struct nlmsg *m, unsigned short type, unsigned char cmd,
		    unsigned char version)
{
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nh.nlmsg_type = type;
	m->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m->gh.cmd = cmd;
	m->gh.version = version;
}

typedef void (*nl_attr_fn)(unsigned short type, const void *data, size_t len, void *arg);

/* Call @fn for each top-level attribute of the genetlink message @nh. */
static void nl_attrs(const struct nlmsghdr *nh, nl_attr_fn fn, void *arg)
{
	const struct nlattr *a = (const void *)((const char *)NLMSG_DATA(nh) + GENL_HDRLEN);
	long rem = (long)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem) {
		fn(a->nla_type & NLA_TYPE_MASK, (const char *)a + NLA_HDRLEN,
		   a->nla_len - NLA_HDRLEN, arg);
		rem -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

/*
 * Send @m on a fresh NETLINK_GENERIC socket and read until its ack: the
 * ack's error (0 or -errno), with @fn called for the attributes of every
 * reply message before it (@fn may be NULL).
 */
static int nl_transact(struct nlmsg *m, nl_attr_fn fn, void *arg)
{
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd, ret = -EIO;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	m->nh.nlmsg_seq = 1;
	if (send(fd, m, m->nh.nlmsg_len, 0) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		for (; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != m->nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_DONE) {
				ret = 0;
				goto out;
			}
			if (fn && nh->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN))
				nl_attrs(nh, fn, arg);
		}
	}
out:
	close(fd);
	return ret;
}

static void family_id_attr(unsigned short type, const void *data, size_t len, void *arg)
{
	if (type == CTRL_ATTR_FAMILY_ID && len >= sizeof(__u16))
		memcpy(arg, data, sizeof(__u16));
}

/* The generic netlink id of the "ethtool" family, or -errno. */
static int ethtool_family(void)
{
	static int id;
	struct nlmsg m;
	__u16 fid = 0;
	int ret;

	if (id > 0)
		return id;
	nl_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	nl_put(&m, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME, sizeof(ETHTOOL_GENL_NAME));
	ret = nl_transact(&m, family_id_attr, &fid);
	if (ret)
		return ret;
	if (!fid)
		return -ENOENT;
	id = fid;
	return id;
}

/* A RINGS request for @ifname: the header nest with the device name. */
static int rings_msg(struct nlmsg *m, unsigned char cmd, const char *ifname)
{
	int fam = ethtool_family();
	struct nlattr *hdr;

	if (fam < 0)
		return fam;
	if (strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	nl_init(m, fam, cmd, ETHTOOL_GENL_VERSION);
	hdr = nl_put(m, ETHTOOL_A_RINGS_HEADER | NLA_F_NESTED, NULL, 0);
	nl_put(m, ETHTOOL_A_HEADER_DEV_NAME, ifname, strlen(ifname) + 1);
	nl_nest_end(m, hdr);
	return 0;
}

int nic_set_hds(const char *ifname, int tcp_data_split, int hds_thresh)
{
	struct nlmsg m;
	int ret = rings_msg(&m, ETHTOOL_MSG_RINGS_SET, ifname);

	if (ret)
		return ret;
	if (tcp_data_split >= 0) {
		__u8 v = tcp_data_split;

		nl_put(&m, ETHTOOL_A_RINGS_TCP_DATA_SPLIT, &v, sizeof(v));
	}
	if (hds_thresh >= 0) {
		__u32 v = hds_thresh;

		nl_put(&m, ETHTOOL_A_RINGS_HDS_THRESH, &v, sizeof(v));
	}
	return nl_transact(&m, NULL, NULL);
}

struct hds_reply {
	int split;
	bool have_thresh;
	__u32 thresh;
};

static void hds_attr(unsigned short type, const void *data, size_t len, void *arg)
{
	struct hds_reply *r = arg;

	if (type == ETHTOOL_A_RINGS_TCP_DATA_SPLIT && len >= 1) {
		r->split = *(const __u8 *)data;
	} else if (type == ETHTOOL_A_RINGS_HDS_THRESH && len >= sizeof(__u32)) {
		memcpy(&r->thresh, data, sizeof(__u32));
		r->have_thresh = true;
	}
}

int nic_get_hds(const char *ifname, int *tcp_data_split, unsigned int *hds_thresh)
{
	/* rings.c leaves TCP_DATA_SPLIT out while it is UNKNOWN (0) */
	struct hds_reply r = { .split = ETHTOOL_TCP_DATA_SPLIT_UNKNOWN };
	struct nlmsg m;
	int ret = rings_msg(&m, ETHTOOL_MSG_RINGS_GET, ifname);

	if (!ret)
		ret = nl_transact(&m, hds_attr, &r);
	if (ret)
		return ret;
	if (tcp_data_split)
		*tcp_data_split = r.split;
	if (hds_thresh) {
		if (!r.have_thresh)
			return -EOPNOTSUPP;
		*hds_thresh = r.thresh;
	}
	return 0;
}

/* ---- ethtool over SIOCETHTOOL ---------------------------------------------- */

/* One SIOCETHTOOL on @ifname with the command struct @data; 0 or -errno. */
static int ethtool_ioctl(const char *ifname, void *data)
{
	struct ifreq ifr;
	int fd, ret = 0;

	if (strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	ifr.ifr_data = data;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		ret = -errno;
	close(fd);
	return ret;
}

int nic_get_rx_ring(const char *ifname, unsigned int *rx_pending, unsigned int *rx_max)
{
	struct ethtool_ringparam r = { .cmd = ETHTOOL_GRINGPARAM };
	int ret = ethtool_ioctl(ifname, &r);

	if (ret)
		return ret;
	if (rx_pending)
		*rx_pending = r.rx_pending;
	if (rx_max)
		*rx_max = r.rx_max_pending;
	return 0;
}

int nic_set_rx_ring(const char *ifname, unsigned int rx_pending)
{
	struct ethtool_ringparam r = { .cmd = ETHTOOL_GRINGPARAM };
	int ret = ethtool_ioctl(ifname, &r);

	if (ret)
		return ret;
	/* SRINGPARAM takes the whole struct: keep the other rings as they are */
	r.cmd = ETHTOOL_SRINGPARAM;
	r.rx_pending = rx_pending;
	return ethtool_ioctl(ifname, &r);
}

int nic_get_channels(const char *ifname, unsigned int *combined, unsigned int *max_combined)
{
	struct ethtool_channels c = { .cmd = ETHTOOL_GCHANNELS };
	int ret = ethtool_ioctl(ifname, &c);

	if (ret)
		return ret;
	if (combined)
		*combined = c.combined_count;
	if (max_combined)
		*max_combined = c.max_combined;
	return 0;
}

int nic_set_channels(const char *ifname, unsigned int combined)
{
	struct ethtool_channels c = { .cmd = ETHTOOL_GCHANNELS };
	int ret = ethtool_ioctl(ifname, &c);

	if (ret)
		return ret;
	c.cmd = ETHTOOL_SCHANNELS;
	c.combined_count = combined;
	return ethtool_ioctl(ifname, &c);
}

int nic_flow_add(const char *ifname, int family, int proto, uint16_t dst_port,
		 unsigned int queue, unsigned int *loc)
{
	struct ethtool_rxnfc nfc;
	int ret;

	memset(&nfc, 0, sizeof(nfc));
	nfc.cmd = ETHTOOL_SRXCLSRLINS;
	if (family == AF_INET && (proto == IPPROTO_TCP || proto == IPPROTO_UDP)) {
		nfc.fs.flow_type = proto == IPPROTO_TCP ? TCP_V4_FLOW : UDP_V4_FLOW;
		/* tcp_ip4_spec and udp_ip4_spec are the same struct */
		nfc.fs.h_u.tcp_ip4_spec.pdst = htons(dst_port);
		nfc.fs.m_u.tcp_ip4_spec.pdst = 0xffff;	/* mask bit set: compared */
	} else if (family == AF_INET6 && (proto == IPPROTO_TCP || proto == IPPROTO_UDP)) {
		nfc.fs.flow_type = proto == IPPROTO_TCP ? TCP_V6_FLOW : UDP_V6_FLOW;
		nfc.fs.h_u.tcp_ip6_spec.pdst = htons(dst_port);
		nfc.fs.m_u.tcp_ip6_spec.pdst = 0xffff;
	} else {
		return -EINVAL;
	}
	nfc.fs.ring_cookie = queue;
	nfc.fs.location = RX_CLS_LOC_ANY;
	ret = ethtool_ioctl(ifname, &nfc);
	/* ethtool_set_rxnfc copies the struct back: the location chosen */
	if (!ret && loc)
		*loc = nfc.fs.location;
	return ret;
}

int nic_flow_del(const char *ifname, unsigned int loc)
{
	struct ethtool_rxnfc nfc;

	memset(&nfc, 0, sizeof(nfc));
	nfc.cmd = ETHTOOL_SRXCLSRLDEL;
	nfc.fs.location = loc;
	return ethtool_ioctl(ifname, &nfc);
}

int nic_flow_count(const char *ifname, unsigned int *count)
{
	struct ethtool_rxnfc nfc;
	int ret;

	memset(&nfc, 0, sizeof(nfc));
	nfc.cmd = ETHTOOL_GRXCLSRLCNT;
	ret = ethtool_ioctl(ifname, &nfc);
	if (!ret)
		*count = nfc.rule_cnt;
	return ret;
}

/* GRSSH/SRSSH buffer for an indirection table of @n entries, no key. */
static struct ethtool_rxfh *rxfh_alloc(__u32 cmd, unsigned int n)
{
	struct ethtool_rxfh *r = calloc(1, sizeof(*r) + n * sizeof(__u32));

	if (r) {
		r->cmd = cmd;
		r->indir_size = n;
	}
	return r;
}

/* Size of the context-0 indirection table: GRSSH with zero sizes only
 * reports them (ioctl.c ethtool_get_rxfh). */
static int rss_size(const char *ifname, unsigned int *size)
{
	struct ethtool_rxfh r = { .cmd = ETHTOOL_GRSSH };
	int ret = ethtool_ioctl(ifname, &r);

	if (ret)
		return ret;
	*size = r.indir_size;
	return r.indir_size ? 0 : -EOPNOTSUPP;
}

int nic_rss_get(const char *ifname, unsigned int *indir, unsigned int max,
		unsigned int *size)
{
	struct ethtool_rxfh *r;
	unsigned int n;
	int ret = rss_size(ifname, &n);

	if (ret)
		return ret;
	if (size)
		*size = n;
	if (n > max)
		return -ENOSPC;
	r = rxfh_alloc(ETHTOOL_GRSSH, n);
	if (!r)
		return -ENOMEM;
	ret = ethtool_ioctl(ifname, r);
	if (!ret)
		memcpy(indir, r->rss_config, n * sizeof(__u32));
	free(r);
	return ret;
}

/* SRSSH of a table whose entry i is i % @nqueues (@nqueues 0: every one
 * @queue). hfunc 0 is ETH_RSS_HASH_NO_CHANGE; input_xfrm must say
 * NO_CHANGE explicitly, 0 would ask for "no transformation". */
static int rss_set(const char *ifname, unsigned int queue, unsigned int nqueues)
{
	struct ethtool_rxfh *r;
	unsigned int n;
	int ret = rss_size(ifname, &n);

	if (ret)
		return ret;
	r = rxfh_alloc(ETHTOOL_SRSSH, n);
	if (!r)
		return -ENOMEM;
	r->input_xfrm = RXH_XFRM_NO_CHANGE;
	for (unsigned int i = 0; i < n; i++)
		r->rss_config[i] = nqueues ? i % nqueues : queue;
	ret = ethtool_ioctl(ifname, r);
	free(r);
	return ret;
}

int nic_rss_set_all(const char *ifname, unsigned int queue)
{
	return rss_set(ifname, queue, 0);
}

int nic_rss_equal(const char *ifname, unsigned int nqueues)
{
	return nqueues ? rss_set(ifname, 0, nqueues) : -EINVAL;
}

int nic_rss_reset(const char *ifname)
{
	/* indir_size 0 on context 0: the driver's default spread */
	struct ethtool_rxfh r = { .cmd = ETHTOOL_SRSSH, .input_xfrm = RXH_XFRM_NO_CHANGE };

	return ethtool_ioctl(ifname, &r);
}

/* ---- sysfs ---------------------------------------------------------------- */

long long nic_stat(const char *ifname, const char *name)
{
	char attr[96], val[32], *end;
	long long v;
	int ret;

	snprintf(attr, sizeof(attr), "statistics/%s", name);
	ret = net_attr(ifname, attr, val, sizeof(val));
	if (ret)
		return ret;
	errno = 0;
	v = strtoll(val, &end, 10);
	if (errno || end == val)
		return -EIO;
	return v;
}

int nic_rx_queues(const char *ifname)
{
	char path[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "rx-", 3);
	closedir(d);
	return n;
}

/* ---- traffic from the remote netns ---------------------------------------- */

#define SENDER_CONNECT_MS	10000
#define SENDER_CLOSE_S		30
#define SENDER_CHUNK		65536

/* LOCAL_V4 or LOCAL_V6 port @port in @sa; 0 or -EINVAL. */
static int local_addr(int family, uint16_t port, struct sockaddr_storage *sa,
		      socklen_t *salen)
{
	const char *text = getenv(family == AF_INET6 ? "LOCAL_V6" : "LOCAL_V4");
	struct sockaddr_in6 *s6 = (void *)sa;
	struct sockaddr_in *s4 = (void *)sa;
	void *addr;

	memset(sa, 0, sizeof(*sa));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		addr = &s4->sin_addr;
		*salen = sizeof(*s4);
	} else if (family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		addr = &s6->sin6_addr;
		*salen = sizeof(*s6);
	} else {
		return -EINVAL;
	}
	return text && inet_pton(family, text, addr) == 1 ? 0 : -EINVAL;
}

/* Connect within SENDER_CONNECT_MS: the listener may not be there yet,
 * and each attempt is bounded by SO_SNDTIMEO (connect obeys it). */
static int sender_connect(int family, const struct sockaddr_storage *sa, socklen_t salen)
{
	long long end = now_ms() + SENDER_CONNECT_MS;
	struct timeval one_s = { .tv_sec = 1 }, forever = { 0 };

	for (;;) {
		int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -REMOTE_SENDER_ESOCKET;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &one_s, sizeof(one_s));
		if (!connect(fd, (const void *)sa, salen)) {
			/* writes may wait for a starved receiver: the
			 * parent's remote_sender_wait() bounds them */
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &forever, sizeof(forever));
			return fd;
		}
		close(fd);
		if (now_ms() >= end)
			return -REMOTE_SENDER_ECONNECT;
		usleep(50 * 1000);
	}
}

/* The child's body: an exit code. */
static int sender_run(int family, uint16_t port, size_t len, unsigned int seed,
		      size_t chunk)
{
	struct timeval close_wait = { .tv_sec = SENDER_CLOSE_S };
	const char *name = getenv("REMOTE_ARGS");
	struct sockaddr_storage sa;
	socklen_t salen;
	char path[128];
	unsigned char *buf;
	size_t pos = 0;
	ssize_t r;
	int ns, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name && *name ? name : "remote");
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWNET))
		return REMOTE_SENDER_ENETNS;
	close(ns);
	if (local_addr(family, port, &sa, &salen))
		return REMOTE_SENDER_EADDR;
	fd = sender_connect(family, &sa, salen);
	if (fd < 0)
		return -fd;
	if (!chunk)
		chunk = SENDER_CHUNK;
	buf = malloc(chunk);
	if (!buf)
		return REMOTE_SENDER_ENOMEM;
	while (pos < len) {
		size_t n = len - pos < chunk ? len - pos : chunk;

		pattern_fill(buf, n, pos, seed);
		r = write(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return REMOTE_SENDER_EWRITE;
		pos += r;
	}
	if (shutdown(fd, SHUT_WR))
		return REMOTE_SENDER_ESHUTDOWN;
	/* EOF from the receiver: it has read everything and closed */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &close_wait, sizeof(close_wait));
	for (;;) {
		r = read(fd, buf, chunk);
		if (!r)
			return 0;
		if (r < 0 && errno != EINTR)
			return REMOTE_SENDER_ECLOSE;
	}
}

pid_t remote_sender_spawn(int family, uint16_t port, size_t len, unsigned int seed,
			  size_t chunk)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid)
		return pid;
	/* never outlive a test case that died */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	_exit(sender_run(family, port, len, seed, chunk));
}

static int sender_status;

int remote_sender_status(void)
{
	return sender_status;
}

int remote_sender_wait(pid_t pid, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	int st = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			sender_status = st;
			return -ETIMEDOUT;
		}
		usleep(10 * 1000);
	}
	sender_status = st;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

int local_listen(int family, uint16_t port)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd, one = 1, ret = local_addr(family, port, &sa, &salen);

	if (ret)
		return ret;
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (void *)&sa, salen) || listen(fd, 16)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int accept_timeout(int lfd, int timeout_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int ret = poll(&p, 1, timeout_ms), fd;

	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
