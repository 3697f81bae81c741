// SPDX-License-Identifier: GPL-3.0-or-later
// Files with an IP Messenger user, both ways (core/ipmsg/ipmsgfiles.h), against a fake IPMsg
// user made of plain sockets that speaks the wire as iptux does (docs/ipmsg.md, "Files").
// Runs in a network namespace of its own (only loopback, made here): IPMsg traffic never
// leaves it. Skipped when not root.
#include "files/sha256.h"
#include "ipmsg/ipmsgfiles.h"
#include "ipmsg/ipmsgtransport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QNetworkDatagram>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <sched.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr quint16 Port = 24250;
const QHostAddress Us(u"127.0.0.1"_s);
const QHostAddress Them(u"127.0.0.2"_s);
const QHostAddress Stranger(u"127.0.0.3"_s);

QByteArray randomBytes(qsizetype n)
{
    QByteArray b(n, Qt::Uninitialized);
    for (qsizetype i = 0; i < n; ++i)
        b[i] = char(QRandomGenerator::global()->generate() & 0xFF);
    return b;
}

// version:packet:user:host:command:extra, split by hand (no codec: the wire as it is).
struct Raw
{
    QByteArray version, packetNo, user, host;
    quint32 command = 0;
    QByteArray extra;
    quint32 mode() const { return command & 0xFF; }
    QList<QByteArray> fields() const
    {
        QByteArray e = extra;
        if (e.endsWith('\0'))
            e.chop(1);
        return e.split('\0');
    }
    static std::optional<Raw> parse(const QByteArray &bytes)
    {
        QList<qsizetype> colons;
        for (qsizetype i = 0; i < bytes.size() && colons.size() < 5; ++i) {
            if (bytes[i] == ':')
                colons.append(i);
        }
        if (colons.size() < 5)
            return std::nullopt;
        Raw r;
        r.version = bytes.left(colons[0]);
        r.packetNo = bytes.mid(colons[0] + 1, colons[1] - colons[0] - 1);
        r.user = bytes.mid(colons[1] + 1, colons[2] - colons[1] - 1);
        r.host = bytes.mid(colons[2] + 1, colons[3] - colons[2] - 1);
        bool ok = false;
        r.command = bytes.mid(colons[3] + 1, colons[4] - colons[3] - 1).toUInt(&ok);
        if (!ok)
            return std::nullopt;
        r.extra = bytes.mid(colons[4] + 1);
        return r;
    }
};

// An iptux-like user at 127.0.0.2: UDP and TCP on the IPMsg port.
class FakeUser : public QObject
{
public:
    QUdpSocket udp;
    QTcpServer tcp;
    QList<Raw> received;
    quint32 packetNo = 100;

    bool start()
    {
        connect(&udp, &QUdpSocket::readyRead, this, [this] {
            while (udp.hasPendingDatagrams()) {
                const QByteArray d = udp.receiveDatagram().data();
                const auto r = Raw::parse(d);
                if (!r)
                    continue;
                received.append(*r);
                // SENDCHECKOPT: acknowledged, as iptux does (0x121).
                if (r->mode() == 0x20 && (r->command & 0x100))
                    send(0x121, r->packetNo + '\0');
            }
        });
        return udp.bind(Them, Port) && tcp.listen(Them, Port);
    }
    quint32 send(quint32 command, const QByteArray &extra)
    {
        const quint32 no = ++packetNo;
        const QByteArray d = "1_iptux 0.8.3:" + QByteArray::number(no)
                             + ":fake:fakehost:" + QByteArray::number(command) + ':' + extra;
        udp.writeDatagram(d, Us, Port);
        return no;
    }
    std::optional<Raw> last(quint32 mode) const
    {
        for (auto it = received.crbegin(); it != received.crend(); ++it) {
            if (it->mode() == mode)
                return *it;
        }
        return std::nullopt;
    }
    // SENDMSG|FILEATTACHOPT with iptux's file list.
    quint32 offer(const QByteArray &name, qint64 size, quint32 fileId = 0, quint32 attr = 1)
    {
        const QByteArray list = QByteArray::number(fileId) + ':' + name + ':'
                                + QByteArray::number(size, 16)
                                + ":5f5e1000:" + QByteArray::number(attr, 16) + ":\a:";
        return send(0x00200020, QByteArray() + '\0' + list + '\0');
    }
};

QStringList entriesOf(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                               QDir::Name);
}

