/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one rtnetlink helper: links up, down or into another netns, and
 * addresses, for both the guest's /init (images/net-*.c) and the tests.
 * Plain C, no harness.
 */
#ifndef ZCRX_RTNL_H
#define ZCRX_RTNL_H

/* RTM_NEWLINK on @ifindex: IFF_UP on or off, or (@netns_fd >= 0) move it
 * into that netns. 0 or -errno (the kernel's ack).
 */
int link_change(int ifindex, int up, int netns_fd);
/* RTM_NEWADDR @text/@plen of @family on @ifindex, no DAD. 0 or -errno. */
int addr_add(int ifindex, int family, const char *text, int plen);
/* The number of rx queues of @ifname (sysfs), or -errno. */
int rx_queues(const char *ifname);

#endif
