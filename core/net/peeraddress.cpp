// SPDX-License-Identifier: GPL-3.0-or-later
#include "peeraddress.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace {

bool isValidHostName(const QString &host)
{
    // RFC 1123 labels; the resolver gets the final say.
    static const QRegularExpression re(
        u"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?$"_s);
    return re.match(host).hasMatch();
}

std::optional<quint16> parsePort(const QString &text, QString *error)
{
    bool ok = false;
    const uint port = text.toUInt(&ok);
    if (!ok || port == 0 || port > 65535) {
        *error
            = PeerAddress::tr("\"%1\" is not a valid port; use a number from 1 to 65535.").arg(text);
        return std::nullopt;
    }
    return quint16(port);
}

} // namespace

std::optional<PeerAddress> PeerAddress::parse(const QString &input,
                                              quint16 defaultPort,
                                              QString *error)
{
    const QString text = input.trimmed();
    if (text.isEmpty()) {
        *error = tr("Enter an address, for example 192.168.1.20:47800 or alice-laptop.");
        return std::nullopt;
    }
    QString host = text;
    quint16 port = defaultPort;

    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0) {
            *error = tr("Missing \"]\" after the IPv6 address.");
            return std::nullopt;
        }
        host = text.mid(1, close - 1);
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(u':')) {
                *error = tr("Expected \":port\" after \"]\".");
                return std::nullopt;
            }
            const auto p = parsePort(rest.mid(1), error);
            if (!p)
                return std::nullopt;
            port = *p;
        }
        QHostAddress addr;
        if (!addr.setAddress(host) || addr.protocol() != QAbstractSocket::IPv6Protocol) {
            *error = tr("\"%1\" is not a valid IPv6 address.").arg(host);
            return std::nullopt;
        }
        return PeerAddress{host, port};
    }

    const qsizetype colons = text.count(u':');
    if (colons > 1) {
        // A bare IPv6 literal (no port possible without brackets).
        QHostAddress addr;
        if (!addr.setAddress(text)) {
            *error = tr("\"%1\" is not a valid address. Write IPv6 addresses with a port as "
                        "[address]:port.")
                         .arg(text);
            return std::nullopt;
        }
        return PeerAddress{text, port};
    }
    if (colons == 1) {
        const qsizetype colon = text.indexOf(u':');
        host = text.left(colon);
        const auto p = parsePort(text.mid(colon + 1), error);
        if (!p)
            return std::nullopt;
        port = *p;
    }
    if (host.isEmpty()) {
        *error = tr("The address has no host part.");
        return std::nullopt;
    }
    QHostAddress addr;
    if (!addr.setAddress(host) && !isValidHostName(host)) {
        *error = tr("\"%1\" is not a valid host name or IP address.").arg(host);
        return std::nullopt;
    }
    return PeerAddress{host, port};
}

QHostAddress PeerAddress::plain(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

QString PeerAddress::format(const QHostAddress &address, quint16 port)
{
    const QHostAddress a = plain(address);
    if (a.protocol() == QAbstractSocket::IPv4Protocol)
        return u"%1:%2"_s.arg(a.toString()).arg(port);
    return u"[%1]:%2"_s.arg(a.toString()).arg(port);
}

QString PeerAddress::toString() const
{
    if (host.contains(u':'))
        return u"[%1]:%2"_s.arg(host).arg(port);
    return u"%1:%2"_s.arg(host).arg(port);
}
