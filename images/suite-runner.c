// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the guest test binaries and nests their KTAP output (kselftest
 * harness) into one KTAP version 1 document: each binary is a subtest
 * indented by two spaces, followed by its own result line, and the
 * document ends with a "# Totals:" line that counts test cases.
 * A binary that crashes, or outlives its timeout, is a failed subtest.
 * A case that fails is run once more alone (as the netdev CI retries): if
 * it passes then, it is a flake ("# zcrx-vmtest: retry BIN:CASE ok"),
 * reported by name and recorded as such, and does not fail its binary.
 *
 * The order file lists one binary per line; "NAME shared" marks one that
 * shares nothing with the others (no NIC, no global knob but the fault
 * injection ones, which lib/zcrx_lib.c locks): up to ZCRX_JOBS of those
 * run at once (default twice the online CPUs, at most MAX_JOBS; the cases
 * wait on the kernel more than they compute, even under TCG), each in a
 * worker that buffers its output. "NAME nic" marks a binary of NIC cases:
 * where no NIC profile is set (NIC_PROFILE, the NIC's capabilities), every
 * one of its cases skips before it touches anything (lib/nic_rx.h,
 * NIC_CASE_SETUP), so it runs among the shared ones. Else it runs on a NIC
 * lane: with NIC<k>_NETIF set for k = 2.. (the VM's /init makes one
 * netdevsim pair per lane, topology.h), up to that many NIC binaries run
 * at once, each on a lane of its own, whose NIC<k>_* variables it gets as
 * NETIF, LOCAL_V4, ...; the NIC binaries share no knob but the ones
 * lib/ locks. "NAME nic-global" is a NIC binary that changes a knob of the
 * whole driver (a module parameter): it runs alone. Any other binary runs
 * alone, after the ones before it ended; the pool and the lanes never
 * run at once. The document keeps the order file's order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define MAX_BINARIES	64
#define MAX_JOBS	SUITE_MAX_JOBS
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
static int kmsg_fd(void)
{
	static int fd = -2;

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
	return fd;
}

static void kmsg_mark(const char *what, const char *bin, const char *kcase,
		      int klen)
{
	char buf[512];
	int n, fd = kmsg_fd();

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

void suite_kmsg_mark(const char *what, const char *bin)
{
	kmsg_mark(what, bin, NULL, 0);
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

/* ZCRX_LAVA=1 (zcrx.lava=1 in the VM): one console line per case, for a
 * LAVA job's monitor ("zcrx-lava: case=BIN.CASE result=pass|fail|skip").
 * Written whole through /dev/kmsg, so that lines of binaries running at
 * once, and the kernel's own, never cut into each other on the console;
 * on a host without /dev/kmsg (ZCRX_KMSG=0), one write(2) to stdout.
 */
static int lava_on(void)
{
	const char *l = getenv("ZCRX_LAVA");

	return l && !strcmp(l, "1");
}

void suite_lava_line(const char *fmt, const char *a, const char *b)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), fmt, a, b), fd = kmsg_fd();

	if (n <= 0 || n >= (int)sizeof(buf))
		return;
	if (write(fd >= 0 ? fd : STDOUT_FILENO, buf, (size_t)n) < 0)
		return;
}

