#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer (clang 14) into build-asan/ and
# runs there the tests that feed Shoal what comes off the wire (decoders, hostile peers,
# each service's malformed input, sealed envelopes and carriers), then the attack benchmark:
# every attack on a peer built with the sanitizers. Any sanitizer report fails. The fuzz
# targets (the main build) run sanitized too. The window's tests, the topology tests (network
# namespaces), the store's, the foreign TLS clients of tst_outside, discovery, the gigabyte
# transfers of tst_filescli and the timing tests of network changes run in the main build only:
# the whole suite twice did not fit CI's 20 minutes (issue 16 moved the store's, tst_outside's,
# discovery's, tst_crash's, tst_search's and tst_messenger's out for that reason). (-O1 ran the suite 14 s faster but took 133 s longer to build; -O0 it stays, with
# line tables only: a report still names file and line.)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
    -DSHOAL_ASAN=ON -DSHOAL_UBSAN=ON -DSHOAL_BENCH=ON -DSHOAL_FUZZ=OFF -DSHOAL_GUI=OFF \
    -DCMAKE_CXX_FLAGS_DEBUG="-O0 -gline-tables-only"
TESTS=(tst_framedecoder tst_messages tst_invitelink tst_presencewire
    tst_streams tst_dispatcher tst_keepalive
    tst_pexnet tst_typingquote tst_presencenet tst_inbox tst_peerexchange tst_announcement
    tst_offercheck tst_filesink tst_transfershostile tst_groupbody tst_groupservice
    tst_groupshostile tst_groupreply tst_cli tst_avatarimage tst_avatarservice
    tst_avatarsmessenger tst_ipmsgpacket tst_ipmsgtransport tst_ipmsgfiles
    tst_envelope tst_carrystore tst_courier tst_courierhold tst_mailmessage tst_mailnotices)
cmake --build build-asan --target shoal_bench shoal-cli "${TESTS[@]}"
# CI (SHOAL_CI_OVERLAP=1): the README's release build, niced, while the sanitized tests below
# wait on sockets and timers much of the time; scripts/test.sh then finds it built. Waited for
# before the attack benchmark.
overlap=
if [ -n "${SHOAL_CI_OVERLAP:-}" ]; then
    nice -n 19 env BUILD_TYPE=Release ./scripts/build.sh -DSHOAL_BENCH=OFF \
        -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" > build-overlap.log 2>&1 &
    overlap=$!
fi
cd build-asan
# tst_hostile runs in the main build only: its lock-out cases fill 512 connections against
# 1 s handshake limits, which this -O0 instrumented build missed on a fresh CI tree twice during
# issue 16 (it passed when run again); the attack benchmark below attacks a sanitized peer.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest -j2 --output-on-failure --timeout 300 -R "^($(IFS='|'; echo "${TESTS[*]}"))\$"
if [ -n "$overlap" ] && ! wait "$overlap"; then
    tail -n 60 ../build-overlap.log >&2
    echo "the release build failed" >&2
    exit 1
fi

# The attacks of bench/run.sh --attacks, each against a sanitized peer in a process of its own.
echo "== the attack benchmark under ASan + UBSan"
SHOAL_LOOPBACK_ONLY=1 QT_LOGGING_RULES="shoal.*=false" QT_QPA_PLATFORM=offscreen \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ./bench/shoal_bench --attacks
