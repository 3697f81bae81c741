// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "files/manifest.h"
#include "files/offercheck.h"
#include "files/transferinfo.h"
#include "net/transport.h"
#include "protocol/messages.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QThread>
#include <QTimer>

class FileWorker;
class MessageStore;

struct FilesConfig
{
    QString downloadDir;     // where accepted files go unless the person picks a folder
    QString acceptFilesInto; // set: every offer is accepted into it at once (shoal-cli)
    OfferLimits limits;
    int maxPendingOffersPerPeer = 100;
};

// The files service (docs/files.md, docs/protocol.md "Files"): offers travel on the chat
// stream and wait like messages for a peer who is away; the bytes are pulled by the receiver
// on the bulk stream, one transfer per peer and direction at a time, hashed as they flow and
// verified before a file gets its name; a transfer interrupted anywhere (a dropped connection,
// a killed process on either side) continues from what the receiver holds. Disk work runs on a
// thread of its own (FileWorker), so neither a slow disk nor a big folder holds the window.
// Knows no other service; Messenger wires it.
class FileTransfers final : public QObject
{
    Q_OBJECT

public:
    // Unsent bytes on the bulk stream plus bytes asked of the disk, per sending transfer: enough
    // to fill a fast link, small enough that a 20 GB file never sits in memory.
    static constexpr qint64 SendWindowBytes = 8 * 1024 * 1024;
    // Bytes the worker may have read and posted that this thread has not framed yet: what
    // one pass of the event loop may have to frame and encrypt (about 2 ms a MiB here).
    static constexpr qint64 ReadAheadBytes = 1024 * 1024;
    // The disk thread's niceness: hashing and file I/O give way to the window and the sockets.
    static constexpr int WorkerNice = 10;
    // Received bytes waiting for the disk: over this, the bulk stream is not read until half
    // of them are written (TCP slows the sender down).
    static constexpr qint64 MaxUnwrittenBytes = 32 * 1024 * 1024;
    // A running transfer whose sender sends nothing for this long is closed.
    static constexpr int StallMs = 30'000;
    // Progress reported at most this often per transfer (shoal-cli: 4 a second).
    static constexpr int ProgressIntervalMs = 250;
    // The progress saved to the history at most this often while running.
    static constexpr int SaveProgressMs = 5'000;
    // Bytes of manifest entries in one `man` frame (well under MaxFrameSize).
    static constexpr qint64 ManifestPageBytes = 512 * 1024;

    FileTransfers(Transport &transport,
                  MessageStore &store,
                  FilesConfig config,
                  QObject *parent = nullptr);
    ~FileTransfers() override;

    // Takes up the transfers remembered in the history (after the store is open).
    void load();

    std::optional<QUuid> send(const QString &peerId,
                              const QStringList &paths,
                              bool asFolder,
                              QString *error);
    bool accept(const QUuid &id, const QString &directory, QString *error);
    bool decline(const QUuid &id, QString *error);
    bool pause(const QUuid &id, QString *error);
    bool resume(const QUuid &id, QString *error);
    bool cancel(const QUuid &id, QString *error);
    QList<TransferInfo> all() const;
    std::optional<TransferInfo> find(const QUuid &id) const;
    QString downloadDir() const { return m_config.downloadDir; }
    void setDownloadDir(const QString &dir) { m_config.downloadDir = dir; }
    bool acceptsFrom(const QString &peerId) const { return m_acceptFrom.contains(peerId); }
    void setAcceptFrom(const QString &peerId, bool accept);
    // How long a silent sender is waited for (StallMs); tests shorten it.
    void setStallMs(int ms) { m_stallMs = ms; }

    // Chat stream messages (through the Dispatcher).
    void onOffer(const QString &peerId, const Protocol::Offer &offer);
    void onControl(const QString &peerId, const Protocol::TransferControl &control);
    // Bulk stream messages.
    void onBulkMessage(const QString &peerId, const Protocol::Message &message);

Q_SIGNALS:
    void changed(const TransferInfo &transfer);
    void offered(const TransferInfo &transfer);
    // Whether something here needs the peer connected (an offer to make or to answer, bytes to
    // pull or to serve): Messenger has the dialer reach it, as for messages waiting.
    void peerWanted(const QString &peerId, bool wanted);

private:
    friend class FileWorker;
    struct Transfer;
    using Op = Protocol::TransferControl::Op;

