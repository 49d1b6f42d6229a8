// SPDX-License-Identifier: GPL-2.0
/* TCP traffic from the remote netns to the NIC under test; see nic_lib.h. */
#define _GNU_SOURCE
#define ZCRX_LIB_NO_HARNESS
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nic_lib.h"
#include "zcrx_lib.h"

/* ---- traffic from the remote netns ---------------------------------------- */

#define SENDER_CONNECT_MS	10000
#define SENDER_CLOSE_S		30
#define SENDER_CHUNK		65536

/* LOCAL_V4 or LOCAL_V6 port @port in @sa; 0 or -EINVAL. */
static int local_addr(int family, uint16_t port, struct sockaddr_storage *sa,
		      socklen_t *salen)
{
	const char *text = getenv(family == AF_INET6 ? "LOCAL_V6" : "LOCAL_V4");
	struct sockaddr_in6 *s6 = (void *)sa;
	struct sockaddr_in *s4 = (void *)sa;
	void *addr;

	memset(sa, 0, sizeof(*sa));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		addr = &s4->sin_addr;
		*salen = sizeof(*s4);
	} else if (family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		addr = &s6->sin6_addr;
		*salen = sizeof(*s6);
	} else {
		return -EINVAL;
	}
	return text && inet_pton(family, text, addr) == 1 ? 0 : -EINVAL;
}

static int sender_sndbuf = REMOTE_SENDER_SNDBUF;

void remote_sender_set_sndbuf(int bytes)
{
	sender_sndbuf = bytes;
}

/* The longest a retransmission timer may back off to (the socket option
 * takes 1000 ms at the least; the default is 120 s). A test starves the
 * receiver on purpose; with the default, the RTO doubles through every
 * starved second and the stream may sit out tens of seconds after the
 * buffers came back (seen: a stream stalled past a 60 s wait). A real NIC
 * runner does not notice the difference. Ignored where the kernel lacks it.
 */
#ifndef TCP_RTO_MAX_MS
#define TCP_RTO_MAX_MS 44	/* include/uapi/linux/tcp.h, Linux 6.15+ */
#endif
#define SENDER_RTO_MAX_MS 1000

/* Connect within SENDER_CONNECT_MS: the listener may not be there yet,
 * and each attempt is bounded by SO_SNDTIMEO (connect obeys it).
 */
static int sender_connect(int family, const struct sockaddr_storage *sa, socklen_t salen)
{
	long long end = now_ms() + SENDER_CONNECT_MS;
	struct timeval one_s = { .tv_sec = 1 }, forever = { 0 };

	for (;;) {
		int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -REMOTE_SENDER_ESOCKET;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &one_s, sizeof(one_s));
		if (sender_sndbuf)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sender_sndbuf,
				   sizeof(sender_sndbuf));
		if (!connect(fd, (const void *)sa, salen)) {
			int rto_max = SENDER_RTO_MAX_MS;

			/* writes may wait for a starved receiver: the
			 * parent's remote_sender_wait() bounds them
			 */
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &forever, sizeof(forever));
			setsockopt(fd, IPPROTO_TCP, TCP_RTO_MAX_MS, &rto_max, sizeof(rto_max));
			return fd;
		}
		close(fd);
		if (now_ms() >= end)
			return -REMOTE_SENDER_ECONNECT;
		usleep(50 * 1000);
	}
}

/* The child's body: an exit code. */
static int sender_run(int family, uint16_t port, size_t len, unsigned int seed,
		      size_t chunk, bool enter_netns)
{
	struct timeval close_wait = { .tv_sec = SENDER_CLOSE_S };
	const char *name = getenv("REMOTE_ARGS");
	struct sockaddr_storage sa;
	socklen_t salen;
	char path[128];
	unsigned char *buf;
	size_t pos = 0;
	ssize_t r;
	int ns, fd;

	if (enter_netns) {
		snprintf(path, sizeof(path), "/run/netns/%s", name && *name ? name : NET_REMOTE_NS);
		ns = open(path, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWNET))
			return REMOTE_SENDER_ENETNS;
		close(ns);
	}
	if (local_addr(family, port, &sa, &salen))
		return REMOTE_SENDER_EADDR;
	fd = sender_connect(family, &sa, salen);
	if (fd < 0)
		return -fd;
	if (!chunk)
		chunk = SENDER_CHUNK;
	buf = malloc(chunk);
	if (!buf)
		return REMOTE_SENDER_ENOMEM;
	while (pos < len) {
		size_t n = len - pos < chunk ? len - pos : chunk;

		pattern_fill(buf, n, pos, seed);
		r = write(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return REMOTE_SENDER_EWRITE;
		pos += r;
	}
	if (shutdown(fd, SHUT_WR))
		return REMOTE_SENDER_ESHUTDOWN;
	/* EOF from the receiver: it has read everything and closed */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &close_wait, sizeof(close_wait));
	for (;;) {
		r = read(fd, buf, chunk);
		if (!r)
			return 0;
		if (r < 0 && errno != EINTR)
			return REMOTE_SENDER_ECLOSE;
	}
}

