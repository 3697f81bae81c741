// SPDX-License-Identifier: GPL-3.0-or-later
#include "files/filetransfers.h"

#include "files/filesink.h"
#include "files/filesource.h"
#include "files/sha256.h"
#include "storage/messagestore.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QLoggingCategory>
#include <QStorageInfo>

#include <memory>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcFiles, "shoal.files")

using Protocol::TransferControl;

// ---------------------------------------------------------------------------------------------
// The disk side, on a thread of its own. Every method runs there; results are posted back to
// the service's thread. It holds the open files: one reader per transfer being sent, one sink
// per transfer being received.
class FileWorker final : public QObject
{
public:
    FileWorker(FileTransfers *home, const OfferLimits &limits)
        : m_home(home)
        , m_limits(limits)
    {}

    void scan(const QUuid &id, const QStringList &paths, OfferShape shape)
    {
        QString error;
        int skipped = 0;
        const auto items = FileSource::scan(paths, shape, &error, &skipped, m_limits);
        post([id, items = items.value_or(QList<ManifestItem>()), skipped, error](FileTransfers &h) {
            h.scanned(id, items, skipped, error);
        });
    }

    // Sending: serve `request` (a get) from `index` at `offset`, as far as granted.
    void startSending(const QUuid &id,
                      quint32 request,
                      const QList<ManifestItem> &items,
                      qint64 index,
                      qint64 offset,
                      const QByteArray &prefixHash)
    {
        auto r = std::make_shared<Reading>();
        r->request = request;
        r->items = items;
        r->index = index;
        m_reading.insert(id, r);
        if (!open(id, *r, offset, prefixHash))
            return;
        pump(id);
    }

    void grant(const QUuid &id, quint32 request, qint64 bytes)
    {
        const auto r = m_reading.value(id);
        if (!r || r->request != request)
            return;
        r->credit += bytes;
        pump(id);
    }

    void stopSending(const QUuid &id) { m_reading.remove(id); }

    // Receiving.
    void prepareSink(const QUuid &id,
                     const QString &destDir,
                     const QList<OfferEntry> &entries,
                     OfferShape shape)
    {
        auto &slot = m_sinks[id];
        if (!slot)
            slot = std::make_shared<Sink>();
        Sink &sink = *slot;
        if (!sink.sink) {
            sink.sink = std::make_unique<FileSink>(destDir, id, entries, shape);
            QString error;
            if (!sink.sink->prepare(&error)) {
                m_sinks.remove(id);
                // prepare() says why in words only. A disk with no room left is a full disk
                // (paused, resumed when there is room), as when a write finds it: else a disk
                // that filled up between two transfers would fail the next one.
                const QStorageInfo disk(destDir);
                const bool full = disk.isValid() && disk.bytesAvailable() >= 0
                                  && disk.bytesAvailable() < 1024 * 1024;
                post([id, error, full](FileTransfers &h) { h.sinkFailed(id, error, full); });
                return;
            }
        }
        sink.failed = false;
        QString error;
        const auto point = sink.sink->resumePoint(&error);
        if (!point) {
            m_sinks.remove(id);
            post([id, error](FileTransfers &h) { h.sinkFailed(id, error, false); });
            return;
        }
        const FileSink::ResumePoint at = *point;
        const QString saved = sink.sink->savedPath();
        post([id, at, saved](FileTransfers &h) {
            h.sinkReady(id, at.index, at.offset, at.prefixHash, saved);
        });
    }

    void write(const QUuid &id, qint64 index, qint64 offset, const QByteArray &data)
    {
        const auto sink = m_sinks.value(id);
        if (sink && !sink->failed) {
            FileSink::Error error;
            if (!sink->sink->write(index, offset, QByteArrayView(data), &error)) {
                sink->failed = true;
                const bool full = error.kind == FileSink::Error::Kind::DiskFull;
                post([id, msg = error.message, full](FileTransfers &h) {
                    h.sinkFailed(id, msg, full);
                });
            }
        }
        post([id, n = data.size()](FileTransfers &h) { h.written(id, n); });
    }

    void finishFile(const QUuid &id, qint64 index, const QByteArray &sha256)
    {
        const auto sink = m_sinks.value(id);
        if (!sink || sink->failed)
            return;
        FileSink::Error error;
        const QString path = sink->sink->finishFile(index, sha256, &error);
        if (path.isEmpty()) {
            sink->failed = true;
            post([id, msg = error.message](FileTransfers &h) { h.sinkFailed(id, msg, false); });
            return;
        }
        post([id, index, path](FileTransfers &h) { h.fileFinished(id, index, path); });
    }

    void completeSink(const QUuid &id)
    {
        if (const auto sink = m_sinks.value(id)) {
            QString error;
            if (!sink->sink->done(&error))
                qCWarning(lcFiles).noquote() << "transfer" << id << error;
        }
        m_sinks.remove(id);
    }

    void discardSink(const QUuid &id,
                     const QString &destDir,
                     const QList<OfferEntry> &entries,
                     OfferShape shape)
    {
        const auto open = m_sinks.take(id);
        if (!open || !open->sink) {
            // After a restart nothing is open: what is on disk is found from the journal.
            FileSink sink(destDir, id, entries, shape);
            sink.discard();
            return;
        }
        open->sink->discard();
    }

    void closeSink(const QUuid &id) { m_sinks.remove(id); }

private:
    struct Reading
    {
        quint32 request = 0;
        QList<ManifestItem> items;
        qint64 index = 0;
        qint64 credit = 0;
        std::unique_ptr<FileReader> reader;
        bool finished = false;
    };
    struct Sink
    {
        std::unique_ptr<FileSink> sink;
        bool failed = false; // writes are dropped until it is prepared again
    };

    template<typename F>
    void post(F &&f)
    {
        QMetaObject::invokeMethod(
            m_home, [home = m_home, f = std::forward<F>(f)]() { f(*home); }, Qt::QueuedConnection);
    }

    // Opens r.index (a file entry) at `offset`. The receiver's prefix hash must match the
    // source's first bytes; when it does not (its partial file is not ours) the file is sent
    // again from 0, and the first data frame says so by its offset.
    bool open(const QUuid &id, Reading &r, qint64 offset, const QByteArray &prefixHash)
    {
        while (r.index < r.items.size() && r.items.at(r.index).entry.kind != SafeName::Kind::File)
            ++r.index;
        if (r.index >= r.items.size()) {
            r.finished = true;
            return true;
        }
        const ManifestItem &item = r.items.at(r.index);
        r.reader = std::make_unique<FileReader>();
        QString error;
        if (!r.reader->open(item.localPath, item.entry.size, item.mtimeNs, &error))
            return failRead(id, r, error);
        if (offset > 0) {
            const QByteArray ours = r.reader->prefixHash(offset, &error);
            if (ours.isEmpty())
                return failRead(id, r, error);
            if (ours != prefixHash) {
                qCInfo(lcFiles) << "transfer" << id << "file" << r.index
                                << "the receiver's partial file differs: sent again from 0";
                r.reader = std::make_unique<FileReader>();
                if (!r.reader->open(item.localPath, item.entry.size, item.mtimeNs, &error))
                    return failRead(id, r, error);
            }
        }
        return true;
    }