// Reads what a served connection sends until it closes (the event loop runs meanwhile: the
// server is in this thread).
QByteArray fetch(const QHostAddress &from, const QByteArray &request, bool *closed)
{
    QTcpSocket s;
    if (!s.bind(from))
        return "cannot bind";
    QByteArray got;
    QObject::connect(&s, &QTcpSocket::connected, &s, [&] {
        if (!request.isEmpty())
            s.write(request);
    });
    QObject::connect(&s, &QTcpSocket::readyRead, &s, [&] { got += s.readAll(); });
    QSignalSpy gone(&s, &QTcpSocket::disconnected);
    s.connectToHost(Us, Port);
    *closed = gone.wait(10'000);
    got += s.readAll();
    return got;
}

QByteArray getFileData(quint32 packetNo, quint32 fileId, quint64 offset)
{
    return "1_iptux 0.8.3:7:fake:fakehost:96:" + QByteArray::number(packetNo, 16) + ':'
           + QByteArray::number(fileId, 16) + ':' + QByteArray::number(offset, 16) + '\0';
}

} // namespace

class tst_IpmsgFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void receivesAFile_data();
    void receivesAFile();
    void refusesBadNames_data();
    void refusesBadNames();
    void refusesAFolder();
    void shortOrLongStreamFails_data();
    void shortOrLongStreamFails();
    void declineReleasesTheOffer();
    void cancelRemovesThePartial();
    void servesOurOffer();
    void servesTheTailFromAnOffset();
    void refusesWhatWasNotOffered_data();
    void refusesWhatWasNotOffered();
    void releaseForgetsOurOffer();
    void offersExpire();
    void connectionsPerAddressAreBounded();
    void pendingOffersPerUserAreBounded();
    void manyRefusedNamesAreOneItem();
    void refusedAndGoodInOneOffer();
    void pendingOffersInAllAreBounded();
    void offersFailWhenTheSenderLeaves();
    void incomingOffersExpire();
    void servingNothingAtTheEndIsNotDone();
    void tcpPortTakenIsSaid();

private:
    std::optional<TransferInfo> waitOffered(QSignalSpy &spy);
    TransferInfo waitFinal(const QUuid &id);

    QTemporaryDir m_root; // holds the download folder and nothing else
    QTemporaryDir m_src;  // what we send
    QString m_downloads;
    std::unique_ptr<IpmsgTransport> m_transport;
    std::unique_ptr<IpmsgFiles> m_files;
    std::unique_ptr<FakeUser> m_fake;
    QString m_peerId;
};

void tst_IpmsgFiles::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("needs root: IP Messenger traffic runs only in a network namespace the test makes");
    // Before anything reads it (NetworkSafety caches it): this namespace is ours alone.
    qunsetenv("SHOAL_LOOPBACK_ONLY");
    QVERIFY2(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET) failed");
    QCOMPARE(QProcess::execute(u"ip"_s, {u"link"_s, u"set"_s, u"lo"_s, u"up"_s}), 0);
    QVERIFY(m_root.isValid());
    QVERIFY(m_src.isValid());
    QVERIFY(QDir(m_root.path()).mkdir(u"downloads"_s));
    m_downloads = m_root.filePath(u"downloads"_s);
}

void tst_IpmsgFiles::init()
{
    m_fake = std::make_unique<FakeUser>();
    QVERIFY(m_fake->start());
    IpmsgConfig config;
    config.port = Port;
    config.bindAddress = Us;
    config.broadcastTargets = {Them};
    config.userName = u"tester"_s;
    config.hostName = u"shoalhost"_s;
    m_transport = std::make_unique<IpmsgTransport>(config);
    m_files = std::make_unique<IpmsgFiles>(*m_transport, config, m_downloads);
    m_files->setTimeouts(1000, 2000, 2000, 60'000);
    QVERIFY(m_transport->start());
    QVERIFY(m_files->start());
    QCOMPARE(m_files->serverPort(), Port);
    // iptux answers our entry.
    QTRY_VERIFY(m_fake->last(0x01));
    m_fake->send(0x103, "Fake\0Group\0"_ba);
    m_peerId = Ipmsg::peerIdFor(Them, Port);
    QTRY_VERIFY(m_transport->owns(m_peerId));
}

void tst_IpmsgFiles::cleanup()
{
    m_files.reset();
    m_transport.reset();
    m_fake.reset();
    // Nothing was ever written outside the download folder.
    QCOMPARE(entriesOf(m_root.path()), QStringList{u"downloads"_s});
    QDir(m_downloads).removeRecursively();
    QDir(m_root.path()).mkdir(u"downloads"_s);
}

std::optional<TransferInfo> tst_IpmsgFiles::waitOffered(QSignalSpy &spy)
{
    if (spy.isEmpty() && !spy.wait(5000))
        return std::nullopt;
    return spy.takeFirst().at(0).value<TransferInfo>();
}

TransferInfo tst_IpmsgFiles::waitFinal(const QUuid &id)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10'000) {
        const auto info = m_files->find(id);
        if (info && isFinal(info->state))
            return *info;
        QTest::qWait(20);
    }
    return m_files->find(id).value_or(TransferInfo());
}

