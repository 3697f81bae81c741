// SPDX-License-Identifier: GPL-3.0-or-later
// shoal-cli and IP Messenger users (issue 17), on a private bridge: shoal-cli runs in hosts A
// and B with its shipped defaults (IPMsg broadcasts on every interface), which is only ever
// safe inside namespaces this test makes and removes. The test itself moves into host C and
// plays an iptux user there with a plain UDP socket, so it sees exactly what goes on the wire.
#include "cliprocess.h"
#include "netnstopology.h"

#include <QJsonArray>
#include <QStringDecoder>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr quint16 IpmsgPort = 42425; // the test's own, not 2425
const QHostAddress HostA(u"10.78.0.1"_s);
const QHostAddress HostB(u"10.78.0.2"_s);
const QHostAddress Fake(u"10.78.0.3"_s);
const QHostAddress Broadcast(u"10.78.0.255"_s);

enum : quint32 {
    BrEntry = 0x01,
    BrExit = 0x02,
    AnsEntry = 0x03,
    SendMsg = 0x20,
    RecvMsg = 0x21,
    AbsenceOpt = 0x100,
    SendCheckOpt = 0x100,
    DialupOpt = 0x10000,
};

// One datagram as an IP Messenger client reads it.
struct Datagram
{
    QHostAddress from;
    QByteArray version;
    quint32 packetNo = 0;
    quint32 command = 0;
    QList<QByteArray> extra;
    quint32 mode() const { return command & 0xFF; }
};

std::optional<Datagram> parse(const QByteArray &bytes, const QHostAddress &from)
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
    Datagram d;
    d.from = from;
    d.version = head.at(0);
    d.packetNo = head.at(1).toUInt();
    d.command = head.at(4).toUInt();
    d.extra = rest.split('\0');
    return d;
}

QString decodeText(const QByteArray &bytes)
{
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString text = utf8(bytes);
    if (!utf8.hasError())
        return text;
    QStringDecoder gb18030("GB18030");
    return gb18030(bytes);
}

// An iptux user: a UDP socket on the IPMsg port in host C.
class FakeUser
{
public:
    bool bind()
    {
        QObject::connect(&socket, &QUdpSocket::readyRead, &socket, [this] {
            while (socket.hasPendingDatagrams()) {
                QHostAddress from;
                QByteArray bytes(int(socket.pendingDatagramSize()), Qt::Uninitialized);
                const qint64 n = socket.readDatagram(bytes.data(), bytes.size(), &from);
                if (n < 0)
                    continue;
                bytes.truncate(n);
                const auto d = parse(bytes, QHostAddress(from.toIPv4Address()));
                if (!d)
                    continue;
                received.append(*d);
                // An iptux user acknowledges what asks for it, unless it is away.
                if (acking && d->mode() == SendMsg && (d->command & SendCheckOpt))
                    send(RecvMsg | SendCheckOpt, QByteArray::number(d->packetNo), d->from);
            }
        });
        return socket.bind(QHostAddress::AnyIPv4, IpmsgPort);
    }
    // Sends a packet with the next packet number (or `packetNo`), and returns its number.
    quint32 send(quint32 command,
                 const QByteArray &extra,
                 const QHostAddress &to,
                 quint32 packetNo = 0)
    {
        if (packetNo == 0)
            packetNo = ++m_packetNo;
        const QByteArray datagram = "1_iptux 0.8.3:" + QByteArray::number(packetNo)
                                    + ":tester:" + "fakehost:" + QByteArray::number(command) + ':'
                                    + extra + '\0';
        socket.writeDatagram(datagram, to, IpmsgPort);
        return packetNo;
    }
    quint32 enter(const QHostAddress &to = Broadcast)
    {
        return send(BrEntry | AbsenceOpt, u"小企鹅"_s.toUtf8() + '\0' + u"测试组"_s.toUtf8(), to);
    }
    QList<Datagram> from(const QHostAddress &host, quint32 mode) const
    {
        QList<Datagram> out;
        for (const Datagram &d : received) {
            if (d.from == host && d.mode() == mode)
                out.append(d);
        }
        return out;
    }

    QUdpSocket socket;
    QList<Datagram> received;
    bool acking = true;

private:
    quint32 m_packetNo = 100;
};

// Into a namespace for the calling thread (the test's only one): the sockets it makes from
// now on are there.
bool enterNamespace(const QString &path)
{
    const int fd = open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = setns(fd, CLONE_NEWNET) == 0;
    close(fd);
    return ok;
}

