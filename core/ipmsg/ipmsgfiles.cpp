// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipmsgfiles.h"

#include "files/filesink.h"
#include "files/manifest.h"
#include "files/offercheck.h"
#include "files/safename.h"
#include "files/sha256.h"
#include "ipmsg/ipmsgtransport.h"
#include "net/networksafety.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSysInfo>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

Q_LOGGING_CATEGORY(lcIpmsgFiles, "shoal.ipmsg")

// The address a connection came from, IPv4-mapped IPv6 read as IPv4.
QHostAddress plain(const QHostAddress &a)
{
    bool ok = false;
    const quint32 v4 = a.toIPv4Address(&ok);
    return ok ? QHostAddress(v4) : a;
}

bool sameHost(const QHostAddress &a, const QHostAddress &b)
{
    return plain(a) == plain(b);
}

} // namespace

struct IpmsgFiles::Transfer
{
    TransferInfo info;
    quint32 packetNo = 0; // the offering SENDMSG's
    quint32 fileId = 0;
    QHostAddress host; // the user's address when the offer was made or received
    quint16 port = 0;
    QElapsedTimer started;    // for bytesPerSecond
    QElapsedTimer lastReport; // progress at most every ProgressIntervalMs
    // Receiving
    std::shared_ptr<Disk> disk; // prepared here, then used on the disk thread only
    QTcpSocket *socket = nullptr;
    QTimer *deadline = nullptr; // the socket's child: connect, then stall
    qint64 received = 0;
    qint64 unwritten = 0;     // received, not yet written by the disk thread
    quint64 run = 0;          // the disk thread's answers for an older run are ignored
    bool active = false;      // counted in m_running
    bool peerClosed = false;  // the sender closed; what it sent may still be read
    bool finishing = false;   // the disk thread checks and renames the file
    bool unwanted = false;    // declined, failed or cancelled: counts for RELEASEFILES
    bool refusals = false;    // stands for the refused files of its offer (Failed at once)
    bool partial = false;     // some files of its offer were refused or over the bounds
    QElapsedTimer offeredFor; // incoming: since the offer came (OfferLifetimeMs)
    // Sending
    QString path;
    bool live = false; // may be fetched
    int serving = 0;   // connections sending it now
};

// One download's disk side: FileSink (as Shoal's) and the running SHA-256.
struct IpmsgFiles::Disk
{
    Disk(const QString &dir, const QUuid &id, const QList<OfferEntry> &entries)
        : sink(dir, id, entries, OfferShape::Files)
    {}
    FileSink sink;
    Sha256 sha;
};

struct IpmsgFiles::Serve
{
    QTcpSocket *socket = nullptr;
    QHostAddress peer;
    QByteArray buffer;
    QTimer *deadline = nullptr;
    QUuid id;
    std::unique_ptr<QFile> file;
    qint64 from = 0; // the asked offset: only a serve from 0 can make the transfer Done
    qint64 position = 0;
    qint64 end = 0;
    bool serving = false;
};

