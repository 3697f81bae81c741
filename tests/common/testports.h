// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Ports for tests: ask the kernel for a free one on loopback, then let it go for the test to
// use. (Another process could take it in between; on a test machine that does not happen.)
#include <QTcpServer>
#include <QUdpSocket>

inline quint16 freeUdpPort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

inline quint16 freeTcpPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost);
    return probe.serverPort();
}
