/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smallest XDP program there is (return XDP_PASS), loaded with bpf()
 * and attached in generic (skb) mode through rtnetlink: enough to put "an
 * XDP program attached" in front of zcrx (spec R30).
 */
#ifndef XDP_LIB_H
#define XDP_LIB_H

#include <stdbool.h>

/* Load XDP_PASS, multi-buffer capable when @frags: the fd or -errno
 * (-ENOSYS: kernel without CONFIG_BPF_SYSCALL).
 */
int xdp_pass_load(bool frags);
/* IFLA_XDP of @ifindex: attach @prog_fd in skb mode, or detach with -1.
 * The kernel's netlink ack error.
 */
int xdp_set(int ifindex, int prog_fd);

#endif
