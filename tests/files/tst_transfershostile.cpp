// SPDX-License-Identifier: GPL-3.0-or-later
// A hostile or broken sender of files over real loopback TLS (docs/protocol.md "Files", rule 7).
// Alice is a real Messenger receiving into a real folder; the sender is driven by hand: a chat
// stream and a bulk stream of its own, answering her mreq and get as the test says. In every
// case only the transfer named suffers: Alice fails it and says so with `xfer failed`, nothing
// of it stays in the download folder, a chat message sent right after is stored and
// acknowledged, and the sender's next transfer still arrives intact. Also: a hostile receiver
// (Alice sending), another peer naming the transfer, junk on the bulk stream, and a real full
// disk (a small tmpfs; needs root, as in `ip netns exec`): paused, then resumed by itself.
#include "../common/rawpeer.h"
#include "../common/testpeer.h"
#include "files/filetransfers.h"
#include "files/manifest.h"
#include "files/offercheck.h"
#include "files/sha256.h"
#include "net/connectionregistry.h"
#include "storage/messagestore.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <functional>
#include <unistd.h>

using namespace Qt::StringLiterals;
using Op = Protocol::TransferControl::Op;

namespace {

constexpr int MaxPendingOffers = 3;
constexpr qint64 MaxTotalBytes = 64 * 1024 * 1024;
constexpr int MaxEntries = 1000;

struct Item
{
    QString path;
    QByteArray bytes;
    bool folder = false;
};

QByteArray randomBytes(qsizetype n)
{
    QByteArray out(n, Qt::Uninitialized);
    for (char &c : out)
        c = char(QRandomGenerator::global()->bounded(256));
    return out;
}

QList<OfferEntry> entriesOf(const QList<Item> &items)
{
    QList<OfferEntry> out;
    for (const Item &i : items)
        out.append(
            {i.path, i.folder ? SafeName::Kind::Folder : SafeName::Kind::File, i.bytes.size()});
    return out;
}

QList<Protocol::ManifestEntry> wireOf(const QList<Item> &items)
{
    QList<Protocol::ManifestEntry> out;
    for (const Item &i : items)
        out.append({i.path, i.bytes.size(), i.folder});
    return out;
}

// The offer an honest sender makes for `items`.
Protocol::Offer offerOf(const QList<Item> &items, bool folder = false)
{
    Protocol::Offer o;
    o.id = QUuid::createUuid();
    o.sentAt = QDateTime::currentDateTimeUtc();
    o.name = items.first().path.section(u'/', 0, 0);
    for (const Item &i : items) {
        o.size += i.bytes.size();
        o.files += i.folder ? 0 : 1;
    }
    o.entries = items.size();
    o.folder = folder;
    o.manifestHash = manifestHash(entriesOf(items));
    return o;
}

// Every name under `dir`, hidden ones too, relative, sorted.
QStringList tree(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir,
                    QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(QDir(dir).relativeFilePath(it.next()));
    out.sort();
    return out;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

QByteArray header(quint32 length)
{
    QByteArray h(4, '\0');
    qToBigEndian(length, h.data());
    return h;
}

// The sender: one identity, a chat stream and a bulk stream to Alice, both raw. Answers
// keepalive by itself; everything else is the test's to send.
class Sender : public QObject
{
public:
    explicit Sender(const Identity &identity)
        : m_identity(identity)
        , chat(identity)
    {
        answerPings(chat);
    }

    QString id() const { return m_identity.id(); }

    bool open(Messenger &alice)
    {
        if (!chat.connectAndWait(alice))
            return false;
        chat.send(hello(Protocol::Stream::Chat));
        if (!QTest::qWaitFor([&] { return alice.connections().isConnected(id()); }, 5000))
            return false;
        return openBulk(alice);
    }

    // A new bulk stream (the old one, if any, is dropped).
    bool openBulk(Messenger &alice)
    {
        bulk = std::make_unique<RawPeer>(m_identity);
        answerPings(*bulk);
        if (!bulk->connectAndWait(alice))
            return false;
        bulk->send(hello(Protocol::Stream::Bulk));
        return QTest::qWaitFor(
            [&] { return alice.connections().isConnected(id(), StreamKind::Bulk); }, 5000);
    }

    QUuid offer(const QList<Item> &items, bool folder = false)
    {
        const Protocol::Offer o = offerOf(items, folder);
        items_.insert(o.id, items);
        chat.send(o);
        return o.id;
    }

    // The first message of type T on `peer` for which `match` holds, waited for.
    template<typename T>
    std::optional<T> waitFor(RawPeer &peer,
                             const std::function<bool(const T &)> &match,
                             int ms = 10000)
    {
        std::optional<T> found;
        (void) QTest::qWaitFor(
            [&] {
                for (const Protocol::Message &m : std::as_const(peer.received)) {
                    const T *t = std::get_if<T>(&m);
                    if (t && match(*t)) {
                        found = *t;
                        return true;
                    }
                }
                return false;
            },
            ms);
        return found;
    }

    // Alice's `xfer` with `op` about `xid`, if she sent one.
    std::optional<Protocol::TransferControl> told(const QUuid &xid, Op op, int ms = 10000)
    {
        return waitFor<Protocol::TransferControl>(
            chat, [&](const Protocol::TransferControl &c) { return c.id == xid && c.op == op; }, ms);
    }

    bool askedForManifest(const QUuid &xid)
    {
        return waitFor<Protocol::ManifestRequest>(*bulk,
                                                  [&](const Protocol::ManifestRequest &r) {
                                                      return r.id == xid && r.from == 0;
                                                  })
            .has_value();
    }

    // Alice's get for `xid` after the one numbered `after`.
    std::optional<Protocol::FileGet> get(const QUuid &xid, quint32 after = 0, int ms = 10000)
    {
        return waitFor<Protocol::FileGet>(
            *bulk, [&](const Protocol::FileGet &g) { return g.id == xid && g.request > after; }, ms);
    }

    void sendManifest(const QUuid &xid, const QList<Protocol::ManifestEntry> &entries)
    {
        bulk->send(Protocol::ManifestPage{xid, 0, entries, true});
    }

    void sendData(const QUuid &xid, quint32 g, qint64 index, qint64 offset, const QByteArray &bytes)
    {
        for (qint64 at = 0; at < bytes.size(); at += Protocol::MaxChunkBytes) {
            bulk->send(Protocol::FileData{xid,
                                          g,
                                          index,
                                          offset + at,
                                          bytes.mid(at, Protocol::MaxChunkBytes)});
        }
    }

    void sendEnd(const QUuid &xid, quint32 g, qint64 index, const QByteArray &sha)
    {
        bulk->send(Protocol::FileEnd{xid, g, index, sha});
    }

    // Answers `g` as an honest sender: every file from g.index, from g.offset in the first.
    void serve(const QUuid &xid, const Protocol::FileGet &g)
    {
        const QList<Item> items = items_.value(xid);
        for (qint64 i = g.index; i < items.size(); ++i) {
            if (items.at(i).folder)
                continue;
            const QByteArray &bytes = items.at(i).bytes;
            const qint64 from = i == g.index ? g.offset : 0;
            sendData(xid, g.request, i, from, bytes.mid(from));
            sendEnd(xid, g.request, i, Sha256::hash(bytes));
        }
    }

    // The whole transfer as an honest sender: the manifest, then the files.
    bool serveAll(const QUuid &xid)
    {
        if (!askedForManifest(xid))
            return false;
        sendManifest(xid, wireOf(items_.value(xid)));
        const auto g = get(xid);
        if (!g)
            return false;
        serve(xid, *g);
        return true;
    }

    const QList<Item> items(const QUuid &xid) const { return items_.value(xid); }

    const Identity m_identity;
    RawPeer chat;
    std::unique_ptr<RawPeer> bulk;

private:
    Protocol::Hello hello(Protocol::Stream stream) const
    {
        Protocol::Hello h = chat.hello(m_identity.id());
        h.capabilities = {QString::fromLatin1(Protocol::StreamsCapability)};
        h.stream = stream;
        return h;
    }

    void answerPings(RawPeer &peer)
    {
        // Connected after RawPeer's own handler: `received` is up to date here.
        auto seen = std::make_shared<qsizetype>(0);
        connect(&peer.socket, &QSslSocket::readyRead, this, [&peer, seen] {
            for (; *seen < peer.received.size(); ++*seen) {
                if (const auto *ping = std::get_if<Protocol::Ping>(&peer.received.at(*seen)))
                    peer.send(Protocol::Pong{ping->seq});
            }
        });
    }

    QHash<QUuid, QList<Item>> items_;
};

} // namespace

Q_DECLARE_METATYPE(QList<Item>)

class tst_TransfersHostile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void badFrames_data();
    void badFrames();
    void badManifest_data();
    void badManifest();
    void manifestPageOutOfPlace();
    void silentSender_data();
    void silentSender();
    void tooManyOffers();
    void offerOverLimits_data();
    void offerOverLimits();
    void controlOutOfPlaceChangesNothing();
    void junkOnBulkClosesOnlyIt();
    void anotherPeersFramesTouchNothing();
    void hostileReceiver_data();
    void hostileReceiver();
    void diskFullPausesAndResumes_data();
    void diskFullPausesAndResumes();

private:
    // Fails the test unless `xid` failed at Alice, with a reason containing `reason`, and the
    // sender was told so.
    void expectFailed(const QUuid &xid, const QString &reason);
    // A chat message sent now is stored and acknowledged.
    void chatStillWorks();
    // `good` (accepted) arrives intact, and it is all the download folder holds.
    void goodArrives(const QUuid &good);
    QList<Item> goodItems() const { return {{u"good.bin"_s, m_goodBytes}}; }

