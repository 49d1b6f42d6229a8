/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for tests that drive the NIC under test (the patched netdevsim
 * pair images/net-nsim.c sets up): presence, ethtool settings through
 * generic netlink and SIOCETHTOOL (no ethtool binary in the guest), sysfs
 * counters, and a TCP sender in the remote netns. Every int function
 * returns 0 (or a count, fd or pid where said) or -errno.
 */
#ifndef NIC_LIB_H
#define NIC_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nic_profile.h"
#include "topology.h"

/* ---- presence and names ---------------------------------------------------- */

/* NULL when NETIF is set, its NIC profile (nic_profile.h) says ZCRX=yes
 * and the device is up with carrier; else why not (a static string).
 */
const char *zcrx_nic_missing(void);

/* NETIF, or NULL. */
const char *nic_name(void);
/* if_nametoindex(NETIF), or -ENODEV. */
int nic_ifindex(void);

/*
 * The virtio-net pair's variable: VIRTIO_<@var> (@var is "NETIF",
 * "LOCAL_V4", "REMOTE_V6", ...) when set; else <@var> itself, which then
 * means the virtio pair as on a guest without the patched netdevsim;
 * NULL when neither is set, or when NIC_PROFILE is set (NETIF is then
 * the zcrx NIC, not virtio).
 */
const char *virtio_env(const char *var);

/* ---- ethtool over generic netlink -------------------------------------- */

/* ETHTOOL_MSG_RINGS_SET of ETHTOOL_A_RINGS_TCP_DATA_SPLIT (an
 * ETHTOOL_TCP_DATA_SPLIT_* value) and ETHTOOL_A_RINGS_HDS_THRESH; a
 * negative value leaves that attribute out. The kernel's ack error.
 */
int nic_set_hds(const char *ifname, int tcp_data_split, int hds_thresh);
/* ETHTOOL_MSG_RINGS_GET: tcp-data-split as reported (UNKNOWN when the
 * attribute is absent) and hds-thresh (-EOPNOTSUPP when the device does
 * not report one). Either pointer may be NULL.
 */
int nic_get_hds(const char *ifname, int *tcp_data_split, unsigned int *hds_thresh);

/* ---- netdev queue stats over generic netlink -------------------------------- */

/* Counter @attr (NETDEV_A_QSTATS_*) of rx queue @queue of @ifname, from the
 * netdev family's per-queue qstats; -EOPNOTSUPP when the driver does not
 * report it for that queue, or -errno.
 */
long long nic_qstat_rx(const char *ifname, unsigned int queue, unsigned int attr);

/* ---- ethtool over SIOCETHTOOL ---------------------------------------------- */

int nic_get_rx_ring(const char *ifname, unsigned int *rx_pending, unsigned int *rx_max);
/* GRINGPARAM, then SRINGPARAM with only rx_pending changed (none when
 * the ring already has @rx_pending).
 */
int nic_set_rx_ring(const char *ifname, unsigned int rx_pending);
/* Combined channels (netdevsim has no separate rx/tx ones). */
int nic_get_channels(const char *ifname, unsigned int *combined, unsigned int *max_combined);
int nic_set_channels(const char *ifname, unsigned int combined);

/* ntuple rule: @proto (IPPROTO_TCP/UDP) over @family (AF_INET/AF_INET6)
 * to destination port @dst_port steered to rx queue @queue, at the
 * location the driver picks (RX_CLS_LOC_ANY), returned in @loc.
 */
int nic_flow_add(const char *ifname, int family, int proto, uint16_t dst_port,
		 unsigned int queue, unsigned int *loc);
int nic_flow_del(const char *ifname, unsigned int loc);
/* ETHTOOL_GRXCLSRLCNT: rules installed. */
int nic_flow_count(const char *ifname, unsigned int *count);

/* RSS indirection table (ETHTOOL_GRSSH/SRSSH, context 0): every entry to
 * @queue; entry i to i % @nqueues; read up to @max entries into @indir
 * (-ENOSPC when the table is larger; @size gets its size either way);
 * back to the driver's default (indir_size 0).
 */
int nic_rss_set_all(const char *ifname, unsigned int queue);
int nic_rss_equal(const char *ifname, unsigned int nqueues);
int nic_rss_get(const char *ifname, unsigned int *indir, unsigned int max,
		unsigned int *size);
