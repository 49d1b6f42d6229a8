// SPDX-License-Identifier: GPL-2.0
/* rtnetlink and sysfs for links and addresses; see rtnl.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtnl.h"

struct nlreq {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
	};
	char attrs[256];
};

static void add_attr(struct nlreq *r, unsigned short type, const void *data,
		     size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send one request and wait for its ack; returns 0 or -errno. */
static int nl_talk(struct nlreq *r)
{
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	r->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, r, r->nh.nlmsg_len, 0) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (ret < 0)
		return -errno;
	if (nh->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	return 0;
}

int link_change(int ifindex, int up, int netns_fd)
{
	struct nlreq r = { 0 };

	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifi));
	r.nh.nlmsg_type = RTM_NEWLINK;
	r.ifi.ifi_family = AF_UNSPEC;
	r.ifi.ifi_index = ifindex;
	r.ifi.ifi_change = IFF_UP;
	r.ifi.ifi_flags = up ? IFF_UP : 0;
	if (netns_fd >= 0) {
		__u32 fd = netns_fd;

		r.ifi.ifi_change = 0;
		add_attr(&r, IFLA_NET_NS_FD, &fd, sizeof(fd));
	}
	return nl_talk(&r);
}

int addr_add(int ifindex, int family, const char *text, int plen)
{
	struct nlreq r = { 0 };
	unsigned char addr[16];
	__u32 flags = IFA_F_NODAD;

	if (inet_pton(family, text, addr) != 1)
		return -EINVAL;
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifa));
	r.nh.nlmsg_type = RTM_NEWADDR;
	r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	r.ifa.ifa_family = family;
	r.ifa.ifa_prefixlen = plen;
	r.ifa.ifa_index = ifindex;
	add_attr(&r, IFA_LOCAL, addr, family == AF_INET ? 4 : 16);
	add_attr(&r, IFA_ADDRESS, addr, family == AF_INET ? 4 : 16);
	add_attr(&r, IFA_FLAGS, &flags, sizeof(flags));
	return nl_talk(&r);
}

int rx_queues(const char *ifname)
{
	char path[300];
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