    std::unique_ptr<QTemporaryDir> m_downloads;
    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<Sender> m_sender;
    QByteArray m_goodBytes;
    QString m_error;
};

void tst_TransfersHostile::init()
{
    m_downloads = std::make_unique<QTemporaryDir>();
    QVERIFY(m_downloads->isValid());
    MessengerConfig config = testPeerConfig(u"Alice"_s);
    config.downloadDir = m_downloads->path();
    config.maxPendingOffersPerPeer = MaxPendingOffers;
    config.offerLimits.maxTotalBytes = MaxTotalBytes;
    config.offerLimits.maxEntries = MaxEntries;
    m_alice = startPeer(config);
    QVERIFY(m_alice->port() != 0);
    m_sender = std::make_unique<Sender>(*Identity::generate(&m_error));
    QVERIFY(m_sender->open(*m_alice));
    // More than a chunk, so that the honest transfer takes several data frames.
    m_goodBytes = randomBytes(Protocol::MaxChunkBytes + 4321);
}

void tst_TransfersHostile::cleanup()
{
    m_sender.reset();
    m_alice.reset();
    m_downloads.reset();
}

void tst_TransfersHostile::expectFailed(const QUuid &xid, const QString &reason)
{
    QTRY_COMPARE(m_alice->transfer(xid).value_or(TransferInfo()).state, TransferState::Failed);
    const QString error = m_alice->transfer(xid)->error;
    QVERIFY2(error.contains(reason), qPrintable(error));
    const auto told = m_sender->told(xid, Op::Failed);
    QVERIFY2(told, "the sender was not told");
    QVERIFY2(!told->reason.isEmpty(), "no reason given to the sender");
}

