// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QHostAddress>
#include <QString>

#include <optional>

// A place to dial: host name or IP literal, and a TCP port.
// Accepts "host", "host:port", "1.2.3.4", "1.2.3.4:port", "[v6]", "[v6]:port" and a bare "v6".
struct PeerAddress
{
    Q_DECLARE_TR_FUNCTIONS(PeerAddress)

public:
    QString host;
    quint16 port = 0;

    static std::optional<PeerAddress> parse(const QString &text,
                                            quint16 defaultPort,
                                            QString *error);
    // IPv4-mapped IPv6 (from a dual-stack socket) as plain IPv4, so one host is one key;
    // anything else as it is.
    static QHostAddress plain(const QHostAddress &address);
    // "host:port", with brackets around IPv6 literals; IPv4-mapped IPv6 shown as IPv4.
    static QString format(const QHostAddress &address, quint16 port);
    QString toString() const;
    bool operator==(const PeerAddress &o) const { return host == o.host && port == o.port; }
};
