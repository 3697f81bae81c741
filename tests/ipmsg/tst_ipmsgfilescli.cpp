// SPDX-License-Identifier: GPL-3.0-or-later
// shoal-cli and files with an IP Messenger user (issue 17), through the facade: offer, accept,
// send-file and transfers work with an IPMsg user's ID as with a Shoal peer's. shoal-cli runs in
// host A of a private bridge with its shipped defaults (only safe in namespaces this test makes);
// the test moves into host C and plays an iptux user there with plain sockets.
#include "cliprocess.h"
#include "netnstopology.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr quint16 IpmsgPort = 42426; // the test's own, not 2425
const QHostAddress HostA(u"10.79.0.1"_s);
const QHostAddress Fake(u"10.79.0.3"_s);

QByteArray randomBytes(qsizetype n)
{
    QByteArray b(n, Qt::Uninitialized);
    for (qsizetype i = 0; i < n; ++i)
        b[i] = char(QRandomGenerator::global()->generate() & 0xFF);
    return b;
}

QString sha256Hex(const QByteArray &b)
{
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex());
}

struct Datagram
{
    quint32 packetNo = 0;
    quint32 command = 0;
    QList<QByteArray> extra;
    quint32 mode() const { return command & 0xFF; }
};

std::optional<Datagram> parse(const QByteArray &bytes)
{
    QList<QByteArray> head;
    qsizetype at = 0;
    for (int i = 0; i < 5; ++i) {
        const qsizetype colon = bytes.indexOf(':', at);
        if (colon < 0)
            return std::nullopt;
        head.append(bytes.mid(at, colon - at));
        at = colon + 1;
    }
    QByteArray rest = bytes.mid(at);
    if (rest.endsWith('\0'))
        rest.chop(1);
    return Datagram{head.at(1).toUInt(), head.at(4).toUInt(), rest.split('\0')};
}

bool enterNamespace(const QString &path)
{
    const int fd = open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = setns(fd, CLONE_NEWNET) == 0;
    close(fd);
    return ok;
}

} // namespace

class tst_IpmsgFilesCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void filesBothWays();

private:
    std::unique_ptr<NetnsTopology> m_net;
    int m_ownNamespace = -1;
};

void tst_IpmsgFilesCli::initTestCase()
{
    const QString why = NetnsTopology::unavailable();
    if (!why.isEmpty())
        QSKIP(qPrintable(why + u"; skipped"_s));
    m_net = std::make_unique<NetnsTopology>(u"ipmsgfiles"_s);
    QVERIFY(m_net->addSwitch(u"br0"_s));
    for (const QString &host : {u"a"_s, u"c"_s}) {
        QVERIFY(m_net->addHost(host));
        QVERIFY(m_net->plug(host,
                            u"eth0"_s,
                            u"br0"_s,
                            {u"10.79.0.%1/24"_s.arg(host == u"a"_s ? 1 : 3)}));
    }
    m_ownNamespace = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    QVERIFY(m_ownNamespace >= 0);
    QVERIFY(enterNamespace(u"/run/netns/"_s + m_net->ns(u"c"_s)));
}

void tst_IpmsgFilesCli::cleanupTestCase()
{
    if (m_ownNamespace >= 0) {
        QVERIFY(setns(m_ownNamespace, CLONE_NEWNET) == 0);
        close(m_ownNamespace);
    }
    m_net.reset();
}