void tst_TransfersHostile::chatStillWorks()
{
    const QUuid id = QUuid::createUuid();
    m_sender->chat.send(Protocol::Chat{id, QDateTime::currentDateTimeUtc(), u"still here"_s});
    QTRY_VERIFY(m_sender->chat.acked(id));
    QVERIFY(m_alice->history().contains(id));
    QVERIFY(m_alice->connections().isConnected(m_sender->id()));
}

void tst_TransfersHostile::goodArrives(const QUuid &good)
{
    QVERIFY(m_sender->serveAll(good));
    QTRY_COMPARE(m_alice->transfer(good)->state, TransferState::Done);
    QVERIFY(m_sender->told(good, Op::Done));
    QCOMPARE(readFile(m_downloads->filePath(u"good.bin"_s)), m_goodBytes);
    // Nothing of the failed transfer: no file, no partial download, no temp area (the good
    // one's goes on the disk thread, just after Done).
    QTRY_COMPARE(tree(m_downloads->path()), QStringList{u"good.bin"_s});
}

// --- bytes that make no sense for the transfer -----------------------------------------------

void tst_TransfersHostile::badFrames_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("reason");
    QTest::newRow("data for an offer not accepted") << u"not-accepted"_s << u"not asked for"_s;
    QTest::newRow("data of a request never sent") << u"unknown-request"_s << u"not asked for"_s;
    QTest::newRow("data for another file") << u"wrong-index"_s << u"wrong file"_s;
    QTest::newRow("data at another offset") << u"wrong-offset"_s << u"wrong place"_s;
    QTest::newRow("more bytes than offered") << u"too-many-bytes"_s << u"more bytes"_s;
    QTest::newRow("fend before all bytes") << u"early-end"_s << u"before all of its bytes"_s;
    QTest::newRow("fend with another SHA-256") << u"wrong-sha"_s << u"checksum"_s;
}

void tst_TransfersHostile::badFrames()
{
    QFETCH(QString, kind);
    QFETCH(QString, reason);
    const QByteArray a = randomBytes(1000);
    const QByteArray b = randomBytes(1000);
    const QUuid bad = m_sender->offer({{u"bad-a.bin"_s, a}, {u"bad-b.bin"_s, b}});
    const QUuid good = m_sender->offer(goodItems());
    QTRY_VERIFY(m_alice->transfer(bad) && m_alice->transfer(good));
    if (kind == u"not-accepted"_s) {
        QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
        QVERIFY(m_sender->askedForManifest(good)); // the good one runs: bad was never accepted
        m_sender->sendData(bad, 1, 0, 0, a);
    } else {
        // Accepted first, so it runs first; the good one waits for it.
        QVERIFY(m_alice->acceptTransfer(bad, {}, &m_error));
        QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
        QVERIFY(m_sender->askedForManifest(bad));
        m_sender->sendManifest(bad, wireOf(m_sender->items(bad)));
        const auto g = m_sender->get(bad);
        QVERIFY(g);
        QCOMPARE(g->index, 0);
        QCOMPARE(g->offset, 0);
        const quint32 r = g->request;
        if (kind == u"unknown-request"_s) {
            m_sender->sendData(bad, r + 1, 0, 0, a);
        } else if (kind == u"wrong-index"_s) {
            m_sender->sendData(bad, r, 1, 0, b.left(100));
        } else if (kind == u"wrong-offset"_s) {
            m_sender->sendData(bad, r, 0, 0, a.left(100));
            m_sender->sendData(bad, r, 0, 200, a.mid(200, 100)); // skips 100 bytes
        } else if (kind == u"too-many-bytes"_s) {
            m_sender->sendData(bad, r, 0, 0, a);
            m_sender->sendData(bad, r, 0, a.size(), "x");
        } else if (kind == u"early-end"_s) {
            m_sender->sendData(bad, r, 0, 0, a.left(500));
            m_sender->sendEnd(bad, r, 0, Sha256::hash(a));
        } else if (kind == u"wrong-sha"_s) {
            m_sender->sendData(bad, r, 0, 0, a);
            m_sender->sendEnd(bad, r, 0, Sha256::hash("something else"));
        } else {
            QFAIL("unknown row");
        }
    }
    expectFailed(bad, reason);
    chatStillWorks();
    if (kind != u"not-accepted"_s)
        QVERIFY(m_sender->askedForManifest(good)); // the next one starts by itself
    goodArrives(good);
    QCOMPARE(m_alice->transfer(bad)->state, TransferState::Failed);
}