    bool failRead(const QUuid &id, Reading &r, const QString &error)
    {
        const quint32 request = r.request;
        m_reading.remove(id);
        post([id, request, error](FileTransfers &h) { h.readFailed(id, request, error); });
        return false;
    }

    void pump(const QUuid &id)
    {
        const auto reading = m_reading.value(id);
        while (reading && m_reading.value(id) == reading && !reading->finished
               && reading->credit > 0) {
            Reading &r = *reading;
            if (r.reader->atEnd()) {
                const QByteArray sha = r.reader->sha256();
                post([id, request = r.request, index = r.index, sha](FileTransfers &h) {
                    h.fileRead(id, request, index, sha);
                });
                r.credit -= 64; // a fend frame
                ++r.index;
                if (!open(id, r, 0, {}))
                    return;
                continue;
            }
            const qint64 offset = r.reader->position();
            QString error;
            const QByteArray data = r.reader->read(qMin<qint64>(r.credit, Protocol::MaxChunkBytes),
                                                   &error);
            if (data.isEmpty()) {
                failRead(id, r, error);
                return;
            }
            r.credit -= data.size();
            post([id, request = r.request, index = r.index, offset, data](FileTransfers &h) {
                h.chunkRead(id, request, index, offset, data);
            });
        }
    }

    FileTransfers *m_home;
    const OfferLimits m_limits;
    // Shared pointers: QHash copies its values; what a failure removes stays alive for the
    // caller still holding it.
    QHash<QUuid, std::shared_ptr<Reading>> m_reading;
    QHash<QUuid, std::shared_ptr<Sink>> m_sinks;
};

// ---------------------------------------------------------------------------------------------

struct FileTransfers::Transfer
{
    TransferInfo info;
    // Sender: the manifest with where each file is here (loaded on first need after a restart).
    QList<ManifestItem> items;
    bool itemsLoaded = false;
    quint32 serving = 0;  // the get being served
    bool sending = false; // the worker reads for it
    qint64 credit = 0;    // bytes granted to the worker not yet come back
    // Receiver: the manifest as fetched, checked once complete.
    QList<OfferEntry> entries;
    bool manifestComplete = false;
    bool manifestAsked = false;
    bool sinkAsked = false; // prepareSink posted, sinkReady not yet come back
    bool sinkReady = false;
    quint32 request = 0;     // our latest get
    bool requesting = false; // a get is out and its data may come
    bool mayRestart = false; // the first frame of the request may start the file again at 0
    qint64 index = 0;        // where the next byte goes
    qint64 offset = 0;
    qint64 unwritten = 0; // bytes given to the worker, not yet written
    qint64 filesDone = 0;
    bool diskFull = false;
    qint64 hashAllowanceMs = 0; // more patience for the first frame of a resumed file
    QByteArray lastSha;         // the sender's hash of the file being finished (offers of one file)
    QElapsedTimer lastData;
    // Both
    QList<qint64> prefix; // bytes of the files before each entry (entries + 1 values)
    qint64 rateBytes = 0; // bytesDone when the rate was last taken
    QElapsedTimer rateClock;
    QElapsedTimer reportClock;
    QElapsedTimer saveClock;
    bool reportPending = false;
    bool told = true;          // the peer knows the state (else it is told on the next connection)
    bool resumeUntold = false; // resumed here while the peer was away
};

template<typename F>
void FileTransfers::toWorker(F &&f)
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, f = std::forward<F>(f)]() { f(*w); }, Qt::QueuedConnection);
}

FileTransfers::FileTransfers(Transport &transport,
                             MessageStore &store,
                             FilesConfig config,
                             QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(store)
    , m_config(std::move(config))
    , m_worker(new FileWorker(this, m_config.limits))
{
    m_thread.setObjectName(QStringLiteral("shoal-files"));
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    // Hashing and disk work yield to the window and the sockets when the cores are all busy
    // (nice 10, this thread only): a 2-core machine otherwise runs four busy threads in turns
    // and the main thread waits for a core for tens of ms.
    QMetaObject::invokeMethod(m_worker, [] {
        setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), WorkerNice);
    });
    m_tick.setInterval(ProgressIntervalMs);
    connect(&m_tick, &QTimer::timeout, this, &FileTransfers::tick);
    connect(&transport, &Transport::peerConnected, this, [this](const QString &peerId) {
        onPeerConnected(peerId);
    });
    connect(&transport, &Transport::peerDisconnected, this, &FileTransfers::onPeerDisconnected);
    connect(&transport, &Transport::streamOpened, this, &FileTransfers::onStreamOpened);
    connect(&transport,
            &Transport::streamClosed,
            this,
            [this](const QString &peerId, StreamKind kind) { onStreamClosed(peerId, kind); });
    connect(&transport, &Transport::peerWritable, this, &FileTransfers::onWritable);
    connect(&transport,
            &Transport::attemptFinished,
            this,
            [this](int attempt, const QString &, Net::Error error) {
                onAttemptFinished(attempt, error);
            });
}

FileTransfers::~FileTransfers()
{
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
    qDeleteAll(m_transfers);
}

// --- bookkeeping ------------------------------------------------------------------------------

FileTransfers::Transfer *FileTransfers::byId(const QUuid &id)
{
    return m_transfers.value(id);
}

FileTransfers::Transfer *FileTransfers::incoming(const QString &peerId, const QUuid &id)
{
    Transfer *t = byId(id);
    return t && !t->info.outgoing && t->info.peerId == peerId ? t : nullptr;
}

FileTransfers::Transfer *FileTransfers::outgoing(const QString &peerId, const QUuid &id)
{
    Transfer *t = byId(id);
    return t && t->info.outgoing && t->info.peerId == peerId ? t : nullptr;
}

qint64 FileTransfers::entryCount(const Transfer &t) const
{
    return t.info.outgoing ? t.items.size() : t.entries.size();
}

bool FileTransfers::isFileEntry(const Transfer &t, qint64 index) const
{
    if (index < 0 || index >= entryCount(t))
        return false;
    const OfferEntry &e = t.info.outgoing ? t.items.at(index).entry : t.entries.at(index);
    return e.kind == SafeName::Kind::File;
}

qint64 FileTransfers::fileSize(const Transfer &t, qint64 index) const
{
    return t.info.outgoing ? t.items.at(index).entry.size : t.entries.at(index).size;
}

qint64 FileTransfers::nextFile(const Transfer &t, qint64 from) const
{
    qint64 i = qMax<qint64>(0, from);
    while (i < entryCount(t) && !isFileEntry(t, i))
        ++i;
    return i;
}

qint64 FileTransfers::offsetOf(const Transfer &t, qint64 index) const
{
    return index >= 0 && index < t.prefix.size() ? t.prefix.at(index) : t.info.size;
}

namespace {
QList<qint64> prefixSums(const QList<OfferEntry> &entries)
{
    QList<qint64> out;
    out.reserve(entries.size() + 1);
    qint64 sum = 0;
    for (const OfferEntry &e : entries) {
        out.append(sum);
        sum += e.size;
    }
    out.append(sum);
    return out;
}

OfferShape shapeOf(const TransferRecord &r)
{
    return r.folder ? OfferShape::Folder : OfferShape::Files;
}

bool isActive(TransferState s)
{
    return s == TransferState::Accepted || s == TransferState::Running;
}
} // namespace

