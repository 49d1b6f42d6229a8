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

#include "genl.h"
#include "nic_lib.h"
#include "zcrx_lib.h"

/* ---- ethtool over generic netlink -------------------------------------- */

/* The generic netlink id of the "ethtool" family, or -errno. */
static int ethtool_family(void)
{
	static int id;

	if (id <= 0)
		id = genl_family(ETHTOOL_GENL_NAME);
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