// --- a manifest that is not what was offered, or not safe to write -----------------------------

void tst_TransfersHostile::badManifest_data()
{
    QTest::addColumn<QList<Item>>("offered"); // what the offer's totals and hash describe
    QTest::addColumn<QList<Item>>("sent");    // what the manifest then lists
    QTest::addColumn<bool>("folder");
    QTest::addColumn<QString>("reason"); // empty: OfferCheck's own reason
    const QByteArray x = randomBytes(10);
    const QString mismatch = u"does not match its offer"_s;
    const QList<Item> honest{{u"a.bin"_s, x}, {u"b.bin"_s, x}};
    QTest::newRow("hash differs") << honest << QList<Item>{{u"a.bin"_s, x}, {u"c.bin"_s, x}}
                                  << false << mismatch;
    QTest::newRow("fewer entries") << honest << QList<Item>{{u"a.bin"_s, x}} << false << mismatch;
    QTest::newRow("more entries") << honest
                                  << QList<Item>{{u"a.bin"_s, x}, {u"b.bin"_s, x}, {u"c.bin"_s, x}}
                                  << false << mismatch;
    QTest::newRow("size differs") << honest << QList<Item>{{u"a.bin"_s, x}, {u"b.bin"_s, x + x}}
                                  << false << mismatch;
    QTest::newRow("a file for a folder")
        << QList<Item>{{u"d"_s, {}, true}, {u"d/a.bin"_s, x}}
        << QList<Item>{{u"d"_s, {}, false}, {u"d/a.bin"_s, x}} << true << mismatch;
    // Offered as sent (the hash agrees): refused by OfferCheck, before anything is written.
    const QList<Item> up{{u"../x"_s, x}};
    const QList<Item> upInside{{u"d"_s, {}, true}, {u"d/../../x"_s, x}};
    const QList<Item> absolute{{u"/tmp/x"_s, x}};
    const QList<Item> reserved{{u"CON.txt"_s, x}};
    const QList<Item> reservedInside{{u"d"_s, {}, true}, {u"d/nul"_s, x}};
    QTest::newRow("../x") << up << up << false << QString();
    QTest::newRow("d/../../x") << upInside << upInside << true << QString();
    QTest::newRow("absolute path") << absolute << absolute << false << QString();
    QTest::newRow("CON.txt") << reserved << reserved << false << QString();
    QTest::newRow("d/nul") << reservedInside << reservedInside << true << QString();
}

void tst_TransfersHostile::badManifest()
{
    QFETCH(QList<Item>, offered);
    QFETCH(QList<Item>, sent);
    QFETCH(bool, folder);
    QFETCH(QString, reason);
    if (reason.isEmpty()) {
        const auto problem = OfferCheck::problem(entriesOf(sent),
                                                 folder ? OfferShape::Folder : OfferShape::Files,
                                                 OfferLimits());
        QVERIFY2(problem, "the row is meant to be refused by OfferCheck");
        reason = *problem;
    }
    const QUuid bad = m_sender->offer(offered, folder);
    const QUuid good = m_sender->offer(goodItems());
    QTRY_VERIFY(m_alice->transfer(bad) && m_alice->transfer(good));
    QVERIFY(m_alice->acceptTransfer(bad, {}, &m_error));
    QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
    QVERIFY(m_sender->askedForManifest(bad));
    m_sender->sendManifest(bad, wireOf(sent));
    expectFailed(bad, reason);
    // Refused before the first byte: nothing was made, not even the temp area.
    QVERIFY(m_sender->askedForManifest(good));
    QCOMPARE(tree(m_downloads->path()), QStringList());
    QVERIFY(!m_sender->get(bad, 0, 0));
    chatStillWorks();
    goodArrives(good);
}

void tst_TransfersHostile::manifestPageOutOfPlace()
{
    // Asked from 0, answered from 1: the list would have a hole.
    const QByteArray x = randomBytes(10);
    const QUuid bad = m_sender->offer({{u"a.bin"_s, x}, {u"b.bin"_s, x}});
    const QUuid good = m_sender->offer(goodItems());
    QTRY_VERIFY(m_alice->transfer(bad) && m_alice->transfer(good));
    QVERIFY(m_alice->acceptTransfer(bad, {}, &m_error));
    QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
    QVERIFY(m_sender->askedForManifest(bad));
    m_sender->bulk->send(Protocol::ManifestPage{bad, 1, {{u"b.bin"_s, x.size(), false}}, true});
    expectFailed(bad, u"does not match its offer"_s);
    QVERIFY(m_sender->askedForManifest(good));
    QCOMPARE(tree(m_downloads->path()), QStringList());
    chatStillWorks();
    goodArrives(good);
}