void FileTransfers::save(Transfer &t)
{
    t.saveClock.start();
    m_store.saveTransfer(t.info);
}

void FileTransfers::report(Transfer &t, bool now)
{
    if (!now && t.reportClock.isValid() && t.reportClock.elapsed() < ProgressIntervalMs) {
        t.reportPending = true;
        ensureTicking();
        return;
    }
    t.reportPending = false;
    t.reportClock.start();
    Q_EMIT changed(t.info);
}

void FileTransfers::ensureTicking()
{
    if (!m_tick.isActive())
        m_tick.start();
}

void FileTransfers::tick()
{
    bool busy = false;
    for (Transfer *t : std::as_const(m_transfers)) {
        TransferInfo &i = t->info;
        if (i.state == TransferState::Running) {
            busy = true;
            // The rate over the last second or so, smoothed.
            if (!t->rateClock.isValid()) {
                t->rateClock.start();
                t->rateBytes = i.bytesDone;
            } else if (t->rateClock.elapsed() >= 1000) {
                const double now = double(i.bytesDone - t->rateBytes) * 1000.0
                                   / double(t->rateClock.restart());
                i.bytesPerSecond = i.bytesPerSecond > 0 ? 0.5 * i.bytesPerSecond + 0.5 * now : now;
                t->rateBytes = i.bytesDone;
                t->reportPending = true;
            }
            if (t->saveClock.isValid() && t->saveClock.elapsed() >= SaveProgressMs)
                save(*t);
        }
        // A sender that has gone quiet: only while it has a request to answer. Not only while
        // Running: a transfer is Accepted until its manifest came, and a sender that never
        // answers the mreq would hold it (and every later one from that peer) for ever.
        if (!i.outgoing && isActive(i.state) && (t->requesting || t->manifestAsked)
            && t->unwritten == 0 // our disk is the slow one: the sender waits for us
            && t->lastData.isValid() && t->lastData.elapsed() > m_stallMs + t->hashAllowanceMs) {
            fail(*t, tr("The peer sent nothing for %1 seconds.").arg(m_stallMs / 1000));
            continue;
        }
        if (t->diskFull && i.state == TransferState::Paused) {
            busy = true;
            // Room for 16 MiB more, or for the whole transfer when it is smaller: on a file
            // system smaller than 16 MiB (a small tmpfs, a USB stick) it would never resume.
            const QStorageInfo disk(i.destination);
            if (disk.bytesAvailable() > qMin<qint64>(16 * 1024 * 1024, i.size)) {
                t->diskFull = false;
                i.error.clear();
                setState(*t, TransferState::Running, Op::Resume);
                runIncoming(i.peerId);
            }
        }
        if (t->reportPending)
            report(*t, true);
    }
    // Incoming transfers waiting for a bulk stream to open are retried here too.
    const QStringList receiving = m_receivingFrom.keys();
    for (const QString &peerId : receiving) {
        busy = true;
        Transfer *t = byId(m_receivingFrom.value(peerId));
        if (t && !m_transport.isConnected(peerId, StreamKind::Bulk))
            advance(*t);
    }
    if (!busy)
        m_tick.stop();
}

void FileTransfers::setState(Transfer &t,
                             TransferState state,
                             std::optional<Op> op,
                             const QString &reason)
{
    t.info.state = state;
    if (isFinal(state)) {
        // Over: its list of files (up to 100,000 entries) is not needed any more.
        t.items = {};
        t.entries = {};
        t.prefix = {};
        t.itemsLoaded = false;
        t.manifestComplete = false;
    }
    if (state != TransferState::Paused)
        t.info.pausedByPeer = false;
    if (state != TransferState::Running)
        t.info.bytesPerSecond = 0;
    if (op)
        sendControl(t, *op, reason);
    save(t);
    updateWanted(t.info.peerId);
    report(t, true);
    if (state == TransferState::Running || state == TransferState::Paused)
        ensureTicking();
}

void FileTransfers::updateWanted(const QString &peerId)
{
    bool wanted = false;
    for (const Transfer *t : std::as_const(m_transfers)) {
        const TransferInfo &i = t->info;
        if (i.peerId != peerId || isFinal(i.state) || (i.outgoing && i.manifestHash.isEmpty()))
            continue;
        // An offer waits for its peer; so does what is accepted and not paused, either way.
        if ((i.outgoing && i.state == TransferState::Offered) || isActive(i.state)) {
            wanted = true;
            break;
        }
    }
    if (wanted == m_wanted.contains(peerId))
        return;
    if (wanted)
        m_wanted.insert(peerId);
    else
        m_wanted.remove(peerId);
    Q_EMIT peerWanted(peerId, wanted);
}

void FileTransfers::sendControl(Transfer &t, Op op, const QString &reason)
{
    TransferControl c;
    c.id = t.info.id;
    c.op = op;
    c.reason = reason;
    t.told = m_transport.send(t.info.peerId, c);
    if (t.told && op == Op::Resume)
        t.resumeUntold = false;
    if (t.told)
        m_transport.flush();
}

void FileTransfers::sendOffer(Transfer &t)
{
    Protocol::Offer o;
    o.id = t.info.id;
    o.sentAt = t.info.createdAt;
    o.name = t.info.name;
    o.size = t.info.size;
    o.files = t.info.files;
    o.entries = t.info.entries;
    o.folder = t.info.folder;
    o.manifestHash = t.info.manifestHash;
    if (m_transport.send(t.info.peerId, o))
        m_transport.flush();
}

void FileTransfers::fail(Transfer &t, const QString &reason, bool tellPeer)
{
    if (isFinal(t.info.state))
        return;
    qCInfo(lcFiles).noquote() << "transfer" << t.info.id.toString(QUuid::WithoutBraces)
                              << "failed:" << reason;
    t.info.error = reason;
    if (t.info.outgoing)
        stopSending(t);
    else
        stopReceiving(t, true);
    setState(t, TransferState::Failed, tellPeer ? std::optional(Op::Failed) : std::nullopt, reason);
    // The peer's next accepted transfer runs now, as after a cancel: else it would wait for a
    // reconnection (a bad frame or a silent sender would hold up the good ones).
    if (!t.info.outgoing)
        runIncoming(t.info.peerId);
}

// --- commands ---------------------------------------------------------------------------------

void FileTransfers::load()
{
    for (const TransferRecord &r : m_store.transfers()) {
        if (m_transfers.contains(r.id))
            continue; // the same ID in two directions or from two peers: the first is kept
        auto *t = new Transfer;
        static_cast<TransferRecord &>(t->info) = r;
        // What ran when the program stopped continues when the peer is back.
        if (r.state == TransferState::Running)
            t->info.state = TransferState::Accepted;
        // Whether the peer heard the latest state is not remembered: an unfinished one is told
        // again on the next connection; a final one when the peer asks about the transfer
        // (tellFinal) or offers it again.
        t->told = isFinal(r.state);
        if (!r.outgoing && !isFinal(r.state) && !r.destination.isEmpty()) {
            // The list of files as checked when it came (docs/files.md, "Transfers").
            const auto items = decodeManifest(m_store.manifest(r.id, r.peerId, false));
            if (items && items->size() == r.entries) {
                t->entries = offerEntries(*items);
                t->prefix = prefixSums(t->entries);
                t->manifestComplete = true;
            }
        }
        m_transfers.insert(r.id, t);
        m_order.append(r.id);
    }
    std::sort(m_order.begin(), m_order.end(), [this](const QUuid &a, const QUuid &b) {
        return m_transfers.value(a)->info.createdAt < m_transfers.value(b)->info.createdAt;
    });
    QSet<QString> peers;
    for (const Transfer *t : std::as_const(m_transfers))
        peers.insert(t->info.peerId);
    for (const QString &peerId : std::as_const(peers))
        updateWanted(peerId);
}

