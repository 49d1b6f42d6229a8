# zcrx-vmtest: the one entry point. `make help` lists targets and knobs.
SHELL := /bin/bash
export ZCRX_TOP := $(CURDIR)
# Made absolute once, here (relative to where make was started); an empty
# value means the default. The scripts refuse "/".
override BUILD_DIR := $(abspath $(or $(BUILD_DIR),$(CURDIR)/build))
override RESULTS_DIR := $(abspath $(or $(RESULTS_DIR),$(CURDIR)/results))
export BUILD_DIR RESULTS_DIR

# Knobs (environment or command line)
export KERNEL ?=
export TESTS ?=
export VM ?= qemu
export VM_ACCEL ?= auto
export VM_NET ?= auto
export VM_TIMEOUT ?=
export ZCRX_TESTS := $(TESTS)
export KSRC ?=
export KCONFIG ?=
export MUTANTS ?=

.PHONY: help vm-test vm-run vm-shell guest-image selftests hw-test history promote presubmit kcidb kcov-report check unit lint deps kernel mutants bench bench-run bench-nic flake-runs fresh-check list-tests lava-jobs matrix clean distclean

help:
	@echo "zcrx-vmtest targets:"
	@echo "  make vm-test     boot a kernel in QEMU, run the guest suite, report (KTAP + summary)"
	@echo "  make vm-run      boot the kernel with the Debian guest image and run CMD='...' as root in it; exits with CMD's status"
	@echo "  make vm-shell    the same with a shell on the terminal (or commands from a pipe)"
	@echo "  make selftests   the kernel's drivers/net/hw selftests (iou-zcrx.py, ...) on the virtual NIC, via the kernel's runner (SELFTESTS=a.py,b.py)"
	@echo "  make hw-test     the suite on this machine's own zcrx NIC (a bare-metal runner; net.config, NIC restored after): docs/runners.md"
	@echo "  make presubmit   KSRC=<tree> [BASE=commit|dir|debian]: the suite on HEAD and BASE, regressions by case and row (docs/presubmit.md)"
	@echo "  make kcidb       RUN_DIRS='results/A results/B': the runs as a KCIDB v5 document on stdout, for KernelCI"
	@echo "  make promote     run make hw-test until PROMOTE_N (16) clean runs in a row make this runner trusted (RUNNER=name)"
	@echo "  make history     the results history: last runs; Q='diff A B', 'check RUN', 'flips', 'case GLOB', 'baseline ...', 'known ...' (docs/results.md)"
	@echo "  make guest-image build the Debian guest image of vm-run/vm-shell (mmdebstrap; cached by recipe)"
	@echo "  make check       the project's own tests: lint, unit tests, VM suite on 7.3, 7.0, libvirt, lean kernel"
	@echo "  make unit        host-side unit tests only (bats)"
	@echo "  make lint        shellcheck of every host script, checkpatch.pl of the guest C"
	@echo "  make deps        fetch the guest toolchain; with KSRC=, also install the kernel build tools (host release) and fetch the source"
	@echo "  make fresh-check make vm-test and make deps KSRC=debian in a new Debian root (debootstrap): nothing from outside its release may land"
	@echo "  make list-tests  the test binaries TESTS= accepts"
	@echo "  make kernel      build a lean bzImage from Debian's linux-source-7.3 (or KSRC=)"
	@echo "  make kcov-report which kernel lines and branches of io_uring/ and netdevsim the suite runs (gcov kernel, lcov; not in make check)"
	@echo "  make mutants     mutation testing of the suite against io_uring/zcrx.c and query.c"
	@echo "  make bench       time vm-test over RUNS=5 runs, each paired with the floor (same kernel, an /init that powers off): medians and the ratio (COLD=1: from an empty build dir; BENCH_TOUCH=FILE with KSRC=)"
	@echo "  make flake-runs  the whole patched suite RUNS=20 times in a row (LOAD=1: beside a kernel build), counting failures"
	@echo "  make bench-run   time make vm-run CMD=true over RUNS=5 runs (median, min, max)"
	@echo "  make bench-nic   zero-copy vs copy-fallback throughput on the patched netdevsim (RUNS=3)"
	@echo "  make lava-jobs   LAVA job definitions (the suite on a qemu device, make hw-test per LAVA_RUNNERS device, health checks) and their artifacts in LAVA_OUT: docs/lab.md"
	@echo "  make matrix      KERNELS x CONFIGS x VMS through vm-test, MATRIX_JOBS at once; one table (docs/lab.md)"
	@echo "  make clean       remove build outputs (keeps downloaded packages)"
	@echo "  make distclean   remove build/ and results/"
	@host-scripts/knobs.sh help

vm-test:
	@host-scripts/vm-test.sh