// --- a sender that stops talking ---------------------------------------------------------------

void tst_TransfersHostile::silentSender_data()
{
    QTest::addColumn<QString>("when");
    QTest::newRow("asked for the manifest") << u"manifest"_s;
    QTest::newRow("asked for a file") << u"file"_s;
    QTest::newRow("halfway through a file") << u"halfway"_s;
}

void tst_TransfersHostile::silentSender()
{
    QFETCH(QString, when);
    auto *files = m_alice->findChild<FileTransfers *>();
    QVERIFY(files);
    files->setStallMs(800); // instead of 30 s
    const QByteArray a = randomBytes(1000);
    const QUuid bad = m_sender->offer({{u"bad.bin"_s, a}});
    const QUuid good = m_sender->offer(goodItems());
    QTRY_VERIFY(m_alice->transfer(bad) && m_alice->transfer(good));
    QVERIFY(m_alice->acceptTransfer(bad, {}, &m_error));
    QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
    QVERIFY(m_sender->askedForManifest(bad));
    if (when != u"manifest"_s) {
        m_sender->sendManifest(bad, wireOf(m_sender->items(bad)));
        const auto g = m_sender->get(bad);
        QVERIFY(g);
        if (when == u"halfway"_s)
            m_sender->sendData(bad, g->request, 0, 0, a.left(500));
    }
    QElapsedTimer clock; // from a little after Alice's last request (stall: 800 ms from it)
    clock.start();
    expectFailed(bad, u"sent nothing"_s);
    QVERIFY2(clock.elapsed() >= 500, "failed before the sender was silent for long");
    chatStillWorks();
    goodArrives(good);
}

// --- offers refused whole ----------------------------------------------------------------------

void tst_TransfersHostile::tooManyOffers()
{
    QList<QUuid> waiting;
    for (int i = 0; i < MaxPendingOffers; ++i)
        waiting.append(m_sender->offer({{u"wait-%1.bin"_s.arg(i), randomBytes(10)}}));
    for (const QUuid &id : std::as_const(waiting))
        QVERIFY(m_sender->told(id, Op::Seen));
    const QUuid over = m_sender->offer(goodItems());
    const auto refused = m_sender->told(over, Op::Failed);
    QVERIFY(refused);
    QVERIFY2(refused->reason.contains(u"Too many transfers"_s), qPrintable(refused->reason));
    QVERIFY(!m_alice->transfer(over));
    QVERIFY(!m_alice->history().contains(over));
    QVERIFY(!m_sender->told(over, Op::Seen, 0));
    chatStillWorks();
    // The waiting ones are untouched; once one is answered there is room for another.
    for (const QUuid &id : std::as_const(waiting))
        QCOMPARE(m_alice->transfer(id)->state, TransferState::Offered);
    QVERIFY(m_alice->declineTransfer(waiting.first(), &m_error));
    const QUuid good = m_sender->offer(goodItems());
    QVERIFY(m_sender->told(good, Op::Seen));
    QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
    goodArrives(good);
}

void tst_TransfersHostile::offerOverLimits_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("entries");
    QTest::addColumn<QString>("reason");
    QTest::newRow("larger than the limit") << MaxTotalBytes + 1 << qint64(1) << u"at most"_s;
    QTest::newRow("more entries than the limit")
        << qint64(10) << qint64(MaxEntries + 1) << u"at most"_s;
}

void tst_TransfersHostile::offerOverLimits()
{
    QFETCH(qint64, size);
    QFETCH(qint64, entries);
    QFETCH(QString, reason);
    Protocol::Offer o = offerOf({{u"big.bin"_s, randomBytes(10)}});
    o.size = size;
    o.entries = entries;
    m_sender->chat.send(o);
    const auto refused = m_sender->told(o.id, Op::Failed);
    QVERIFY(refused);
    QVERIFY2(refused->reason.contains(reason), qPrintable(refused->reason));
    QVERIFY(!m_alice->transfer(o.id));
    QVERIFY(!m_alice->history().contains(o.id));
    chatStillWorks();
    const QUuid good = m_sender->offer(goodItems());
    QVERIFY(m_sender->told(good, Op::Seen));
    QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
    goodArrives(good);
}

// --- control messages that do not fit --------------------------------------------------------

