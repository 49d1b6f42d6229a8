// SPDX-License-Identifier: GPL-2.0
/*
 * Rows a VM without a zcrx-capable NIC, or without fault injection, cannot
 * reach. Each is a SKIP case that says why, so the KTAP names them instead
 * of leaving them out. The NIC probe is evidence, not a guess: a real
 * registration on NETIF's queue 0 is tried and its error reported.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zcrx_lib.h"

/* Why no zcrx-capable NIC is available here (a static string). */
static const char *no_zcrx_nic(void)
{
	static char why[200];
	const char *netif = getenv("NETIF");
	struct io_uring ring;
	struct zcrx_ifq z;
	int ret;

	if (!netif || !*netif)
		return "needs a zcrx-capable NIC; this VM has none (NETIF unset)";
	if (ring_create(&ring, ZCRX_RING_FLAGS))
		return "needs a zcrx-capable NIC; ring set-up failed";
	ifq_init(&z, RQ_ENTRIES, REGION_SZ, AREA_PAGES);
	z.reg.flags = 0;
	z.reg.if_idx = if_nametoindex(netif);
	ret = ifq_register(&ring, &z);
	ifq_release(&z);
	io_uring_queue_exit(&ring);
	if (!ret)
		return NULL;
	snprintf(why, sizeof(why),
		 "needs a zcrx-capable NIC: binding %s queue 0 gave %d (%s)",
		 netif, ret, strerror(-ret));
	return why;
}

#define NEEDS_NIC(what) do {						\
	const char *__why;						\
	REQUIRE_EVENTS();						\
	__why = no_zcrx_nic();						\
	if (__why)							\
		SKIP(return, "%s; %s", __why, what);			\
	SKIP(return, "zcrx-capable NIC present, but this case is not written yet: %s", what); \
} while (0)

TEST(alloc_fail_fires__E04)
{
	NEEDS_NIC("ALLOC_FAIL is raised only from a hardware queue's page pool (zcrx.c:1373-1392)");
}

TEST(no_alloc_fail_from_initial_fill__E05)
{
	NEEDS_NIC("the initial fill runs inside registration, on the NIC queue");
}

TEST(alloc_fail_refires_after_arm_while_starved__E19)
{
	NEEDS_NIC("sustained page-pool starvation needs a NIC queue");
}

TEST(event_lost_on_atomic_alloc_failure__E09)
{
	REQUIRE_EVENTS();
	SKIP(return, "needs the GFP_ATOMIC io_kiocb allocation in zcrx_send_notif to fail: no fault injection (failslab) in the kernels this suite boots");
}

TEST(event_dropped_when_overflow_alloc_fails__E16)
{
	REQUIRE_EVENTS();
	SKIP(return, "the drop half of E16 needs the GFP_NOWAIT overflow allocation to fail (fault injection); the overflow-list half is tested in events.c");
}

TEST_HARNESS_MAIN
