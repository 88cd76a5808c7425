# SPDX-License-Identifier: GPL-2.0
# vprime: out-of-tree DRM modules (Kbuild) and their IGT-style tests.
#
#   make               modules (in place) + tests + tools, for KVER
#   make check         the suite in a guest, on every supported kernel installed
#                      (KVER=6.1, KVER=6.12 or a full version: that one only)
#   make check-debug   the suite on the debug kernel (KASAN, lockdep, kmemleak)
#   make kunit         primegem's KUnit tests under UML
#   make check-upstream  the upstream/ kernel patch series: its tests on
#                      stock vgem/vkms, unpatched (Debian) and patched
#   make fuzz          the fuzzer (tests/fuzz) in a guest on every supported
#                      kernel installed (KVER=...: that one only)
#   make fuzz-debug    the fuzzer on the debug kernel
#   make fuzz-ci       both, with CI's seed and budgets (.ci/run)
#   make shell         interactive guest with the modules loaded (KVER)
#   make demo          the cross-device display pipeline in a guest (KVER)
#   make bench-compose vdisplay's composition cost against vkms's (debug kernel)
#   make setup         install the Debian packages needed (scripts/setup)
#   make install       install the UAPI headers (PREFIX=/usr, DESTDIR)
#   make dkms-install  build and install the modules for every kernel with
#                      DKMS (dkms-remove undoes it)
#
# KVER chooses the kernel: a Debian version (6.12.117+deb12-amd64) or a
# supported line (6.1, 6.12); empty means the running kernel if supported,
# else the newest one installed (scripts/kver).

KVER	?=
# Resolved when used; scripts/kver explains an unsupported choice.
KDIR	?= /lib/modules/$(shell scripts/kver $(KVER) || echo NONE)/build
PREFIX	?= /usr
DESTDIR	?=


.PHONY: all modules tests tools setup check check-debug kunit shell demo \
	bench bench-compose install dkms-install dkms-remove dkms-test clean fuzz \
	fuzz-debug fuzz-ci check-upstream

all: modules tests tools

modules:
	@if [ ! -d "$(KDIR)" ]; then echo "modules: no kernel build tree at $(KDIR)" >&2; exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tests:
	$(MAKE) -C tests/igt
	$(MAKE) -C tests/fuzz

# vdisplay-capture (a captured frame to PNG) and vprime-demo.
tools:
	$(MAKE) -C tools

setup:
	@scripts/setup

# scripts/check builds the modules for each kernel under build/kernels/.
check:
	@scripts/setup
	$(MAKE) tests tools
	scripts/check $(if $(KVER),--kernel $(KVER))

# The debug kernel is built once (cached) by scripts/debug-kernel, outside
# make's flags; scripts/check builds the modules for it under build/debug/.
check-debug:
	@scripts/setup
	$(MAKE) tests tools
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL scripts/check --debug

# The upstream/ series: its tests on Debian's unpatched kernels (expected
# failures) and on the debug kernel, which carries it (scripts/check-upstream).
check-upstream:
	@scripts/setup
	$(MAKE) tests
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL scripts/check-upstream

# primegem's KUnit tests under UML, in a cached copy of linux-source-6.12.
kunit:
	@scripts/setup
	scripts/kunit

# The fuzzer, seeded and bounded (scripts/fuzz: FUZZ_ARGS go to it, e.g.
# FUZZ_ARGS="--seed 7 --calls 20000"). fuzz-ci is what .ci/run runs.
FUZZ_ARGS ?=

fuzz:
	@scripts/setup
	$(MAKE) -C tests/fuzz
	scripts/fuzz $(if $(KVER),--kernel $(KVER)) $(FUZZ_ARGS)

fuzz-debug:
	@scripts/setup
	$(MAKE) -C tests/fuzz
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL scripts/fuzz --debug $(FUZZ_ARGS)

fuzz-ci:
	@scripts/setup
	$(MAKE) -C tests/fuzz
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL scripts/fuzz --debug \
		$(foreach k,$(shell scripts/kver --all),--kernel $(k)) \
		--seed 1 --calls 100000

shell:
	@scripts/setup
	$(MAKE) tests tools
	moddir=$$(scripts/build-modules $(KVER)) && \
	VPRIME_MODDIR=$$moddir scripts/vm shell $(if $(KVER),--kernel $(KVER)) \
		--modprobe drm --modprobe drm_kms_helper --modprobe gpu-sched \
		--modprobe configfs \
		--module $$moddir/drivers/gpu/drm/primegem/primegem.ko \
		--module "$$moddir/drivers/gpu/drm/vrender/vrender.ko devices=3" \
		--module $$moddir/drivers/gpu/drm/vdisplay/vdisplay.ko

# vrender's PRIME figures against stock vgem's, per kernel, into out/bench/
# (and vdisplay against vkms if the debug kernel is built).
bench:
	@scripts/setup
	$(MAKE) all
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL scripts/bench $(if $(KVER),--kernel $(KVER))

# vdisplay's composition cost against vkms's, on the debug kernel.
bench-compose:
	@scripts/setup
	$(MAKE) tests
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL scripts/bench-compose

# Setup, build, guest run and report: all in scripts/demo.
demo:
	scripts/demo $(if $(KVER),--kernel $(KVER))

install:
	install -d $(DESTDIR)$(PREFIX)/include/drm
	install -m 644 include/uapi/drm/*.h $(DESTDIR)$(PREFIX)/include/drm/

# DKMS builds from a copy of the sources under /usr/src, for every kernel
# whose headers are installed, and again on each kernel upgrade.
dkms-install:
	scripts/dkms install

dkms-remove:
	scripts/dkms remove

# CI: dkms build for every supported kernel, then modprobe in a guest.
dkms-test:
	scripts/dkms test

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tests/igt clean
	$(MAKE) -C tests/fuzz clean
	$(MAKE) -C tools clean
	rm -rf build/
