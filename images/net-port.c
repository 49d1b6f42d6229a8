// SPDX-License-Identifier: GPL-2.0
/* One port configured and up, here or in another netns; see init.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"
#include "rtnl.h"

/* Configure one port (already in the current namespace) and bring it up. */
int port_up(FILE *log, const char *ifname, const char *v4, const char *v6)
{
	int idx = if_nametoindex(ifname), ret;

	ret = link_change(idx, 1, -1);
	if (!ret)
		ret = addr_add(idx, AF_INET, v4, 24);
	if (!ret)
		ret = addr_add(idx, AF_INET6, v6, 64);
	if (ret)
		fprintf(log, "# net: %s: configuration failed: %s\n", ifname, strerror(-ret));
	return ret;
}

int port_up_in(FILE *log, int ns, const char *ifname, const char *v4, const char *v6)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), ret;

	if (self < 0)
		return -errno;
	ret = setns(ns, CLONE_NEWNET) ? -errno : port_up(log, ifname, v4, v6);
	setns(self, CLONE_NEWNET);
	close(self);
	return ret;
}