QJsonObject lastPeer(const CliProcess &cli, const QString &id)
{
    const auto peers = cli.all(u"peer"_s);
    for (auto it = peers.crbegin(); it != peers.crend(); ++it) {
        if (it->value(u"id"_s).toString() == id)
            return *it;
    }
    return {};
}

} // namespace

class tst_IpmsgCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void chatWithAnIpmsgUser();
    void turnedOffAndOnWhileRunning();
    void noIpmsgLeavesThePortAlone();
    void portTakenIsSaidAndShoalGoesOn();
    void twoShoalsMeetOnlyOverShoal();
    void networkChangeEntersAgain();

private:
    std::unique_ptr<CliProcess> startCli(const QString &host,
                                         const QTemporaryDir &dir,
                                         const QStringList &extra = {});
    // A UDP socket bound to the IPMsg port in `host` (made there, then back to C), or null.
    std::unique_ptr<QUdpSocket> bindIn(const QString &host);
    QString nsPath(const QString &host) const { return u"/run/netns/"_s + m_net->ns(host); }

    std::unique_ptr<NetnsTopology> m_net;
    int m_ownNamespace = -1;
};

void tst_IpmsgCli::initTestCase()
{
    const QString why = NetnsTopology::unavailable();
    if (!why.isEmpty())
        QSKIP(qPrintable(why + u"; skipped"_s));
    m_net = std::make_unique<NetnsTopology>(u"ipmsg"_s);
    QVERIFY(m_net->addSwitch(u"br0"_s));
    const QStringList hosts = {u"a"_s, u"b"_s, u"c"_s};
    for (int i = 0; i < hosts.size(); ++i) {
        QVERIFY(m_net->addHost(hosts.at(i)));
        QVERIFY(m_net->plug(hosts.at(i), u"eth0"_s, u"br0"_s, {u"10.78.0.%1/24"_s.arg(i + 1)}));
    }
    // The fake iptux user lives in C: this thread's sockets are made there from now on.
    m_ownNamespace = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    QVERIFY(m_ownNamespace >= 0);
    QVERIFY(enterNamespace(nsPath(u"c"_s)));
}

void tst_IpmsgCli::cleanupTestCase()
{
    if (m_ownNamespace >= 0) {
        QVERIFY(setns(m_ownNamespace, CLONE_NEWNET) == 0);
        close(m_ownNamespace);
    }
    m_net.reset();
}

std::unique_ptr<CliProcess> tst_IpmsgCli::startCli(const QString &host,
                                                   const QTemporaryDir &dir,
                                                   const QStringList &extra)
{
    // The shipped defaults (broadcasts on every interface, discovery on) in the namespace,
    // with the test's IPMsg port.
    QStringList args = m_net->shoalArguments(host,
                                             QStringLiteral(SHOAL_CLI_PATH),
                                             dir.path(),
                                             u"shoal-"_s + host);
    args << u"--ipmsg-port"_s << QString::number(IpmsgPort) << extra;
    return std::make_unique<CliProcess>(m_net->ipPath(), args);
}

std::unique_ptr<QUdpSocket> tst_IpmsgCli::bindIn(const QString &host)
{
    if (!enterNamespace(nsPath(host)))
        return nullptr;
    auto socket = std::make_unique<QUdpSocket>();
    const bool bound = socket->bind(QHostAddress::AnyIPv4, IpmsgPort);
    if (!enterNamespace(nsPath(u"c"_s)))
        qFatal("cannot go back to host C's namespace");
    if (!bound)
        return nullptr;
    return socket;
}

