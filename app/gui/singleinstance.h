// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
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
    ~SingleInstance() override;

    // As the Shoal holding the profile: starts taking command lines, at once, so that a second
    // Shoal is answered while this one still starts. What comes before setReady(true) is
    // taken and kept, and argumentsReceived is emitted for it then. False with *error.
    bool listen(QString *error);
    void setReady(bool ready);
    // Stops taking command lines (quitting): a second Shoal then waits for the profile instead.
    void close();
    // As a second Shoal: hands `arguments` to the one holding the profile. True once it has
    // taken them (within `timeoutMs`).
    bool handOver(const QStringList &arguments, int timeoutMs) const;

    // The socket's path: in the user's own runtime folder (0700), keyed by the profile's path;
    // empty when there is no such folder (no hand-over then, never a shared /tmp).
    static QString socketPath(const QString &profilePath);

Q_SIGNALS:
    void argumentsReceived(const QStringList &arguments);

private:
    QString m_socketPath;
    QLocalServer *m_server = nullptr;
    bool m_ready = false;
    QList<QStringList> m_pending;
};
