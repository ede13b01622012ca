#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# listenind's configuration: --check-config and --dump-config, the embedded
# defaults with no file, errors naming file and line, and SIGHUP reloads (a
# bad file keeps the running configuration; changed listeners and control
# socket are reopened). One namespace "d"; HEP sent with hepsend.py.

. "$(dirname "$0")/lib.sh"

need_root
setup
SEND="$PYTHON $HERE/hepsend.py"
GROUP=$(getent group daemon nogroup | head -1 | cut -d: -f1)
[ -n "$GROUP" ] || skip_all "no group named daemon or nogroup to give the socket to"

# --check-config
cat >"$TMP/good.conf" <<CONF
[daemon]
control_socket = $TMP/run/control.sock
[hep]
listen_udp = 127.0.0.1:9060
CONF
out=$("$LISTENIND" -c "$TMP/good.conf" --check-config 2>&1)
check "--check-config accepts a valid file" \
	[ "$out" = "listenind: $TMP/good.conf: configuration is valid" ]
printf '[daemon]\nlog_level = info\n[hep]\nlisen = 127.0.0.1:9060\n' >"$TMP/bad.conf"
out=$("$LISTENIND" -c "$TMP/bad.conf" --check-config 2>&1)
rc=$?
diag "$out"
check "--check-config names file, line and problem, exit 1" \
	[ "$rc: $out" = "1: listenind: $TMP/bad.conf:4: unknown key \"lisen\" in [hep]" ]
out=$("$LISTENIND" -c "$TMP/none.conf" 2>&1)
rc=$?
check "a missing -c file is an error naming it, exit 1" \
	[ "$rc: $out" = "1: listenind: $TMP/none.conf: cannot open: No such file or directory" ]
"$LISTENIND" --frobnicate >/dev/null 2>&1
check "an unknown option exits 2" [ $? = 2 ]
"$LISTENIND" -c "$TMP/good.conf" --dump-config >"$TMP/dump.conf"
check "--dump-config shows every section with values" \
	grep -q "^listen_udp = 127.0.0.1:9060" "$TMP/dump.conf"
check "--dump-config output is itself a valid configuration" \
	quiet "$LISTENIND" -c "$TMP/dump.conf" --check-config

netns d

# No file at all: embedded defaults, default socket path (in a private /run).
if [ ! -e /etc/listenind.conf ] && command -v unshare >/dev/null; then
	bg d unshare -m sh -c 'mount -t tmpfs listenind-test /run && exec "$0"' \
		"$LISTENIND" 2>"$TMP/defaults.log"
	pid=$BG_PID
	for i in $(seq 1 50); do
		nsenter -t "$pid" -m test -S /run/listenind/control.sock 2>/dev/null && break
		sleep 0.1
	done
	out=$(nsenter -t "$pid" -m -n "$LICTL" calls 2>&1)
	check "no configuration file: runs on defaults, socket /run/listenind/control.sock" \
		grep -q '(no calls)' <<<"$out"
	mode=$(nsenter -t "$pid" -m stat -c %a /run/listenind/control.sock)
	check "default socket mode 0660" [ "$mode" = 660 ]
	nsenter -t "$pid" -n $SEND invite 127.0.0.1 9060 defaults >/dev/null
	sleep 0.3
	check "defaults: HEP on 127.0.0.1:9060/udp" \
		eventually quiet nsenter -t "$pid" -m -n "$LICTL" call show flood-defaults
	kill -INT "$pid"
	wait "$pid"
	check "SIGINT stops it with status 0" [ $? = 0 ]
else
	ok "# SKIP defaults: /etc/listenind.conf exists or unshare is missing"
fi

# Reloads.
cp "$TMP/good.conf" "$TMP/live.conf"
start_daemon d "$TMP/live.conf" 2>"$TMP/listenind.log"
run_in d $SEND invite 127.0.0.1 9060 one >/dev/null
sleep 0.2
check "HEP on the configured port" eventually quiet "$LICTL" call show flood-one

cat "$TMP/bad.conf" >"$TMP/live.conf"
kill -HUP "$DAEMON_PID"
sleep 0.3
check "a bad file on SIGHUP is logged with file and line" \
	grep -q "reload failed, keeping the running configuration: $TMP/live.conf:4: unknown key \"lisen\" in \[hep\]" "$TMP/listenind.log"
expect_json "the failed reload is counted" "$(stat_of 'j["daemon"]')" \
	'j["reloads"] == 0 and j["reload_failures"] == 1'
run_in d $SEND invite 127.0.0.1 9060 two >/dev/null
sleep 0.2
check "the running configuration stays: HEP still on 9060" \
	eventually quiet "$LICTL" call show flood-two

old_sock=$LISTENIND_SOCKET
cat >"$TMP/live.conf" <<CONF
[daemon]
log_level = debug
control_socket = $TMP/run2/control.sock
control_mode = 0640
control_group = $GROUP
[hep]
listen_udp = 127.0.0.1:9070, [::1]:9071
CONF
kill -HUP "$DAEMON_PID"
sleep 0.3
LISTENIND_SOCKET=$TMP/run2/control.sock
check "a new control socket path is served after reload" quiet "$LICTL" calls
check "the old control socket is removed" [ ! -e "$old_sock" ]
check "the new socket has the new mode 0640 and group $GROUP" \
	[ "$(stat -c %a:%G "$LISTENIND_SOCKET")" = "640:$GROUP" ]
expect_json "the reload is counted" "$(stat_of 'j["daemon"]')" \
	'j["reloads"] == 1 and j["reload_failures"] == 1'
run_in d $SEND invite 127.0.0.1 9070 three >/dev/null
run_in d $SEND invite 127.0.0.1 9060 four >/dev/null
sleep 0.2
check "HEP moved to the new port" eventually quiet "$LICTL" call show flood-three
run_in d $SEND invite ::1 9071 six >/dev/null
check "HEP on an IPv6 address" eventually quiet "$LICTL" call show flood-six
check "and left the old one" not quiet "$LICTL" call show flood-four
check "the new log level applies (debug lines logged)" \
	grep -q 'debug:' "$TMP/listenind.log"
check "calls learned before the reloads are kept" eventually quiet "$LICTL" call show flood-one

sed -i 's/^control_mode = 0640/control_mode = 0600/' "$TMP/live.conf"
kill -HUP "$DAEMON_PID"
check "a new mode on the same socket path applies in place" \
	eventually [ "$(stat -c %a "$LISTENIND_SOCKET")" = 600 ]
expect_json "two reloads applied, one refused" "$(stat_of 'j["daemon"]')" \
	'j["reloads"] == 2 and j["reload_failures"] == 1'
check "listenind stops cleanly on SIGTERM" stop_daemon
check "control socket removed on exit" [ ! -e "$LISTENIND_SOCKET" ]
no_sanitizer_report "$TMP/listenind.log"
finish