void tst_TransfersHostile::controlOutOfPlaceChangesNothing()
{
    // Only the receiver accepts, says seen or done; an op this version does not know is
    // ignored (rule 7, last paragraph). None of these from the sender moves its offer.
    const QUuid good = m_sender->offer(goodItems());
    QVERIFY(m_sender->told(good, Op::Seen));
    for (const Op op : {Op::Accept, Op::Seen, Op::Done, Op::Resume, Op::Unknown})
        m_sender->chat.send(Protocol::TransferControl{good, op, {}});
    chatStillWorks(); // on the same stream, after them: they were handled
    QCOMPARE(m_alice->transfer(good)->state, TransferState::Offered);
    QVERIFY(!m_sender->waitFor<Protocol::ManifestRequest>(
        *m_sender->bulk, [](const Protocol::ManifestRequest &) { return true; }, 0));
    QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
    QVERIFY(m_sender->askedForManifest(good));
    // A `done` from the sender while it runs is not the receiver's verification either.
    m_sender->chat.send(Protocol::TransferControl{good, Op::Done, {}});
    chatStillWorks();
    QCOMPARE(m_alice->transfer(good)->state, TransferState::Accepted);
    m_sender->sendManifest(good, wireOf(goodItems()));
    const auto g = m_sender->get(good);
    QVERIFY(g);
    m_sender->serve(good, *g);
    QTRY_COMPARE(m_alice->transfer(good)->state, TransferState::Done);
    QCOMPARE(readFile(m_downloads->filePath(u"good.bin"_s)), m_goodBytes);
}

// --- the bulk stream itself --------------------------------------------------------------------

void tst_TransfersHostile::junkOnBulkClosesOnlyIt()
{
    // A transfer halfway, then bytes that are no frame on the bulk stream: that stream is
    // closed, the chat stream and the transfer are not; a new bulk stream resumes it from
    // what Alice holds.
    const QUuid good = m_sender->offer(goodItems());
    QVERIFY(m_sender->told(good, Op::Seen));
    QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
    QVERIFY(m_sender->askedForManifest(good));
    m_sender->sendManifest(good, wireOf(goodItems()));
    const auto g = m_sender->get(good);
    QVERIFY(g);
    const qint64 half = Protocol::MaxChunkBytes;
    m_sender->sendData(good, g->request, 0, 0, m_goodBytes.left(half));
    QTRY_COMPARE(m_alice->transfer(good)->bytesDone, half);
    QByteArray junk = header(64);
    for (int i = 0; i < 64; ++i)
        junk.append(char(0xff - i)); // not CBOR
    m_sender->bulk->sendRaw(junk);
    QTRY_VERIFY(m_sender->bulk->receivedBye());
    QTRY_VERIFY(!m_alice->connections().isConnected(m_sender->id(), StreamKind::Bulk));
    QVERIFY(m_alice->connections().isConnected(m_sender->id()));
    chatStillWorks();
    QVERIFY(m_alice->transfer(good)->state != TransferState::Failed);
    QVERIFY(!m_sender->told(good, Op::Failed, 0));

    QVERIFY(m_sender->openBulk(*m_alice));
    const auto again = m_sender->get(good, g->request);
    QVERIFY(again);
    QCOMPARE(again->index, 0);
    QCOMPARE(again->offset, half); // not a byte sent twice
    QCOMPARE(again->prefixHash, Sha256::hash(m_goodBytes.left(half)));
    // A frame of the earlier request, late: dropped, not an error (rule 4).
    m_sender->sendData(good, g->request, 0, half, m_goodBytes.mid(half, 100));
    m_sender->serve(good, *again);
    QTRY_COMPARE(m_alice->transfer(good)->state, TransferState::Done);
    QCOMPARE(readFile(m_downloads->filePath(u"good.bin"_s)), m_goodBytes);
    QTRY_COMPARE(tree(m_downloads->path()), QStringList{u"good.bin"_s});
}

// --- another peer naming the transfer -----------------------------------------------------------

void tst_TransfersHostile::anotherPeersFramesTouchNothing()
{
    // A transfer is the sender's and Alice's: another peer that names its xid names nothing of
    // its own, and the transfer is not touched (docs/protocol.md "Files", rule 7).
    Sender mallory(*Identity::generate(&m_error));
    QVERIFY(mallory.open(*m_alice));
    const QUuid good = m_sender->offer(goodItems());
    QVERIFY(m_sender->told(good, Op::Seen));
    QVERIFY(m_alice->acceptTransfer(good, {}, &m_error));
    QVERIFY(m_sender->askedForManifest(good));
    // Mallory answers first, on her own streams, as if she were the sender.
    mallory.sendManifest(good, wireOf({{u"evil.bin"_s, QByteArray(10, 'e')}}));
    mallory.chat.send(Protocol::TransferControl{good, Op::Cancel, {}});
    Protocol::Offer same = offerOf({{u"evil.bin"_s, QByteArray(10, 'e')}});
    same.id = good; // a made-up collision: refused, hers only (docs/protocol.md "Files", rule 1)
    mallory.chat.send(same);
    m_sender->sendManifest(good, wireOf(goodItems()));
    const auto g = m_sender->get(good);
    QVERIFY(g);
    const QByteArray evil(m_goodBytes.size(), 'e');
    mallory.sendData(good, g->request, 0, 0, evil);
    mallory.sendEnd(good, g->request, 0, Sha256::hash(evil));
    // Handled once Alice has answered what Mallory sent after them on each stream.
    const QUuid hers = QUuid::createUuid();
    mallory.chat.send(Protocol::Chat{hers, QDateTime::currentDateTimeUtc(), u"hi"_s});
    mallory.bulk->send(Protocol::Ping{77});
    QTRY_VERIFY(mallory.chat.acked(hers));
    QVERIFY(mallory.waitFor<Protocol::Pong>(*mallory.bulk,
                                            [](const Protocol::Pong &p) { return p.seq == 77; }));
    QCOMPARE(m_alice->transfer(good)->state, TransferState::Running);
    // Told that her offer is refused (so that she stops offering it), and nothing else.
    const auto refused = mallory.told(good, Op::Failed, 0);
    QVERIFY(refused);
    QVERIFY2(refused->reason.contains(u"taken"_s), qPrintable(refused->reason));
    QVERIFY(!mallory.told(good, Op::Seen, 0));
    QVERIFY(!m_sender->told(good, Op::Failed, 0));
    QCOMPARE(m_alice->transfer(good)->peerId, m_sender->id());
    QCOMPARE(m_alice->transfer(good)->name, u"good.bin"_s);
    QVERIFY(m_alice->connections().isConnected(mallory.id()));
    m_sender->serve(good, *g);
    QTRY_COMPARE(m_alice->transfer(good)->state, TransferState::Done);
    QCOMPARE(readFile(m_downloads->filePath(u"good.bin"_s)), m_goodBytes);
    QTRY_COMPARE(tree(m_downloads->path()), QStringList{u"good.bin"_s});
    QCOMPARE(m_alice->transfers().size(), 1); // nothing of Mallory's was made
}

