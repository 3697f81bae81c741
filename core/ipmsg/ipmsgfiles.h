// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Files with IP Messenger / FeiQ / iptux users, both ways (docs/ipmsg.md, "Files"). A service
// beside IpmsgTransport: the offers travel as its datagrams (SENDMSG|FILEATTACHOPT,
// RELEASEFILES), the bytes over TCP on the same port number.
//
//   receiving: filesOffered -> one TransferInfo per file, Offered (names checked with SafeName
//              and OfferCheck as Shoal offers are; folders and bad names are never offered to
//              the person: ONE Failed transfer per offer says why, nothing written,
//              RELEASEFILES) -> accept: TCP to the user's host:port, GETFILEDATA
//              "packet-hex:file-id-hex:offset-hex:", exactly `size` bytes into a FileSink
//              (private temp area in the download folder, unique final name, never an execute
//              bit) -> Done; fewer or more bytes than offered: Failed, nothing left.
//              decline -> RELEASEFILES (once no file of that offer will be fetched). An
//              offer still waiting fails when the sender goes offline or after OfferLifetimeMs.
//   sending:   send() -> sendFileOffer() -> one TransferInfo per file; a TCP server on the
//              transport's port serves GETFILEDATA from the offered user's address only, for
//              offered file IDs only, from the asked offset, then closes. An offer lives until
//              RELEASEFILES, a cancel, or OfferLifetimeMs.
//
// Everything from the wire is hostile: bounded requests, per-address connection limits,
// timeouts, bounded tables. Never started under SHOAL_LOOPBACK_ONLY, like the transport.
// IPMsg transfers live for this run only: they are not kept in the history.

#include "files/transferinfo.h"
#include "ipmsg/ipmsgconfig.h"
#include "ipmsg/ipmsgpacket.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTcpServer>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <memory>
#include <optional>

class IpmsgTransport;
class QTcpSocket;

class IpmsgFiles final : public QObject
{
    Q_OBJECT

public:
    // Downloads running at once; more wait (Accepted) for their turn.
    static constexpr int MaxRunningDownloads = 4;
    // Incoming files from one user offered, accepted or running; more are refused (logged,
    // RELEASEFILES).
    static constexpr int MaxPendingPerPeer = 100;
    // The same from all users together.
    static constexpr int MaxPendingIncoming = 500;
    // Transfers kept in memory; the oldest finished ones go first.
    static constexpr int MaxTransfers = 2000;
    // Outgoing offers alive at once.
    static constexpr int MaxLiveOffers = 1000;
    // What trim() may not drop (incoming not final, outgoing live) fits under MaxTransfers.
    static_assert(MaxPendingIncoming + MaxLiveOffers < MaxTransfers);
    // Connections to our file server at once, per address and in all.
    static constexpr int MaxServesPerAddress = 4;
    static constexpr int MaxServes = 32;
    // A GETFILEDATA request is one small datagram-like packet.
    static constexpr qsizetype MaxRequestBytes = 512;
    // How long a connection may take to send its request, to connect, or stay silent.
    static constexpr int RequestTimeoutMs = 10'000;
    static constexpr int ConnectTimeoutMs = 10'000;
    static constexpr int StallMs = 30'000;
    // An offer (ours or theirs) not released, fetched or cancelled is forgotten after this.
    static constexpr int OfferLifetimeMs = 6 * 60 * 60 * 1000;
    // Progress reported at most this often per transfer (4 a second, like Shoal's).
    static constexpr int ProgressIntervalMs = 250;
    // Bytes read from the disk per write to a socket, and queued on it at most.
    static constexpr qint64 ChunkBytes = 64 * 1024;
    static constexpr qint64 SendWindowBytes = 512 * 1024;
    // Received bytes the disk thread has not written yet: over this, the socket is not read.
    static constexpr qint64 MaxUnwrittenBytes = 8 * 1024 * 1024;

    // Delete it before the transport.
    IpmsgFiles(IpmsgTransport &transport,
               IpmsgConfig config,
               const QString &downloadDir,
               QObject *parent = nullptr);
    ~IpmsgFiles() override;

    // Listens on TCP (the transport's port, its bind address). False and errorString() when it
    // cannot: "Port 2425 (TCP) is in use ...", or under SHOAL_LOOPBACK_ONLY.
    bool start();
    void stop(); // stops serving and cancels what runs
    bool isRunning() const;
    QString errorString() const { return m_error; }
    quint16 serverPort() const;

