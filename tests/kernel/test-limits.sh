#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The max_taps (per namespace), max_streams (per tap) and max_outputs (per
# stream) module parameters are enforced with an error that says which limit
# was hit, and nothing half-created is left behind; a namespace's limit does
# not count another namespace's taps.
# listenin: no-autoload
#
# shellcheck disable=SC2046 # $(stream ...) expands to lictl words on purpose

. "$(dirname "$0")/lib.sh"

GENL=${GENL:-tests/build/kselftest/genl}

require_root
require_tools
[ -r "$LISTENIN_KO" ] || skip_all "$LISTENIN_KO is missing: make module"
ktap_plan 5

# Two namespaces are enough here: gw, and agent as a second one.
setup() {
	cleanup
	module_load max_taps=2 max_streams=2 max_outputs=2
	ip netns add "$ns_gw"
	ip netns add "$ns_agent"
}

# stream PORT [OUTPUTS]: lictl words for one IPv4 stream with OUTPUTS outputs.
stream() {
	local i
	echo "stream 198.51.100.1:$1"
	for i in $(seq "${2:-1}"); do
		echo "output 203.0.113.1:$((6000 + i)) src 203.0.113.254:7000"
	done
}

# add_fails WHAT WORDS...: lictl tap add must fail naming WHAT.
add_fails() {
	local what=$1 out
	shift
	if out=$(n_gw "$LICTL" tap add "$@" 2>&1); then
		fail "lictl tap add beyond the $what limit succeeded: $out"
	fi
	diag "lictl: $out"
	grep -qi -- "$what" <<<"$out" || fail "the error does not name $what"
}

parameters_visible() {
	setup
	expect_eq max_taps "$(cat /sys/module/listenin/parameters/max_taps)" 2
	expect_eq max_streams "$(cat /sys/module/listenin/parameters/max_streams)" 2
	expect_eq max_outputs "$(cat /sys/module/listenin/parameters/max_outputs)" 2
}

max_taps() {
	local id
	setup
	id=$(tap_add $(stream 5000))
	tap_add $(stream 5002) >/dev/null
	add_fails max_taps $(stream 5004)
	expect_eq "taps" "$(tap_count)" 2
	# Another namespace has its own budget.
	n_agent "$LICTL" tap add $(stream 5000) >/dev/null || fail "a second namespace could not add a tap"
	n_agent "$LICTL" tap add $(stream 5002) >/dev/null || fail "a second namespace could not add two taps"
	# A freed slot can be used again.
	tap_del "$id"
	tap_add $(stream 5004) >/dev/null
	expect_eq "taps" "$(tap_count)" 2
}

max_streams() {
	setup
	add_fails max_streams $(stream 5000) $(stream 5002) $(stream 5004)
	expect_eq "taps after the failure" "$(tap_count)" 0
	expect_eq "streams gauge after the failure" "$(sys_stat streams)" 0
	tap_add $(stream 5000) $(stream 5002) >/dev/null
	expect_eq "streams gauge" "$(sys_stat streams)" 2
}

max_outputs() {
	setup
	add_fails max_outputs $(stream 5000 3)
	expect_eq "taps after the failure" "$(tap_count)" 0
	expect_eq "outputs gauge after the failure" "$(sys_stat outputs)" 0
	tap_add $(stream 5000 2) >/dev/null
	expect_eq "outputs gauge" "$(sys_stat outputs)" 2
}

kselftest_limits() {
	setup
	[ -x "$GENL" ] || fail "$GENL is missing: make -C tests"
	LISTENIN_GENL_ONLY="max_taps_gives_enospc max_streams_and_max_outputs_give_e2big" \
		"$GENL" >"$tmp/genl.out" 2>&1 || { diag_file "$tmp/genl.out"; fail "$GENL failed"; }
	grep -E '^(not )?ok' "$tmp/genl.out" | grep -v 'not in LISTENIN_GENL_ONLY' | sed 's/^/# genl: /'
	if grep -q "SKIP max_taps" "$tmp/genl.out"; then
		fail "the ENOSPC test skipped"
	fi
}

subtest "module parameters are visible" parameters_visible
subtest "max_taps per namespace: ENOSPC, naming the limit" max_taps
subtest "max_streams per tap: E2BIG, naming the limit, nothing left" max_streams
subtest "max_outputs per stream: E2BIG, naming the limit, nothing left" max_outputs
subtest "netlink: ENOSPC and E2BIG with extack at small limits" kselftest_limits
module_unload
ktap_finish