# make vm-run / vm-shell: the guest command's exit status is make's (GNU
# make alone exits 2 on any failure: host-scripts/make-exit-status.c ends it
# with the status instead). CMD is taken as typed: $(value CMD), no make
# expansion. The directory make was started in ($(PWD): GNU make keeps the
# environment's across -C) is shared with the guest and where CMD starts.
ifneq ($(filter vm-run vm-shell hw-test presubmit,$(MAKECMDGOALS)),)
VM_RUN_STATUS := $(BUILD_DIR)/.vm-run-status.$(shell echo $$PPID)
-load $(BUILD_DIR)/make/make-exit-status.so(make_exit_status_gmk_setup)
$(BUILD_DIR)/make/make-exit-status.so: host-scripts/make-exit-status.c
	@mkdir -p $(@D) && { gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o $@ $< 2>/dev/null || true; }
vm_run_exit = $(if $(filter %make-exit-status.so,$(.LOADED)),$(exit-status-file $(VM_RUN_STATUS)),rc=$$(cat $(VM_RUN_STATUS)); rm -f $(VM_RUN_STATUS); exit $$rc)
endif
# the directory make was started in, and CMD as typed: one quoted word each
CALLER_PWD_Q = '$(subst ','\'',$(PWD))'
CMD_Q = '$(subst ','\'',$(value CMD))'
# $(call keep_status,COMMAND): COMMAND from the caller's directory, its exit
# status kept for vm_run_exit (vm-run, vm-shell, presubmit, hw-test)
keep_status = rm -f "$(VM_RUN_STATUS)"; ZCRX_CALLER_PWD=$(CALLER_PWD_Q) $(1); echo $$? >"$(VM_RUN_STATUS)"
.PHONY: .vm-run .vm-shell
.vm-run:
	@$(call keep_status,host-scripts/vm-run.sh cmd $(CMD_Q))
vm-run: .vm-run
	@$(vm_run_exit)
.vm-shell:
	@$(call keep_status,host-scripts/vm-run.sh shell)
vm-shell: .vm-shell
	@$(vm_run_exit)

selftests:
	@host-scripts/selftests.sh

# what a series breaks, before it is mailed: make presubmit KSRC=<tree> [BASE=...]
.PHONY: .presubmit
.presubmit:
	@$(call keep_status,host-scripts/presubmit.sh)
presubmit: .presubmit
	@$(vm_run_exit)

# a KCIDB v5 export of runs: make -s kcidb RUN_DIRS='results/a results/b' > report.json
kcidb:
	@host-scripts/report/kcidb.sh $(RUN_DIRS)

# runner promotion on evidence: make promote [RUNNER=name] (docs/runners.md)
promote:
	@ZCRX_CALLER_PWD=$(CALLER_PWD_Q) host-scripts/promote.sh run $(RUNNER)

# the results history: make history (the last runs), or
# make history Q='diff RUN-A RUN-B' (any host-scripts/history.sh command)
history:
	@host-scripts/history.sh $(if $(Q),$(Q),runs)

# the suite on this machine's own NIC (a bare-metal runner): docs/runners.md
# make exits with hw-test.sh's status (1 failed, 2 bad input), as vm-run
.PHONY: .hw-test
.hw-test:
	@$(call keep_status,host-scripts/hw-test.sh)
hw-test: .hw-test
	@$(vm_run_exit)

guest-image:
	@images/guest-image.sh >/dev/null

deps:
	@host-scripts/fetch-toolchain.sh
	@if [ -n "$(KSRC)" ]; then KBUILD_STEP=deps host-scripts/kernels/build-kernel.sh; fi

fresh-check:
	@host-scripts/dev/fresh-check.sh

list-tests:
	@$(MAKE) -s --no-print-directory -C guest-tests list-tests

kernel:
	@KSRC=$${KSRC:-debian} host-scripts/kernels/build-kernel.sh

mutants:
	@host-scripts/dev/mutants.sh

kcov-report:
	@host-scripts/dev/kcov-report.sh

RUNS ?= 5
bench:
	@host-scripts/dev/bench.sh $(RUNS)

flake-runs:
	@host-scripts/dev/flake-runs.sh $(if $(filter command line environment,$(origin RUNS)),$(RUNS),20)

bench-run:
	@host-scripts/dev/bench-run.sh $(RUNS)

bench-nic:
	@host-scripts/dev/bench-nic.sh $(if $(filter command line environment,$(origin RUNS)),$(RUNS),3)

# LAVA job definitions and their artifacts (docs/lab.md): make lava-jobs [LAVA_ARTIFACT_URL=...] [LAVA_RUNNERS=...]
lava-jobs:
	@host-scripts/lava/jobs.sh

# the kernel x config x backend matrix on this machine: make matrix [KERNELS=...] [CONFIGS=...] [VMS=...]
matrix:
	@host-scripts/matrix.sh

unit:
	@host-scripts/dev/check-unit.sh

lint:
	@host-scripts/dev/check-lint.sh

check:
	@host-scripts/dev/check.sh

# Only what this project made: a BUILD_DIR/RESULTS_DIR that is not the
# default is removed only when it carries the project's marker file.
clean:
	@host-scripts/clean.sh build

distclean:
	@host-scripts/clean.sh all
