# SPDX-License-Identifier: GPL-2.0
# vprime: out-of-tree DRM modules (Kbuild) and their IGT-style tests.
#
#   make               modules + tests for Debian's kernel (KDIR=... to override)
#   make check         build, boot a guest, load the modules, run the suite
#   make check-debug   same on the debug kernel (KASAN, lockdep, kmemleak)
#   make kunit         primegem's KUnit tests under UML
#   make shell         interactive guest with the modules loaded
#   make demo          the cross-device display pipeline in a guest, into out/demo/
#   make setup         install the Debian packages needed (scripts/setup)

KVER	?= $(shell scripts/kver)
KDIR	?= /lib/modules/$(KVER)/build
DEBUG	:= $(CURDIR)/build/debug

# rsync filter for check-debug: copy sources, keep build products out (the
# ones already in build/debug are left alone, so rebuilds stay incremental).
PRODUCTS := --exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	    --exclude='*.cmd' --exclude='*.d' --exclude='*.a' --exclude='modules.order' \
	    --exclude='Module.symvers' --exclude='.tmp_versions'

.PHONY: all modules tests tools setup check check-debug kunit shell demo clean

all: modules tests tools

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tests:
	@if [ -f tests/igt/Makefile ]; then \
		$(MAKE) -C tests/igt; \
	else \
		echo "tests: tests/igt/Makefile missing, nothing to build"; \
	fi

# vdisplay-capture: a captured frame to PNG.
tools:
	$(MAKE) -C tools

setup:
	@scripts/setup

check:
	@scripts/setup
	$(MAKE) all
	scripts/check

# The debug kernel is built once (cached) by scripts/debug-kernel, outside
# make's flags (a -n must not reach it); the modules are built against it in
# a copy of the sources, build/debug/. Its path goes through a file so that
# `make -n`, which runs $(MAKE) lines, never starts a kernel build.
check-debug:
	@scripts/setup
	@mkdir -p $(DEBUG)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL scripts/debug-kernel >$(DEBUG)/.kernel-tree
	rsync -a --delete $(PRODUCTS) --exclude=.kernel-tree Kbuild drivers include $(DEBUG)/
	$(MAKE) -C "$$(cat $(DEBUG)/.kernel-tree)" M=$(DEBUG) modules
	$(MAKE) tests
	scripts/check --debug

# primegem's KUnit tests under UML, in a cached copy of linux-source-6.1.
kunit:
	@scripts/setup
	scripts/kunit

shell: modules
	VPRIME_MODDIR=$(CURDIR) scripts/vm shell --modprobe drm \
		--modprobe drm_kms_helper \
		--module $(CURDIR)/drivers/gpu/drm/primegem/primegem.ko \
		--module "$(CURDIR)/drivers/gpu/drm/vrender/vrender.ko devices=3" \
		--module $(CURDIR)/drivers/gpu/drm/vdisplay/vdisplay.ko

# Setup, build, guest run and report: all in scripts/demo.
demo:
	scripts/demo

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	@if [ -f tests/igt/Makefile ]; then $(MAKE) -C tests/igt clean; fi
	$(MAKE) -C tools clean
	rm -rf build/