std::optional<QUuid> FileTransfers::send(const QString &peerId,
                                         const QStringList &paths,
                                         bool asFolder,
                                         QString *error)
{
    if (!Protocol::isValidPeerId(peerId)) {
        *error = tr("No such peer.");
        return std::nullopt;
    }
    if (paths.isEmpty()) {
        *error = tr("Nothing to send.");
        return std::nullopt;
    }
    if (asFolder && (paths.size() != 1 || !QFileInfo(paths.first()).isDir())) {
        *error = tr("Pick one folder to send as a folder.");
        return std::nullopt;
    }
    const QUuid id = newMessageId();
    auto *t = new Transfer;
    t->info.id = id;
    t->info.peerId = peerId;
    t->info.outgoing = true;
    t->info.createdAt = QDateTime::currentDateTimeUtc();
    t->info.folder = asFolder;
    t->info.name = QFileInfo(paths.first()).fileName();
    t->info.sourceDir = QFileInfo(paths.first()).absolutePath();
    t->info.state = TransferState::Offered;
    t->itemsLoaded = true;
    m_transfers.insert(id, t);
    m_order.append(id);
    const OfferShape shape = asFolder ? OfferShape::Folder : OfferShape::Files;
    toWorker([id, paths, shape](FileWorker &w) { w.scan(id, paths, shape); });
    return id;
}

void FileTransfers::scanned(const QUuid &id,
                            const QList<ManifestItem> &items,
                            int skipped,
                            const QString &error)
{
    Transfer *t = byId(id);
    if (!t)
        return;
    if (t->info.state == TransferState::Cancelled) {
        m_transfers.remove(id);
        m_order.removeOne(id);
        delete t;
        return;
    }
    if (!error.isEmpty() || items.isEmpty()) {
        t->info.state = TransferState::Failed;
        t->info.error = error.isEmpty() ? tr("There is nothing to send there.") : error;
        report(*t, true); // never offered: not kept in the history
        return;
    }
    if (skipped > 0)
        qCInfo(lcFiles) << "transfer" << id << "left out" << skipped
                        << "symbolic links and special files";
    t->items = items;
    const QList<OfferEntry> entries = offerEntries(items);
    t->prefix = prefixSums(entries);
    t->info.size = t->prefix.last();
    t->info.entries = entries.size();
    t->info.files = std::count_if(entries.cbegin(), entries.cend(), [](const OfferEntry &e) {
        return e.kind == SafeName::Kind::File;
    });
    t->info.manifestHash = manifestHash(entries);
    t->info.name = entries.first().path.section(QLatin1Char('/'), 0, 0);
    m_store.saveManifest(id, t->info.peerId, true, encodeManifest(items));
    save(*t);
    ChatMessage item;
    item.id = id;
    item.peerId = t->info.peerId;
    item.outgoing = true;
    item.sentAt = item.receivedAt = t->info.createdAt;
    item.text = t->info.name;
    item.state = MessageState::Delivered;
    item.kind = MessageKind::File;
    m_store.addOutgoing(item);
    report(*t, true);
    if (m_transport.isConnected(t->info.peerId))
        sendOffer(*t);
    updateWanted(t->info.peerId);
}

bool FileTransfers::acceptInto(Transfer &t, const QString &dir, QString *error)
{
    const QString target
        = FileSink::prepareDestination(dir, m_config.downloadDir, t.info.size, error);
    if (target.isEmpty())
        return false;
    t.info.destination = QDir(target).absolutePath();
    t.info.error.clear();
    setState(t, TransferState::Accepted, Op::Accept);
    runIncoming(t.info.peerId);
    return true;
}

bool FileTransfers::accept(const QUuid &id, const QString &directory, QString *error)
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

bool FileTransfers::decline(const QUuid &id, QString *error)
{
    Transfer *t = byId(id);
    if (!t || t->info.outgoing || t->info.state != TransferState::Offered) {
        *error = tr("No such offer waiting.");
        return false;
    }
    setState(*t, TransferState::Declined, Op::Decline);
    return true;
}

bool FileTransfers::pause(const QUuid &id, QString *error)
{
    Transfer *t = byId(id);
    if (!t || !isActive(t->info.state)) {
        *error = tr("No such transfer running.");
        return false;
    }
    if (t->info.outgoing)
        stopSending(*t);
    else
        stopReceiving(*t, false);
    t->info.pausedByPeer = false;
    setState(*t, TransferState::Paused, Op::Pause);
    if (!t->info.outgoing)
        runIncoming(t->info.peerId); // the next one from that peer may run meanwhile
    return true;
}

bool FileTransfers::resume(const QUuid &id, QString *error)
{
    Transfer *t = byId(id);
    if (!t || t->info.state != TransferState::Paused) {
        *error = tr("No such transfer paused.");
        return false;
    }
    t->diskFull = false;
    t->info.error.clear();
    setState(*t, TransferState::Accepted, Op::Resume);
    t->resumeUntold = !t->told;
    if (!t->info.outgoing)
        runIncoming(t->info.peerId);
    return true;
}

bool FileTransfers::cancel(const QUuid &id, QString *error)
{
    Transfer *t = byId(id);
    if (!t || isFinal(t->info.state)) {
        *error = tr("No such transfer to cancel.");
        return false;
    }
    if (t->info.outgoing && t->info.manifestHash.isEmpty()) {
        // Still being read from the disk: dropped when the scan comes back.
        t->info.state = TransferState::Cancelled;
        report(*t, true);
        return true;
    }
    if (t->info.outgoing)
        stopSending(*t);
    else
        stopReceiving(*t, true);
    setState(*t, TransferState::Cancelled, Op::Cancel);
    if (!t->info.outgoing)
        runIncoming(t->info.peerId);
    return true;
}

QList<TransferInfo> FileTransfers::all() const
{
    QList<TransferInfo> out;
    out.reserve(m_order.size());
    // Active first (oldest first, the order they run in), then the rest newest first.
    for (const QUuid &id : m_order) {
        const Transfer *t = m_transfers.value(id);
        if (t && !isFinal(t->info.state))
            out.append(t->info);
    }
    for (auto it = m_order.crbegin(); it != m_order.crend(); ++it) {
        const Transfer *t = m_transfers.value(*it);
        if (t && isFinal(t->info.state))
            out.append(t->info);
    }
    return out;
}

std::optional<TransferInfo> FileTransfers::find(const QUuid &id) const
{
    if (const Transfer *t = m_transfers.value(id))
        return t->info;
    return std::nullopt;
}

void FileTransfers::setAcceptFrom(const QString &peerId, bool accept)
{
    if (accept)
        m_acceptFrom.insert(peerId);
    else
        m_acceptFrom.remove(peerId);
}

