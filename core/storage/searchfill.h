// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

#include <atomic>

class QThread;

// Indexes an older history for search in the background (MessageStore starts it when the
// watermark of schema 10 is above 0): on a thread of its own with its own connection, in
// chunks of rows, newest first, each chunk one transaction with the watermark's move, so a
// kill loses at most the chunk being written and the next start goes on from the watermark.
// Internal to storage/.
class SearchFill final : public QObject
{
    Q_OBJECT

public:
    explicit SearchFill(QObject *parent = nullptr);
    // Stops after the chunk being written, and waits for it.
    ~SearchFill() override;

    // `file` as SqliteConnection::add() takes it (a file: the fill is never needed in memory).
    // `maxChunks` > 0: stop after that many chunks, as a kill would (tests).
    void start(const QString &file, int maxChunks = 0);
    void stop();

Q_SIGNALS:
    // `indexed` of `total` rows of the history, by seq (emitted at most every 100 ms, and at the end).
    void progress(qint64 indexed, qint64 total);
    // Every row is indexed.
    void finished();
    void failed(const QString &error);

private:
    QThread *m_thread = nullptr;
    std::atomic<bool> m_stop{false};
};
