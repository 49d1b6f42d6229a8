// SPDX-License-Identifier: GPL-2.0
/*
 * Rows no VM here can reach: they need fault injection. Each is a SKIP
 * case that says why, so the KTAP names them instead of leaving them out.
 * (The NIC-only rows live in nic_*.c and skip there without a zcrx NIC.)
 */
#include "zcrx_lib.h"

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
