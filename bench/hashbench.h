// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// SHA-256 of 512 MiB held in memory, through Sha256 (OpenSSL EVP) and through
// QCryptographicHash, in turns; prints a table row for each. Returns the exit code.
int runHashBench();