// --- the peer's control messages (chat stream) ------------------------------------------------

void FileTransfers::onOffer(const QString &peerId, const Protocol::Offer &offer)
{
    if (Transfer *known = byId(offer.id)) {
        if (known->info.peerId == peerId && !known->info.outgoing) {
            // Sent again (the peer did not hear our answer): say where it stands.
            if (isActive(known->info.state))
                sendControl(*known, Op::Accept);
            else
                tellState(*known);
            return;
        }
        // Only a made-up ID collides with one of another peer's, or with one of ours: that
        // offer is refused (and the peer told, so that it stops offering it); ours is untouched.
        qCWarning(lcFiles) << "offer" << offer.id << "from" << peerId
                           << "reuses a transfer ID known here: refused";
        TransferControl c;
        c.id = offer.id;
        c.op = Op::Failed;
        c.reason = tr("This transfer ID is taken; offer it again.");
        if (m_transport.send(peerId, c))
            m_transport.flush();
        return;
    }
    auto refuse = [&](const QString &reason) {
        TransferControl c;
        c.id = offer.id;
        c.op = Op::Failed;
        c.reason = reason;
        m_transport.send(peerId, c);
        m_transport.flush();
    };
    int waiting = 0;
    for (const Transfer *t : std::as_const(m_transfers)) {
        // Every unfinished one: accepting them at once (always accept) must not lift the bound.
        if (!t->info.outgoing && t->info.peerId == peerId && !isFinal(t->info.state))
            ++waiting;
    }
    if (waiting >= m_config.maxPendingOffersPerPeer) {
        refuse(tr("Too many transfers from this peer are unfinished (%1).").arg(waiting));
        return;
    }
    if (offer.entries > m_config.limits.maxEntries) {
        refuse(tr("The offer has %1 files and folders; at most %2 are taken.")
                   .arg(offer.entries)
                   .arg(m_config.limits.maxEntries));
        return;
    }
    if (offer.size > m_config.limits.maxTotalBytes) {
        refuse(tr("The offer is %1; at most %2 are taken.")
                   .arg(QLocale().formattedDataSize(offer.size),
                        QLocale().formattedDataSize(m_config.limits.maxTotalBytes)));
        return;
    }
    if (offer.files > offer.entries) {
        refuse(tr("The offer counts more files than entries."));
        return;
    }
    auto *t = new Transfer;
    TransferInfo &i = t->info;
    i.id = offer.id;
    i.peerId = peerId;
    i.outgoing = false;
    i.createdAt = QDateTime::currentDateTimeUtc();
    i.name = offer.name;
    i.size = offer.size;
    i.files = offer.files;
    i.entries = offer.entries;
    i.folder = offer.folder;
    i.manifestHash = offer.manifestHash;
    i.state = TransferState::Offered;
    m_transfers.insert(i.id, t);
    m_order.append(i.id);
    save(*t);
    ChatMessage item;
    item.id = i.id;
    item.peerId = peerId;
    item.outgoing = false;
    item.sentAt = offer.sentAt;
    item.receivedAt = i.createdAt;
    item.text = i.name;
    item.state = MessageState::Delivered;
    item.kind = MessageKind::File;
    m_store.addReceived(item);
    sendControl(*t, Op::Seen);
    report(*t, true);
    Q_EMIT offered(i);
    const QString into = !m_config.acceptFilesInto.isEmpty() ? m_config.acceptFilesInto
                         : m_acceptFrom.contains(peerId)     ? m_config.downloadDir
                                                             : QString();
    if (!into.isEmpty()) {
        QString error;
        if (!acceptInto(*t, into, &error)) {
            t->info.error = error; // left waiting for the person, with the reason
            report(*t, true);
        }
    }
}

void FileTransfers::onControl(const QString &peerId, const TransferControl &c)
{
    Transfer *t = byId(c.id);
    if (!t || t->info.peerId != peerId) {
        qCDebug(lcFiles) << "control for an unknown transfer from" << peerId;
        return;
    }
    TransferInfo &i = t->info;
    const QString reason = c.reason.isEmpty() ? QString() : tr("The peer says: %1").arg(c.reason);
    switch (c.op) {
    case Op::Seen:
        if (i.outgoing && !i.seen) {
            i.seen = true;
            save(*t);
            report(*t, true);
        }
        break;
    case Op::Accept:
        if (i.outgoing && i.state == TransferState::Offered)
            setState(*t, TransferState::Accepted);
        break;
    case Op::Decline:
        if (i.outgoing && i.state == TransferState::Offered)
            setState(*t, TransferState::Declined);
        break;
    case Op::Cancel:
        if (!isFinal(i.state)) {
            i.outgoing ? stopSending(*t) : stopReceiving(*t, true);
            setState(*t, TransferState::Cancelled);
            if (!i.outgoing)
                runIncoming(peerId);
        }
        break;
    case Op::Pause:
        if (isActive(i.state)) {
            i.outgoing ? stopSending(*t) : stopReceiving(*t, false);
            i.pausedByPeer = true;
            setState(*t, TransferState::Paused);
            if (!i.outgoing)
                runIncoming(peerId);
        }
        break;
    case Op::Resume:
        if (i.state == TransferState::Paused && !t->diskFull) {
            setState(*t, TransferState::Accepted);
            if (!i.outgoing)
                runIncoming(peerId);
        }
        break;
    case Op::Done:
        if (i.outgoing && !isFinal(i.state)) {
            stopSending(*t);
            i.bytesDone = i.size;
            setState(*t, TransferState::Done);
        }
        break;
    case Op::Failed:
        if (!isFinal(i.state)) {
            i.error = reason.isEmpty() ? tr("The peer gave up.") : reason;
            i.outgoing ? stopSending(*t) : stopReceiving(*t, true);
            setState(*t, TransferState::Failed);
            if (!i.outgoing)
                runIncoming(peerId);
        }
        break;
    case Op::Unknown:
        break;
    }
}

// --- the connection ---------------------------------------------------------------------------

void FileTransfers::onPeerConnected(const QString &peerId)
{
    for (const QUuid &id : std::as_const(m_order)) {
        Transfer *t = byId(id);
        if (!t || t->info.peerId != peerId)
            continue;
        TransferInfo &i = t->info;
        // What changed here while the peer was away, first: the chat stream keeps the order,
        // so a pause or a resume arrives before the offer below asks where the peer stands.
        if (!t->told)
            tellState(*t);
        if (i.outgoing && !isFinal(i.state) && !i.manifestHash.isEmpty())
            // Waits like a message: offered again until answered. Once answered, the offer
            // asks where the receiver stands (a "done" lost with a connection comes again).
            sendOffer(*t);
    }
    runIncoming(peerId);
}

void FileTransfers::onPeerDisconnected(const QString &peerId)
{
    onStreamClosed(peerId, StreamKind::Bulk);
}

void FileTransfers::onStreamOpened(const QString &peerId, StreamKind kind)
{
    if (kind != StreamKind::Bulk)
        return;
    m_openingBulk.remove(peerId);
    if (Transfer *t = byId(m_receivingFrom.value(peerId)))
        advance(*t);
}

