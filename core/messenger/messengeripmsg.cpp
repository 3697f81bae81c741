// SPDX-License-Identifier: GPL-3.0-or-later
// IP Messenger (issue 17): Messenger's side of core/ipmsg.
#include "messenger.h"

void Messenger::setIpmsgEnabled(bool enabled)
{
    Q_UNUSED(enabled); // wired by the IP Messenger transport's commit
}
