/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink requests, one socket per request: what the ethtool
 * settings (nic_ethnl.c) and the netdev queue stats (nic_qstats.c) share.
 */
#ifndef ZCRX_GENL_H
#define ZCRX_GENL_H

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stddef.h>

struct nlmsg {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[256];
};

typedef void (*nl_attr_fn)(unsigned short type, const void *data, size_t len, void *arg);

/* A request of family @type, command @cmd, asking for an ack. */
void nl_init(struct nlmsg *m, unsigned short type, unsigned char cmd,
	     unsigned char version);
/* Append attribute @type with @len bytes of @data; returns it, so a nest
 * can be closed by nl_nest_end().
 */
struct nlattr *nl_put(struct nlmsg *m, unsigned short type, const void *data, size_t len);
void nl_nest_end(struct nlmsg *m, struct nlattr *nest);
/* Send @m on a fresh NETLINK_GENERIC socket and read until its ack (or a
 * dump's end): 0 or -errno, with @fn called for each top-level attribute
 * of every reply message before it (@fn may be NULL). Each reply message
 * starts with a call for type 0 (no attribute has it), data NULL.
 */
int nl_transact(struct nlmsg *m, nl_attr_fn fn, void *arg);
/* The id of the generic netlink family @name, or -errno. */
int genl_family(const char *name);

#endif
