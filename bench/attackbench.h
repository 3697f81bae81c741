// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

// The attacked peer's process: a Messenger with its history in `profile`, until the parent
// (runAttackBench) ends it.
int runAttackedPeer(const QString &profile);
// One attacker's process: runs attack `kind` on Alice until the parent ends it.
int runAttacker(const QString &kind, quint16 tcpPort, quint16 udpPort);
// Runs each attack against a child Alice while Bob chats with her; prints the table.
int runAttackBench();
