// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/transferrecord.h"

// A transfer as the user interfaces see it: what is remembered, plus how it is going now.
struct TransferInfo : TransferRecord
{
    double bytesPerSecond = 0; // while running, averaged over the last seconds
    bool pausedByPeer = false; // paused, and by the peer (either side may resume)
    QString sha256; // hex, of the file of an offer of one file once it is verified or sent
};
Q_DECLARE_METATYPE(TransferInfo)

QString transferStateName(TransferState state); // "offered", "running", ... (shoal-cli, logs)