void tst_IpmsgCli::chatWithAnIpmsgUser()
{
    FakeUser fake;
    QVERIFY(fake.bind());
    QTemporaryDir dir;
    auto cli = startCli(u"a"_s, dir);
    QTRY_VERIFY(!cli->id().isEmpty());

    // Shoal's entry reaches the LAN: a broadcast BR_ENTRY from A, a Shoal's version.
    QTRY_VERIFY(!fake.from(HostA, BrEntry).isEmpty());
    QVERIFY2(fake.from(HostA, BrEntry).constFirst().version.startsWith("1_"),
             fake.from(HostA, BrEntry).constFirst().version.constData());

    // The iptux user enters: listed as an IP Messenger user with its name and group, and
    // answered (ANSENTRY, unicast).
    fake.enter();
    const QString address = u"10.78.0.3:%1"_s.arg(IpmsgPort);
    auto ipmsgPeer = [&] {
        return cli->find([&](const QJsonObject &e) {
            return e.value(u"event"_s) == u"peer"_s && e.value(u"source"_s) == u"ipmsg"_s
                   && e.value(u"group"_s) == u"测试组"_s;
        });
    };
    QTRY_VERIFY(!ipmsgPeer().isEmpty());
    const QJsonObject peer = ipmsgPeer();
    const QString id = peer.value(u"id"_s).toString();
    QCOMPARE(peer.value(u"name"_s).toString(), u"小企鹅"_s);
    QCOMPARE(peer.value(u"address"_s).toString(), address);
    QCOMPARE(peer.value(u"protocol"_s).toString(), u"ipmsg"_s);
    QVERIFY(peer.value(u"online"_s).toBool());
    QCOMPARE(id.size(), 64);
    QTRY_VERIFY(!fake.from(HostA, AnsEntry).isEmpty());
    cli->send({{u"cmd"_s, u"peers"_s}});
    QTRY_VERIFY(!cli->event(u"peers"_s).isEmpty());
    const QJsonArray listed = cli->event(u"peers"_s).value(u"peers"_s).toArray();
    QCOMPARE(listed.size(), 1);
    QCOMPARE(listed.at(0).toObject().value(u"source"_s).toString(), u"ipmsg"_s);
    QCOMPARE(listed.at(0).toObject().value(u"group"_s).toString(), u"测试组"_s);

    // Shoal -> iptux user: SENDMSG asking for an ack; the ack makes it delivered.
    auto stateOf = [&](const QString &messageId, const QString &state) {
        return cli->find([&](const QJsonObject &e) {
            return e.value(u"event"_s) == u"state"_s && e.value(u"id"_s) == messageId
                   && e.value(u"state"_s) == state;
        });
    };
    auto sentId = [&](const QString &ref) {
        return cli
            ->find([&](const QJsonObject &e) {
                return e.value(u"event"_s) == u"state"_s && e.value(u"ref"_s) == ref;
            })
            .value(u"id"_s)
            .toString();
    };
    cli->send(
        {{u"cmd"_s, u"send"_s}, {u"to"_s, id}, {u"text"_s, u"你好，iptux"_s}, {u"ref"_s, u"m1"_s}});
    QTRY_VERIFY(!sentId(u"m1"_s).isEmpty());
    const QString m1 = sentId(u"m1"_s);
    QTRY_VERIFY(!fake.from(HostA, SendMsg).isEmpty());
    const Datagram sendmsg = fake.from(HostA, SendMsg).constFirst();
    QVERIFY(sendmsg.command & SendCheckOpt);
    QCOMPARE(decodeText(sendmsg.extra.value(0)), u"你好，iptux"_s);
    QTRY_VERIFY(!stateOf(m1, u"delivered"_s).isEmpty());

    // iptux user -> Shoal, Chinese in UTF-8: one message event, acknowledged with its
    // number; the same packet again (our ack was lost, say) is acknowledged and not shown again.
    auto messages = [&](const QString &text) {
        qsizetype n = 0;
        for (const QJsonObject &e : cli->all(u"message"_s)) {
            if (e.value(u"text"_s) == text && e.value(u"from"_s) == id)
                ++n;
        }
        return n;
    };
    auto acks = [&](quint32 packetNo) {
        qsizetype n = 0;
        for (const Datagram &d : fake.from(HostA, RecvMsg)) {
            if (d.extra.value(0) == QByteArray::number(packetNo))
                ++n;
        }
        return n;
    };
    const QByteArray hello = u"你好，Shoal！"_s.toUtf8();
    const quint32 p1 = fake.send(SendMsg | SendCheckOpt, hello, HostA);
    QTRY_COMPARE(messages(u"你好，Shoal！"_s), qsizetype(1));
    QTRY_COMPARE(acks(p1), qsizetype(1));
    fake.send(SendMsg | SendCheckOpt, hello, HostA, p1);
    QTRY_COMPARE(acks(p1), qsizetype(2));
    // A later message as the marker: the resend was handled before it.
    QStringEncoder gbk("GB18030");
    const QByteArray inGbk = gbk(u"飞秋用户的消息"_s);
    QVERIFY(!gbk.hasError());
    const quint32 p2 = fake.send(SendMsg | SendCheckOpt, inGbk, HostA);
    QTRY_COMPARE(messages(u"飞秋用户的消息"_s), qsizetype(1));
    QTRY_COMPARE(acks(p2), qsizetype(1));
    QCOMPARE(messages(u"你好，Shoal！"_s), qsizetype(1));

    // Away: nothing acknowledged. Shoal tries 4 times, then the user is offline and the
    // message waits; the user enters again and it is delivered, once.
    fake.acking = false;
    const qsizetype sentBefore = fake.from(HostA, SendMsg).size();
    cli->send(
        {{u"cmd"_s, u"send"_s}, {u"to"_s, id}, {u"text"_s, u"还在吗？"_s}, {u"ref"_s, u"m2"_s}});
    QTRY_VERIFY(!sentId(u"m2"_s).isEmpty());
    const QString m2 = sentId(u"m2"_s);
    QTRY_VERIFY_WITH_TIMEOUT(cli->peerOnline(id, false), 15000);
    const QList<Datagram> tries = fake.from(HostA, SendMsg).mid(sentBefore);
    QCOMPARE(tries.size(), 4);
    for (const Datagram &d : tries)
        QCOMPARE(d.packetNo, tries.constFirst().packetNo); // the same packet, resent
    QVERIFY(stateOf(m2, u"delivered"_s).isEmpty());
    // The message waits: Shoal asks the user to answer (a unicast BR_ENTRY, DIALUPOPT).
    auto dialled = [&] {
        for (const Datagram &d : fake.from(HostA, BrEntry)) {
            if (d.command & DialupOpt)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(dialled(), 10000);
    QVERIFY(stateOf(m2, u"delivered"_s).isEmpty());
    fake.acking = true;
    fake.enter(HostA);
    QTRY_VERIFY(cli->peerOnline(id, true));
    QTRY_VERIFY_WITH_TIMEOUT(!stateOf(m2, u"delivered"_s).isEmpty(), 10000);
    cli->send({{u"cmd"_s, u"peers"_s}, {u"ref"_s, u"marker"_s}});
    QTRY_VERIFY(
        !cli->find([](const QJsonObject &e) { return e.value(u"ref"_s) == u"marker"_s; }).isEmpty());
    qsizetype delivered = 0;
    for (const QJsonObject &e : cli->all(u"state"_s))
        delivered += e.value(u"id"_s) == m2 && e.value(u"state"_s) == u"delivered"_s;
    QCOMPARE(delivered, qsizetype(1));

    // The user quits: offline.
    fake.send(BrExit, {}, HostA);
    QTRY_VERIFY(cli->peerOnline(id, false));
    QCOMPARE(lastPeer(*cli, id).value(u"source"_s).toString(), u"ipmsg"_s);

    // Shoal quits: BR_EXIT reaches the user.
    cli->send({{u"cmd"_s, u"quit"_s}});
    QTRY_VERIFY(!fake.from(HostA, BrExit).isEmpty());
    QVERIFY(cli->process.waitForFinished(10000));
    QVERIFY(cli->badLines.isEmpty());

    // Started again: the user is remembered, offline, still an IP Messenger user.
    auto again = startCli(u"a"_s, dir);
    QTRY_VERIFY(!again->id().isEmpty());
    again->send({{u"cmd"_s, u"peers"_s}});
    QTRY_VERIFY(!again->event(u"peers"_s).isEmpty());
    const QJsonArray remembered = again->event(u"peers"_s).value(u"peers"_s).toArray();
    QCOMPARE(remembered.size(), 1);
    QCOMPARE(remembered.at(0).toObject().value(u"id"_s).toString(), id);
    QCOMPARE(remembered.at(0).toObject().value(u"source"_s).toString(), u"ipmsg"_s);
    QCOMPARE(remembered.at(0).toObject().value(u"name"_s).toString(), u"小企鹅"_s);
    QVERIFY(!remembered.at(0).toObject().value(u"online"_s).toBool(true));
}

void tst_IpmsgCli::turnedOffAndOnWhileRunning()
{
    FakeUser fake;
    QVERIFY(fake.bind());
    QTemporaryDir dir;
    auto cli = startCli(u"a"_s, dir);
    QTRY_VERIFY(!cli->id().isEmpty());
    fake.enter(HostA);
    auto userId = [&] {
        return cli
            ->find([](const QJsonObject &e) {
                return e.value(u"event"_s) == u"peer"_s && e.value(u"source"_s) == u"ipmsg"_s;
            })
            .value(u"id"_s)
            .toString();
    };
    QTRY_VERIFY(!userId().isEmpty());
    const QString id = userId();
    QTRY_VERIFY(cli->peerOnline(id, true));

    // Off: the user is told (BR_EXIT), its row goes offline, the port is free.
    cli->send({{u"cmd"_s, u"set"_s}, {u"ipmsg"_s, false}, {u"ref"_s, u"off"_s}});
    auto reply = [&](const QString &ref) {
        return cli->find([&](const QJsonObject &e) { return e.value(u"ref"_s) == ref; });
    };
    QTRY_VERIFY(!reply(u"off"_s).isEmpty());
    QCOMPARE(reply(u"off"_s).value(u"ipmsg"_s).toBool(true), false);
    QTRY_VERIFY(!fake.from(HostA, BrExit).isEmpty());
    QTRY_VERIFY(cli->peerOnline(id, false));
    QVERIFY2(bindIn(u"a"_s) != nullptr, "the IPMsg port is still held after it was turned off");
    cli->send({{u"cmd"_s, u"network"_s}, {u"ref"_s, u"net-off"_s}});
    QTRY_VERIFY(!reply(u"net-off"_s).isEmpty());
    QCOMPARE(reply(u"net-off"_s).value(u"ipmsg"_s).toObject().value(u"running"_s).toBool(true),
             false);

    // On again: Shoal enters, the user answers and is online again.
    const qsizetype entries = fake.from(HostA, BrEntry).size();
    cli->send({{u"cmd"_s, u"set"_s}, {u"ipmsg"_s, true}, {u"ref"_s, u"on"_s}});
    QTRY_VERIFY(!reply(u"on"_s).isEmpty());
    QCOMPARE(reply(u"on"_s).value(u"ipmsg"_s).toBool(), true);
    QTRY_VERIFY(fake.from(HostA, BrEntry).size() > entries);
    fake.send(AnsEntry | AbsenceOpt, u"小企鹅"_s.toUtf8() + '\0' + u"测试组"_s.toUtf8(), HostA);
    QTRY_VERIFY(cli->peerOnline(id, true));
    cli->send({{u"cmd"_s, u"network"_s}, {u"ref"_s, u"net-on"_s}});
    QTRY_VERIFY(!reply(u"net-on"_s).isEmpty());
    QVERIFY(reply(u"net-on"_s).value(u"ipmsg"_s).toObject().value(u"running"_s).toBool());
}

void tst_IpmsgCli::noIpmsgLeavesThePortAlone()
{
    FakeUser fake;
    QVERIFY(fake.bind());
    QTemporaryDir dir;
    auto cli = startCli(u"a"_s, dir, {u"--no-ipmsg"_s});
    QTRY_VERIFY(!cli->id().isEmpty());
    cli->send({{u"cmd"_s, u"network"_s}});
    QTRY_VERIFY(!cli->event(u"network"_s).isEmpty());
    const QJsonObject ipmsg = cli->event(u"network"_s).value(u"ipmsg"_s).toObject();
    QCOMPARE(ipmsg.value(u"enabled"_s).toBool(true), false);
    QCOMPARE(ipmsg.value(u"running"_s).toBool(true), false);
    // Nobody holds the port in A, and the user's entry is not answered.
    QVERIFY2(bindIn(u"a"_s) != nullptr, "shoal-cli --no-ipmsg holds the IPMsg port");
    fake.enter(HostA);
    cli->send({{u"cmd"_s, u"peers"_s}});
    QTRY_VERIFY(!cli->event(u"peers"_s).isEmpty());
    QCOMPARE(cli->event(u"peers"_s).value(u"peers"_s).toArray().size(), 0);
    QVERIFY(fake.from(HostA, BrEntry).isEmpty());
    QVERIFY(fake.from(HostA, AnsEntry).isEmpty());
    QVERIFY(cli->find([](const QJsonObject &e) { return e.value(u"source"_s) == u"ipmsg"_s; })
                .isEmpty());
}

void tst_IpmsgCli::portTakenIsSaidAndShoalGoesOn()
{
    // Another IP Messenger program in A has the port.
    const auto taken = bindIn(u"a"_s);
    QVERIFY(taken);
    QTemporaryDir dirA, dirB;
    auto a = startCli(u"a"_s, dirA);
    auto b = startCli(u"b"_s, dirB);
    QTRY_VERIFY(!a->id().isEmpty());
    QTRY_VERIFY(!b->id().isEmpty());
    a->send({{u"cmd"_s, u"network"_s}});
    QTRY_VERIFY(!a->event(u"network"_s).isEmpty());
    const QJsonObject ipmsg = a->event(u"network"_s).value(u"ipmsg"_s).toObject();
    QVERIFY2(ipmsg.value(u"enabled"_s).toBool(), QJsonDocument(ipmsg).toJson().constData());
    QVERIFY(!ipmsg.value(u"running"_s).toBool(true));
    QCOMPARE(ipmsg.value(u"port"_s).toInt(), int(IpmsgPort));
    const QString error = ipmsg.value(u"error"_s).toString();
    QVERIFY2(error.contains(QString::number(IpmsgPort)), qPrintable(error));
    // Said at start too, as a warning.
    QVERIFY(!a->find([&](const QJsonObject &e) {
                  return e.value(u"event"_s) == u"error"_s
                         && e.value(u"message"_s).toString().contains(QString::number(IpmsgPort));
              }).isEmpty());
    // Chat over Shoal is unaffected.
    QTRY_VERIFY_WITH_TIMEOUT(a->peerOnline(b->id(), true) && b->peerOnline(a->id(), true), 10000);
    a->send({{u"cmd"_s, u"send"_s}, {u"to"_s, b->id()}, {u"text"_s, u"over TLS"_s}});
    QTRY_COMPARE(b->event(u"message"_s).value(u"text"_s).toString(), u"over TLS"_s);
}

void tst_IpmsgCli::twoShoalsMeetOnlyOverShoal()
{
    // The fake user only listens here: it proves both Shoals' entries went out on the bridge.
    FakeUser fake;
    QVERIFY(fake.bind());
    QTemporaryDir dirA, dirB;
    auto a = startCli(u"a"_s, dirA);
    auto b = startCli(u"b"_s, dirB);
    QTRY_VERIFY(!a->id().isEmpty());
    QTRY_VERIFY(!b->id().isEmpty());
    QTRY_VERIFY(!fake.from(HostA, BrEntry).isEmpty() && !fake.from(HostB, BrEntry).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(a->peerOnline(b->id(), true) && b->peerOnline(a->id(), true), 10000);
    // Each answered a command after the other's entry reached it.
    for (CliProcess *cli : {a.get(), b.get()}) {
        cli->send({{u"cmd"_s, u"peers"_s}});
        QTRY_VERIFY(!cli->event(u"peers"_s).isEmpty());
        const QJsonArray peers = cli->event(u"peers"_s).value(u"peers"_s).toArray();
        QCOMPARE(peers.size(), 1); // the other, once
        QCOMPARE(peers.at(0).toObject().value(u"protocol"_s).toString(), u"shoal"_s);
        QVERIFY(peers.at(0).toObject().value(u"source"_s).toString() != u"ipmsg"_s);
        QVERIFY(cli->find([](const QJsonObject &e) { return e.value(u"source"_s) == u"ipmsg"_s; })
                    .isEmpty());
    }
    QVERIFY(a->peerOnline(b->id(), true));
}

void tst_IpmsgCli::networkChangeEntersAgain()
{
    FakeUser fake;
    QVERIFY(fake.bind());
    QTemporaryDir dir;
    auto cli = startCli(u"a"_s, dir);
    QTRY_VERIFY(!cli->id().isEmpty());
    const QHostAddress second(u"10.78.0.21"_s);
    auto entries = [&] {
        return fake.from(HostA, BrEntry).size() + fake.from(second, BrEntry).size();
    };
    QTRY_COMPARE(entries(), qsizetype(1));
    // Host A gets another address: Shoal says it is here again (BR_ENTRY), as discovery does.
    QVERIFY(m_net->ipIn(u"a"_s, {u"addr"_s, u"add"_s, u"10.78.0.21/24"_s, u"dev"_s, u"eth0"_s}));
    QTRY_VERIFY(!cli->event(u"network-change"_s).isEmpty());
    QTRY_VERIFY(entries() > 1);
    QVERIFY(m_net->ipIn(u"a"_s, {u"addr"_s, u"del"_s, u"10.78.0.21/24"_s, u"dev"_s, u"eth0"_s}));
}

QTEST_GUILESS_MAIN(tst_IpmsgCli)
#include "tst_ipmsgcli.moc"
