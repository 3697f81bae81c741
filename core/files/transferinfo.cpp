// SPDX-License-Identifier: GPL-3.0-or-later
#include "files/transferinfo.h"

QString transferStateName(TransferState state)
{
    switch (state) {
    case TransferState::Offered:
        return QStringLiteral("offered");
    case TransferState::Accepted:
        return QStringLiteral("accepted");
    case TransferState::Running:
        return QStringLiteral("running");
    case TransferState::Paused:
        return QStringLiteral("paused");
    case TransferState::Done:
        return QStringLiteral("done");
    case TransferState::Failed:
        return QStringLiteral("failed");
    case TransferState::Declined:
        return QStringLiteral("declined");
    case TransferState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}