// --- a hostile receiver: Alice sends ------------------------------------------------------------

void tst_TransfersHostile::hostileReceiver_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("reason");
    QTest::newRow("get for an entry not offered") << u"index"_s << u"not offered"_s;
    QTest::newRow("get from past the end") << u"offset"_s << u"not offered"_s;
    QTest::newRow("mreq past the list") << u"mreq"_s << u"does not exist"_s;
}

void tst_TransfersHostile::hostileReceiver()
{
    QFETCH(QString, kind);
    QFETCH(QString, reason);
    QTemporaryDir source;
    QVERIFY(source.isValid());
    const QByteArray a = randomBytes(1000);
    const QByteArray b = randomBytes(Protocol::MaxChunkBytes + 77);
    for (const auto &[name, bytes] : {std::pair{u"a.bin"_s, a}, std::pair{u"b.bin"_s, b}}) {
        QFile f(source.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size());
    }
    const auto bad
        = m_alice->sendFiles(m_sender->id(), {source.filePath(u"a.bin"_s)}, false, &m_error);
    QVERIFY2(bad, qPrintable(m_error));
    const auto good
        = m_alice->sendFiles(m_sender->id(), {source.filePath(u"b.bin"_s)}, false, &m_error);
    QVERIFY2(good, qPrintable(m_error));
    RawPeer &chat = m_sender->chat;
    RawPeer &bulk = *m_sender->bulk;
    for (const QUuid &xid : {*bad, *good}) {
        QVERIFY(m_sender->waitFor<Protocol::Offer>(chat, [&](const Protocol::Offer &o) {
            return o.id == xid;
        }));
    }
    auto page = [&](const QUuid &xid) {
        return m_sender->waitFor<Protocol::ManifestPage>(bulk, [&](const Protocol::ManifestPage &p) {
            return p.id == xid;
        });
    };
    if (kind == u"mreq"_s) {
        bulk.send(Protocol::ManifestRequest{*bad, 2}); // the offer has one entry
    } else {
        bulk.send(Protocol::ManifestRequest{*bad, 0});
        QVERIFY(page(*bad));
        if (kind == u"index"_s)
            bulk.send(Protocol::FileGet{*bad, 1, 1, 0, {}});
        else
            bulk.send(Protocol::FileGet{*bad, 1, 0, a.size() + 1, Sha256::hash(a)});
    }
    QTRY_COMPARE(m_alice->transfer(*bad)->state, TransferState::Failed);
    QVERIFY2(m_alice->transfer(*bad)->error.contains(reason),
             qPrintable(m_alice->transfer(*bad)->error));
    QVERIFY(m_sender->told(*bad, Op::Failed));
    QVERIFY(!m_sender->waitFor<Protocol::FileData>(
        bulk, [&](const Protocol::FileData &d) { return d.id == *bad; }, 0));
    chatStillWorks();

    // The next one goes out whole to a receiver that asks properly.
    bulk.send(Protocol::ManifestRequest{*good, 0});
    const auto list = page(*good);
    QVERIFY(list);
    QCOMPARE(list->entries, QList<Protocol::ManifestEntry>({{u"b.bin"_s, b.size(), false}}));
    bulk.send(Protocol::FileGet{*good, 1, 0, 0, {}});
    const auto end = m_sender->waitFor<Protocol::FileEnd>(bulk, [&](const Protocol::FileEnd &e) {
        return e.id == *good;
    });
    QVERIFY(end);
    QByteArray received;
    for (const Protocol::Message &m : std::as_const(bulk.received)) {
        const auto *d = std::get_if<Protocol::FileData>(&m);
        if (d && d->id == *good) {
            QCOMPARE(d->offset, received.size());
            received += d->data;
        }
    }
    QCOMPARE(received, b);
    QCOMPARE(end->sha256, Sha256::hash(b));
    chat.send(Protocol::TransferControl{*good, Op::Done, {}});
    QTRY_COMPARE(m_alice->transfer(*good)->state, TransferState::Done);
    QCOMPARE(m_alice->transfer(*bad)->state, TransferState::Failed);
}