static void lava_case(const char *bin, const char *line)
{
	const char *result = "pass", *name, *d;
	char id[256];
	unsigned int num, k = 0;
	int off = 0;

	if (sscanf(line, "ok %u %n", &num, &off) == 1 && off) {
		d = strstr(line + off, " # ");
		if (d && !strncasecmp(d + 3, "SKIP", 4))
			result = "skip";
	} else if (sscanf(line, "not ok %u %n", &num, &off) == 1 && off) {
		result = "fail";
	} else {
		return;
	}
	name = line + off;
	k = (unsigned int)snprintf(id, sizeof(id), "%s.", bin);
	for (; *name && strncmp(name, " # ", 3) && k < sizeof(id) - 1; name++, k++) {
		char ch = *name;

		id[k] = (ch == '_' || ch == '.' || ch == '-' || (ch >= '0' && ch <= '9') ||
			 (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) ? ch : '_';
	}
	id[k] = '\0';
	suite_lava_line("zcrx-lava: case=%s result=%s\n", id, result);
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
		/* a worker that dies takes its binary with it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
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
			if (!*prefix && lava_on())
				lava_case(name, line);
			if (sscanf(line, "# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u",
				   &t->pass, &t->fail, &t->xfail, &t->xpass, &t->skip,
				   &t->error) == 6)
				*saw_totals = 1;
			len -= nl + 1 - line;
			memmove(line, nl + 1, len + 1);
		}
	}
	close(pfd[0]);
	/* its output ended: it may still hang (closed stdout): the deadline
	 * holds until it is reaped; its group is killed before the reaping,
	 * while the group id cannot have been reused
	 */
	while (!timed_out && waitpid(pid, &status, WNOHANG) == 0) {
		if (now() >= deadline) {
			timed_out = 1;
			break;
		}
		usleep(10000);
	}
	kill(-pid, SIGKILL);
	if (timed_out)
		waitpid(pid, &status, 0);
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

/* The pool's lock: a worker holds it shared while its binary runs, and
 * exclusive to retry failed cases, so that a retry runs alone, as it does
 * outside the pool (-1: not in a worker). The gate in front of it: a new
 * worker passes it (exclusive, then let go) before it takes the lock
 * shared, and a worker that retries holds it, so that new workers wait
 * behind the retry instead of overtaking it (flock grants a shared lock
 * while an exclusive one waits).
 */
static char pool_lock_path[64], pool_gate_path[64];
static int pool_lock_fd = -1;

/* zcrx-suite's signal handler: the lock files go too (unlink is
 * async-signal-safe; a worker has no file of its own to remove)
 */
void suite_signal_cleanup(void)
{
	if (pool_lock_path[0] && pool_lock_fd < 0) {
		unlink(pool_lock_path);
		unlink(pool_gate_path);
	}
}

/* In a worker: through the gate, then the lock shared. 0 or -1. */
static int pool_enter(void)
{
	int gate = open(pool_gate_path, O_RDWR | O_CLOEXEC), ret;

	pool_lock_fd = open(pool_lock_path, O_RDWR | O_CLOEXEC);
	if (gate < 0 || pool_lock_fd < 0 || flock(gate, LOCK_EX)) {
		if (gate >= 0)
			close(gate);
		return -1;
	}
	ret = flock(pool_lock_fd, LOCK_SH) ? -1 : 0;
	close(gate);
	return ret;
}

static int pool_alone(void)
{
	int gate;

	if (pool_lock_fd < 0)
		return 0;
	/* Let go of the shared lock first: a worker that holds it while it
	 * waits at the gate behind another's retry, which waits for that
	 * lock, is a deadlock (two NIC binaries on their lanes, both with a
	 * failed case, hung a presubmit run). Then new workers, and other
	 * retries, wait at the gate, held until this worker exits; the others
	 * end their binaries (each within its timeout).
	 */
	if (flock(pool_lock_fd, LOCK_UN))
		return -1;
	gate = open(pool_gate_path, O_RDWR | O_CLOEXEC);
	if (gate < 0 || flock(gate, LOCK_EX))
		return -1;
	return flock(pool_lock_fd, LOCK_EX) ? -1 : 0;
}

/* Everything one binary says: its nested KTAP, the time it took, the
 * retries of its failed cases, and its own result line (number @num).
 * Adds its counts to @t.
 */
static void run_binary(const char *dir, const char *name, int num, unsigned int timeout_s,
		       FILE *out, FILE *copy, struct totals *t)
{
	int saw = 0, st;
	double t0 = now();
	const char *verdict = "ok", *directive = "";
	char why[96], buf[32];
	struct failed fl = { 0 };

	kmsg_mark("binary", name, NULL, 0);
	st = run_one(dir, name, NULL, "", timeout_s, out, copy, t, &saw, &fl);
	snprintf(buf, sizeof(buf), "%.2f", now() - t0);
	emit(out, copy, "# zcrx-vmtest: %s took %s s\n", name, buf);
	if (st == -1) {
		verdict = "not ok";
		directive = " # TIMEOUT";
		t->error++;
	} else if (WIFSIGNALED(st)) {
		verdict = "not ok";
		snprintf(why, sizeof(why), " # ERROR killed by signal %d (%s)",
			 WTERMSIG(st), strsignal(WTERMSIG(st)));
		directive = why;
		t->error++;
	} else if (WEXITSTATUS(st) == KSFT_SKIP) {
		directive = " # SKIP";
	} else if (WEXITSTATUS(st) != 0 || !saw) {
		verdict = "not ok";
		if (!saw || (!t->fail && !t->error))
			t->error++;
		/* every failed case once more, alone: one that passes now is a
		 * flake, reported by name (not a pass), and no longer fails the
		 * binary
		 */
		if (saw && fl.n && fl.n == t->fail && !t->error && retry_on() &&
		    pool_alone() == 0 &&
		    retry_failed(dir, name, timeout_s, out, copy, &fl) == fl.n) {
			verdict = "ok";
			t->pass += t->fail;
			t->fail = 0;
		}
	}
	kmsg_mark("done", name, NULL, 0);
	snprintf(buf, sizeof(buf), "%d", num);
	fprintf(out, "%s %s ", verdict, buf);
	if (copy)
		fprintf(copy, "%s %s ", verdict, buf);
	emit(out, copy, "%s%s\n", name, directive);
}

static void add(struct totals *sum, const struct totals *t)
{
	sum->pass += t->pass;
	sum->fail += t->fail;
	sum->xfail += t->xfail;
	sum->xpass += t->xpass;
	sum->skip += t->skip;
	sum->error += t->error;
}

/* The workers of the shared binaries running now, for zcrx-suite's
 * signal handler (0: a free slot).
 */
volatile pid_t suite_worker_pids[MAX_JOBS];
void (*suite_net_ready)(void);

struct job {
	pid_t pid;		/* the worker, 0 once reaped */
	int lane;		/* NIC lane (1..), 0 in the pool */
	int fd;			/* memfd: the binary's whole output */
	int tfd;		/* pipe: the worker's struct totals */
	int done;
	struct totals t;
};

/* No NIC profile: the NIC cases can only skip (lib/nic_lib.c,
 * zcrx_nic_missing: no profile, no ZCRX=yes). A profile there, readable or
 * not, keeps them alone.
 */
static int nic_cases_skip(void)
{
	const char *p = getenv("NIC_PROFILE");

	return !p || !*p;
}

static unsigned int jobs_wanted(void)
{
	const char *j = getenv("ZCRX_JOBS");
	long n = j && *j ? strtol(j, NULL, 10) : 2 * sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (unsigned int)n;
}

/* The NETIF family (topology.h): what a lane sets */
static const char *const lane_vars[] = { NET_NETIF_FAMILY, NULL };

/* NIC lanes: 1, plus one for each NIC<k>_NETIF, k = 2, 3, ... */
static int lanes_found(void)
{
	char var[32];
	int k;

	for (k = 2; k <= MAX_JOBS; k++) {
		snprintf(var, sizeof(var), "NIC%d_NETIF", k);
		if (!getenv(var) || !*getenv(var))
			break;
	}
	return k - 1;
}

/* In a worker: lane @k's NIC<k>_* become the NETIF family (lane 1 keeps
 * its own). A variable the lane lacks is unset, not left at lane 1's.
 */
static void lane_enter(int k, FILE *out)
{
	char var[32];

	if (k < 2)
		return;
	for (size_t i = 0; lane_vars[i]; i++) {
		const char *v;

		snprintf(var, sizeof(var), "NIC%d_%s", k, lane_vars[i]);
		v = getenv(var);
		if (v && *v)
			setenv(lane_vars[i], v, 1);
		else
			unsetenv(lane_vars[i]);
	}
	fprintf(out, "# zcrx-vmtest: NIC lane %d: NETIF=%s\n", k, getenv("NETIF"));
}

/* Run a binary in a worker whose output goes to a memfd; on NIC lane
 * @jb->lane when that is not 0.
 */
static int launch(struct job *jb, const char *dir, const char *name, int num,
		  unsigned int timeout_s)
{
	int p[2];

	jb->fd = memfd_create("zcrx-binary", MFD_CLOEXEC);
	if (jb->fd < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC)) {
		close(jb->fd);
		return -1;
	}
	jb->pid = fork();
	if (jb->pid == 0) {
		FILE *b = fdopen(jb->fd, "w");
		struct totals t = { 0 };

		for (int k = 0; k < MAX_JOBS; k++)
			suite_worker_pids[k] = 0;
		close(p[0]);
		if (!b || pool_enter())
			_exit(1);
		lane_enter(jb->lane, b);
		run_binary(dir, name, num, timeout_s, b, NULL, &t);
		if (fflush(b) || ferror(b))
			_exit(1);	/* a block cut short: reported as the worker's failure */
		_exit(write(p[1], &t, sizeof(t)) == (ssize_t)sizeof(t) ? 0 : 1);
	}
	close(p[1]);
	if (jb->pid < 0) {
		jb->pid = 0;
		close(p[0]);
		close(jb->fd);
		return -1;
	}
	jb->tfd = p[0];
	for (int k = 0; k < MAX_JOBS; k++)
		if (!suite_worker_pids[k]) {
			suite_worker_pids[k] = jb->pid;
			break;
		}
	return 0;
}

/* Wait for one worker and mark its job done; when there is none to wait
 * for, mark every running job as failed. /init also reaps orphans here:
 * those are not ours and are passed over.
 */
static void reap(struct job *jobs, int n)
{
	int st;
	pid_t pid = waitpid(-1, &st, 0);

	for (int i = 0; i < n; i++) {
		struct job *jb = &jobs[i];

		if (!jb->pid || (pid > 0 && jb->pid != pid))
			continue;
		if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) ||
		    read(jb->tfd, &jb->t, sizeof(jb->t)) != (ssize_t)sizeof(jb->t)) {
			memset(&jb->t, 0, sizeof(jb->t));
			jb->t.error = 1;
			jb->done = 2;	/* the worker itself failed */
		} else {
			jb->done = 1;
		}
		for (int k = 0; k < MAX_JOBS; k++)
			if (suite_worker_pids[k] == jb->pid)
				suite_worker_pids[k] = 0;
		jb->pid = 0;
		close(jb->tfd);
	}
}