void tst_IpmsgFiles::receivesAFile_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QString>("taken");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<qint64>("size");
    QTest::newRow("plain") << "hello.bin"_ba << QString() << u"hello.bin"_s << qint64(100'000);
    QTest::newRow("name taken") << "hello.bin"_ba << u"hello.bin"_s << u"hello (1).bin"_s
                                << qint64(3000);
    QTest::newRow("chinese, utf-8")
        << "测试文件.bin"_ba << QString() << u"测试文件.bin"_s << qint64(70'000);
    QTest::newRow("chinese, gbk") << QByteArray("\xb2\xe2\xca\xd4.txt") << QString()
                                  << u"测试.txt"_s << qint64(10);
    QTest::newRow("empty") << "empty.txt"_ba << QString() << u"empty.txt"_s << qint64(0);
    QTest::newRow("big") << "big.bin"_ba << QString() << u"big.bin"_s << qint64(3'000'000);
    // More than the disk thread may lag behind: the socket is not read for a while, and the
    // sender's close is seen only once the rest is read.
    QTest::newRow("over the disk window")
        << "huge.bin"_ba << QString() << u"huge.bin"_s << qint64(5'000'123);
}

void tst_IpmsgFiles::receivesAFile()
{
    QFETCH(QByteArray, name);
    QFETCH(QString, taken);
    QFETCH(QString, expected);
    QFETCH(qint64, size);
    if (!taken.isEmpty()) {
        QFile f(QDir(m_downloads).filePath(taken));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("mine");
    }
    const QByteArray payload = randomBytes(size);
    if (QByteArray(QTest::currentDataTag()) == "over the disk window")
        m_files->setMaxUnwrittenBytes(64 * 1024); // the disk lags: reading pauses, resumes
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    const quint32 packetNo = m_fake->offer(name, size, 7);
    const auto offer = waitOffered(offered);
    QVERIFY(offer);
    QCOMPARE(offer->state, TransferState::Offered);
    QCOMPARE(offer->outgoing, false);
    QCOMPARE(offer->peerId, m_peerId);
    QCOMPARE(offer->name, taken.isEmpty() ? expected : taken);
    QCOMPARE(offer->size, size);

    QString error;
    QVERIFY2(m_files->accept(offer->id, QString(), &error), qPrintable(error));
    QTRY_COMPARE(m_fake->tcp.hasPendingConnections(), true);
    std::unique_ptr<QTcpSocket> conn(m_fake->tcp.nextPendingConnection());
    QCOMPARE(conn->peerAddress(), Us);
    QByteArray request;
    QTRY_VERIFY((request += conn->readAll()).contains('\0'));
    const auto raw = Raw::parse(request.left(request.indexOf('\0')));
    QVERIFY(raw);
    // Plain GETFILEDATA (0x60), "packet-hex:file-id-hex:offset-hex", our names in the header.
    QCOMPARE(raw->command, 0x60u);
    QCOMPARE(raw->user, "tester"_ba);
    QCOMPARE(raw->host, "shoalhost"_ba);
    QVERIFY(raw->version.startsWith("1_"));
    const QList<QByteArray> fields = raw->extra.split(':');
    QVERIFY(fields.size() >= 3);
    QCOMPARE(fields[0], QByteArray::number(packetNo, 16));
    QCOMPARE(fields[1], "7"_ba);
    QCOMPARE(fields[2], "0"_ba);
    // The bytes, in pieces, then the close (as iptux does).
    for (qsizetype at = 0; at < payload.size(); at += 65536)
        conn->write(payload.mid(at, 65536));
    conn->flush();
    QTRY_VERIFY(conn->bytesToWrite() == 0);
    conn->disconnectFromHost();

    const TransferInfo done = waitFinal(offer->id);
    QCOMPARE(transferStateName(done.state), u"done"_s);
    QCOMPARE(done.error, QString());
    const QString path = QDir(m_downloads).filePath(expected);
    QCOMPARE(done.savedPath, path);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(Sha256::toHex(Sha256::hash(f.readAll())), Sha256::toHex(Sha256::hash(payload)));
    QCOMPARE(done.sha256, Sha256::toHex(Sha256::hash(payload)));
    QCOMPARE(done.bytesDone, size);
    // Never executable, whatever was offered; no temporary file left.
    QVERIFY(!(QFileInfo(path).permissions() & (QFile::ExeUser | QFile::ExeGroup | QFile::ExeOther)));
    QStringList expectedEntries{expected};
    if (!taken.isEmpty())
        expectedEntries.append(taken);
    expectedEntries.sort();
    QCOMPARE(entriesOf(m_downloads), expectedEntries);
    // Fetched whole: nothing to release.
    QVERIFY(!m_fake->last(0x61));
}

void tst_IpmsgFiles::refusesBadNames_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::newRow("parent path") << "../../etc/passwd"_ba;
    QTest::newRow("sub folder") << "a/b"_ba;
    QTest::newRow("dot dot") << ".."_ba;
    QTest::newRow("backslash") << "..\\..\\x.txt"_ba;
    QTest::newRow("control") << "a\x01.txt"_ba;
}