void FileTransfers::onStreamClosed(const QString &peerId, StreamKind kind)
{
    if (kind != StreamKind::Bulk)
        return;
    // What was on its way is lost with the stream; the receiver asks again from what it holds.
    if (Transfer *t = byId(m_sendingTo.value(peerId)))
        stopSending(*t);
    if (Transfer *t = byId(m_receivingFrom.value(peerId))) {
        t->requesting = false;
        t->manifestAsked = false;
        t->lastData.invalidate();
    }
}

void FileTransfers::onAttemptFinished(int attempt, Net::Error error)
{
    const QString peerId = m_attempts.take(attempt);
    if (peerId.isEmpty() || error == Net::Error::None)
        return;
    m_openingBulk.remove(peerId);
    m_bulkRetryAfter[peerId].start(); // tick() tries again a few seconds later
}

void FileTransfers::onWritable(const QString &peerId, StreamKind kind)
{
    if (kind != StreamKind::Bulk)
        return;
    if (Transfer *t = byId(m_sendingTo.value(peerId)))
        topUp(*t);
}

void FileTransfers::onBulkMessage(const QString &peerId, const Protocol::Message &message)
{
    if (const auto *m = std::get_if<Protocol::FileData>(&message))
        onData(peerId, *m);
    else if (const auto *m = std::get_if<Protocol::FileEnd>(&message))
        onFileEnd(peerId, *m);
    else if (const auto *m = std::get_if<Protocol::FileGet>(&message))
        onGet(peerId, *m);
    else if (const auto *m = std::get_if<Protocol::ManifestRequest>(&message))
        onManifestRequest(peerId, *m);
    else if (const auto *m = std::get_if<Protocol::ManifestPage>(&message))
        onManifestPage(peerId, *m);
    else
        qCDebug(lcFiles) << "ignored on the bulk stream from" << peerId
                         << Protocol::toString(message);
}

void FileTransfers::tellState(Transfer &t)
{
    const TransferInfo &i = t.info;
    switch (i.state) {
    case TransferState::Offered:
        if (!i.outgoing)
            sendControl(t, Op::Seen);
        break;
    case TransferState::Accepted:
    case TransferState::Running:
        if (!i.outgoing)
            sendControl(t, Op::Accept); // accepted while the sender was away
        if (t.resumeUntold)
            sendControl(t, Op::Resume); // resumed while the peer was away
        break;
    case TransferState::Paused:
        if (!i.pausedByPeer)
            sendControl(t, Op::Pause);
        break;
    case TransferState::Done:
        // The receiver says done; the sender says it back to a receiver that asks about a
        // transfer it finished before a crash took its "done" (it then looks on its disk).
        sendControl(t, Op::Done);
        break;
    case TransferState::Failed:
        sendControl(t, Op::Failed, i.error);
        break;
    case TransferState::Cancelled:
        sendControl(t, Op::Cancel);
        break;
    case TransferState::Declined:
        if (!i.outgoing)
            sendControl(t, Op::Decline);
        break;
    }
}

// --- sending ----------------------------------------------------------------------------------

bool FileTransfers::loadItems(Transfer &t)
{
    if (t.itemsLoaded)
        return true;
    const auto items = decodeManifest(m_store.manifest(t.info.id, t.info.peerId, true));
    if (!items || items->size() != t.info.entries) {
        fail(t, tr("The list of files offered could not be read from the history."));
        return false;
    }
    t.items = *items;
    t.prefix = prefixSums(offerEntries(t.items));
    t.itemsLoaded = true;
    return true;
}

void FileTransfers::onManifestRequest(const QString &peerId,
                                      const Protocol::ManifestRequest &request)
{
    Transfer *t = outgoing(peerId, request.id);
    if (!t)
        return; // never offered to this peer: nothing to say
    if (isFinal(t->info.state)) {
        tellState(*t); // it missed the news (it was away, or we restarted)
        return;
    }
    if (!loadItems(*t))
        return;
    if (request.from < 0 || request.from > t->items.size()) {
        fail(*t, tr("The peer asked for a part of the list of files that does not exist."));
        return;
    }
    if (t->info.state == TransferState::Offered)
        setState(*t, TransferState::Accepted); // asking for the list is accepting
    Protocol::ManifestPage page;
    page.id = t->info.id;
    page.from = request.from;
    qint64 bytes = 0;
    qint64 i = request.from;
    for (; i < t->items.size() && bytes < ManifestPageBytes; ++i) {
        const OfferEntry &e = t->items.at(i).entry;
        page.entries.append({e.path, e.size, e.kind == SafeName::Kind::Folder});
        bytes += e.path.size() * 3 + 16;
    }
    page.last = i == t->items.size();
    m_transport.send(peerId, page, StreamKind::Bulk);
}

void FileTransfers::onGet(const QString &peerId, const Protocol::FileGet &get)
{
    Transfer *t = outgoing(peerId, get.id);
    if (!t)
        return;
    if (isFinal(t->info.state)) {
        tellState(*t);
        return;
    }
    if (t->info.state == TransferState::Paused) {
        if (!t->info.pausedByPeer) {
            sendControl(*t, Op::Pause); // paused here: the receiver waits too
            return;
        }
        // Paused by the receiver, which asks again: it resumed (its get may overtake its
        // resume, which comes on the other stream).
    }
    if (!loadItems(*t))
        return;
    if (!isFileEntry(*t, get.index) || get.offset < 0 || get.offset > fileSize(*t, get.index)
        || (get.offset > 0 && get.prefixHash.size() != 32)) {
        fail(*t, tr("The peer asked for bytes that were not offered."));
        return;
    }
    // Another transfer being sent to this peer stops: the peer pulls one at a time.
    if (Transfer *other = byId(m_sendingTo.value(peerId)); other && other != t)
        stopSending(*other);
    if (t->info.state != TransferState::Running)
        setState(*t, TransferState::Running);
    t->serving = get.request;
    t->sending = true;
    t->credit = 0;
    t->info.bytesDone = offsetOf(*t, get.index) + get.offset;
    m_sendingTo.insert(peerId, t->info.id);
    toWorker([id = t->info.id,
              request = get.request,
              items = t->items,
              index = get.index,
              offset = get.offset,
              hash = get.prefixHash](FileWorker &w) {
        w.startSending(id, request, items, index, offset, hash);
    });
    topUp(*t);
}

void FileTransfers::topUp(Transfer &t)
{
    if (!t.sending)
        return;
    // Every chunk the worker reads comes back as a posted event, and Qt delivers all events
    // posted before a pass in that one pass: 8 MiB granted at once came back as 32 chunks
    // framed and encrypted without a return to the event loop (17-23 ms on a CPU here).
    // So the worker reads ahead at most ReadAheadBytes; the window still bounds the socket.
    const qint64 pending = m_transport.pendingWriteBytes(t.info.peerId, StreamKind::Bulk);
    const qint64 room = qMin(SendWindowBytes - pending, ReadAheadBytes) - t.credit;
    if (room < Protocol::MaxChunkBytes)
        return;
    t.credit += room;
    toWorker(
        [id = t.info.id, request = t.serving, room](FileWorker &w) { w.grant(id, request, room); });
}

