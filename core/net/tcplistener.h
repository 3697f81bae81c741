// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QTcpServer>

// A listening socket that hands over each accepted connection as a bare descriptor, so the
// registry can refuse it (caps per address, in all, handshakes in progress) before spending
// any TLS work on it. QSslServer would finish the handshake first: an attacker could make us
// sign and derive keys for every connection it opens. Subclassing is Qt's way to get there.
class TcpListener final : public QTcpServer
{
    Q_OBJECT

public:
    using QTcpServer::QTcpServer;

Q_SIGNALS:
    void socketAccepted(qintptr descriptor);

protected:
    void incomingConnection(qintptr descriptor) override { Q_EMIT socketAccepted(descriptor); }
};
