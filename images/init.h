/* SPDX-License-Identifier: GPL-2.0 */
/* Shared declarations of the guest init (PID 1) of zcrx-vmtest. */
#ifndef ZCRX_INIT_H
#define ZCRX_INIT_H

#include <stdio.h>
#include <sys/types.h>

#include "topology.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Names and addresses the tests see, in the kernel selftests' spelling. */
struct net_addrs {
	const char *local_v4, *remote_v4, *local_v6, *remote_v6;
};

/*
 * The result channel, which the host saves as ktap.txt: the virtio-serial
 * port named RESULT_PORT (a virtqueue: 83 KB of KTAP in 5 ms under TCG,
 * where the 16550's port I/O, a byte at a time, took 0.2-0.4 s;
 * docs/measurements.md), or the second serial port on a kernel without
 * virtio_console. The host appends both to the same file.
 */
#define RESULT_PORT	"org.zcrx-vmtest.results"
#define RESULT_TTY	"/dev/ttyS1"

/* isa-debug-exit port and the codes the host decodes ((v << 1) | 1). */
#define DEBUG_EXIT_PORT	0xf4
#define EXIT_SUITE_PASS	0x20	/* QEMU exits 65 */
#define EXIT_SUITE_FAIL	0x21	/* QEMU exits 67 */
#define EXIT_RUN_DONE	0x22	/* QEMU exits 69: vm-run's command ended */

/* net-start.c: lo up and the NIC modules loaded, then the rest of the
 * network (net_setup() and, for a suite (@suite), the NIC profile and
 * lanes) in a child, beside the suite's local binaries. net_wait() waits for it
 * (at most NET_SETUP_TIMEOUT_S) and sets the variables it exported here;
 * 0, or -1 (logged) when it failed or timed out: no network then.
 */
#define NET_SETUP_TIMEOUT_S	120
/* the set-up child's name (its Comm: in a splat) and its kmsg markers' */
#define NET_SETUP_COMM		"zcrx-netsetup"
void net_start(FILE *log, const char *only, const char *lanes, int suite);
int net_wait(FILE *log);
/* net-setup.c: lo up; NICs, if any, into the two-port topology.
 * Returns 1 when a NIC pair is up, 0 when there are no NICs.
 */
int net_setup(FILE *log);
/* rtnetlink helpers of net-setup.c, all 0 or -errno. @netns_fd >= 0 moves
 * the link there instead of changing IFF_UP.
 */
/* Bring @ifname (in the current netns) up with @v4/24 and @v6/64. */
int port_up(FILE *log, const char *ifname, const char *v4, const char *v6);
/* The same for @ifname inside the netns @ns, coming back here after. */
int port_up_in(FILE *log, int ns, const char *ifname, const char *v4, const char *v6);
/* Number of rx queues of @ifname, from sysfs; -1 when unknown. */

/* net-nsim.c: when the kernel's netdevsim has the dma_rx parameter, make
 * devices @local_id and @remote_id, a linked pair of 4-queue ports, the
 * local one here and the remote one in the netns @remote_ns, with @a's
 * addresses. 0 with the port names in @local and @remote (IFNAMSIZ bytes
 * each), or -errno after logging one line and removing what it made.
 * -ENOENT (not logged): no such netdevsim.
 */
int nsim_setup(FILE *log, int remote_ns, const struct net_addrs *a,
	       unsigned int local_id, unsigned int remote_id, char *local, char *remote);
/* net-setup.c, after net_setup() made the netdevsim pair the NIC: up to
 * @lanes - 1 more pairs, NIC lanes 2.. (topology.h), each exported as
 * NIC<k>_*. Returns the number of lanes now (1 when none was added).
 */
int nic_lanes_setup(FILE *log, int lanes);
/* True when nsim_setup() has something to try. */
int nsim_available(void);

/* gcov-dump.c, only with zcrx.gcov=1 on the kernel command line: stream
 * every .gcda file under GCOV_DIR (debugfs, mounted if needed) to GCOV_TTY,
 * a third serial port the host saves as gcov.stream; the framing is
 * described in gcov-dump.c. Bounded by GCOV_DUMP_TIMEOUT_S. Returns the
 * number of files sent, or -1 (logged in one line to @log).
 */
#define GCOV_TTY		"/dev/ttyS2"
#define GCOV_DIR		"/sys/kernel/debug/gcov"
#define GCOV_DUMP_TIMEOUT_S	120
int gcov_dump(FILE *log);

/* suite-runner.c: run every test binary listed in @order, print one KTAP
 * version 1 document to @out (and @copy, if not NULL). Returns the number
 * of failed cases plus failed/crashed/timed-out binaries.
 */
int run_suite(const char *dir, const char *only, unsigned int timeout_s,
	      FILE *out, FILE *copy);
/* "zcrx-vmtest: @what @bin" on the kernel's log, as the runner marks a
 * binary's start ("binary") and end ("done"): the host's splat scan
 * attributes a splat by them (host-scripts/report/splats.sh)
 */
void suite_kmsg_mark(const char *what, const char *bin);
/* When set, run_suite() calls it before the first binary that is not
 * "local" in the order file (one that needs the network), and reads the
 * NIC variables after it (/init: net_wait())
 */
extern void (*suite_net_ready)(void);
/* ZCRX_LAVA=1: one whole line for a LAVA monitor (printf-like, two
 * string arguments), through /dev/kmsg (stdout without it).
 */
void suite_lava_line(const char *fmt, const char *a, const char *b);
/* The process group of the test binary running now, 0 when none. */
extern volatile pid_t suite_child_pgid;
/* The workers running shared binaries now (0: a free slot); each kills
 * its binary's process group when it gets SIGTERM (zcrx-suite's handler).
 */
#define SUITE_MAX_JOBS	8
/* for a signal handler: remove the runner's lock file (workers: nothing) */
void suite_signal_cleanup(void);
extern volatile pid_t suite_worker_pids[SUITE_MAX_JOBS];

/* run-cmd.c: make vm-run / vm-shell. RUN_DIR/mode present: run the host's
 * command in the Debian image (see run-cmd.c), its terminal RUN_TTY (a
 * third serial port the host connects to its stdio). Returns the command's
 * status (128 + N when killed by signal N), writing "run-exit=" or
 * "run-signal=" to @res; -1 when the image could not be set up.
 */
#define RUN_DIR		"/zcrx-run"
#define RUN_TTY		"/dev/ttyS2"
#define RUN_IMAGE_DEV	"/dev/vda"
#define RUN_SHARE_TAG	"zcrx-share"
int run_command(FILE *log, FILE *res);

#endif
