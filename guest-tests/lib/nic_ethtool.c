// SPDX-License-Identifier: GPL-2.0
/* ethtool settings of the NIC under test over SIOCETHTOOL (rings, channels, ntuple, RSS); see nic_lib.h. */
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
	/* already that size: nothing to ask (the patched netdevsim restarts
	 * its queues only on a change; a driver that does not compare would
	 * reset its rings for nothing, before every NIC case)
	 */
	if (r.rx_pending == rx_pending)
		return 0;
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
 * reports them (ioctl.c ethtool_get_rxfh).
 */
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
 * NO_CHANGE explicitly, 0 would ask for "no transformation".
 */
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
