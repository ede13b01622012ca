# SPDX-License-Identifier: GPL-2.0
#
# make            build kmod/listenin.ko and the userspace programs
# make check      install what is missing, build, run every test (VM included)
# make demo       install what is missing, build, run the demo in the VM
# make bench      run the benchmarks in the VM
# make sparse     build the module with sparse (C=2)
# make checkpatch run checkpatch.pl --strict on kmod/ and uapi/

KERNEL_RELEASE ?= $(shell scripts/kernel-release 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KERNEL_RELEASE)

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C daemon

deps:
	scripts/install-deps

check: deps
	scripts/check

demo: deps
	scripts/demo

bench: deps
	scripts/bench

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

checkpatch:
	scripts/checkpatch

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C daemon clean

.PHONY: all module userspace deps check demo bench sparse checkpatch clean