    // Transport
    void onPeerConnected(const QString &peerId);
    void onPeerDisconnected(const QString &peerId);
    void onStreamOpened(const QString &peerId, StreamKind kind);
    void onStreamClosed(const QString &peerId, StreamKind kind);
    void onWritable(const QString &peerId, StreamKind kind);
    void onAttemptFinished(int attempt, Net::Error error);

    // Sender
    void onManifestRequest(const QString &peerId, const Protocol::ManifestRequest &request);
    void onGet(const QString &peerId, const Protocol::FileGet &get);
    void topUp(Transfer &t);
    void stopSending(Transfer &t);
    bool loadItems(Transfer &t);
    // Receiver
    void onManifestPage(const QString &peerId, const Protocol::ManifestPage &page);
    void onData(const QString &peerId, const Protocol::FileData &data);
    void onFileEnd(const QString &peerId, const Protocol::FileEnd &end);
    void runIncoming(const QString &peerId); // starts or continues the peer's next transfer
    void advance(Transfer &t);               // the next step of an incoming transfer
    void sendGet(Transfer &t, qint64 index, qint64 offset, const QByteArray &prefixHash);
    void stopReceiving(Transfer &t, bool discard);
    bool isStreamFrameWanted(Transfer &t, quint32 request);
    // Tells the peer the transfer's state (what a connection that ended did not carry).
    void tellState(Transfer &t);
    void completeSink(Transfer &t);

    // From the worker (posted to this thread)
    void scanned(const QUuid &id,
                 const QList<ManifestItem> &items,
                 int skipped,
                 const QString &error);
    void chunkRead(
        const QUuid &id, quint32 request, qint64 index, qint64 offset, const QByteArray &data);
    void fileRead(const QUuid &id, quint32 request, qint64 index, const QByteArray &sha256);
    void readFailed(const QUuid &id, quint32 request, const QString &error);
    void sinkReady(const QUuid &id,
                   qint64 index,
                   qint64 offset,
                   const QByteArray &prefixHash,
                   const QString &savedPath);
    void written(const QUuid &id, qint64 bytes);
    void fileFinished(const QUuid &id, qint64 index, const QString &path);
    void sinkFailed(const QUuid &id, const QString &error, bool diskFull);

    // Both
    Transfer *incoming(const QString &peerId, const QUuid &id);
    Transfer *outgoing(const QString &peerId, const QUuid &id);
    Transfer *byId(const QUuid &id);
    // Moves the transfer to `state`, saves it, tells the peer with `op` (when connected; else
    // on the next connection) and the interfaces.
    void setState(Transfer &t,
                  TransferState state,
                  std::optional<Op> op = std::nullopt,
                  const QString &reason = {});
    void fail(Transfer &t, const QString &reason, bool tellPeer = true);
    void sendControl(Transfer &t, Op op, const QString &reason = {});
    void sendOffer(Transfer &t);
    void save(Transfer &t);
    void report(Transfer &t, bool now = false);
    void tick();
    void updateWanted(const QString &peerId);
    void ensureTicking();
    bool acceptInto(Transfer &t, const QString &dir, QString *error);
    qint64 offsetOf(const Transfer &t, qint64 index) const; // bytes of the files before `index`
    qint64 nextFile(const Transfer &t, qint64 from) const;  // the first file entry at or after
    qint64 entryCount(const Transfer &t) const;
    qint64 fileSize(const Transfer &t, qint64 index) const;
    bool isFileEntry(const Transfer &t, qint64 index) const;
    template<typename F>
    void toWorker(F &&f);

    Transport &m_transport;
    MessageStore &m_store;
    FilesConfig m_config;
    QThread m_thread;
    FileWorker *m_worker;
    QHash<QUuid, Transfer *> m_transfers;
    QList<QUuid> m_order;                           // oldest first
    QHash<QString, QUuid> m_sendingTo;              // per peer: the outgoing transfer being pulled
    QHash<QString, QUuid> m_receivingFrom;          // per peer: the incoming transfer running
    QHash<QString, int> m_openingBulk;              // per peer: the bulk stream dial under way
    QHash<int, QString> m_attempts;                 // dial number -> peer
    QHash<QString, QElapsedTimer> m_bulkRetryAfter; // a failed bulk dial is not repeated at once
    QSet<QString> m_acceptFrom;
    QSet<QString> m_wanted; // peers peerWanted() was last true for
    QTimer m_tick;
    int m_stallMs = StallMs;
};
