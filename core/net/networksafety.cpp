// SPDX-License-Identifier: GPL-3.0-or-later
#include "networksafety.h"

#include "net/peeraddress.h"

#include <QtGlobal>

using namespace Qt::StringLiterals;

namespace NetworkSafety {

bool loopbackOnly()
{
    static const bool on = qEnvironmentVariableIntValue("SHOAL_LOOPBACK_ONLY") != 0;
    return on;
}

bool isLoopback(const QHostAddress &address)
{
    return PeerAddress::plain(address).isLoopback();
}

bool isLoopbackHost(const QString &host)
{
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0)
        return true;
    QHostAddress address;
    return address.setAddress(host) && isLoopback(address);
}

} // namespace NetworkSafety
