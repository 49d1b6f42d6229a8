/* SPDX-License-Identifier: GPL-2.0 */
/* Shared declarations of the guest init (PID 1) of zcrx-vmtest. */
#ifndef ZCRX_INIT_H
#define ZCRX_INIT_H

#include <stdio.h>

/* Names and addresses the tests see, in the kernel selftests' spelling. */
#define NET_REMOTE_NS	"remote"
#define NET_LOCAL_MAC	"52:54:00:7a:00:01"
#define NET_REMOTE_MAC	"52:54:00:7a:00:02"
#define NET_LOCAL_V4	"192.0.2.1"
#define NET_REMOTE_V4	"192.0.2.2"
#define NET_LOCAL_V6	"2001:db8::1"
#define NET_REMOTE_V6	"2001:db8::2"

/* The result channel: a second serial port the host saves as ktap.txt. */
#define RESULT_TTY	"/dev/ttyS1"

/* isa-debug-exit port and the codes the host decodes ((v << 1) | 1). */
#define DEBUG_EXIT_PORT	0xf4
#define EXIT_SUITE_PASS	0x20	/* QEMU exits 65 */
#define EXIT_SUITE_FAIL	0x21	/* QEMU exits 67 */

/* net-setup.c: lo up; NICs, if any, into the two-port topology.
 * Returns 1 when the NIC pair is up, 0 when there are no NICs. */
int net_setup(FILE *log);

/* suite-runner.c: run every test binary listed in @order, print one KTAP
 * version 1 document to @out (and @copy, if not NULL). Returns the number
 * of failed cases plus failed/crashed/timed-out binaries. */
int run_suite(const char *dir, const char *only, unsigned int timeout_s,
	      FILE *out, FILE *copy);

#endif
