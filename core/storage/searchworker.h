// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/chatmessage.h"

#include <QObject>
#include <QThread>

#include <atomic>

// History searches off the GUI thread (a word in nearly every one of a million messages takes
// 60-120 ms: docs/benchmarks.md, "Searching in the window"): SearchTable's search, run on a
// thread of its own with a read-only connection of its own to the history file (WAL: it reads
// while the writer writes). The newest request wins: one asked for before it and not started
// yet is dropped unanswered. Internal to storage/ and Messenger.
class SearchWorker final : public QObject
{
    Q_OBJECT

public:
    explicit SearchWorker(const QString &file, QObject *parent = nullptr);
    ~SearchWorker() override; // closes its connection and waits for its thread

    void request(quint64 ticket, const QString &text, const QString &conversation, int limit);

Q_SIGNALS:
    // From the worker's thread: connect with a receiver in the GUI thread (queued).
    void finished(quint64 ticket, const QList<ChatMessage> &found, const QString &error);

private:
    struct Reader;
    QString m_file;
    QThread m_thread;
    QObject *m_context;         // lives in m_thread
    Reader *m_reader = nullptr; // used and deleted in m_thread only
    std::atomic<quint64> m_latest{0};
};