void tst_IpmsgFiles::refusesBadNames()
{
    QFETCH(QByteArray, name);
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    QSignalSpy changed(m_files.get(), &IpmsgFiles::changed);
    const quint32 packetNo = m_fake->offer(name, 100);
    QTRY_COMPARE(changed.size(), 1);
    const auto t = changed.first().at(0).value<TransferInfo>();
    QCOMPARE(transferStateName(t.state), u"failed"_s);
    QVERIFY(!t.error.isEmpty());
    QCOMPARE(offered.size(), 0); // never put to the person
    QString error;
    QVERIFY(!m_files->accept(t.id, QString(), &error));
    // The sender is told we will not fetch it; nothing was written.
    QTRY_VERIFY(m_fake->last(0x61));
    QCOMPARE(m_fake->last(0x61)->fields().value(0), QByteArray::number(packetNo));
    QVERIFY(!m_fake->tcp.hasPendingConnections());
    QTRY_COMPARE(entriesOf(m_downloads), QStringList());
}

void tst_IpmsgFiles::refusesAFolder()
{
    QSignalSpy changed(m_files.get(), &IpmsgFiles::changed);
    m_fake->offer("photos", 0, 0, 2);
    QTRY_COMPARE(changed.size(), 1);
    const auto t = changed.first().at(0).value<TransferInfo>();
    QCOMPARE(transferStateName(t.state), u"failed"_s);
    QVERIFY2(t.error.contains(u"folder"_s), qPrintable(t.error));
    QTRY_VERIFY(m_fake->last(0x61));
}

