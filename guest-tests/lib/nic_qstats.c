// SPDX-License-Identifier: GPL-2.0
/* Per-queue statistics of the NIC under test (netdev family, qstats-get); see nic_lib.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netdev.h>
#include <net/if.h>
#include <stdbool.h>
#include <string.h>

#include "genl.h"
#include "nic_lib.h"

struct qstat_dump {
	unsigned int queue, attr;
	/* the message being read */
	bool rx, ours;
	long long cur;
	/* the answer: -EOPNOTSUPP until the queue's message had the counter */
	long long val;
};

/* A u32 or u64 (NLA_UINT) value, or -1 for any other length. */
static long long nla_uint(const void *data, size_t len)
{
	__u64 v64;
	__u32 v32;

	if (len == sizeof(v64)) {
		memcpy(&v64, data, sizeof(v64));
		return (long long)v64;
	}
	if (len == sizeof(v32)) {
		memcpy(&v32, data, sizeof(v32));
		return v32;
	}
	return -1;
}

static void qstat_commit(struct qstat_dump *d)
{
	if (d->rx && d->ours && d->cur >= 0)
		d->val = d->cur;
}

static void qstat_attr(unsigned short type, const void *data, size_t len, void *arg)
{
	struct qstat_dump *d = arg;

	if (type == 0) {	/* a new message: the last one is complete */
		qstat_commit(d);
		d->rx = d->ours = false;
		d->cur = -1;
	} else if (type == NETDEV_A_QSTATS_QUEUE_TYPE) {
		d->rx = nla_uint(data, len) == NETDEV_QUEUE_TYPE_RX;
	} else if (type == NETDEV_A_QSTATS_QUEUE_ID) {
		d->ours = nla_uint(data, len) == (long long)d->queue;
	} else if (type == d->attr) {
		d->cur = nla_uint(data, len);
	}
}

long long nic_qstat_rx(const char *ifname, unsigned int queue, unsigned int attr)
{
	static int fam;
	struct qstat_dump d = { .queue = queue, .attr = attr, .cur = -1, .val = -EOPNOTSUPP };
	__u32 ifindex = if_nametoindex(ifname), scope = NETDEV_QSTATS_SCOPE_QUEUE;
	struct nlmsg m;
	int ret;

	if (!ifindex)
		return -ENODEV;
	if (fam <= 0)
		fam = genl_family(NETDEV_FAMILY_NAME);
	if (fam < 0)
		return fam;
	nl_init(&m, fam, NETDEV_CMD_QSTATS_GET, NETDEV_FAMILY_VERSION);
	m.nh.nlmsg_flags |= NLM_F_DUMP;
	nl_put(&m, NETDEV_A_QSTATS_IFINDEX, &ifindex, sizeof(ifindex));
	nl_put(&m, NETDEV_A_QSTATS_SCOPE, &scope, sizeof(scope));
	ret = nl_transact(&m, qstat_attr, &d);
	if (ret)
		return ret;
	qstat_commit(&d);
	return d.val;
}
