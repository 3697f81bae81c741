// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Issue 15's history search (shoal_bench --search [--quick]): a history of 1,000,000 messages
// (--quick: 100,000) of schema 8 is opened, the background fill indexes it (messages/s), then
// queries time MessageStore::search() (p50, p95): a rare word, a common word, 2- and
// 4-character Chinese, in all conversations and in one.
int runSearchBench(bool quick);
