#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole listen-in story as a test: a SIP call through the gateway,
# learned by listenind, listened to by an in-scope supervisor (both tones in
# the WAV file), refused to an out-of-scope one, ended by a transfer out of
# scope, audited and verified. tests/demo/story.sh is the story; its TAP
# lines are this test's.
# listenin: timeout=400
exec "$(dirname "$0")/../demo/story.sh"
