// SPDX-License-Identifier: GPL-2.0
/*
 * Throughput of one TCP stream received through zcrx on the NIC under
 * test, zero-copy (flow steered to the zcrx queue) against copy fallback
 * (flow on another queue). Not in the default suite: run it with
 * `make bench-nic` (host-scripts/dev/bench-nic.sh). Each run still proves its
 * data: every byte is checked, and the copy counters must say which path
 * was taken. Results are printed as "# bench: mode=... MBps=..." lines.
 */
#include <stdio.h>

#include "nic_lib.h"
#include "nic_rx.h"

#define BENCH_BYTES	(32u << 20)
#define BENCH_AREA	2048	/* 8 MiB: more than an autotuned socket queue */
#define BENCH_RING	512	/* ethtool -G rx: the default */

FIXTURE(bench)
{
	struct nic_rx r;
	struct cq_tally t;
};

FIXTURE_VARIANT(bench)
{
	const char *mode;
	bool steer;
};

FIXTURE_VARIANT_ADD(bench, zero_copy) { .mode = "zero-copy", .steer = true };
FIXTURE_VARIANT_ADD(bench, copy_fallback) { .mode = "copy", .steer = false };

FIXTURE_SETUP(bench)
{
	NIC_CASE_SETUP(&self->r, 1, true);
}

FIXTURE_TEARDOWN(bench)
{
	nic_rx_close(&self->r);
}

TEST_F_TIMEOUT(bench, throughput, NIC_TEST_TIMEOUT)
{
	volatile struct zcrx_stats *st;
	long long t0, ms;

	ASSERT_EQ(0, nic_set_rx_ring(nic_name(), BENCH_RING));
	ASSERT_EQ(0, nic_rx_open(&self->r, NIC_ZC_QUEUE, BENCH_AREA, 0, 0, true));
	self->r.flush_rq = !variant->steer;
	self->r.rcvbuf = 0;	/* autotuning, as an application would run */
	remote_sender_set_sndbuf(0);
	self->r.rearm_enomem = true;
	if (variant->steer) {
		ASSERT_EQ(0, nic_rx_steer(&self->r, NIC_ZC_QUEUE));
	}
	ASSERT_EQ(0, nic_rx_start(&self->r, BENCH_BYTES, 41, 65536));
	t0 = now_ms();
	nic_rx_run(&self->r, &self->t, BENCH_BYTES, 41, true, false, 240000);
	ms = now_ms() - t0;
	st = ifq_stats(&self->r.z);

	ASSERT_EQ(BENCH_BYTES, self->t.bytes) {
		TH_LOG("recv ended with %d after %u CQEs", self->t.final_res, self->t.data_cqes);
	}
	ASSERT_EQ(0, self->t.bad_payload);
	/* the path taken is the one measured. Under memory pressure TCP may
	 * collapse queued skbs into linear ones, which zcrx copies without
	 * counting (E02): copy mode then counts slightly less than all.
	 */
	if (variant->steer) {
		ASSERT_EQ(0ULL, st->copy_bytes);
	} else {
		ASSERT_LE((unsigned long long)st->copy_bytes, (unsigned long long)BENCH_BYTES);
		ASSERT_GT(st->copy_bytes, BENCH_BYTES / 100 * 99);
	}
	EXPECT_EQ(0, nic_rx_finish(&self->r));
	printf("# bench: mode=%s bytes=%u ms=%lld MBps=%.1f cqes=%u rearms=%u uncounted=%llu\n",
	       variant->mode, BENCH_BYTES, ms, ms ? BENCH_BYTES / 1e3 / ms : 0.0,
	       self->t.data_cqes, self->r.rearms,
	       variant->steer ? 0ULL : BENCH_BYTES - (unsigned long long)st->copy_bytes);
}

TEST_HARNESS_MAIN
