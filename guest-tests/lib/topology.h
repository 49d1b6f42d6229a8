/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's network topology: the contract between the guest's /init
 * (images/net-*.c, which builds it) and the tests (which use it). One
 * home for its constants, so neither side copies the other's.
 *
 * On a kernel whose netdevsim has the project's dma_rx patch, /init makes
 * netdevsim devices NSIM_LOCAL_ID and NSIM_REMOTE_ID (one port of
 * NSIM_QUEUES queues each), moves the second port into the netns
 * NET_REMOTE_NS, links the two, and exports the kernel selftests'
 * variables (NETIF, LOCAL_V4/V6, REMOTE_V4/V6, REMOTE_TYPE=netns,
 * REMOTE_ARGS) plus NIC_DRIVER; the virtio-net pair then carries the
 * VIRTIO_* variables. Without dma_rx, virtio-net is NETIF.
 */
#ifndef ZCRX_TOPOLOGY_H
#define ZCRX_TOPOLOGY_H

#define NET_REMOTE_NS		"remote"
#define NET_LOCAL_MAC		"52:54:00:7a:00:01"
#define NET_REMOTE_MAC		"52:54:00:7a:00:02"
#define NET_LOCAL_V4		"192.0.2.1"
#define NET_REMOTE_V4		"192.0.2.2"
#define NET_LOCAL_V6		"2001:db8::1"
#define NET_REMOTE_V6		"2001:db8::2"
#define NET_VIRTIO_LOCAL_V4	"198.51.100.1"
#define NET_VIRTIO_REMOTE_V4	"198.51.100.2"
#define NET_VIRTIO_LOCAL_V6	"2001:db8:1::1"
#define NET_VIRTIO_REMOTE_V6	"2001:db8:1::2"

/* NIC_DRIVER of the patched netdevsim; its NIC profile (vm/nic-profiles/)
 * is in the initramfs at NIC_PROFILE_DIR/<driver>, and /init names it in
 * NIC_PROFILE for the suite
 */
#define NSIM_DRIVER		"netdevsim"
#define NIC_PROFILE_DIR		"/nic-profiles"

/* netdevsim device ids: the pair /init makes, and the ones tests may make */
#define NSIM_LOCAL_ID		10
#define NSIM_REMOTE_ID		11
#define NSIM_SPARE_NODMA_ID	12	/* nic_errors: a device without DMA */
#define NSIM_SPARE_ID		13	/* nic_teardown: deleted under an ifq */
#define NSIM_QUEUES		4

/*
 * NIC lanes: on the patched netdevsim, /init (suite runs only) makes one
 * more linked pair per extra lane k = 2..NIC_LANES_MAX, ids
 * NSIM_LANE_LOCAL_ID(k) and NSIM_LANE_REMOTE_ID(k), the remote port in the
 * netns "remote<k>", addresses NET_LANE_V4_FMT/NET_LANE_V6_FMT with k and
 * 1 (local) or 2 (remote), and exports them as NIC<k>_NETIF,
 * NIC<k>_LOCAL_V4, ... (the NETIF family's names behind "NIC<k>_"). The
 * suite runner runs up to that many NIC binaries at once, each with one
 * lane's variables as its NETIF family (images/suite-runner.c). Lane 1 is
 * the pair above. zcrx.nic_lanes=N on the kernel command line (default
 * NIC_LANES_DEFAULT) asks for N lanes.
 */
#define NIC_LANES_MAX		4
#define NIC_LANES_DEFAULT	3
#define NSIM_LANE_LOCAL_ID(k)	(14 + 2 * ((k) - 2))
#define NSIM_LANE_REMOTE_ID(k)	(15 + 2 * ((k) - 2))
#define NET_LANE_NS_FMT		"remote%d"
#define NET_LANE_V4_FMT		"198.18.%d.%d"
#define NET_LANE_V6_FMT		"2001:db8:%d0::%d"
/*
 * The NETIF family, as the kernel's selftests spell it, in this order: a
 * lane exports each behind "NIC<k>_" (images/net-setup.c), the runner sets
 * the family from them (images/suite-runner.c). An initializer list, so a
 * file that does not use it has no unused array.
 */
#define NET_NETIF_FAMILY	"NETIF", "LOCAL_V4", "REMOTE_V4", "LOCAL_V6", \
				"REMOTE_V6", "REMOTE_TYPE", "REMOTE_ARGS"

#define NSIM_BUS		"/sys/bus/netdevsim/"
#define NSIM_DMA_RX_PARAM	"/sys/module/netdevsim/parameters/dma_rx"

#endif
