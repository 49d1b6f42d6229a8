// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the guest test binaries one after the other and nests their KTAP
 * output (kselftest harness) into one KTAP version 1 document: each binary
 * is a subtest indented by two spaces, followed by its own result line,
 * and the document ends with a "# Totals:" line that counts test cases.
 * A binary that crashes, or outlives its timeout, is a failed subtest.
 * A case that fails is run once more alone (as the netdev CI retries): if
 * it passes then, it is a flake ("# zcrx-vmtest: retry BIN:CASE ok"),
 * reported by name and recorded as such, and does not fail its binary.
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

	if (fd == -2 && getenv("ZCRX_KMSG") && !strcmp(getenv("ZCRX_KMSG"), "0"))
		fd = -1;	/* ZCRX_KMSG=0: no markers (the unit tests, on the host) */
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

#define MAX_RETRIES	8

/* The process group of the binary running now (0: none), for zcrx-suite's
 * signal handler: the binaries run in groups of their own.
 */
volatile pid_t suite_child_pgid;

/* The cases of one binary that failed ("not ok N fixture[.variant].case"). */
struct failed {
	unsigned int n;
	char name[MAX_RETRIES][160];
};

static void note_failed(struct failed *f, const char *line)
{
	unsigned int num;
	int off = 0;

	if (!f || f->n >= MAX_RETRIES || sscanf(line, "not ok %u %n", &num, &off) != 1 || !off)
		return;
	/* up to a directive, which a plain failure does not have */
	if (strstr(line + off, " # "))
		return;
	snprintf(f->name[f->n++], sizeof(f->name[0]), "%s", line + off);
}

/* Run one binary (with @arg as its only argument when not NULL); relay its
 * lines indented after @prefix; fill @t from its Totals line and @f with
 * the cases that failed. Returns its wait status, or -1 when it timed out.
 */
static int run_one(const char *dir, const char *name, const char *arg, const char *prefix,
		   unsigned int timeout_s, FILE *out, FILE *copy, struct totals *t,
		   int *saw_totals, struct failed *f)
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
		if (arg)
			execl(path, path, "-r", arg, (char *)NULL);
		else
			execl(path, path, (char *)NULL);
		printf("# exec %s: %s\n", path, strerror(errno));
		_exit(1);
	}
	close(pfd[1]);
	suite_child_pgid = pid;
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
			if (!strcmp(line, "TAP version 13") && !*prefix)
				emit(out, copy, "  KTAP version 1\n", "", "");
			else
				emit(out, copy, "  %s%s\n", prefix, line);
			mark_case(name, line);
			note_failed(f, line);
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
	suite_child_pgid = 0;
	return timed_out ? -1 : status;
}

/* ZCRX_RETRY=0 (zcrx.retry=0 in the VM): no retries */
static int retry_on(void)
{
	const char *r = getenv("ZCRX_RETRY");

	return !r || strcmp(r, "0");
}

/* Retry each case of @f alone (the harness's -r); says per case on the
 * result channel "# zcrx-vmtest: retry BINARY:CASE ok|not ok" (the host
 * reads an "ok" as a flake). Returns how many passed.
 */
static unsigned int retry_failed(const char *dir, const char *bin, unsigned int timeout_s,
				 FILE *out, FILE *copy, const struct failed *f)
{
	unsigned int passed = 0;

	for (unsigned int k = 0; k < f->n; k++) {
		struct totals t = { 0 };
		int saw = 0, st;
		char what[256];

		kmsg_mark("retry", bin, f->name[k], (int)strlen(f->name[k]));
		st = run_one(dir, bin, f->name[k], "# retry| ", timeout_s, out, copy, &t, &saw, NULL);
		snprintf(what, sizeof(what), "%s:%s", bin, f->name[k]);
		if (st != -1 && WIFEXITED(st) && !WEXITSTATUS(st) && saw && t.pass == 1 && !t.fail) {
			passed++;
			emit(out, copy, "# zcrx-vmtest: retry %s %s\n", what, "ok");
		} else {
			emit(out, copy, "# zcrx-vmtest: retry %s %s\n", what, "not ok");
		}
	}
	return passed;
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
		struct failed fl = { 0 };

		st = run_one(dir, names[i], NULL, "", timeout_s, out, copy, &t, &saw, &fl);
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
			/* every failed case once more, alone: one that passes
			 * now is a flake, reported by name (not a pass), and no
			 * longer fails the binary
			 */
			if (saw && fl.n && fl.n == t.fail && !t.error && retry_on() &&
			    retry_failed(dir, names[i], timeout_s, out, copy, &fl) == fl.n) {
				verdict = "ok";
				t.pass += t.fail;
				t.fail = 0;
			}
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
