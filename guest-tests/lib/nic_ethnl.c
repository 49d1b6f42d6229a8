// SPDX-License-Identifier: GPL-2.0
/* ethtool settings of the NIC under test over generic netlink (header split); see nic_lib.h. */
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

/* ---- ethtool over generic netlink -------------------------------------- */

#define NL_TIMEOUT_S	5

struct nlmsg {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[256];
};

/* Append attribute @type with @len bytes of @data; returns it, so a nest
 * can be closed by nl_nest_end().
 */
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