void tst_IpmsgFiles::shortOrLongStreamFails_data()
{
    QTest::addColumn<qint64>("sent");
    QTest::newRow("short") << qint64(50'000);
    QTest::newRow("nothing") << qint64(0);
    QTest::newRow("too long") << qint64(100'010);
}

void tst_IpmsgFiles::shortOrLongStreamFails()
{
    QFETCH(qint64, sent);
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    const quint32 packetNo = m_fake->offer("x.bin", 100'000);
    const auto offer = waitOffered(offered);
    QVERIFY(offer);
    QString error;
    QVERIFY(m_files->accept(offer->id, QString(), &error));
    QTRY_COMPARE(m_fake->tcp.hasPendingConnections(), true);
    std::unique_ptr<QTcpSocket> conn(m_fake->tcp.nextPendingConnection());
    QTRY_VERIFY(conn->bytesAvailable() > 0);
    conn->write(randomBytes(sent));
    conn->disconnectFromHost();
    const TransferInfo t = waitFinal(offer->id);
    QCOMPARE(transferStateName(t.state), u"failed"_s);
    QVERIFY(!t.error.isEmpty());
    // No partial file, no temp area.
    QTRY_COMPARE(entriesOf(m_downloads), QStringList());
    QTRY_VERIFY(m_fake->last(0x61));
    QCOMPARE(m_fake->last(0x61)->fields().value(0), QByteArray::number(packetNo));
}

void tst_IpmsgFiles::declineReleasesTheOffer()
{
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    const quint32 packetNo = m_fake->offer("x.bin", 10);
    const auto offer = waitOffered(offered);
    QVERIFY(offer);
    QVERIFY(!m_fake->last(0x61));
    QString error;
    QVERIFY(m_files->decline(offer->id, &error));
    QCOMPARE(transferStateName(m_files->find(offer->id)->state), u"declined"_s);
    QTRY_VERIFY(m_fake->last(0x61));
    QCOMPARE(m_fake->last(0x61)->fields().value(0), QByteArray::number(packetNo));
    QVERIFY(!m_fake->tcp.hasPendingConnections());
}

void tst_IpmsgFiles::cancelRemovesThePartial()
{
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    m_fake->offer("x.bin", 100'000);
    const auto offer = waitOffered(offered);
    QVERIFY(offer);
    QString error;
    QVERIFY(m_files->accept(offer->id, QString(), &error));
    QTRY_COMPARE(m_fake->tcp.hasPendingConnections(), true);
    std::unique_ptr<QTcpSocket> conn(m_fake->tcp.nextPendingConnection());
    conn->write(randomBytes(30'000));
    QTRY_COMPARE(m_files->find(offer->id)->bytesDone, qint64(30'000));
    QTRY_VERIFY(!entriesOf(m_downloads).isEmpty()); // the temp area
    QVERIFY(m_files->cancel(offer->id, &error));
    QCOMPARE(transferStateName(m_files->find(offer->id)->state), u"cancelled"_s);
    QTRY_COMPARE(entriesOf(m_downloads), QStringList());
    QTRY_COMPARE(conn->state(), QAbstractSocket::UnconnectedState);
}

void tst_IpmsgFiles::servesOurOffer()
{
    const QByteArray payload = randomBytes(200'000);
    const QString path = m_src.filePath(u"out.bin"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(payload);
    }
    QString error;
    const QList<QUuid> ids = m_files->send(m_peerId, {path}, &error);
    QVERIFY2(ids.size() == 1, qPrintable(error));
    QCOMPARE(transferStateName(m_files->find(ids[0])->state), u"offered"_s);
    QTRY_VERIFY(m_fake->last(0x20));
    const Raw offer = *m_fake->last(0x20);
    QVERIFY(offer.command & 0x00200000); // FILEATTACHOPT
    const QList<QByteArray> list = offer.fields().value(1).split(':');
    QVERIFY(list.size() >= 5);
    QCOMPARE(list[1], "out.bin"_ba);
    QCOMPARE(list[2], QByteArray::number(payload.size(), 16));
    const quint32 packetNo = offer.packetNo.toUInt();
    const quint32 fileId = list[0].toUInt();
    bool closed = false;
    const QByteArray got = fetch(Them, getFileData(packetNo, fileId, 0), &closed);
    QVERIFY(closed);
    QCOMPARE(got.size(), payload.size());
    QVERIFY(got == payload);
    QTRY_COMPARE(transferStateName(m_files->find(ids[0])->state), u"done"_s);
    QFile::remove(path);
}

void tst_IpmsgFiles::servesTheTailFromAnOffset()
{
    const QByteArray payload = randomBytes(100'000);
    const QString path = m_src.filePath(u"out.bin"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(payload);
    }
    QString error;
    const QList<QUuid> ids = m_files->send(m_peerId, {path}, &error);
    QVERIFY2(ids.size() == 1, qPrintable(error));
    QTRY_VERIFY(m_fake->last(0x20));
    const Raw offer = *m_fake->last(0x20);
    const quint32 fileId = offer.fields().value(1).split(':').value(0).toUInt();
    bool closed = false;
    // The FeiQ clones' form: no NUL, a ':' after the offset.
    QByteArray request = getFileData(offer.packetNo.toUInt(), fileId, 0x1000);
    request.chop(1);
    request += ':';
    const QByteArray got = fetch(Them, request, &closed);
    QVERIFY(closed);
    QCOMPARE(got.size(), payload.size() - 0x1000);
    QVERIFY(got == payload.mid(0x1000));
    // A tail is not the whole file: not Done by itself, they may ask again.
    QTRY_COMPARE(transferStateName(m_files->find(ids[0])->state), u"accepted"_s);
    QFile::remove(path);
}

void tst_IpmsgFiles::refusesWhatWasNotOffered_data()
{
    QTest::addColumn<QString>("what");
    QTest::newRow("another address") << u"another address"_s;
    QTest::newRow("unknown file id") << u"unknown file id"_s;
    QTest::newRow("another packet") << u"another packet"_s;
    QTest::newRow("junk") << u"junk"_s;
    QTest::newRow("offset beyond the end") << u"offset"_s;
    QTest::newRow("folder request") << u"folder"_s;
    QTest::newRow("silence") << u"silence"_s;
}

void tst_IpmsgFiles::refusesWhatWasNotOffered()
{
    QFETCH(QString, what);
    const QString path = m_src.filePath(u"out.bin"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(randomBytes(1000));
    }
    QString error;
    const QList<QUuid> ids = m_files->send(m_peerId, {path}, &error);
    QVERIFY2(ids.size() == 1, qPrintable(error));
    QTRY_VERIFY(m_fake->last(0x20));
    const Raw offer = *m_fake->last(0x20);
    const quint32 packetNo = offer.packetNo.toUInt();
    const quint32 fileId = offer.fields().value(1).split(':').value(0).toUInt();
    QHostAddress from = Them;
    QByteArray request = getFileData(packetNo, fileId, 0);
    if (what == u"another address"_s)
        from = Stranger;
    else if (what == u"unknown file id"_s)
        request = getFileData(packetNo, fileId + 1, 0);
    else if (what == u"another packet"_s)
        request = getFileData(packetNo + 1, fileId, 0);
    else if (what == u"junk"_s)
        request = "GET / HTTP/1.0\r\n\r\n\0"_ba;
    else if (what == u"offset"_s)
        request = getFileData(packetNo, fileId, 1001);
    else if (what == u"folder"_s)
        request.replace(":96:", ":98:");
    else if (what == u"silence"_s)
        request.clear();
    bool closed = false;
    const QByteArray got = fetch(from, request, &closed);
    QVERIFY(closed);
    QCOMPARE(got, QByteArray());
    QCOMPARE(transferStateName(m_files->find(ids[0])->state), u"offered"_s);
    QFile::remove(path);
}

void tst_IpmsgFiles::releaseForgetsOurOffer()
{
    const QString path = m_src.filePath(u"out.bin"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(randomBytes(1000));
    }
    QString error;
    const QList<QUuid> ids = m_files->send(m_peerId, {path}, &error);
    QVERIFY2(ids.size() == 1, qPrintable(error));
    QTRY_VERIFY(m_fake->last(0x20));
    const Raw offer = *m_fake->last(0x20);
    const quint32 fileId = offer.fields().value(1).split(':').value(0).toUInt();
    m_fake->send(0x61, offer.packetNo + '\0');
    QTRY_COMPARE(transferStateName(m_files->find(ids[0])->state), u"declined"_s);
    bool closed = false;
    QCOMPARE(fetch(Them, getFileData(offer.packetNo.toUInt(), fileId, 0), &closed), QByteArray());
    QVERIFY(closed);
    QFile::remove(path);
}

void tst_IpmsgFiles::offersExpire()
{
    m_files->setTimeouts(1000, 2000, 2000, 300);
    const QString path = m_src.filePath(u"out.bin"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(randomBytes(1000));
    }
    QString error;
    const QList<QUuid> ids = m_files->send(m_peerId, {path}, &error);
    QVERIFY2(ids.size() == 1, qPrintable(error));
    QTRY_VERIFY(m_fake->last(0x20));
    const Raw offer = *m_fake->last(0x20);
    const quint32 fileId = offer.fields().value(1).split(':').value(0).toUInt();
    QTRY_COMPARE(transferStateName(m_files->find(ids[0])->state), u"failed"_s);
    QVERIFY(!m_files->find(ids[0])->error.isEmpty());
    bool closed = false;
    QCOMPARE(fetch(Them, getFileData(offer.packetNo.toUInt(), fileId, 0), &closed), QByteArray());
    QVERIFY(closed);
    QFile::remove(path);
}

void tst_IpmsgFiles::connectionsPerAddressAreBounded()
{
    m_files->setTimeouts(10'000, 2000, 2000, 60'000);
    const QString path = m_src.filePath(u"out.bin"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(randomBytes(1000));
    }
    QString error;
    QVERIFY2(m_files->send(m_peerId, {path}, &error).size() == 1, qPrintable(error));
    // As many silent connections as allowed stay open (waiting for their request)...
    std::vector<std::unique_ptr<QTcpSocket>> open;
    for (int i = 0; i < IpmsgFiles::MaxServesPerAddress; ++i) {
        auto s = std::make_unique<QTcpSocket>();
        QVERIFY(s->bind(Them));
        s->connectToHost(Us, Port);
        QTRY_COMPARE(s->state(), QAbstractSocket::ConnectedState);
        open.push_back(std::move(s));
    }
    // ... one more is closed at once, long before the request timeout.
    QElapsedTimer t;
    t.start();
    bool closed = false;
    QCOMPARE(fetch(Them, QByteArray(), &closed), QByteArray());
    QVERIFY(closed);
    QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
    for (const auto &s : open)
        QCOMPARE(s->state(), QAbstractSocket::ConnectedState);
    QFile::remove(path);
}

void tst_IpmsgFiles::pendingOffersPerUserAreBounded()
{
    QByteArray list;
    for (int i = 0; i <= IpmsgFiles::MaxPendingPerPeer; ++i)
        list += QByteArray::number(i) + ":f" + QByteArray::number(i) + ".bin:1:5f5e1000:1:\a:";
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    m_fake->send(0x00200020, QByteArray() + '\0' + list + '\0');
    QTRY_COMPARE(offered.size(), IpmsgFiles::MaxPendingPerPeer);
    // All in one packet: the one over the bound was dropped in the same pass.
    QCOMPARE(m_files->all().size(), IpmsgFiles::MaxPendingPerPeer);
    QTRY_COMPARE(entriesOf(m_downloads), QStringList());
}

// One datagram with 1,000 bad names: one item (one history row), not 1,000.
void tst_IpmsgFiles::manyRefusedNamesAreOneItem()
{
    QByteArray list;
    for (int i = 0; i < 1000; ++i)
        list += QByteArray::number(i) + ":a/b" + QByteArray::number(i) + ":1:5f5e1000:1:\a:";
    QSignalSpy added(m_files.get(), &IpmsgFiles::added);
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    const quint32 packetNo = m_fake->send(0x00200020, QByteArray() + '\0' + list + '\0');
    QTRY_VERIFY(m_fake->last(0x61));
    QCOMPARE(m_fake->last(0x61)->fields().value(0), QByteArray::number(packetNo));
    QCOMPARE(added.size(), 1);
    QCOMPARE(offered.size(), 0);
    const QList<TransferInfo> all = m_files->all();
    QCOMPARE(all.size(), 1);
    QCOMPARE(transferStateName(all[0].state), u"failed"_s);
    QVERIFY2(all[0].error.contains(u"999"_s), qPrintable(all[0].error)); // how many more
    QString error;
    QVERIFY(!m_files->accept(all[0].id, QString(), &error));
    QTRY_COMPARE(entriesOf(m_downloads), QStringList());
}

// Good files of an offer with refused ones are offered; RELEASEFILES once they are over.
void tst_IpmsgFiles::refusedAndGoodInOneOffer()
{
    const QByteArray list = "0:good.txt:a:5f5e1000:1:\a:1:../bad.txt:a:5f5e1000:1:\a:"
                            "2:dir:0:5f5e1000:2:\a:"_ba;
    QSignalSpy added(m_files.get(), &IpmsgFiles::added);
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    const quint32 packetNo = m_fake->send(0x00200020, QByteArray() + '\0' + list + '\0');
    const auto offer = waitOffered(offered);
    QVERIFY(offer);
    QCOMPARE(offer->name, u"good.txt"_s);
    QCOMPARE(added.size(), 2); // the good file and one item for both refused
    QVERIFY(!m_fake->last(0x61));
    QString error;
    QVERIFY(m_files->decline(offer->id, &error));
    QTRY_VERIFY(m_fake->last(0x61));
    QCOMPARE(m_fake->last(0x61)->fields().value(0), QByteArray::number(packetNo));
}

// 600 offered files from 12 users: at most MaxPendingIncoming wait; the rest is released.
void tst_IpmsgFiles::pendingOffersInAllAreBounded()
{
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    std::vector<std::unique_ptr<QUdpSocket>> users;
    QList<quint32> packets;
    for (int u = 0; u < 12; ++u) {
        auto s = std::make_unique<QUdpSocket>();
        // An address each: a user is an address (one per host, as iptux keys them).
        QVERIFY(s->bind(QHostAddress(u"127.0.1.%1"_s.arg(u + 1)), quint16(30001 + u)));
        QByteArray list;
        for (int i = 0; i < 50; ++i)
            list += QByteArray::number(i) + ":u" + QByteArray::number(u) + '-'
                    + QByteArray::number(i) + ".bin:1:5f5e1000:1:\a:";
        const quint32 no = 5000 + u;
        s->writeDatagram("1_iptux 0.8.3:" + QByteArray::number(no)
                             + ":u:h:" + QByteArray::number(0x00200020) + ":\0"_ba + list + '\0',
                         Us,
                         Port);
        packets.append(no);
        users.push_back(std::move(s));
        QTest::qWait(20);
    }
    QTRY_COMPARE(offered.size(), IpmsgFiles::MaxPendingIncoming);
    // The offers over the bound are refused at once: RELEASEFILES, and no item.
    for (int u = 10; u < 12; ++u) {
        QByteArray got;
        QTRY_VERIFY(
            (got += users[u]->receiveDatagram().data())
                .contains(":" + QByteArray::number(0x61) + ":" + QByteArray::number(packets[u])));
    }
    QTest::qWait(200);
    QCOMPARE(offered.size(), IpmsgFiles::MaxPendingIncoming);
    QCOMPARE(m_files->all().size(), IpmsgFiles::MaxPendingIncoming);
}

void tst_IpmsgFiles::offersFailWhenTheSenderLeaves()
{
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    const quint32 packetNo = m_fake->offer("x.bin", 10);
    const auto offer = waitOffered(offered);
    QVERIFY(offer);
    m_fake->send(0x02, "Fake\0Group\0"_ba); // BR_EXIT
    QTRY_COMPARE(transferStateName(m_files->find(offer->id)->state), u"failed"_s);
    QCOMPARE(m_files->find(offer->id)->error, u"The sender withdrew the offer."_s);
    QTRY_VERIFY(m_fake->last(0x61));
    QCOMPARE(m_fake->last(0x61)->fields().value(0), QByteArray::number(packetNo));
}

void tst_IpmsgFiles::incomingOffersExpire()
{
    m_files->setTimeouts(1000, 2000, 2000, 300);
    QSignalSpy offered(m_files.get(), &IpmsgFiles::offered);
    m_fake->offer("x.bin", 10);
    const auto offer = waitOffered(offered);
    QVERIFY(offer);
    QTRY_COMPARE(transferStateName(m_files->find(offer->id)->state), u"failed"_s);
    QVERIFY(!m_files->find(offer->id)->error.isEmpty());
    QTRY_VERIFY(m_fake->last(0x61));
}

// GETFILEDATA at offset == size: nothing to send, and not a finished transfer.
void tst_IpmsgFiles::servingNothingAtTheEndIsNotDone()
{
    const QString path = m_src.filePath(u"out.bin"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(randomBytes(1000));
    }
    QString error;
    const QList<QUuid> ids = m_files->send(m_peerId, {path}, &error);
    QVERIFY2(ids.size() == 1, qPrintable(error));
    QTRY_VERIFY(m_fake->last(0x20));
    const Raw offer = *m_fake->last(0x20);
    const quint32 fileId = offer.fields().value(1).split(':').value(0).toUInt();
    bool closed = false;
    QCOMPARE(fetch(Them, getFileData(offer.packetNo.toUInt(), fileId, 1000), &closed), QByteArray());
    QVERIFY(closed);
    QTest::qWait(100);
    QCOMPARE(transferStateName(m_files->find(ids[0])->state), u"accepted"_s);
    QFile::remove(path);
}

void tst_IpmsgFiles::tcpPortTakenIsSaid()
{
    m_files->stop();
    QVERIFY(!m_files->isRunning());
    QTcpServer other;
    QVERIFY(other.listen(Us, Port));
    QSignalSpy running(m_files.get(), &IpmsgFiles::runningChanged);
    QVERIFY(!m_files->start());
    QVERIFY2(m_files->errorString().contains(QString::number(Port)),
             qPrintable(m_files->errorString()));
    QCOMPARE(running.size(), 1);
    QCOMPARE(running.first().at(0).toBool(), false);
    // Files cannot be offered while nobody could fetch them; chat is not affected.
    const QString path = m_src.filePath(u"out.bin"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
    }
    QString error;
    QVERIFY(m_files->send(m_peerId, {path}, &error).isEmpty());
    QVERIFY(!error.isEmpty());
    QVERIFY(m_transport->isRunning());
    other.close();
    QVERIFY(m_files->start());
    QVERIFY(m_files->isRunning());
    QFile::remove(path);
}

QTEST_GUILESS_MAIN(tst_IpmsgFiles)
#include "tst_ipmsgfiles.moc"