    QString downloadDir() const { return m_downloadDir; }
    void setDownloadDir(const QString &dir) { m_downloadDir = dir; }
    // Set: every offer is accepted into it at once (shoal-cli --accept-files).
    void setAcceptFilesInto(const QString &dir) { m_acceptFilesInto = dir; }
    bool acceptsFrom(const QString &peerId) const { return m_acceptFrom.contains(peerId); }
    void setAcceptFrom(const QString &peerId, bool accept);

    // Whether the ID is one of these transfers / the peer an IPMsg user.
    bool owns(const QUuid &id) const { return m_transfers.contains(id); }
    bool handlesPeer(const QString &peerId) const;

    // Offers regular files (no folders) in one SENDMSG; one transfer per file, in order.
    // Empty and *error when nothing was offered.
    QList<QUuid> send(const QString &peerId, const QStringList &paths, QString *error);
    bool accept(const QUuid &id, const QString &directory, QString *error);
    bool decline(const QUuid &id, QString *error);
    bool cancel(const QUuid &id, QString *error);
    QList<TransferInfo> all() const;
    std::optional<TransferInfo> find(const QUuid &id) const;

    // Tests shorten the waits.
    void setTimeouts(int requestMs, int connectMs, int stallMs, int offerLifetimeMs);
    void setMaxUnwrittenBytes(qint64 bytes) { m_maxUnwritten = bytes; }

Q_SIGNALS:
    // A new transfer (either way), just before its first changed(): its place in the
    // conversation.
    void added(const TransferInfo &transfer);
    void changed(const TransferInfo &transfer);
    void offered(const TransferInfo &transfer);
    // The TCP side could not be bound, or works again.
    void runningChanged(bool running, const QString &error);

private:
    struct Transfer;
    struct Serve;
    struct Disk;

    void onFilesOffered(const QString &peerId,
                        quint32 packetNo,
                        const QList<Ipmsg::FileEntry> &files);
    void onFilesReleased(const QString &peerId, quint32 packetNo);
    void onPeerDisconnected(const QString &peerId);
    void withdraw(Transfer &t);
    void expireIncoming();

    // Receiving
    bool acceptInto(Transfer &t, const QString &dir, QString *error);
    void startNext();
    void beginDownload(Transfer &t);
    void onDownloadConnected(Transfer &t);
    void onDownloadReadable(Transfer &t);
    void onDownloadClosed(Transfer &t);
    void finishDownload(Transfer &t);
    void closeSocket(Transfer &t);
    // From the disk thread (posted to this one).
    void onWritten(const QUuid &id, quint64 run, qint64 bytes, const QString &error);
    void onFinished(const QUuid &id,
                    quint64 run,
                    const QString &path,
                    const QString &sha256,
                    const QString &error);
    template<typename F>
    void toDisk(F &&f);
    void stopDownload(Transfer &t, TransferState state, const QString &reason);
    void releaseIfUnfetched(const QString &peerId, quint32 packetNo);
    QByteArray requestPacket(const Transfer &t) const;

    // Sending
    void onNewConnection();
    void onServeReadable(Serve *s);
    void handleRequest(Serve *s, const QByteArray &bytes);
    void pump(Serve *s);
    void endServe(Serve *s, const QString &why);
    void expire(const QUuid &id);

    Transfer *byId(const QUuid &id) const { return m_transfers.value(id); }
    void report(Transfer &t, bool now);
    void setState(Transfer &t, TransferState state, const QString &reason = {});
    void add(Transfer *t);
    void trim();

    IpmsgTransport &m_transport;
    IpmsgConfig m_config;
    QString m_downloadDir;
    QString m_acceptFilesInto;
    QSet<QString> m_acceptFrom;
    QTcpServer m_server;
    QThread m_diskThread;
    QObject *m_diskContext = nullptr; // lives in m_diskThread: what is posted there runs there
    QString m_error;
    QHash<QUuid, Transfer *> m_transfers;
    QList<QUuid> m_order; // oldest first
    QList<QUuid> m_queue; // accepted downloads waiting their turn
    int m_running = 0;
    bool m_closing = false; // in the destructor: no signals, nothing to the transport
    QList<Serve *> m_serves;
    QElapsedTimer m_refusalLogged;
    QTimer *m_expiry = nullptr; // incoming offers past m_offerLifetimeMs fail
    quint32 m_nextFileId = 0;
    mutable quint32 m_lastPacketNo = 0;
    int m_requestTimeoutMs = RequestTimeoutMs;
    int m_connectTimeoutMs = ConnectTimeoutMs;
    int m_stallMs = StallMs;
    int m_offerLifetimeMs = OfferLifetimeMs;
    qint64 m_maxUnwritten = MaxUnwrittenBytes;
};