/* Copy a finished worker's output. */
static void flush_job(struct job *jb, const char *name, int num, FILE *out, FILE *copy)
{
	char line[4096];
	FILE *b;

	lseek(jb->fd, 0, SEEK_SET);
	b = fdopen(jb->fd, "r");
	while (b && fgets(line, sizeof(line), b)) {
		fputs(line, out);
		if (copy)
			fputs(line, copy);
	}
	if (b)
		fclose(b);
	else
		close(jb->fd);
	if (jb->done == 2) {
		snprintf(line, sizeof(line), "%d", num);
		emit(out, copy, "not ok %s %s # ERROR the runner's worker failed\n", line, name);
	}
	fflush(out);
	if (copy)
		fflush(copy);
}

/* How a binary runs (the order file's second word, and whether the NIC
 * cases can run here)
 */
enum run_kind { RUN_ALONE, RUN_POOL, RUN_LANE };

static enum run_kind kind_of(const char *kind, int nic_shared)
{
	if (!strcmp(kind, "shared"))
		return RUN_POOL;
	if (!strcmp(kind, "nic"))
		return nic_shared ? RUN_POOL : RUN_LANE;
	if (!strcmp(kind, "nic-global"))
		return nic_shared ? RUN_POOL : RUN_ALONE;
	return RUN_ALONE;
}

