// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the guest test binaries one after the other and nests their KTAP
 * output (kselftest harness) into one KTAP version 1 document: each binary
 * is a subtest indented by two spaces, followed by its own result line,
 * and the document ends with a "# Totals:" line that counts test cases.
 * A binary that crashes, or outlives its timeout, is a failed subtest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define MAX_BINARIES	64
#define KSFT_SKIP	4

struct totals {
	unsigned int pass, fail, xfail, xpass, skip, error;
};

static void emit(FILE *out, FILE *copy, const char *fmt, const char *a,
		 const char *b)
{
	fprintf(out, fmt, a, b);
	fflush(out);
	if (copy) {
		fprintf(copy, fmt, a, b);
		fflush(copy);
	}
}

/* A marker in the kernel log, so the host attributes a splat in the
 * console to the binary and case that were running (the harness prints
 * "#  RUN           fixture.case ..." as each case starts).
 */
static void kmsg_mark(const char *what, const char *bin, const char *kcase,
		      int klen)
{
	static int fd = -2;
	char buf[512];
	int n;

	if (fd == -2) {
		/* one marker per case: lift /dev/kmsg's rate limit (10 per 5 s) */
		int c = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);

		if (c >= 0) {
			/* a kernel that refuses keeps its limit: markers may drop */
			ssize_t w = write(c, "on\n", 3);

			(void)w;
			close(c);
		}
		fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return;
	if (!kcase) {
		kcase = "";
		klen = 0;
	}
	n = snprintf(buf, sizeof(buf), "zcrx-vmtest: %s %s%s%.*s\n", what, bin,
		     klen ? ":" : "", klen, kcase);
	if (n > 0 && write(fd, buf, (size_t)n) < 0)
		return;
}

static void mark_case(const char *bin, const char *line)
{
	static const char run[] = "#  RUN           ";
	const char *c = line + sizeof(run) - 1;
	size_t len;

	if (strncmp(line, run, sizeof(run) - 1))
		return;
	len = strcspn(c, " ");
	kmsg_mark("case", bin, c, len > 255 ? 255 : (int)len);
}

static int selected(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	if (!only || !*only)
		return 1;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run one binary; relay its lines indented; fill @t from its Totals line.
 * Returns its wait status, or -1 when it timed out.
 */
static int run_one(const char *dir, const char *name, unsigned int timeout_s,
		   FILE *out, FILE *copy, struct totals *t, int *saw_totals)
{
	char path[512], line[4096];
	size_t len = 0;
	int pfd[2], status = 0, timed_out = 0;
	double deadline = now() + timeout_s;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (pipe2(pfd, O_CLOEXEC))
		return 1 << 8;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execl(path, path, (char *)NULL);
		printf("# exec %s: %s\n", path, strerror(errno));
		_exit(1);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		double left = deadline - now();
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(pfd[0], line + len, sizeof(line) - 1 - len);
		if (n <= 0)
			break;
		len += n;
		line[len] = '\0';
		for (char *nl; (nl = strchr(line, '\n')) || len == sizeof(line) - 1;) {
			if (!nl)
				nl = line + len - 1;
			*nl = '\0';
			if (!strcmp(line, "TAP version 13"))
				emit(out, copy, "  KTAP version 1\n", "", "");
			else
				emit(out, copy, "  %s%s\n", line, "");
			mark_case(name, line);
			if (sscanf(line, "# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u",
				   &t->pass, &t->fail, &t->xfail, &t->xpass, &t->skip,
				   &t->error) == 6)
				*saw_totals = 1;
			len -= nl + 1 - line;
			memmove(line, nl + 1, len + 1);
		}
	}
	close(pfd[0]);
	waitpid(pid, &status, 0);
	kill(-pid, SIGKILL);
	return timed_out ? -1 : status;
}

int run_suite(const char *dir, const char *only, unsigned int timeout_s,
	      FILE *out, FILE *copy)
{
	char names[MAX_BINARIES][128], path[512], num[32];
	struct totals sum = { 0 };
	int n = 0, failures = 0;
	FILE *order;

	snprintf(path, sizeof(path), "%s/order", dir);
	order = fopen(path, "r");
	if (!order) {
		emit(out, copy, "KTAP version 1\n1..0\n# Bail out! no %s%s\n", path, "");
		return 1;
	}
	while (n < MAX_BINARIES && fscanf(order, "%127s", names[n]) == 1)
		if (selected(only, names[n]))
			n++;
	fclose(order);

	emit(out, copy, "KTAP version 1\n%s%s\n", "1..", (snprintf(num, sizeof(num), "%d", n), num));
	for (int i = 0; i < n; i++) {
		struct totals t = { 0 };
		int saw = 0, st;
		double t0;
		const char *verdict = "ok", *directive = "";
		char why[96];

		t0 = now();
		kmsg_mark("binary", names[i], NULL, 0);
		st = run_one(dir, names[i], timeout_s, out, copy, &t, &saw);
		snprintf(num, sizeof(num), "%.2f", now() - t0);
		emit(out, copy, "# zcrx-vmtest: %s took %s s\n", names[i], num);
		if (st == -1) {
			verdict = "not ok";
			directive = " # TIMEOUT";
			t.error++;
		} else if (WIFSIGNALED(st)) {
			verdict = "not ok";
			snprintf(why, sizeof(why), " # ERROR killed by signal %d (%s)",
				 WTERMSIG(st), strsignal(WTERMSIG(st)));
			directive = why;
			t.error++;
		} else if (WEXITSTATUS(st) == KSFT_SKIP) {
			directive = " # SKIP";
		} else if (WEXITSTATUS(st) != 0 || !saw) {
			verdict = "not ok";
			if (!saw || (!t.fail && !t.error))
				t.error++;
		}
		sum.pass += t.pass;
		sum.fail += t.fail;
		sum.xfail += t.xfail;
		sum.xpass += t.xpass;
		sum.skip += t.skip;
		sum.error += t.error;
		snprintf(num, sizeof(num), "%d", i + 1);
		fprintf(out, "%s %s ", verdict, num);
		if (copy)
			fprintf(copy, "%s %s ", verdict, num);
		emit(out, copy, "%s%s\n", names[i], directive);
	}
	kmsg_mark("end", "suite", NULL, 0);
	snprintf(path, sizeof(path),
		 "# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u\n",
		 sum.pass, sum.fail, sum.xfail, sum.xpass, sum.skip, sum.error);
	emit(out, copy, "%s%s", path, "");
	failures = sum.fail + sum.error + sum.xpass;
	return failures;
}
