# SPDX-License-Identifier: GPL-2.0
#
# The one entry point. Each target calls one script in scripts/; see
# README.md. `make` sets everything up and runs the series' KUnit suites;
# `make check` runs every test stage and ends with "N passed, N failed".

S := scripts

.PHONY: all deps base record tree export lint bisect checkpatch cocci-test \
	coccicheck kunit kunit-default e2e b4 quilt uapi selftest signoff \
	mainline mainline-tree mainline-record stable check help clean \
	e2e-repeat e2e-faults e2e-nested e2e-twonode e2e-cmm

all: deps base tree kunit-default

help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
	@echo
	@echo "Kernels (KERNEL=K for the targets that make or check one tree; kernels/):"
	@for k in $$(ls kernels | grep -E '^[0-9]+[.][0-9]+$$' | sort -V); do \
		printf '  %-6s %s\n' "$$k" "$$(sed -n 's/^TITLE="\(.*\)"$$/\1/p' kernels/$$k)"; done

## make              install what is missing, make the base, apply, run KUnit
## make check        every test stage on every kernel (STAGES="tree bisect ...",
##                   KERNELS="7.3 ..." for a subset; scripts/check --plan lists them)
check:
	@$(S)/check $(STAGES)

## make deps         install the Debian packages the project needs
deps:
	@$(S)/deps

## make base         make build/linux with the upstream and base commits
##                   (KERNEL=7.3 or 7.2: that kernel's tree, kernels/K)
base:
	@$(S)/mkbase

## make record       write the commit ids to the RECORD and the cover (KERNEL=K)
record:
	@$(S)/mkbase --record
	@$(S)/cover --update-base

## make tree         git am the series onto base, branch 'series'
tree:
	@$(S)/apply

## make export       write branch 'series' back to patches/ and series
export:
	@$(S)/export

lint:
	@$(S)/lint-series

## make bisect       build after every patch (x86_64 on/off, arm64), W=1, sparse
bisect:
	@$(S)/bisect-build

## make checkpatch   checkpatch.pl --strict on every patch
checkpatch:
	@$(S)/checkpatch

## make cocci-test   Coccinelle rules against their fixtures
cocci-test:
	@$(S)/cocci test

## make coccicheck   Coccinelle rules over the files the series touches
coccicheck:
	@$(S)/cocci check

## make kunit        every kernel's KUnit runs (kernels/K: KUNIT_RUNS) and mutations
##                   (KERNELS="6.12" for one kernel's)
kunit:
	@$(S)/check kunit mutate

kunit-default:
	@$(S)/kunit default

## make e2e          virtio-balloon in QEMU on series, base and upstream, pseries
##                   cmm (ppc64le), Hyper-V and Xen nested (series, base,
##                   without patch 4 / 3)
e2e:
	@$(S)/e2e

## make e2e-repeat   the e2e pressure scenario 20 times on series (RUNS=N)
e2e-repeat:
	@$(S)/e2e --repeat --runs $(or $(RUNS),20)

## make e2e-faults   the e2e control channel behind a faulty link (SEED=N)
e2e-faults:
	@$(S)/e2e --faults --seed $(or $(SEED),1)

## make e2e-nested   Hyper-V and Xen balloons nested in QEMU alone (TREES="series base")
NESTED_TREES = $(or $(TREES),series base series-no-hv series-no-xen)
e2e-nested:
	@$(S)/e2e --build --tree l1 $(foreach t,$(NESTED_TREES),--tree $(t))
	@$(S)/e2e-nested $(foreach t,$(NESTED_TREES),--tree $(t))

## make e2e-cmm      pseries cmm (simulate=1) in a ppc64le guest alone (TREES="series base")
e2e-cmm:
	@$(S)/e2e --cmm $(foreach t,$(TREES),--tree $(t))

## make e2e-twonode  7.3 guest with two nodes: offline node 1 under the balloon, without and with the fix
e2e-twonode:
	@KERNEL=7.3 $(S)/e2e --twonode

## make b4           b4 prep/send -o/am round trip of the series
b4:
	@$(S)/b4-roundtrip

## make quilt        quilt push -a of series on a fresh base
quilt:
	@$(S)/check-series

## make uapi         headers_install and user-space programs reading bit 23
uapi:
	@$(S)/uapi

## make selftest     shellcheck and error-path tests of scripts/, unit tests
##                   of scripts/pylib
selftest:
	@$(S)/selftest

## make mainline-tree   build/mainline (make base KERNEL=7.3)
mainline-tree:
	@KERNEL=7.3 $(S)/mkbase

## make mainline-record write mainline/RECORD (make record KERNEL=7.3)
mainline-record:
	@KERNEL=7.3 $(S)/mkbase --record
	@KERNEL=7.3 $(S)/cover --update-base

## make mainline     every stage of 7.3, the mainline series (= make check KERNELS=7.3)
mainline:
	@KERNELS=7.3 $(S)/check $(STAGES)

## make stable       every stage of 7.2, the fix's stable target (= make check KERNELS=7.2)
stable:
	@KERNELS=7.2 $(S)/check $(STAGES)

## make signoff      replace the project sign-off with yours (NAME=, EMAIL=)
signoff:
	@$(S)/signoff

clean:
	rm -rf build/out build/kunit build/e2e build/e2e-7.3 build/report build/wt