/* A NIC lane no running job holds (1..@nlanes) */
static int free_lane(const struct job *jobs, int n, int nlanes)
{
	for (int l = 1; l <= nlanes; l++) {
		int used = 0;

		for (int k = 0; k < n; k++)
			used |= jobs[k].pid > 0 && jobs[k].lane == l;
		if (!used)
			return l;
	}
	return 1;
}

int run_suite(const char *dir, const char *only, unsigned int timeout_s,
	      FILE *out, FILE *copy)
{
	static struct job jobs[MAX_BINARIES];
	char names[MAX_BINARIES][128], kinds[MAX_BINARIES][32], path[512], num[32], line[256];
	enum run_kind how[MAX_BINARIES], now_kind = RUN_ALONE;
	int is_local[MAX_BINARIES];
	struct totals sum = { 0 };
	int n = 0, next = 0, running = 0, have_lock = 0, nic_shared = nic_cases_skip();
	int no_workers = 0;	/* a worker could not start: one binary at a time */
	unsigned int njobs = jobs_wanted(), nlanes = (unsigned int)lanes_found();
	FILE *order;

	snprintf(path, sizeof(path), "%s/order", dir);
	order = fopen(path, "r");
	if (!order) {
		emit(out, copy, "KTAP version 1\n1..0\n# Bail out! no %s%s\n", path, "");
		return 1;
	}
	while (n < MAX_BINARIES && fgets(line, sizeof(line), order)) {
		char *tok = strtok(line, " \t\n");

		if (!tok)
			continue;
		snprintf(names[n], sizeof(names[n]), "%s", tok);
		/* the words after the name: a kind, and "local" */
		kinds[n][0] = '\0';
		is_local[n] = 0;
		while ((tok = strtok(NULL, " \t\n"))) {
			if (!strcmp(tok, "local"))
				is_local[n] = 1;
			else if (!kinds[n][0])
				snprintf(kinds[n], sizeof(kinds[n]), "%s", tok);
		}
		how[n] = kind_of(kinds[n], nic_shared);
		if (selected(only, names[n]))
			n++;
	}
	fclose(order);
	memset(jobs, 0, sizeof(jobs));
	snprintf(pool_lock_path, sizeof(pool_lock_path), "/tmp/zcrx-suite-%d.lock", (int)getpid());
	snprintf(pool_gate_path, sizeof(pool_gate_path), "/tmp/zcrx-suite-%d.gate", (int)getpid());
	if (njobs > 1 || nlanes > 1 || suite_net_ready) {
		int fd = open(pool_lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		int gate = open(pool_gate_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0 || gate < 0) {
			njobs = nlanes = 1;	/* no lock, no pool, no lanes */
			no_workers = 1;
		}
		if (fd >= 0)
			close(fd);
		if (gate >= 0)
			close(gate);
		have_lock = fd >= 0 || gate >= 0;
	}

	emit(out, copy, "KTAP version 1\n%s%s\n", "1..", (snprintf(num, sizeof(num), "%d", n), num));
	for (int i = 0; i <= n; i++) {
		/* a binary that runs alone, or the end: wait for every worker;
		 * a pool binary waits for the lanes, a lane binary for the pool
		 */
		enum run_kind k;
		unsigned int limit;
		struct totals t = { 0 };

		/* the first binary that needs the network: wait for it, then
		 * place the rest by the NIC it brought
		 */
		if (i < n && !is_local[i] && suite_net_ready) {
			suite_net_ready();
			suite_net_ready = NULL;
			nic_shared = nic_cases_skip();
			if (have_lock && !no_workers)
				nlanes = (unsigned int)lanes_found();
			for (int j = i; j < n; j++)
				how[j] = kind_of(kinds[j], nic_shared);
		}
		k = i == n ? RUN_ALONE : how[i];
		limit = k == RUN_POOL ? njobs : k == RUN_LANE ? nlanes : 1;
		if (limit < 2)
			k = RUN_ALONE;
		while (running && (k == RUN_ALONE || k != now_kind || running >= (int)limit)) {
			reap(jobs, n);
			running = 0;
			for (int j = 0; j < n; j++)
				running += jobs[j].pid > 0;
		}
		for (; next < i && jobs[next].done; next++) {
			flush_job(&jobs[next], names[next], next + 1, out, copy);
			add(&sum, &jobs[next].t);
		}
		if (i == n)
			break;
		if (k != RUN_ALONE) {
			jobs[i].lane = k == RUN_LANE ? free_lane(jobs, n, (int)nlanes) : 0;
			if (!launch(&jobs[i], dir, names[i], i + 1, timeout_s)) {
				now_kind = k;
				running++;
				continue;
			}
			/* no worker: from here on, one binary at a time */
			njobs = nlanes = 1;
			no_workers = 1;
			i--;
			continue;
		}
		run_binary(dir, names[i], i + 1, timeout_s, out, copy, &t);
		add(&sum, &t);
		next = i + 1;
	}
	if (have_lock) {
		unlink(pool_lock_path);
		unlink(pool_gate_path);
	}
	kmsg_mark("end", "suite", NULL, 0);
	snprintf(path, sizeof(path),
		 "# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u\n",
		 sum.pass, sum.fail, sum.xfail, sum.xpass, sum.skip, sum.error);
	emit(out, copy, "%s%s", path, "");
	return sum.fail + sum.error + sum.xpass;
}
