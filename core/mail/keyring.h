// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

// The desktop keyring (Secret Service: GNOME Keyring, KWallet...) through QtKeychain, for the
// SMTP password of e-mail notices: service "Shoal", one key per profile. Never a file: without
// a keyring the password is not kept, and the answer says so. Jobs are asynchronous (D-Bus);
// answers come as signals.
class Keyring final : public QObject
{
    Q_OBJECT

public:
    static constexpr auto Service = "Shoal";

    // `key`: this profile's entry (Messenger: "smtp-password:" and the profile's peer ID).
    explicit Keyring(const QString &key, QObject *parent = nullptr);

    // An empty password deletes the entry.
    void store(const QString &password);
    void read();

    // The sentence shown when no keyring answers.
    static QString noKeyringError(const QString &detail);

Q_SIGNALS:
    void stored(bool ok, const QString &error);
    // `found` false: nothing kept (not an error); `error` set: the keyring could not be asked.
    void readFinished(bool found, const QString &password, const QString &error);

private:
    // QtKeychain's Secret Service backend is libsecret, whose answers are GLib callbacks: when
    // this thread runs Qt's own event loop (shoal-cli: QT_NO_GLIB), GLib's default context is
    // turned by hand while a job is out, or the answer would never come.
    void jobStarted();
    void jobFinished();
    void pumpGlib();

    QString m_key;
    int m_pending = 0;
    QTimer m_pump;
};
