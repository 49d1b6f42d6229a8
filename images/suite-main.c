// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx-suite: /init's suite runner as a program of its own, for make
 * hw-test (host-scripts/hw-test.sh), which runs the suite on the machine
 * itself instead of in a VM. Same KTAP document, same per-binary timeout,
 * followed by the lines the host's report reads from the result channel
 * (uptime as seconds since the suite started, exit=N).
 *   usage: zcrx-suite TESTDIR [ONLY|-] [TIMEOUT_S]
 * ZCRX_JOBS=N: how many shared binaries at once (suite-runner.c).
 * Exit status: 0 when every case passed or skipped, 1 otherwise, 2 usage.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "init.h"

/* SIGTERM, SIGINT, SIGHUP (make hw-test stopping, timeout(1)): the running
 * binary is in a process group of its own, so it is killed here, or it
 * would go on changing the NIC while the runner restores it. The workers
 * of shared binaries get SIGTERM and do the same for theirs (a worker
 * inherits this handler with its own suite_child_pgid).
 */
static void stop(int sig)
{
	pid_t g = suite_child_pgid;

	if (g > 0)
		kill(-g, SIGKILL);
	for (int k = 0; k < SUITE_MAX_JOBS; k++)
		if (suite_worker_pids[k] > 0)
			kill(suite_worker_pids[k], SIGTERM);
	suite_signal_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *only = argc > 2 && strcmp(argv[2], "-") ? argv[2] : NULL;
	unsigned int timeout_s = argc > 3 ? (unsigned int)atoi(argv[3]) : 300;
	double t0;
	int failures;

	if (argc < 2 || argc > 4 || !timeout_s) {
		fprintf(stderr, "usage: zcrx-suite TESTDIR [ONLY|-] [TIMEOUT_S]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, stop);
	signal(SIGINT, stop);
	signal(SIGHUP, stop);
	t0 = mono();
	failures = run_suite(argv[1], only, timeout_s, stdout, NULL);
	printf("# zcrx-vmtest: uptime suite-start=0.00 suite-end=%.2f\n", mono() - t0);
	printf("# zcrx-vmtest: exit=%d\n", failures ? 1 : 0);
	return failures ? 1 : 0;
}
