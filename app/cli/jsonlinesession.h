// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/transferrecord.h"
#include <QByteArray>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QUuid>

#include <cstdio>

class Messenger;
class QSocketNotifier;

// shoal-cli's interface: one JSON command per line on stdin, one JSON event per line on stdout.
class JsonLineSession final : public QObject
{
    Q_OBJECT

public:
    JsonLineSession(Messenger &messenger, int inputFd, FILE *output, QObject *parent = nullptr);

    void emitEvent(QJsonObject event, const QJsonValue &ref = {});
    void emitError(const QString &message, const QJsonValue &ref = {});
    // --serve: the end of input leaves the session running (a service's stdin is empty).
    void setQuitAtEndOfInput(bool quit) { m_quitAtEnd = quit; }
    // As the quit command: writes "bye" (the last line) and asks to quit.
    void end(const QJsonValue &ref = {});

Q_SIGNALS:
    void quitRequested();
    // A setting kept in shoal.ini changed (peer exchange and who is not shared): save it.
    void settingsChanged();

private:
    QJsonValue avatarJson(const QString &peerId) const; // avatars (issue 15)
    void onInput();
    void handleLine(const QByteArray &line);
    void handleCommand(const QJsonObject &command);
    void handleGroupCommand(const QString &cmd, const QJsonObject &command);
    // --- Search (issue 15): jsonlinesearch.cpp ---
    void handleSearchCommand(const QJsonObject &command);
    // --- end search ---
    // --- Carried delivery (issue 16): jsonlinerelay.cpp ---
    void handleRelayCommand(const QString &cmd, const QJsonObject &command);
    // --- end carried delivery ---
    // --- E-mail notices (issue 16): jsonlinemail.cpp ---
    void wireMail();
    void handleMailCommand(const QString &cmd, const QJsonObject &command);
    QList<QJsonValue> m_passwordRefs; // mail commands with a password, in order, awaiting the keyring
    // --- end e-mail notices ---

    Messenger &m_messenger;
    int m_inputFd;
    FILE *m_output;
    bool m_ended = false; // "bye" was written
    bool m_quitAtEnd = true;
    QSocketNotifier *m_notifier;
    QByteArray m_buffer;
    bool m_discarding = false;                    // inside an over-long line
    QHash<QUuid, QJsonValue> m_transferRefs;      // a command's ref -> its next transfer event
    QHash<QUuid, TransferState> m_transferStates; // the last state reported per transfer
    QSet<QUuid> m_transferSeen;                   // outgoing offers reported seen
    QHash<QUuid, QJsonValue> m_sendRefs;          // sent, first state not reported yet -> ref
    QHash<int, QJsonValue> m_connectRefs;         // attempt -> the command's ref
};
