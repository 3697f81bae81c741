// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What a group message's signature costs on one core (ECDSA P-256, OpenSSL EVP): signs and
// verifies a second, and one 512-message catch-up page checked as the groups service does
// (each body decoded, the chain of link hashes, one verify), beside verifying every message.
// Prints a table row for each. Returns the exit code.
int runSignBench();
