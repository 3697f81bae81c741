// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QStringList>

class QLocalServer;

// One window per profile. The Shoal that holds the profile's lock (ProfileDirectory) listens
// on a local socket named after the profile; a second shoal started on that profile hands its
// command line to it and exits, and the first one acts on it (connects, comes to the front).
class SingleInstance final : public QObject
{
    Q_OBJECT

public:
    explicit SingleInstance(const QString &profilePath, QObject *parent = nullptr);

    // As the Shoal holding the profile: starts taking command lines. False with *error.
    bool listen(QString *error);
    // As a second Shoal: hands `arguments` to the one holding the profile. True once it has
    // taken them (within `timeoutMs`).
    bool handOver(const QStringList &arguments, int timeoutMs) const;

    // The socket's path: in the user's runtime folder, keyed by the profile's path.
    static QString socketPath(const QString &profilePath);

Q_SIGNALS:
    void argumentsReceived(const QStringList &arguments);

private:
    QString m_socketPath;
    QLocalServer *m_server = nullptr;
};