void FileTransfers::stopSending(Transfer &t)
{
    if (m_sendingTo.value(t.info.peerId) == t.info.id)
        m_sendingTo.remove(t.info.peerId);
    if (!t.sending)
        return;
    t.sending = false;
    t.credit = 0;
    toWorker([id = t.info.id](FileWorker &w) { w.stopSending(id); });
}

void FileTransfers::chunkRead(
    const QUuid &id, quint32 request, qint64 index, qint64 offset, const QByteArray &data)
{
    Transfer *t = byId(id);
    if (!t || !t->sending || t->serving != request)
        return;
    t->credit -= data.size();
    Protocol::FileData d;
    d.id = id;
    d.request = request;
    d.index = index;
    d.offset = offset;
    d.data = data;
    if (!m_transport.send(t->info.peerId, d, StreamKind::Bulk)) {
        stopSending(*t); // the stream is gone; the receiver asks again
        return;
    }
    t->info.bytesDone = offsetOf(*t, index) + offset + data.size();
    report(*t);
    topUp(*t); // the read-ahead has room again
}

void FileTransfers::fileRead(const QUuid &id,
                             quint32 request,
                             qint64 index,
                             const QByteArray &sha256)
{
    Transfer *t = byId(id);
    if (!t || !t->sending || t->serving != request)
        return;
    t->credit -= 64;
    if (t->info.files == 1)
        t->info.sha256 = Sha256::toHex(sha256);
    Protocol::FileEnd e;
    e.id = id;
    e.request = request;
    e.index = index;
    e.sha256 = sha256;
    if (!m_transport.send(t->info.peerId, e, StreamKind::Bulk))
        stopSending(*t);
    else
        topUp(*t);
}

void FileTransfers::readFailed(const QUuid &id, quint32 request, const QString &error)
{
    Transfer *t = byId(id);
    if (!t || t->serving != request || isFinal(t->info.state))
        return;
    t->sending = false; // the worker has let it go
    fail(*t, error);
}

// --- receiving --------------------------------------------------------------------------------

void FileTransfers::runIncoming(const QString &peerId)
{
    if (Transfer *current = byId(m_receivingFrom.value(peerId))) {
        if (isActive(current->info.state)) {
            advance(*current);
            return;
        }
        m_receivingFrom.remove(peerId);
    }
    for (const QUuid &id : std::as_const(m_order)) {
        Transfer *t = byId(id);
        if (t && !t->info.outgoing && t->info.peerId == peerId && isActive(t->info.state)) {
            m_receivingFrom.insert(peerId, id);
            ensureTicking();
            advance(*t);
            return;
        }
    }
}

