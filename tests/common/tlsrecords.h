// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// TLS at the record level, for attacks from outside the TLS session: split a byte stream into
// records, and capture the ClientHello a real Shoal client sends. Loopback only.
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>

#include <functional>

namespace TlsRecords {

constexpr qsizetype HeaderSize = 5; // content type, version (2), length (2, big-endian)

// The size of the complete record at the start of `bytes`, or 0 if it is not all there yet.
inline qsizetype recordSize(const QByteArray &bytes, qsizetype from = 0)
{
    if (bytes.size() - from < HeaderSize)
        return 0;
    const qsizetype length = (quint8(bytes.at(from + 3)) << 8) | quint8(bytes.at(from + 4));
    return bytes.size() - from >= HeaderSize + length ? HeaderSize + length : 0;
}

// The complete records at the start of `bytes`, in order (a partial one at the end is left out).
inline QList<QByteArray> split(const QByteArray &bytes)
{
    QList<QByteArray> records;
    qsizetype at = 0;
    while (const qsizetype size = recordSize(bytes, at)) {
        records.append(bytes.mid(at, size));
        at += size;
    }
    return records;
}

inline bool waitFor(const std::function<bool()> &done, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }
    return true;
}

// The first record a QSslSocket with `config` sends as a client (its ClientHello), captured by
// a plain TCP listener on loopback. Empty if none came within 5 s.
inline QByteArray recordClientHello(const QSslConfiguration &config)
{
    QTcpServer listener;
    if (!listener.listen(QHostAddress::LocalHost))
        return {};
    QSslSocket client;
    client.setSslConfiguration(config);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), listener.serverPort());
    if (!waitFor([&] { return listener.hasPendingConnections(); }, 5000))
        return {};
    QTcpSocket *server = listener.nextPendingConnection();
    QByteArray bytes;
    waitFor(
        [&] {
            bytes += server->readAll();
            return recordSize(bytes) > 0;
        },
        5000);
    server->abort();
    client.abort();
    return bytes.left(recordSize(bytes));
}

} // namespace TlsRecords
