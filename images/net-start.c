// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's network, set up beside the suite's first binaries: the
 * topology (net-setup.c) and the NIC lanes took 0.1 s of the stock run
 * and 0.3 s of the lean one before any binary started
 * (docs/measurements.md). The binaries marked "local" in the order file
 * need no more than lo, so they start at once; the runner calls
 * net_wait() before the first binary that is not local.
 *
 * net_start() brings lo up and loads the NIC modules, then forks a child
 * that runs net_setup(), names the NIC profile and makes the NIC lanes.
 * The child's side effects (links, addresses, the netns mounts under
 * /run/netns) are the kernel's, shared with /init; the variables it
 * exported (NETIF, NIC_DRIVER, NIC_PROFILE, NIC<k>_*, VIRTIO_*) come back
 * through a pipe as KEY=VALUE lines and an end line, and net_wait() sets
 * them here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "rtnl.h"

#define NET_END_LINE	"#zcrx-net-end"

static pid_t net_pid;
static int net_fd = -1;

/* The modules of /modules/order (mkinitramfs.sh), dependencies first */
static void load_modules(FILE *log)
{
	char name[256], path[300];
	FILE *order = fopen("/modules/order", "r");

	if (!order)
		return;
	while (fscanf(order, "%255s", name) == 1) {
		int fd;

		snprintf(path, sizeof(path), "/modules/%s", name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST))
			fprintf(log, "# init: module %s: %s\n", name, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	fclose(order);
}

/* The topology, and for a suite (@suite) the NIC profile and the lanes */
static void net_bring_up(FILE *log, const char *only, const char *lanes, int suite)
{
	net_setup(log);
	/* the suite's NIC cases read what they may assume about the NIC's
	 * driver; not a command's (make vm-run): the profile is a path of
	 * the initramfs, which the Debian image does not have (make
	 * hw-test there refuses a NIC_PROFILE it cannot read)
	 */
	if (suite && getenv("NIC_DRIVER")) {
		char prof[128];

		snprintf(prof, sizeof(prof), NIC_PROFILE_DIR "/%s", getenv("NIC_DRIVER"));
		if (!access(prof, R_OK))
			setenv("NIC_PROFILE", prof, 1);
	}
	/* more NIC lanes, for the NIC binaries of a suite (topology.h;
	 * zcrx.nic_lanes=1: one)
	 */
	if (suite && getenv("NIC_PROFILE") && (!only || strstr(only, "nic_")))
		nic_lanes_setup(log, lanes && atoi(lanes) > 0 ? atoi(lanes) : NIC_LANES_DEFAULT);
}

/* Whether "KEY=VALUE" @kv is in the NULL-ended @env */
static int in_env(char **env, const char *kv)
{
	for (; env && *env; env++)
		if (!strcmp(*env, kv))
			return 1;
	return 0;
}

/* In the child: net_bring_up(), then what it added to the environment, or
 * changed, to @out
 */
static void net_child(FILE *log, const char *only, const char *lanes, int suite, int out)
{
	FILE *f = fdopen(out, "w");
	char **before;
	size_t n = 0;

	prctl(PR_SET_NAME, NET_SETUP_COMM);
	for (char **e = environ; *e; e++)
		n++;
	before = calloc(n + 1, sizeof(*before));
	for (size_t i = 0; before && i < n; i++)
		before[i] = strdup(environ[i]);
	/* a splat while it runs is the set-up's (its Comm: names it) */
	suite_kmsg_mark("binary", NET_SETUP_COMM);
	net_bring_up(log, only, lanes, suite);
	suite_kmsg_mark("done", NET_SETUP_COMM);
	fflush(log);
	if (!f || !before)
		_exit(1);
	for (char **e = environ; *e; e++)
		if (!strchr(*e, '\n') && !in_env(before, *e))
			fprintf(f, "%s\n", *e);
	fprintf(f, NET_END_LINE "\n");
	_exit(fclose(f) ? 1 : 0);
}

void net_start(FILE *log, const char *only, const char *lanes, int suite)
{
	int p[2], ret;

	ret = link_change(if_nametoindex("lo"), 1, -1);
	if (ret)
		fprintf(log, "# net: lo up failed: %s\n", strerror(-ret));
	/* Here, before any binary runs: loading a module live-patches kernel
	 * text, and under TCG a vCPU running a test binary then met a stale
	 * int3 (Oops: int3 in ktime_get while failover loaded, 1 stock run in
	 * 30; docs/guest.md)
	 */
	load_modules(log);
	fflush(log);
	if (pipe2(p, O_CLOEXEC))
		goto here;
	net_pid = fork();
	if (net_pid == 0) {
		close(p[0]);
		net_child(log, only, lanes, suite, p[1]);
	}
	close(p[1]);
	if (net_pid > 0) {
		net_fd = p[0];
		return;
	}
	close(p[0]);
	net_pid = 0;
here:
	fprintf(log, "# init: no pipe or child for the network set-up (%s): set up here\n",
		strerror(errno));
	net_bring_up(log, only, lanes, suite);
}

/* Set KEY=VALUE @line here (the child sent only what it changed) */
static void take(char *line)
{
	char *eq = strchr(line, '=');

	if (!eq || eq == line)
		return;
	*eq = '\0';
	setenv(line, eq + 1, 1);
}

int net_wait(FILE *log)
{
	static char buf[65536];
	size_t len = 0;
	int done = 0, stuck = 0;
	struct timespec t0, t;

	if (net_fd < 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = net_fd, .events = POLLIN };
		long left;
		ssize_t r;
		int p;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = NET_SETUP_TIMEOUT_S * 1000L - ((t.tv_sec - t0.tv_sec) * 1000L +
						      (t.tv_nsec - t0.tv_nsec) / 1000000);
		p = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0) {
			fprintf(log, "# init: the network set-up did not end in %d s: stopped, no network\n",
				NET_SETUP_TIMEOUT_S);
			kill(net_pid, SIGKILL);
			stuck = 1;
			break;
		}
		r = read(net_fd, buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(net_fd);
	net_fd = -1;
	/* /init's suite runner may have reaped it already (it reaps orphans);
	 * one stuck in the kernel may not die even of SIGKILL: 5 s at most
	 */
	for (int i = 0; i < (stuck ? 500 : 1); i++) {
		if (waitpid(net_pid, NULL, stuck ? WNOHANG : 0) != 0)
			break;
		usleep(10000);
	}
	buf[len] = '\0';
	if (len >= sizeof(NET_END_LINE) && strstr(buf, "\n" NET_END_LINE "\n")) {
		for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
			if (strcmp(l, NET_END_LINE))
				take(l);
		done = 1;
	} else {
		fprintf(log, "# init: the network set-up ended without its variables: no network\n");
	}
	fflush(log);
	return done ? 0 : -1;
}