static int sender_ssh(int family, uint16_t port, size_t len, unsigned int seed,
		      size_t chunk);

pid_t remote_sender_spawn(int family, uint16_t port, size_t len, unsigned int seed,
			  size_t chunk)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid)
		return pid;
	/* never outlive a test case that died */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (remote_is_ssh())
		_exit(sender_ssh(family, port, len, seed, chunk));
	_exit(sender_run(family, port, len, seed, chunk, true));
}

bool remote_is_ssh(void)
{
	const char *t = getenv("REMOTE_TYPE");

	return t && !strcmp(t, "ssh");
}

/* argv of `ssh -o BatchMode=yes REMOTE_ARGS CMD`: REMOTE_ARGS split at
 * spaces, as the kernel selftests' ssh remote does; 0 or -E2BIG.
 */
static int ssh_argv(char **argv, unsigned int max, char *args, const char *cmd)
{
	unsigned int n = 0;

	argv[n++] = "ssh";
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	for (char *tok = strtok(args, " "); tok; tok = strtok(NULL, " ")) {
		if (n + 2 >= max)
			return -E2BIG;
		argv[n++] = tok;
	}
	argv[n++] = (char *)cmd;
	argv[n] = NULL;
	return 0;
}

int remote_ssh_run(const char *cmd)
{
	char *argv[32], args[512];
	pid_t pid;
	int st;

	snprintf(args, sizeof(args), "%s", getenv("REMOTE_ARGS") ? getenv("REMOTE_ARGS") : "");
	if (!*args || ssh_argv(argv, 32, args, cmd))
		return -EINVAL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -ECHILD;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The sender on the ssh peer: REMOTE_SENDER (the static zcrx-sender that
 * make hw-test deployed there) with this side's address; its exit code
 * is the sender's (255: ssh itself failed).
 */
static int sender_ssh(int family, uint16_t port, size_t len, unsigned int seed,
		      size_t chunk)
{
	const char *bin = getenv("REMOTE_SENDER");
	const char *v4 = getenv("LOCAL_V4"), *v6 = getenv("LOCAL_V6");
	char cmd[512];
	int r;

	if (!bin || !*bin)
		return REMOTE_SENDER_ENETNS;
	snprintf(cmd, sizeof(cmd), "LOCAL_V4='%s' LOCAL_V6='%s' '%s' %d %u %zu %u %zu %d",
		 v4 ? v4 : "", v6 ? v6 : "", bin, family == AF_INET6 ? 6 : 4, port, len,
		 seed, chunk ? chunk : SENDER_CHUNK, sender_sndbuf);
	r = remote_ssh_run(cmd);
	return r < 0 ? REMOTE_SENDER_ENETNS : r;
}

int remote_sender_main(int argc, char **argv)
{
	unsigned long long len;
	unsigned long port, seed, chunk;
	int family;

	if (argc != 7)
		return 2;
	sender_sndbuf = atoi(argv[6]);
	family = !strcmp(argv[1], "6") ? AF_INET6 : !strcmp(argv[1], "4") ? AF_INET : 0;
	port = strtoul(argv[2], NULL, 10);
	len = strtoull(argv[3], NULL, 10);
	seed = strtoul(argv[4], NULL, 10);
	chunk = strtoul(argv[5], NULL, 10);
	if (!family || !port || port > 65535 || !chunk)
		return 2;
	return sender_run(family, (uint16_t)port, (size_t)len, (unsigned int)seed,
			  (size_t)chunk, false);
}

static int sender_status;

int remote_sender_status(void)
{
	return sender_status;
}

int remote_sender_wait(pid_t pid, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	int st = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			sender_status = st;
			return -ETIMEDOUT;
		}
		usleep(10 * 1000);
	}
	sender_status = st;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

int local_listen(int family, uint16_t port)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd, one = 1, ret = local_addr(family, port, &sa, &salen);

	if (ret)
		return ret;
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (void *)&sa, salen) || listen(fd, 16)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int accept_timeout(int lfd, int timeout_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int ret = poll(&p, 1, timeout_ms), fd;

	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