IpmsgFiles::IpmsgFiles(IpmsgTransport &transport,
                       IpmsgConfig config,
                       const QString &downloadDir,
                       QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_config(std::move(config))
    , m_downloadDir(downloadDir)
{
    connect(&m_transport, &IpmsgTransport::filesOffered, this, &IpmsgFiles::onFilesOffered);
    connect(&m_transport, &IpmsgTransport::filesReleased, this, &IpmsgFiles::onFilesReleased);
    // An offer cannot outlive the sender's run: gone offline, it is withdrawn.
    connect(&m_transport, &Transport::peerDisconnected, this, &IpmsgFiles::onPeerDisconnected);
    m_expiry = new QTimer(this);
    connect(m_expiry, &QTimer::timeout, this, &IpmsgFiles::expireIncoming);
    m_expiry->start(std::clamp(m_offerLifetimeMs / 4, 10, 60'000));
    connect(&m_server, &QTcpServer::newConnection, this, &IpmsgFiles::onNewConnection);
    // The TCP side follows the UDP side (IP Messenger turned off and on).
    connect(&m_transport, &IpmsgTransport::runningChanged, this, [this](bool running) {
        if (running)
            start();
        else if (isRunning())
            stop();
    });
    m_server.setMaxPendingConnections(MaxServes);
    // Disk work (writes, syncs, renames) off this thread: a slow disk never holds the window.
    m_diskContext = new QObject;
    m_diskContext->moveToThread(&m_diskThread);
    m_diskThread.setObjectName(u"ipmsg-disk"_s);
    m_diskThread.start(QThread::LowPriority);
}

template<typename F>
void IpmsgFiles::toDisk(F &&f)
{
    QMetaObject::invokeMethod(m_diskContext, std::forward<F>(f), Qt::QueuedConnection);
}

IpmsgFiles::~IpmsgFiles()
{
    // Nothing is said to the transport (it may be gone): sockets close, partial files go.
    m_closing = true;
    stop();
    // After the work posted before it (the discards of stop()): in order, nothing dropped.
    toDisk([] { QThread::currentThread()->quit(); });
    m_diskThread.wait();
    delete m_diskContext;
    qDeleteAll(m_transfers);
}

bool IpmsgFiles::start()
{
    if (m_server.isListening())
        return true;
    if (NetworkSafety::loopbackOnly()) {
        m_error = tr("IP Messenger is off: SHOAL_LOOPBACK_ONLY is set.");
        return false;
    }
    const quint16 port = m_transport.port() ? m_transport.port() : m_config.port;
    if (!m_server.listen(m_config.bindAddress, port)) {
        m_error = tr("Port %1 (TCP) is in use by another program (another IP Messenger, or a "
                     "second Shoal); IP Messenger users cannot fetch your files.")
                      .arg(port);
        qCWarning(lcIpmsgFiles) << "cannot listen on TCP" << port << m_server.errorString();
        Q_EMIT runningChanged(false, m_error);
        return false;
    }
    m_error.clear();
    qCInfo(lcIpmsgFiles) << "file server on TCP" << m_server.serverPort();
    Q_EMIT runningChanged(true, QString());
    return true;
}

void IpmsgFiles::stop()
{
    m_server.close();
    m_queue.clear(); // nothing starts while stopping
    while (!m_serves.isEmpty())
        endServe(m_serves.first(), u"stopping"_s);
    for (Transfer *t : std::as_const(m_transfers)) {
        if (!t->info.outgoing
            && (t->info.state == TransferState::Running || t->info.state == TransferState::Accepted))
            stopDownload(*t, TransferState::Failed, tr("IP Messenger was turned off."));
        else if (t->info.outgoing && t->live) {
            t->live = false;
            if (!isFinal(t->info.state) && !m_closing)
                setState(*t, TransferState::Cancelled, tr("IP Messenger was turned off."));
        }
    }
}

bool IpmsgFiles::isRunning() const
{
    return m_server.isListening();
}

quint16 IpmsgFiles::serverPort() const
{
    return m_server.serverPort();
}

void IpmsgFiles::setAcceptFrom(const QString &peerId, bool accept)
{
    if (accept)
        m_acceptFrom.insert(peerId);
    else
        m_acceptFrom.remove(peerId);
}

bool IpmsgFiles::handlesPeer(const QString &peerId) const
{
    return m_transport.owns(peerId);
}

void IpmsgFiles::setTimeouts(int requestMs, int connectMs, int stallMs, int offerLifetimeMs)
{
    m_requestTimeoutMs = requestMs;
    m_connectTimeoutMs = connectMs;
    m_stallMs = stallMs;
    m_offerLifetimeMs = offerLifetimeMs;
    m_expiry->start(std::clamp(m_offerLifetimeMs / 4, 10, 60'000));
}

QList<TransferInfo> IpmsgFiles::all() const
{
    QList<TransferInfo> list;
    list.reserve(m_order.size());
    for (const QUuid &id : m_order)
        list.append(m_transfers.value(id)->info);
    return list;
}

std::optional<TransferInfo> IpmsgFiles::find(const QUuid &id) const
{
    if (const Transfer *t = byId(id))
        return t->info;
    return std::nullopt;
}

// --- state and reports ---------------------------------------------------------------------

void IpmsgFiles::report(Transfer &t, bool now)
{
    if (!now && t.lastReport.isValid() && t.lastReport.elapsed() < ProgressIntervalMs)
        return;
    t.lastReport.start();
    if (t.info.state == TransferState::Running && t.started.isValid() && t.started.elapsed() > 0)
        t.info.bytesPerSecond = double(t.info.bytesDone) * 1000.0 / double(t.started.elapsed());
    else
        t.info.bytesPerSecond = 0;
    Q_EMIT changed(t.info);
}

void IpmsgFiles::setState(Transfer &t, TransferState state, const QString &reason)
{
    t.info.state = state;
    if (!reason.isEmpty() || state == TransferState::Running || state == TransferState::Done)
        t.info.error = reason;
    report(t, true);
}

void IpmsgFiles::add(Transfer *t)
{
    m_transfers.insert(t->info.id, t);
    m_order.append(t->info.id);
    trim();
    Q_EMIT added(t->info);
}

// Bounded: the oldest finished transfers are forgotten first.
void IpmsgFiles::trim()
{
    // Never the one just added (the last): its caller goes on with it.
    for (qsizetype i = 0; i + 1 < m_order.size() && m_order.size() > MaxTransfers;) {
        Transfer *t = m_transfers.value(m_order[i]);
        if (isFinal(t->info.state) && !t->live && !t->socket && t->serving == 0) {
            m_transfers.remove(t->info.id);
            m_order.removeAt(i);
            delete t;
        } else {
            ++i;
        }
    }
}

// --- receiving ------------------------------------------------------------------------------

// Everything an offer brings is bounded: at most MaxPendingPerPeer files of one user and
// MaxPendingIncoming of all users wait or run; refused files (folders, bad names) become ONE
// Failed transfer per offer, however many there are. What is not taken is released.
void IpmsgFiles::onFilesOffered(const QString &peerId,
                                quint32 packetNo,
                                const QList<Ipmsg::FileEntry> &files)
{
    const auto user = m_transport.user(peerId);
    if (!user) {
        qCInfo(lcIpmsgFiles) << "offer from an unknown user ignored" << peerId;
        return;
    }
    int pending = 0;    // this user's incoming files waiting or running
    int pendingAll = 0; // everybody's
    bool refusalShown = false;
    QSet<quint32> known;
    for (const Transfer *t : std::as_const(m_transfers)) {
        if (t->info.outgoing)
            continue;
        const bool waiting = !isFinal(t->info.state);
        pendingAll += waiting ? 1 : 0;
        if (t->info.peerId != peerId)
            continue;
        pending += waiting ? 1 : 0;
        if (t->packetNo == packetNo) {
            known.insert(t->fileId);
            refusalShown = refusalShown || t->refusals;
        }
    }
    QList<Transfer *> accepted;
    QString firstProblem, firstName;
    quint32 firstRefusedId = 0;
    int refused = 0;
    int overCap = 0;
    for (const Ipmsg::FileEntry &f : files) {
        if (known.contains(f.fileId))
            continue; // the same offer again (a resent SENDMSG)
        known.insert(f.fileId);
        const QString name = Ipmsg::decodeText(f.name, false).text;
        const qint64 size = f.size > quint64(std::numeric_limits<qint64>::max())
                                ? std::numeric_limits<qint64>::max()
                                : qint64(f.size);
        QString problem;
        if (f.type() == Ipmsg::FileEntry::Directory) {
            problem = tr("%1 is a folder: folders from IP Messenger users cannot be received yet. "
                         "Ask for the files, or an archive of them.")
                          .arg(name);
        } else if (f.type() != Ipmsg::FileEntry::Regular) {
            problem = tr("%1 is not a regular file; only files can be received.").arg(name);
        } else if (!SafeName::isValidName(name, &problem)) {
            // problem says why
        } else if (const auto p = OfferCheck::problem({{name, SafeName::Kind::File, size}},
                                                      OfferShape::Files)) {
            problem = *p;
        }
        if (!problem.isEmpty()) {
            if (refused++ == 0) {
                firstProblem = problem;
                firstName = name;
                firstRefusedId = f.fileId;
            }
            continue;
        }
        if (pending >= MaxPendingPerPeer || pendingAll >= MaxPendingIncoming) {
            ++overCap;
            continue;
        }
        ++pending;
        ++pendingAll;
        auto *t = new Transfer;
        t->packetNo = packetNo;
        t->fileId = f.fileId;
        t->host = user->host;
        t->port = user->port;
        t->offeredFor.start();
        TransferInfo &i = t->info;
        i.id = QUuid::createUuid();
        i.peerId = peerId;
        i.outgoing = false;
        i.createdAt = QDateTime::currentDateTimeUtc();
        i.name = name;
        i.files = 1;
        i.entries = 1;
        i.size = size;
        i.state = TransferState::Offered;
        i.manifestHash = manifestHash(QList<OfferEntry>{{i.name, SafeName::Kind::File, i.size}});
        accepted.append(t);
    }
    if (overCap > 0)
        qCWarning(lcIpmsgFiles).noquote()
            << u"too many offered files waiting (%1 from this user, %2 in all at most): %3 of "
               "packet %4 from %5 refused"_s.arg(MaxPendingPerPeer)
                   .arg(MaxPendingIncoming)
                   .arg(overCap)
                   .arg(packetNo)
                   .arg(peerId);
    if (refused > 0)
        qCInfo(lcIpmsgFiles).noquote()
            << u"%1 file(s) of packet %2 from %3 refused; the first: %4"_s.arg(refused)
                   .arg(packetNo)
                   .arg(peerId, firstProblem);
    // The refused files, shown once (one transfer, one item in the conversation) and only while
    // this user has room: never a row per name.
    if (refused > 0 && !refusalShown && pending < MaxPendingPerPeer) {
        auto *t = new Transfer;
        t->packetNo = packetNo;
        t->fileId = firstRefusedId;
        t->host = user->host;
        t->port = user->port;
        t->unwanted = true;
        t->refusals = true;
        TransferInfo &i = t->info;
        i.id = QUuid::createUuid();
        i.peerId = peerId;
        i.outgoing = false;
        i.createdAt = QDateTime::currentDateTimeUtc();
        i.name = firstName;
        i.files = 1;
        i.entries = 1;
        i.state = TransferState::Failed;
        i.error = refused == 1 ? firstProblem
                               : tr("%1 (%n more file(s) of the same offer refused too)",
                                    nullptr,
                                    refused - 1)
                                     .arg(firstProblem);
        add(t);
        report(*t, true);
    }
    for (Transfer *t : std::as_const(accepted)) {
        add(t);
        TransferInfo &i = t->info;
        report(*t, true);
        Q_EMIT offered(i);
        const QString into = !m_acceptFilesInto.isEmpty()    ? m_acceptFilesInto
                             : m_acceptFrom.contains(peerId) ? m_downloadDir
                                                             : QString();
        if (!into.isEmpty()) {
            QString error;
            if (!acceptInto(*t, into, &error)) {
                i.error = error; // left waiting for the person, with the reason
                report(*t, true);
            }
        }
    }
    if (refused > 0 || overCap > 0) {
        // Remembered on the offer's transfers; with none left, released now.
        bool any = false;
        for (Transfer *t : std::as_const(m_transfers)) {
            if (!t->info.outgoing && t->info.peerId == peerId && t->packetNo == packetNo) {
                t->partial = true;
                any = true;
            }
        }
        if (!any) {
            qCInfo(lcIpmsgFiles) << "RELEASEFILES" << packetNo << "to" << peerId;
            m_transport.releaseFiles(peerId, packetNo);
            return;
        }
    }
    if (!accepted.isEmpty() || refused > 0 || overCap > 0)
        releaseIfUnfetched(peerId, packetNo);
}

void IpmsgFiles::onFilesReleased(const QString &peerId, quint32 packetNo)
{
    for (Transfer *t : std::as_const(m_transfers)) {
        if (t->info.peerId != peerId || t->packetNo != packetNo)
            continue;
        if (t->info.outgoing) {
            // They will not fetch (more of) it.
            if (!t->live)
                continue;
            t->live = false;
            if (t->info.state == TransferState::Offered)
                setState(*t, TransferState::Declined, tr("Declined."));
            else if (t->info.state == TransferState::Accepted)
                setState(*t,
                         TransferState::Failed,
                         tr("They gave up the download at %L1 of %L2 bytes.")
                             .arg(t->info.bytesDone)
                             .arg(t->info.size));
        } else if (t->info.state == TransferState::Offered) {
            withdraw(*t);
        }
    }
}

void IpmsgFiles::withdraw(Transfer &t)
{
    t.unwanted = true;
    setState(t, TransferState::Failed, tr("The sender withdrew the offer."));
}

// Offers of a user gone offline cannot be fetched any more (nobody serves them).
void IpmsgFiles::onPeerDisconnected(const QString &peerId)
{
    if (m_closing)
        return;
    QSet<quint32> offers;
    const QList<Transfer *> all = m_transfers.values();
    for (Transfer *t : all) {
        if (!t->info.outgoing && t->info.peerId == peerId
            && t->info.state == TransferState::Offered) {
            withdraw(*t);
            offers.insert(t->packetNo);
        }
    }
    if (!offers.isEmpty())
        qCInfo(lcIpmsgFiles) << offers.size() << "offer(s) from" << peerId
                             << "withdrawn: the user went offline";
    for (quint32 packetNo : std::as_const(offers))
        releaseIfUnfetched(peerId, packetNo);
}

// Offers left waiting for OfferLifetimeMs are withdrawn: they cannot pile up.
void IpmsgFiles::expireIncoming()
{
    QSet<QPair<QString, quint32>> offers;
    const QList<Transfer *> all = m_transfers.values();
    for (Transfer *t : all) {
        if (t->info.outgoing || t->info.state != TransferState::Offered || !t->offeredFor.isValid()
            || t->offeredFor.elapsed() < m_offerLifetimeMs)
            continue;
        withdraw(*t);
        offers.insert({t->info.peerId, t->packetNo});
    }
    if (!offers.isEmpty())
        qCInfo(lcIpmsgFiles) << offers.size() << "offer(s) not taken in time withdrawn";
    for (const auto &[peerId, packetNo] : std::as_const(offers))
        releaseIfUnfetched(peerId, packetNo);
}

bool IpmsgFiles::accept(const QUuid &id, const QString &directory, QString *error)
{
    Transfer *t = byId(id);
    if (!t || t->info.outgoing) {
        *error = tr("No such offer.");
        return false;
    }
    if (t->info.state != TransferState::Offered) {
        *error = tr("This offer is %1 already.").arg(transferStateName(t->info.state));
        return false;
    }
    return acceptInto(*t, directory, error);
}

bool IpmsgFiles::acceptInto(Transfer &t, const QString &dir, QString *error)
{
    const QString target = FileSink::prepareDestination(dir, m_downloadDir, t.info.size, error);
    if (target.isEmpty())
        return false;
    auto sink = std::make_shared<Disk>(target,
                                       t.info.id,
                                       QList<OfferEntry>{
                                           {t.info.name, SafeName::Kind::File, t.info.size}});
    // Here, so that the person hears at once why not; from now on only the disk thread uses it.
    if (!sink->sink.prepare(error))
        return false;
    t.disk = std::move(sink);
    t.info.destination = target;
    t.info.error.clear();
    setState(t, TransferState::Accepted);
    m_queue.append(t.info.id);
    startNext();
    return true;
}

bool IpmsgFiles::decline(const QUuid &id, QString *error)
{
    Transfer *t = byId(id);
    if (!t || t->info.outgoing) {
        *error = tr("No such offer.");
        return false;
    }
    if (t->info.state != TransferState::Offered) {
        *error = tr("This offer is %1 already.").arg(transferStateName(t->info.state));
        return false;
    }
    t->unwanted = true;
    setState(*t, TransferState::Declined);
    releaseIfUnfetched(t->info.peerId, t->packetNo);
    return true;
}

bool IpmsgFiles::cancel(const QUuid &id, QString *error)
{
    Transfer *t = byId(id);
    if (!t) {
        *error = tr("No such transfer.");
        return false;
    }
    if (isFinal(t->info.state) && !(t->info.outgoing && t->live)) {
        *error = tr("This transfer is %1 already.").arg(transferStateName(t->info.state));
        return false;
    }
    if (t->info.outgoing) {
        t->live = false;
        const QList<Serve *> serves = m_serves;
        for (Serve *s : serves) {
            if (s->id == id)
                endServe(s, u"cancelled"_s);
        }
        if (!isFinal(t->info.state))
            setState(*t, TransferState::Cancelled);
        return true;
    }
    stopDownload(*t, TransferState::Cancelled, QString());
    return true;
}

void IpmsgFiles::startNext()
{
    while (m_running < MaxRunningDownloads && !m_queue.isEmpty()) {
        Transfer *t = byId(m_queue.takeFirst());
        if (t && t->info.state == TransferState::Accepted && !t->socket)
            beginDownload(*t);
    }
}

void IpmsgFiles::beginDownload(Transfer &t)
{
    const QUuid id = t.info.id;
    const auto user = m_transport.user(t.info.peerId);
    // The address the offer came from, where the user is now if it moved.
    const QHostAddress host = user ? user->host : t.host;
    const quint16 port = user ? user->port : t.port;
    if (NetworkSafety::loopbackOnly() && !NetworkSafety::isLoopback(host)) {
        stopDownload(t,
                     TransferState::Failed,
                     tr("IP Messenger is off: SHOAL_LOOPBACK_ONLY is set."));
        return;
    }
    ++m_running;
    t.active = true;
    ++t.run;
    t.received = 0;
    t.unwritten = 0;
    t.peerClosed = false;
    t.socket = new QTcpSocket(this);
    // Read no further ahead than the disk: TCP slows the sender down.
    t.socket->setReadBufferSize(4 * ChunkBytes);
    t.deadline = new QTimer(t.socket);
    t.deadline->setSingleShot(true);
    connect(t.deadline, &QTimer::timeout, this, [this, id] {
        if (Transfer *t = byId(id))
            stopDownload(*t,
                         TransferState::Failed,
                         t->socket && t->socket->state() == QAbstractSocket::ConnectedState
                             ? tr("The sender stopped sending.")
                             : tr("The sender could not be reached."));
    });
    connect(t.socket, &QTcpSocket::connected, this, [this, id] {
        if (Transfer *t = byId(id))
            onDownloadConnected(*t);
    });
    connect(t.socket, &QTcpSocket::readyRead, this, [this, id] {
        if (Transfer *t = byId(id))
            onDownloadReadable(*t);
    });
    connect(t.socket, &QTcpSocket::disconnected, this, [this, id] {
        if (Transfer *t = byId(id))
            onDownloadClosed(*t);
    });
    connect(t.socket, &QTcpSocket::errorOccurred, this, [this, id](QAbstractSocket::SocketError e) {
        Transfer *t = byId(id);
        if (!t || !t->socket)
            return;
        if (e == QAbstractSocket::RemoteHostClosedError) {
            onDownloadClosed(*t);
            return;
        }
        stopDownload(*t,
                     TransferState::Failed,
                     tr("The connection to the sender failed: %1").arg(t->socket->errorString()));
    });
    t.started.start();
    t.info.bytesDone = 0;
    setState(t, TransferState::Running);
    t.deadline->start(m_connectTimeoutMs);
    qCInfo(lcIpmsgFiles) << "fetching file" << t.fileId << "of packet" << t.packetNo << "from"
                         << host << port;
    t.socket->connectToHost(host, port);
}

QByteArray IpmsgFiles::requestPacket(const Transfer &t) const
{
    const auto user = m_transport.user(t.info.peerId);
    const Ipmsg::Encoding encoding = user ? Ipmsg::replyEncoding(user->version, user->encoding)
                                          : Ipmsg::Encoding::Utf8;
    // IPMsg for Windows matches a requester by user and host name: the transport's own.
    const QString userName = m_config.userName.isEmpty() ? u"shoal"_s : m_config.userName;
    const QString hostName = m_config.hostName.isEmpty() ? QSysInfo::machineHostName()
                                                         : m_config.hostName;
    // Time-based like IPMsg for Windows; only unique per request matters here.
    m_lastPacketNo = std::max<quint32>(quint32(QDateTime::currentSecsSinceEpoch()),
                                       m_lastPacketNo + 1);
    Ipmsg::Packet p;
    p.version = Ipmsg::shoalVersion();
    p.packetNo = m_lastPacketNo;
    p.user = Ipmsg::encodeText(userName, encoding);
    p.host = Ipmsg::encodeText(hostName, encoding);
    // Plain GETFILEDATA: FILEATTACHOPT on it breaks FeiQ and IPMsg for Windows (iptux's rule).
    p.command = Ipmsg::GetFileData;
    p.extra = {Ipmsg::FileRequest{t.packetNo, t.fileId, 0}.encode()};
    return p.encode();
}

void IpmsgFiles::onDownloadConnected(Transfer &t)
{
    t.socket->write(requestPacket(t));
    t.deadline->start(m_stallMs);
}

void IpmsgFiles::onDownloadReadable(Transfer &t)
{
    if (!t.socket || !t.disk || t.finishing)
        return;
    // The disk is behind: the socket is not read (TCP slows the sender) until it catches up.
    if (t.unwritten >= m_maxUnwritten)
        return;
    const QByteArray data = t.socket->readAll();
    if (!data.isEmpty()) {
        t.deadline->start(m_stallMs);
        if (data.size() > t.info.size - t.received) {
            stopDownload(t,
                         TransferState::Failed,
                         tr("The sender sent more than the %L1 bytes of %2 it offered; the file "
                            "was dropped.")
                             .arg(t.info.size)
                             .arg(t.info.name));
            return;
        }
        const qint64 offset = t.received;
        t.received += data.size();
        t.unwritten += data.size();
        t.info.bytesDone = t.received;
        const QUuid id = t.info.id;
        const quint64 run = t.run;
        toDisk([this, disk = t.disk, id, run, offset, data] {
            FileSink::Error error;
            const bool ok = disk->sink.write(0, offset, data, &error);
            if (ok)
                disk->sha.addData(data);
            const qint64 n = data.size();
            QMetaObject::invokeMethod(
                this,
                [this, id, run, n, message = ok ? QString() : error.message] {
                    onWritten(id, run, n, message);
                },
                Qt::QueuedConnection);
        });
    }
    if (t.received == t.info.size) {
        // Anything still in flight is checked first: more than offered is a failure.
        if (t.socket->bytesAvailable() > 0)
            return onDownloadReadable(t);
        finishDownload(t);
        return;
    }
    if (t.peerClosed && t.socket->bytesAvailable() == 0) {
        stopDownload(t,
                     TransferState::Failed,
                     tr("The sender closed the connection after %L1 of %L2 bytes; the partial "
                        "file was removed.")
                         .arg(t.received)
                         .arg(t.info.size));
        return;
    }
    report(t, false);
}

void IpmsgFiles::onWritten(const QUuid &id, quint64 run, qint64 bytes, const QString &error)
{
    Transfer *t = byId(id);
    if (!t || t->run != run)
        return; // cancelled or failed meanwhile
    if (!error.isEmpty()) {
        stopDownload(*t, TransferState::Failed, error);
        return;
    }
    t->unwritten -= bytes;
    // Read on once half of what waited is written.
    if (t->socket && t->unwritten <= m_maxUnwritten / 2)
        onDownloadReadable(*t);
}

void IpmsgFiles::onDownloadClosed(Transfer &t)
{
    if (!t.socket || t.peerClosed)
        return;
    // What it sent before closing is still read, when the disk can take it.
    t.peerClosed = true;
    onDownloadReadable(t);
}

void IpmsgFiles::finishDownload(Transfer &t)
{
    closeSocket(t);
    t.finishing = true;
    const QUuid id = t.info.id;
    const quint64 run = t.run;
    // After the writes posted before it: the whole file is there when it runs.
    toDisk([this, disk = t.disk, id, run] {
        FileSink::Error error;
        const QString path = disk->sink.finishFile(0, disk->sha.result(), &error);
        if (!path.isEmpty())
            disk->sink.done();
        const QString sha256 = disk->sha.hexResult();
        QMetaObject::invokeMethod(
            this,
            [this, id, run, path, sha256, message = error.message] {
                onFinished(id, run, path, sha256, message);
            },
            Qt::QueuedConnection);
    });
}

void IpmsgFiles::onFinished(
    const QUuid &id, quint64 run, const QString &path, const QString &sha256, const QString &error)
{
    Transfer *t = byId(id);
    if (!t || t->run != run)
        return;
    t->finishing = false;
    if (path.isEmpty()) {
        stopDownload(*t, TransferState::Failed, error);
        return;
    }
    t->disk.reset();
    if (t->active) {
        t->active = false;
        --m_running;
    }
    t->info.savedPath = path;
    t->info.sha256 = sha256;
    t->info.bytesDone = t->info.size;
    qCInfo(lcIpmsgFiles) << "received" << t->info.size << "bytes into" << path;
    setState(*t, TransferState::Done);
    startNext();
}

void IpmsgFiles::closeSocket(Transfer &t)
{
    if (!t.socket)
        return;
    t.deadline->stop();
    t.deadline->disconnect(this);
    t.socket->disconnect(this);
    t.socket->abort();
    t.socket->deleteLater();
    t.socket = nullptr;
    t.deadline = nullptr;
}

void IpmsgFiles::stopDownload(Transfer &t, TransferState state, const QString &reason)
{
    ++t.run; // the disk thread's answers for what ran are ignored
    closeSocket(t);
    if (t.active) {
        t.active = false;
        --m_running;
    }
    t.finishing = false;
    m_queue.removeAll(t.info.id);
    if (t.disk) {
        // After the writes posted before it: the part file and the temp area go.
        toDisk([disk = std::move(t.disk)] { disk->sink.discard(); });
        t.disk.reset();
    }
    if (!reason.isEmpty())
        qCInfo(lcIpmsgFiles) << "download of" << t.info.id << "stopped:" << reason;
    t.unwanted = true;
    if (m_closing) {
        t.info.state = state;
        return;
    }
    setState(t, state, reason);
    releaseIfUnfetched(t.info.peerId, t.packetNo);
    startNext();
}

// RELEASEFILES once every file of the offer is over and some of it will not be fetched: the
// sender may forget the offer.
void IpmsgFiles::releaseIfUnfetched(const QString &peerId, quint32 packetNo)
{
    bool unwanted = false;
    for (const Transfer *t : std::as_const(m_transfers)) {
        if (t->info.outgoing || t->info.peerId != peerId || t->packetNo != packetNo)
            continue;
        if (!isFinal(t->info.state))
            return;
        unwanted = unwanted || t->unwanted || t->partial;
    }
    if (unwanted) {
        qCInfo(lcIpmsgFiles) << "RELEASEFILES" << packetNo << "to" << peerId;
        m_transport.releaseFiles(peerId, packetNo);
    }
}

// --- sending --------------------------------------------------------------------------------

QList<QUuid> IpmsgFiles::send(const QString &peerId, const QStringList &paths, QString *error)
{
    const auto user = m_transport.user(peerId);
    if (!user) {
        *error = tr("This IP Messenger user is not online: IP Messenger users can only fetch "
                    "files while both of you are.");
        return {};
    }
    if (!user->online) {
        *error = tr("%1 is not online: IP Messenger users can only fetch files while both of you "
                    "are.")
                     .arg(user->nickname);
        return {};
    }
    if (!isRunning()) {
        *error = m_error.isEmpty() ? tr("Files cannot be sent to IP Messenger users: their file "
                                        "server is not running.")
                                   : m_error;
        return {};
    }
    if (paths.isEmpty()) {
        *error = tr("Nothing to send.");
        return {};
    }
    int live = 0;
    for (const Transfer *t : std::as_const(m_transfers))
        live += t->live ? 1 : 0;
    if (live + paths.size() > MaxLiveOffers) {
        *error = tr("Too many files are offered already; cancel some first.");
        return {};
    }
    const Ipmsg::Encoding encoding = Ipmsg::replyEncoding(user->version, user->encoding);
    QList<Ipmsg::FileEntry> entries;
    QList<Transfer *> made;
    for (const QString &path : paths) {
        const QFileInfo fi(path);
        if (fi.isDir()) {
            *error = tr("%1 is a folder: folders cannot be sent to IP Messenger users yet. Send "
                        "the files, or an archive of them.")
                         .arg(QDir::toNativeSeparators(path));
        } else if (!fi.isFile()) {
            *error = tr("%1 is not a file.").arg(QDir::toNativeSeparators(path));
        } else if (!fi.isReadable()) {
            *error = tr("%1 cannot be read.").arg(QDir::toNativeSeparators(path));
        }
        if (!error->isEmpty()) {
            qDeleteAll(made);
            return {};
        }
        auto *t = new Transfer;
        t->fileId = m_nextFileId++;
        t->path = fi.absoluteFilePath();
        t->host = user->host;
        t->port = user->port;
        TransferInfo &i = t->info;
        i.id = QUuid::createUuid();
        i.peerId = peerId;
        i.outgoing = true;
        i.createdAt = QDateTime::currentDateTimeUtc();
        i.name = fi.fileName();
        i.size = fi.size();
        i.files = 1;
        i.entries = 1;
        i.sourceDir = fi.absolutePath();
        i.state = TransferState::Offered;
        // As for a Shoal offer of one file (shoal-cli waits for it before its first event).
        i.manifestHash = manifestHash(QList<OfferEntry>{{i.name, SafeName::Kind::File, i.size}});
        Ipmsg::FileEntry e;
        e.fileId = t->fileId;
        e.name = Ipmsg::encodeText(i.name, encoding);
        e.size = quint64(i.size);
        e.mtime = fi.lastModified().toSecsSinceEpoch();
        e.attributes = Ipmsg::FileEntry::Regular;
        entries.append(e);
        made.append(t);
    }
    const quint32 packetNo = m_transport.sendFileOffer(peerId, QString(), entries);
    if (packetNo == 0) {
        qDeleteAll(made);
        *error = tr("The offer could not be sent to this IP Messenger user.");
        return {};
    }
    QList<QUuid> ids;
    for (Transfer *t : std::as_const(made)) {
        t->packetNo = packetNo;
        t->live = true;
        ids.append(t->info.id);
        add(t);
        const QUuid id = t->info.id;
        QTimer::singleShot(m_offerLifetimeMs, this, [this, id] { expire(id); });
        qCInfo(lcIpmsgFiles) << "offered" << t->path << "as file" << t->fileId << "of packet"
                             << packetNo << "to" << peerId;
        // Reported once the caller has the IDs (shoal-cli answers send-file with this event).
        QMetaObject::invokeMethod(
            this,
            [this, id] {
                if (Transfer *t = byId(id))
                    report(*t, true);
            },
            Qt::QueuedConnection);
    }
    return ids;
}

void IpmsgFiles::expire(const QUuid &id)
{
    Transfer *t = byId(id);
    if (!t || !t->live)
        return;
    t->live = false;
    if (t->info.state == TransferState::Offered || t->info.state == TransferState::Accepted)
        setState(*t,
                 TransferState::Failed,
                 tr("Not downloaded in time; the offer was withdrawn. Send it again if needed."));
}

void IpmsgFiles::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        const QHostAddress peer = plain(socket->peerAddress());
        int fromPeer = 0;
        for (const Serve *s : std::as_const(m_serves))
            fromPeer += sameHost(s->peer, peer) ? 1 : 0;
        bool offered = false;
        for (const Transfer *t : std::as_const(m_transfers))
            offered = offered || (t->info.outgoing && t->live && sameHost(t->host, peer));
        QString refusal;
        if (!offered)
            refusal = u"nothing is offered to that address"_s;
        else if (fromPeer >= MaxServesPerAddress)
            refusal = u"too many connections from that address"_s;
        else if (m_serves.size() >= MaxServes)
            refusal = u"too many connections"_s;
        if (!refusal.isEmpty()) {
            // One line a second at most: a flood of connections is not a flood of lines.
            if (!m_refusalLogged.isValid() || m_refusalLogged.elapsed() >= 1000) {
                m_refusalLogged.start();
                qCInfo(lcIpmsgFiles) << "file connection from" << peer << "refused:" << refusal;
            }
            socket->abort();
            socket->deleteLater();
            continue;
        }
        auto *s = new Serve;
        s->socket = socket;
        socket->setParent(this);
        s->peer = peer;
        s->deadline = new QTimer(socket);
        s->deadline->setSingleShot(true);
        m_serves.append(s);
        connect(s->deadline, &QTimer::timeout, this, [this, s] {
            if (!s->serving && !s->buffer.isEmpty())
                handleRequest(s, s->buffer); // a request without its NUL: what came
            else
                endServe(s, s->serving ? u"stalled"_s : u"no request in time"_s);
        });
        connect(socket, &QTcpSocket::readyRead, this, [this, s] { onServeReadable(s); });
        connect(socket, &QTcpSocket::bytesWritten, this, [this, s] { pump(s); });
        connect(socket, &QTcpSocket::disconnected, this, [this, s] {
            endServe(s, s->serving && s->position < s->end ? u"closed by the peer"_s : QString());
        });
        s->deadline->start(m_requestTimeoutMs);
    }
}

void IpmsgFiles::onServeReadable(Serve *s)
{
    if (s->serving) {
        s->socket->readAll(); // nothing more is expected: dropped
        return;
    }
    s->buffer += s->socket->read(MaxRequestBytes + 1 - s->buffer.size());
    const qsizetype nul = s->buffer.indexOf('\0');
    if (nul >= 0) {
        handleRequest(s, s->buffer.left(nul + 1));
        return;
    }
    if (s->buffer.size() > MaxRequestBytes) {
        endServe(s, u"request too long"_s);
        return;
    }
    // "packet:file:offset:" without a NUL (the FeiQ clones): complete at its last ':'.
    if (s->buffer.endsWith(':')) {
        QString ignored;
        const auto p = Ipmsg::Packet::decode(s->buffer, &ignored);
        if (p && p->field(0).count(':') >= 3)
            handleRequest(s, s->buffer);
    }
}

void IpmsgFiles::handleRequest(Serve *s, const QByteArray &bytes)
{
    QString error;
    const auto packet = Ipmsg::Packet::decode(bytes, &error);
    if (!packet) {
        endServe(s, u"malformed request: "_s + error);
        return;
    }
    if (packet->mode() != Ipmsg::GetFileData) {
        endServe(s, u"unsupported request %1"_s.arg(packet->mode(), 0, 16));
        return;
    }
    const auto request = Ipmsg::FileRequest::decode(packet->field(0), &error);
    if (!request) {
        endServe(s, u"malformed GETFILEDATA: "_s + error);
        return;
    }
    Transfer *found = nullptr;
    for (Transfer *t : std::as_const(m_transfers)) {
        if (t->info.outgoing && t->live && t->packetNo == request->packetNo
            && t->fileId == request->fileId && sameHost(t->host, s->peer)) {
            found = t;
            break;
        }
    }
    if (!found) {
        endServe(s,
                 u"no offer %1:%2 to that address"_s.arg(request->packetNo, 0, 16)
                     .arg(request->fileId, 0, 16));
        return;
    }
    Transfer &t = *found;
    if (request->offset > quint64(t.info.size)) {
        endServe(s, u"offset beyond the file"_s);
        return;
    }
    auto file = std::make_unique<QFile>(t.path);
    if (!file->open(QIODevice::ReadOnly) || !file->seek(qint64(request->offset))) {
        t.info.error
            = tr("%1 cannot be read: %2").arg(QDir::toNativeSeparators(t.path), file->errorString());
        report(t, true);
        endServe(s, u"cannot read "_s + t.path);
        return;
    }
    s->file = std::move(file);
    s->id = t.info.id;
    s->from = qint64(request->offset);
    s->position = s->from;
    s->end = t.info.size;
    s->serving = true;
    s->buffer.clear();
    ++t.serving;
    qCInfo(lcIpmsgFiles) << "serving file" << t.fileId << "of packet" << t.packetNo << "from"
                         << s->position << "to" << s->peer;
    if (!isFinal(t.info.state)) {
        t.started.start();
        t.info.bytesDone = s->position;
        setState(t, TransferState::Running);
    }
    pump(s);
}

void IpmsgFiles::pump(Serve *s)
{
    if (!s->serving || !s->socket)
        return;
    s->deadline->start(m_stallMs);
    Transfer *t = byId(s->id);
    while (s->position < s->end && s->socket->bytesToWrite() < SendWindowBytes) {
        const QByteArray chunk = s->file->read(std::min(ChunkBytes, s->end - s->position));
        if (chunk.isEmpty()) {
            if (t) {
                t->info.error = tr("%1 became shorter while it was being sent.")
                                    .arg(QDir::toNativeSeparators(t->path));
                report(*t, true);
            }
            endServe(s, u"the file ended early"_s);
            return;
        }
        s->socket->write(chunk);
        s->position += chunk.size();
    }
    if (t && !isFinal(t->info.state)) {
        t->info.bytesDone = s->position - s->socket->bytesToWrite();
        report(*t, false);
    }
    if (s->position == s->end && s->socket->bytesToWrite() == 0) {
        // Done only when this connection carried the whole file: a tail asked from an offset
        // (or nothing, at offset == size) says nothing of what the user has.
        if (t && !isFinal(t->info.state) && s->from == 0) {
            t->info.bytesDone = t->info.size;
            setState(*t, TransferState::Done);
        }
        s->socket->disconnectFromHost(); // disconnected() ends the serve
    }
}

void IpmsgFiles::endServe(Serve *s, const QString &why)
{
    if (!m_serves.removeOne(s))
        return;
    if (!why.isEmpty())
        qCInfo(lcIpmsgFiles) << "file connection from" << s->peer << "closed:" << why;
    if (Transfer *t = byId(s->id); t && s->serving && !m_closing) {
        --t->serving;
        const bool sentAll = s->position == s->end && s->socket->bytesToWrite() == 0;
        if (t->info.state == TransferState::Running && sentAll && s->from == 0) {
            // Closed by them after everything was flushed: the whole file went.
            t->info.bytesDone = t->info.size;
            setState(*t, TransferState::Done);
        } else if (t->info.state == TransferState::Running && t->serving == 0 && sentAll
                   && t->live) {
            // A tail from an offset went whole: not Done by itself; they may ask again.
            t->info.error.clear();
            setState(*t, TransferState::Accepted);
        } else if (t->info.state == TransferState::Running && t->serving == 0) {
            // Broken off: they may ask again while the offer lives.
            setState(*t,
                     t->live ? TransferState::Accepted : TransferState::Failed,
                     tr("The download stopped at %L1 of %L2 bytes.")
                         .arg(t->info.bytesDone)
                         .arg(t->info.size));
        }
    }
    s->deadline->stop();
    s->deadline->disconnect(this);
    s->socket->disconnect(this);
    s->socket->abort();
    s->socket->deleteLater();
    delete s;
}