int nic_rss_reset(const char *ifname);

/* ---- sysfs ---------------------------------------------------------------- */

/* /sys/class/net/@ifname/statistics/@name, or -errno. */
long long nic_stat(const char *ifname, const char *name);
/* Number of rx-* entries in /sys/class/net/@ifname/queues, or -errno. */
int nic_rx_queues(const char *ifname);

/* ---- hugetlb areas (16 KiB buffers need physically contiguous chunks) ----- */

#define NIC_HUGE_AREA_SZ	(2u << 20)
/* Take HUGEPAGES_LOCK (lib/knob_lock.h), reserve 2 hugetlb pages and map
 * one NIC_HUGE_AREA_SZ area: the area; MAP_FAILED with *@why saying what
 * the kernel lacks (a SKIP reason); NULL with *@why when the lock stayed
 * taken (a failure: a case on another lane held it too long). Undo the
 * reservation and drop the lock with nic_huge_release() (also after a
 * failure; it changes nothing unless the lock was taken).
 */
void *nic_huge_area(const char **why);
void nic_huge_release(void);

/* ---- traffic from the remote netns ---------------------------------------- */

/*
 * Fork a TCP sender in /run/netns/$REMOTE_ARGS (default "remote"): it
 * connects to LOCAL_V4 or LOCAL_V6 (per @family) port @port, retrying for
 * 10 s, writes stream positions 0..@len-1 of the pattern of @seed in
 * writes of at most @chunk bytes, shuts down its sending side and waits
 * (30 s at most) for the receiver to close. Returns the pid, or -errno.
 * The child's exit code names the step that failed (REMOTE_SENDER_E*).
 */
pid_t remote_sender_spawn(int family, uint16_t port, size_t len, unsigned int seed,
			  size_t chunk);
/* REMOTE_TYPE=ssh (make hw-test): the sender runs on the peer instead,
 * `ssh REMOTE_ARGS $REMOTE_SENDER ...` (the static zcrx-sender, deployed
 * by the runner), with the same exit codes.
 */
bool remote_is_ssh(void);
/* `ssh -o BatchMode=yes REMOTE_ARGS CMD`: its exit status, or -errno. */
int remote_ssh_run(const char *cmd);
/* main() of zcrx-sender: FAMILY(4|6) PORT LEN SEED CHUNK SNDBUF, LOCAL_V4/V6 from
 * the environment; sends as remote_sender_spawn()'s child does, in the
 * netns it runs in. Its exit code (2: bad arguments).
 */
int remote_sender_main(int argc, char **argv);
enum {
	REMOTE_SENDER_ENETNS = 10,	/* open or setns of the netns */
	REMOTE_SENDER_EADDR,		/* LOCAL_V4/V6 unset or unparsable */
	REMOTE_SENDER_ESOCKET,
	REMOTE_SENDER_ECONNECT,		/* no connection within 10 s */
	REMOTE_SENDER_ENOMEM,
	REMOTE_SENDER_EWRITE,
	REMOTE_SENDER_ESHUTDOWN,
	REMOTE_SENDER_ECLOSE,		/* the receiver did not close in 30 s */
};
/* The sender's SO_SNDBUF (the kernel doubles it). It bounds the data in
 * flight, so the receiver's socket queue stays far below its buffer and
 * TCP never collapses queued skbs into linear copies (which zcrx would
 * read as uncounted head data, spec E02). 0: autotuning.
 */
#define REMOTE_SENDER_SNDBUF	(32 * 1024)
void remote_sender_set_sndbuf(int bytes);
/* 0 when the sender exited 0; -ETIMEDOUT (after killing it) when it did
 * not end within @timeout_ms; -EIO otherwise (see remote_sender_status).
 */
int remote_sender_wait(pid_t pid, int timeout_ms);
/* The wait status remote_sender_wait() last collected, for messages. */
int remote_sender_status(void);

/* A TCP socket bound to LOCAL_V4/LOCAL_V6 port @port (SO_REUSEADDR),
 * listening: the fd or -errno.
 */
int local_listen(int family, uint16_t port);
/* accept4() within @timeout_ms: the fd, -ETIMEDOUT or -errno. */
int accept_timeout(int lfd, int timeout_ms);

#endif