// --- a full disk -------------------------------------------------------------------------------

void tst_TransfersHostile::diskFullPausesAndResumes_data()
{
    QTest::addColumn<bool>("brim"); // the disk full to the last byte before the transfer starts
    QTest::newRow("while writing") << false;
    QTest::newRow("before the first byte") << true;
}

void tst_TransfersHostile::diskFullPausesAndResumes()
{
    QFETCH(bool, brim);
    if (::geteuid() != 0)
        QSKIP("Mounting a small tmpfs needs root: run the test as root in a namespace "
              "(ip netns exec).");
    QTemporaryDir mount;
    QVERIFY(mount.isValid());
    if (QProcess::execute(u"mount"_s,
                          {u"-t"_s, u"tmpfs"_s, u"-o"_s, u"size=8m"_s, u"tmpfs"_s, mount.path()})
        != 0) {
        QSKIP("Cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?).");
    }
    auto unmount = qScopeGuard([&] { QProcess::execute(u"umount"_s, {u"-l"_s, mount.path()}); });
    const QString into = mount.filePath(u"in"_s);
    QVERIFY(QDir().mkpath(into));

    // More than the disk holds is not accepted at all.
    const QUuid huge = m_sender->offer({{u"huge.bin"_s, QByteArray(9 * 1024 * 1024, 'h')}});
    QVERIFY(m_sender->told(huge, Op::Seen));
    QVERIFY(!m_alice->acceptTransfer(huge, into, &m_error));
    QVERIFY2(m_error.contains(u"Not enough room"_s), qPrintable(m_error));
    QCOMPARE(m_alice->transfer(huge)->state, TransferState::Offered);

    const QByteArray bytes = randomBytes(3 * 1024 * 1024);
    const QUuid xid = m_sender->offer({{u"big.bin"_s, bytes}});
    QVERIFY(m_sender->told(xid, Op::Seen));
    QVERIFY(m_alice->acceptTransfer(xid, into, &m_error)); // 8 MiB free: room enough now
    // Then something else takes most of the room, or all of it.
    const QString fillerPath = mount.filePath(u"filler"_s);
    {
        QFile filler(fillerPath);
        QVERIFY(filler.open(QIODevice::WriteOnly));
        if (brim) {
            const QByteArray block(64 * 1024, 'f');
            while (filler.write(block) == block.size() && filler.flush()) {
            }
        } else {
            QCOMPARE(filler.write(QByteArray(6 * 1024 * 1024, 'f')), 6 * 1024 * 1024);
        }
    }
    QVERIFY(m_sender->askedForManifest(xid));
    m_sender->sendManifest(xid, wireOf(m_sender->items(xid)));
    // Served if asked for (with a full disk it may pause before it asks).
    quint32 served = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            if (const auto g = m_sender->get(xid, served, 0)) {
                m_sender->serve(xid, *g);
                served = g->request;
            }
            return m_alice->transfer(xid)->state == TransferState::Paused
                   || m_alice->transfer(xid)->state == TransferState::Failed;
        }(),
        10000);
    QVERIFY(brim || served > 0);

    // Paused, with a reason a person understands; the sender is told to stop.
    QCOMPARE(m_alice->transfer(xid)->state, TransferState::Paused);
    const QString error = m_alice->transfer(xid)->error;
    QVERIFY2(error.contains(u"disk is full"_s), qPrintable(error));
    QVERIFY(m_sender->told(xid, Op::Pause));
    chatStillWorks();
    QCOMPARE(m_alice->transfer(xid)->state, TransferState::Paused); // no room: stays paused

    // Room again: it goes on by itself from what it holds, and completes.
    QVERIFY(QFile::remove(fillerPath));
    QVERIFY(m_sender->told(xid, Op::Resume));
    const auto again = m_sender->get(xid, served);
    QVERIFY(again);
    QCOMPARE(again->index, 0);
    if (!brim) {
        QVERIFY2(again->offset > 0 && again->offset < bytes.size(),
                 qPrintable(QString::number(again->offset)));
    }
    QCOMPARE(again->prefixHash,
             again->offset > 0 ? Sha256::hash(bytes.left(again->offset)) : QByteArray());
    m_sender->serve(xid, *again);
    QTRY_COMPARE(m_alice->transfer(xid)->state, TransferState::Done);
    QVERIFY(m_alice->transfer(xid)->error.isEmpty());
    QCOMPARE(readFile(QDir(into).filePath(u"big.bin"_s)), bytes);
    QTRY_COMPARE(tree(into), QStringList{u"big.bin"_s});
}

QTEST_GUILESS_MAIN(tst_TransfersHostile)
#include "tst_transfershostile.moc"
