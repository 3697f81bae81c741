#include "networksafety.h"

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
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4).isLoopback();
    return address.isLoopback();
}

bool isLoopbackHost(const QString &host)
{
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0)
        return true;
    QHostAddress address;
    return address.setAddress(host) && isLoopback(address);
}

} // namespace NetworkSafety