void FileTransfers::advance(Transfer &t)
{
    const QString &peerId = t.info.peerId;
    if (!isActive(t.info.state) || !m_transport.isConnected(peerId))
        return;
    if (!m_transport.isConnected(peerId, StreamKind::Bulk)) {
        if (m_openingBulk.contains(peerId))
            return;
        if (auto it = m_bulkRetryAfter.constFind(peerId);
            it != m_bulkRetryAfter.cend() && it->isValid() && it->elapsed() < 3'000)
            return;
        const int attempt = m_transport.openStream(peerId, StreamKind::Bulk);
        if (attempt == 0) {
            // Not now (its chat stream is being replaced by a duplicate's, ...): tick() tries
            // again a few seconds later, for as long as the peer is connected.
            m_bulkRetryAfter[peerId].start();
            ensureTicking();
            return;
        }
        m_openingBulk.insert(peerId, attempt);
        m_attempts.insert(attempt, peerId);
        return;
    }
    if (!t.manifestComplete) {
        if (!t.manifestAsked) {
            t.manifestAsked = true;
            t.lastData.start();
            Protocol::ManifestRequest request;
            request.id = t.info.id;
            request.from = t.entries.size();
            m_transport.send(peerId, request, StreamKind::Bulk);
        }
        return;
    }
    if (!t.sinkReady) {
        if (!t.sinkAsked) {
            t.sinkAsked = true;
            toWorker([id = t.info.id,
                      dir = t.info.destination,
                      entries = t.entries,
                      shape = shapeOf(t.info)](FileWorker &w) {
                w.prepareSink(id, dir, entries, shape);
            });
        }
        return;
    }
    if (!t.requesting && t.unwritten == 0) {
        t.sinkReady = false; // where to go on from is the worker's to say, after its writes
        t.sinkAsked = false;
        advance(t);
    }
}

void FileTransfers::onManifestPage(const QString &peerId, const Protocol::ManifestPage &page)
{
    Transfer *t = incoming(peerId, page.id);
    if (!t || !isActive(t->info.state) || t->manifestComplete || !t->manifestAsked)
        return;
    if (page.from != t->entries.size() || t->entries.size() + page.entries.size() > t->info.entries
        || (page.entries.isEmpty() && !page.last)) {
        fail(*t, tr("The peer sent a list of files that does not match its offer."));
        return;
    }
    for (const Protocol::ManifestEntry &e : page.entries)
        t->entries.append(
            {e.path, e.folder ? SafeName::Kind::Folder : SafeName::Kind::File, e.size});
    t->manifestAsked = false;
    if (!page.last) {
        advance(*t);
        return;
    }
    const QList<qint64> prefix = prefixSums(t->entries);
    const qint64 files = std::count_if(t->entries.cbegin(),
                                       t->entries.cend(),
                                       [](const OfferEntry &e) {
                                           return e.kind == SafeName::Kind::File;
                                       });
    if (t->entries.size() != t->info.entries || prefix.last() != t->info.size
        || files != t->info.files || manifestHash(t->entries) != t->info.manifestHash) {
        fail(*t, tr("The peer sent a list of files that does not match its offer."));
        return;
    }
    OfferLimits limits = m_config.limits;
    if (const auto problem = OfferCheck::problem(t->entries, shapeOf(t->info), limits)) {
        fail(*t, *problem);
        return;
    }
    t->prefix = prefix;
    t->manifestComplete = true;
    // Kept, so that after a restart the transfer goes on (or is discarded) without asking.
    QList<ManifestItem> items;
    items.reserve(t->entries.size());
    for (const OfferEntry &e : std::as_const(t->entries))
        items.append({e, QString(), 0});
    m_store.saveManifest(t->info.id, peerId, false, encodeManifest(items));
    advance(*t);
}

void FileTransfers::sinkReady(const QUuid &id,
                              qint64 index,
                              qint64 offset,
                              const QByteArray &prefixHash,
                              const QString &savedPath)
{
    Transfer *t = byId(id);
    if (!t || !isActive(t->info.state) || !t->sinkAsked)
        return;
    t->sinkAsked = false;
    t->sinkReady = true;
    if (!savedPath.isEmpty() && t->info.savedPath != savedPath) {
        t->info.savedPath = savedPath;
        save(*t);
    }
    const qint64 next = nextFile(*t, index);
    if (next >= t->entries.size()) {
        // Everything is in place (a crash came after the last file, or there were only folders).
        t->info.bytesDone = t->info.size;
        setState(*t, TransferState::Done, Op::Done);
        completeSink(*t);
        m_receivingFrom.remove(t->info.peerId);
        runIncoming(t->info.peerId);
        return;
    }
    sendGet(*t, next, next == index ? offset : 0, next == index ? prefixHash : QByteArray());
}

void FileTransfers::sendGet(Transfer &t, qint64 index, qint64 offset, const QByteArray &prefixHash)
{
    Protocol::FileGet g;
    g.id = t.info.id;
    g.request = ++t.request;
    g.index = index;
    g.offset = offset;
    g.prefixHash = offset > 0 ? prefixHash : QByteArray();
    t.index = index;
    t.offset = offset;
    t.mayRestart = offset > 0;
    t.requesting = m_transport.send(t.info.peerId, g, StreamKind::Bulk);
    t.lastData.start();
    // Before its first byte the sender hashes the `offset` bytes it has from disk: room for a
    // slow one (20 MB/s), so that resuming a big file is not taken for silence.
    t.hashAllowanceMs = offset / 20'000;
    t.info.bytesDone = offsetOf(t, index) + offset;
    if (t.info.state != TransferState::Running)
        setState(t, TransferState::Running);
}

void FileTransfers::onData(const QString &peerId, const Protocol::FileData &d)
{
    Transfer *t = incoming(peerId, d.id);
    if (!t) {
        qCInfo(lcFiles) << "data for no transfer of" << peerId << ": dropped";
        return;
    }
    if (!isStreamFrameWanted(*t, d.request))
        return;
    if (!isFileEntry(*t, t->index)) { // every file came: nothing more is asked for
        fail(*t, tr("The peer sent data that was not asked for."));
        return;
    }
    if (d.index != t->index) {
        fail(*t, tr("The peer sent data for the wrong file."));
        return;
    }
    qint64 at = t->offset;
    if (d.offset != at) {
        if (!(t->mayRestart && d.offset == 0)) {
            fail(*t, tr("The peer sent data at the wrong place in a file."));
            return;
        }
        at = 0; // the sender's file differs from what we hold: it starts that file again
    }
    t->mayRestart = false;
    if (at + d.data.size() > fileSize(*t, d.index)) {
        fail(*t, tr("The peer sent more bytes than it offered."));
        return;
    }
    t->offset = at + d.data.size();
    t->unwritten += d.data.size();
    t->lastData.start();
    t->hashAllowanceMs = 0;
    t->info.bytesDone = offsetOf(*t, d.index) + t->offset;
    if (t->unwritten > MaxUnwrittenBytes)
        m_transport.setReadingPaused(peerId, true, StreamKind::Bulk);
    toWorker([id = d.id, index = d.index, at, data = d.data](FileWorker &w) {
        w.write(id, index, at, data);
    });
    report(*t);
}

bool FileTransfers::isStreamFrameWanted(Transfer &t, quint32 request)
{
    // Bytes for an offer not accepted, or for a request never made: that transfer is closed.
    if (t.info.state == TransferState::Offered || request > t.request) {
        fail(t, tr("The peer sent data that was not asked for."));
        return false;
    }
    // Frames of an earlier request, or of this one after a pause, still on their way: expected,
    // dropped (the next request starts from what was written).
    return request == t.request && t.requesting && isActive(t.info.state);
}

void FileTransfers::onFileEnd(const QString &peerId, const Protocol::FileEnd &e)
{
    Transfer *t = incoming(peerId, e.id);
    if (!t || !isStreamFrameWanted(*t, e.request))
        return;
    if (!isFileEntry(*t, t->index)) {
        fail(*t, tr("The peer sent data that was not asked for."));
        return;
    }
    if (e.index != t->index || t->offset != fileSize(*t, e.index)) {
        fail(*t, tr("The peer ended a file before all of its bytes came."));
        return;
    }
    t->mayRestart = false;
    if (t->info.files == 1)
        t->lastSha = e.sha256;
    toWorker([id = e.id, index = e.index, sha = e.sha256](FileWorker &w) {
        w.finishFile(id, index, sha);
    });
    t->index = nextFile(*t, e.index + 1);
    t->offset = 0;
    t->lastData.start();
}

void FileTransfers::written(const QUuid &id, qint64 bytes)
{
    Transfer *t = byId(id);
    if (!t)
        return;
    t->lastData.start(); // a slow disk is not a silent peer
    const qint64 before = t->unwritten;
    t->unwritten = qMax<qint64>(0, t->unwritten - bytes);
    if (before > MaxUnwrittenBytes / 2 && t->unwritten <= MaxUnwrittenBytes / 2)
        m_transport.setReadingPaused(t->info.peerId, false, StreamKind::Bulk);
    if (t->unwritten == 0 && isActive(t->info.state) && !t->requesting)
        advance(*t);
}

void FileTransfers::fileFinished(const QUuid &id, qint64 index, const QString &path)
{
    Transfer *t = byId(id);
    if (!t || !isActive(t->info.state))
        return;
    ++t->filesDone;
    // Before its first file is in place a Files offer shows the download folder.
    if (t->info.savedPath.isEmpty() || t->info.savedPath == t->info.destination)
        t->info.savedPath = path;
    if (nextFile(*t, index + 1) < t->entries.size())
        return;
    // The last file is verified and in place.
    if (t->info.files == 1)
        t->info.sha256 = Sha256::toHex(t->lastSha);
    t->requesting = false;
    t->info.bytesDone = t->info.size;
    m_transport.setReadingPaused(t->info.peerId, false, StreamKind::Bulk);
    setState(*t, TransferState::Done, Op::Done);
    completeSink(*t);
    m_receivingFrom.remove(t->info.peerId);
    runIncoming(t->info.peerId);
}

void FileTransfers::sinkFailed(const QUuid &id, const QString &error, bool diskFull)
{
    Transfer *t = byId(id);
    if (!t || isFinal(t->info.state))
        return;
    t->sinkAsked = false;
    t->sinkReady = false;
    if (!diskFull) {
        fail(*t, error);
        runIncoming(t->info.peerId);
        return;
    }
    // Paused until there is room again (tick() looks); what was written stays.
    t->diskFull = true;
    t->requesting = false;
    t->info.error = error;
    toWorker([id](FileWorker &w) { w.closeSink(id); });
    t->info.pausedByPeer = false;
    setState(*t, TransferState::Paused, Op::Pause);
    m_receivingFrom.remove(t->info.peerId);
    runIncoming(t->info.peerId); // another may go to a disk with room
}

void FileTransfers::completeSink(Transfer &t)
{
    // The journal is what says the files are ours after a crash: it goes only once "done" is
    // on disk, else a crash between the two would receive the whole transfer again.
    m_store.flush();
    toWorker([id = t.info.id](FileWorker &w) { w.completeSink(id); });
}

void FileTransfers::stopReceiving(Transfer &t, bool discard)
{
    t.requesting = false;
    t.sinkReady = false;
    t.sinkAsked = false;
    if (t.unwritten > 0) {
        t.unwritten = 0;
        m_transport.setReadingPaused(t.info.peerId, false, StreamKind::Bulk);
    }
    if (m_receivingFrom.value(t.info.peerId) == t.info.id)
        m_receivingFrom.remove(t.info.peerId);
    if (discard && !t.info.destination.isEmpty()) {
        toWorker(
            [id = t.info.id, dir = t.info.destination, entries = t.entries, shape = shapeOf(t.info)](
                FileWorker &w) { w.discardSink(id, dir, entries, shape); });
    } else if (!discard) {
        toWorker([id = t.info.id](FileWorker &w) { w.closeSink(id); });
    }
}