void tst_IpmsgFilesCli::filesBothWays()
{
    // The iptux user in C: UDP and TCP on the IPMsg port.
    QUdpSocket udp;
    QTcpServer tcp;
    QList<Datagram> received;
    quint32 packetNo = 100;
    auto sendUdp = [&](quint32 command, const QByteArray &extra) {
        const quint32 no = ++packetNo;
        udp.writeDatagram("1_iptux 0.8.3:" + QByteArray::number(no) + ":tester:fakehost:"
                              + QByteArray::number(command) + ':' + extra + '\0',
                          HostA,
                          IpmsgPort);
        return no;
    };
    connect(&udp, &QUdpSocket::readyRead, this, [&] {
        while (udp.hasPendingDatagrams()) {
            QByteArray bytes(int(udp.pendingDatagramSize()), Qt::Uninitialized);
            const qint64 n = udp.readDatagram(bytes.data(), bytes.size());
            if (n < 0)
                continue;
            bytes.truncate(n);
            if (const auto d = parse(bytes)) {
                received.append(*d);
                if (d->mode() == 0x20 && (d->command & 0x100))
                    sendUdp(0x121, QByteArray::number(d->packetNo));
            }
        }
    });
    QVERIFY(udp.bind(QHostAddress::AnyIPv4, IpmsgPort));
    QVERIFY(tcp.listen(QHostAddress::AnyIPv4, IpmsgPort));

    QTemporaryDir profile, downloads;
    CliProcess cli(
        m_net->ipPath(),
        m_net->shoalArguments(u"a"_s, QStringLiteral(SHOAL_CLI_PATH), profile.path(), u"shoal-a"_s)
            << u"--ipmsg-port"_s << QString::number(IpmsgPort));
    QTRY_VERIFY(!cli.id().isEmpty());
    sendUdp(0x101, u"小企鹅"_s.toUtf8() + '\0' + "group");
    auto ipmsgPeer = [&] {
        return cli.find([](const QJsonObject &e) {
            return e.value(u"event"_s) == u"peer"_s && e.value(u"source"_s) == u"ipmsg"_s;
        });
    };
    QTRY_VERIFY(!ipmsgPeer().isEmpty());
    const QString id = ipmsgPeer().value(u"id"_s).toString();

    // iptux -> Shoal: an offer event with the user's ID; accepted into a folder.
    const QByteArray incoming = randomBytes(300'000);
    const quint32 offerNo = sendUdp(0x00200020,
                                    QByteArray() + '\0'
                                        + "3:报告.pdf:" + QByteArray::number(incoming.size(), 16)
                                        + ":5f5e1000:1:\a:");
    QTRY_VERIFY(!cli.event(u"offer"_s).isEmpty());
    const QJsonObject offer = cli.event(u"offer"_s);
    QCOMPARE(offer.value(u"from"_s).toString(), id);
    QCOMPARE(offer.value(u"name"_s).toString(), u"报告.pdf"_s);
    QCOMPARE(offer.value(u"size"_s).toInteger(), qint64(incoming.size()));
    cli.send({{u"cmd"_s, u"accept"_s},
              {u"id"_s, offer.value(u"id"_s)},
              {u"dir"_s, downloads.path()},
              {u"ref"_s, u"acc"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(tcp.hasPendingConnections(), 10'000);
    std::unique_ptr<QTcpSocket> conn(tcp.nextPendingConnection());
    QCOMPARE(QHostAddress(conn->peerAddress().toIPv4Address()), HostA);
    QByteArray request;
    QTRY_VERIFY((request += conn->readAll()).contains('\0'));
    const auto get = parse(request);
    QVERIFY(get);
    QCOMPARE(get->command, 0x60u);
    QCOMPARE(get->extra.value(0).split(':').mid(0, 3),
             (QList<QByteArray>{QByteArray::number(offerNo, 16), "3", "0"}));
    conn->write(incoming);
    QTRY_COMPARE(conn->bytesToWrite(), qint64(0));
    conn->disconnectFromHost();
    auto transferIn = [&](const QString &transferId, const QString &state) {
        return cli.find([&](const QJsonObject &e) {
            return e.value(u"event"_s) == u"transfer"_s && e.value(u"id"_s) == transferId
                   && e.value(u"state"_s) == state;
        });
    };
    QTRY_VERIFY(!transferIn(offer.value(u"id"_s).toString(), u"done"_s).isEmpty());
    const QJsonObject got = transferIn(offer.value(u"id"_s).toString(), u"done"_s);
    QCOMPARE(got.value(u"sha256"_s).toString(), sha256Hex(incoming));
    const QString path = downloads.filePath(u"报告.pdf"_s);
    QCOMPARE(got.value(u"path"_s).toString(), path);
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(sha256Hex(saved.readAll()), sha256Hex(incoming));

    // Shoal -> iptux: send-file with the user's ID; iptux fetches it over TCP.
    QTemporaryDir outbox;
    const QByteArray outgoing = randomBytes(250'000);
    const QString outPath = outbox.filePath(u"notes.txt"_s);
    {
        QFile f(outPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(outgoing);
    }
    cli.send({{u"cmd"_s, u"send-file"_s}, {u"to"_s, id}, {u"path"_s, outPath}, {u"ref"_s, u"s"_s}});
    auto sentOffer = [&] {
        for (const Datagram &d : received) {
            if (d.mode() == 0x20 && (d.command & 0x00200000))
                return std::optional<Datagram>(d);
        }
        return std::optional<Datagram>();
    };
    QTRY_VERIFY(sentOffer());
    const QList<QByteArray> file = sentOffer()->extra.value(1).split(':');
    QVERIFY(file.size() >= 5);
    QCOMPARE(file.at(1), "notes.txt"_ba);
    QCOMPARE(file.at(2), QByteArray::number(outgoing.size(), 16));
    auto sentTransfer = [&] {
        return cli.find([](const QJsonObject &e) {
            return e.value(u"event"_s) == u"transfer"_s && e.value(u"ref"_s) == u"s"_s;
        });
    };
    QTRY_VERIFY(!sentTransfer().isEmpty());
    QCOMPARE(sentTransfer().value(u"state"_s).toString(), u"offered"_s);
    QCOMPARE(sentTransfer().value(u"to"_s).toString(), id);
    const QString sentId = sentTransfer().value(u"id"_s).toString();
    QTcpSocket fetch;
    QByteArray fetched;
    connect(&fetch, &QTcpSocket::connected, this, [&] {
        fetch.write("1_iptux 0.8.3:9:tester:fakehost:96:"
                    + QByteArray::number(sentOffer()->packetNo, 16) + ':' + file.at(0) + ":0\0"_ba);
    });
    connect(&fetch, &QTcpSocket::readyRead, this, [&] { fetched += fetch.readAll(); });
    QSignalSpy closed(&fetch, &QTcpSocket::disconnected);
    fetch.connectToHost(HostA, IpmsgPort);
    QVERIFY(closed.wait(10'000));
    fetched += fetch.readAll();
    QCOMPARE(fetched.size(), outgoing.size());
    QCOMPARE(sha256Hex(fetched), sha256Hex(outgoing));
    QTRY_VERIFY(!transferIn(sentId, u"done"_s).isEmpty());

    // Both in the transfers list.
    cli.send({{u"cmd"_s, u"transfers"_s}, {u"ref"_s, u"list"_s}});
    QTRY_VERIFY(!cli.event(u"transfers"_s).isEmpty());
    QStringList ids;
    for (const QJsonValue &t : cli.event(u"transfers"_s).value(u"transfers"_s).toArray())
        ids.append(t.toObject().value(u"id"_s).toString());
    QVERIFY(ids.contains(sentId));
    QVERIFY(ids.contains(offer.value(u"id"_s).toString()));

    cli.send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(cli.process.waitForFinished(10'000));
    QVERIFY(cli.badLines.isEmpty());
}

QTEST_GUILESS_MAIN(tst_IpmsgFilesCli)
#include "tst_ipmsgfilescli.moc"
