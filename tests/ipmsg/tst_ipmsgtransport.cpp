// SPDX-License-Identifier: GPL-3.0-or-later
// IpmsgTransport against raw UDP "users" that speak IPMsg as iptux and FeiQ do (research §3-§5):
// entry both ways, Chinese text in UTF-8 and GBK, acknowledgements, resends, duplicates, exit,
// hostile datagrams, a port already taken.
//
// IPMsg traffic must never reach a shared network, not even this host's loopback: the test
// process moves into a network namespace of its own first (root only; skipped otherwise), where
// it may use port 2425 and any 127.0.0.0/8 address. The users are sockets bound to
// 127.0.0.2..., port 2425 (iptux sends from and to 2425); the transport's "broadcast" targets
// are those addresses (a broadcast to 127.255.255.255 reaches only sockets bound to it or to
// 0.0.0.0, and the transport's own port must not be shared). broadcastTargetsAndInterfaces
// checks real broadcasts: to 127.255.255.255, and to a veth pair's 10.91.0.255 in this
// namespace when no target is configured.
#include "ipmsg/ipmsgpacket.h"
#include "ipmsg/ipmsgtransport.h"

#include <QElapsedTimer>
#include <QNetworkDatagram>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStringEncoder>
#include <QTest>
#include <QUdpSocket>

#include <sched.h>
#include <unistd.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr quint16 Port = Ipmsg::DefaultPort;
// Set in the child process that runs refusedUnderLoopbackOnly with SHOAL_LOOPBACK_ONLY=1.
constexpr char LoopbackChild[] = "TST_IPMSG_LOOPBACK_CHILD";
const QByteArray IptuxVersion = "1_iptux 0.8.3";
const QByteArray FeiqVersion = "1_lbt6_0#128#5C60BA7361C6#0#0#0#4001#9";

QByteArray gbk(const QString &text)
{
    QStringEncoder encoder("GB18030");
    return encoder.encode(text);
}

// One datagram as the test reads it, split by hand (not by the codec under test).
struct Wire
{
    QByteArray version;
    quint32 packetNo = 0;
    QByteArray user, host;
    quint32 command = 0;
    QList<QByteArray> extra;
    QHostAddress from;

    quint32 mode() const { return command & 0xFF; }
    bool has(quint32 option) const { return command & option; }
};

std::optional<Wire> parse(const QNetworkDatagram &d)
{
    QByteArray data = d.data();
    Wire w;
    w.from = d.senderAddress();
    QList<QByteArray> head;
    for (int i = 0; i < 5; ++i) {
        const qsizetype colon = data.indexOf(':');
        if (colon < 0)
            return std::nullopt;
        head.append(data.left(colon));
        data = data.mid(colon + 1);
    }
    w.version = head[0];
    w.packetNo = head[1].toUInt();
    w.user = head[2];
    w.host = head[3];
    w.command = head[4].toUInt();
    if (data.endsWith('\0'))
        data.chop(1);
    w.extra = data.isEmpty() ? QList<QByteArray>{} : data.split('\0');
    return w;
}

// An IPMsg user: a UDP socket at address:2425 that sends what the test says and reads what the
// transport sends.
class User
{
public:
    User(const QString &address, QByteArray version = IptuxVersion)
        : m_address(address)
        , m_version(std::move(version))
    {
        m_ok = m_socket.bind(m_address, Port);
    }
    bool isBound() const { return m_ok; }
    QHostAddress address() const { return m_address; }
    QString peerId() const { return Ipmsg::peerIdFor(m_address, Port); }

    quint32 send(quint32 command,
                 const QList<QByteArray> &extra = {},
                 std::optional<quint32> packetNo = {})
    {
        const quint32 no = packetNo.value_or(m_nextPacketNo++);
        QByteArray d = m_version + ':' + QByteArray::number(no)
                       + ":tester:test-host:" + QByteArray::number(command) + ':';
        for (const QByteArray &f : extra)
            d += f + '\0';
        if (extra.isEmpty())
            d += '\0';
        sendRaw(d);
        return no;
    }
    void sendRaw(const QByteArray &datagram)
    {
        m_socket.writeDatagram(datagram, QHostAddress(u"127.0.0.1"_s), Port);
    }
    // The next datagram, or nullopt after `ms` with nothing.
    std::optional<Wire> next(int ms = 3000)
    {
        // The event loop runs meanwhile: the transport answers from it.
        if (!QTest::qWaitFor([this] { return m_socket.hasPendingDatagrams(); }, ms))
            return std::nullopt;
        return parse(m_socket.receiveDatagram());
    }
    // The next datagram of that mode, skipping others; nullopt when none comes within `ms`.
    std::optional<Wire> nextOf(quint32 mode, int ms = 3000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            auto w = next(int(std::max<qint64>(1, ms - t.elapsed())));
            if (w && w->mode() == mode)
                return w;
        }
        return std::nullopt;
    }
    // Nothing of that mode arrives within `ms` (the others are read and dropped).
    bool quietOf(quint32 mode, int ms) { return !nextOf(mode, ms); }
    void drain()
    {
        while (m_socket.hasPendingDatagrams())
            m_socket.receiveDatagram();
    }
    // iptux's entry: ABSENCEOPT always set, nickname, group, icon, encoding.
    void enter(const QString &nick = u"小企鹅"_s, const QString &group = u"测试组"_s)
    {
        send(Ipmsg::BrEntry | Ipmsg::AbsenceOpt,
             {nick.toUtf8(), group.toUtf8(), "icon-tux.png", "utf-8"});
    }

private:
    QHostAddress m_address;
    QByteArray m_version;
    QUdpSocket m_socket;
    bool m_ok = false;
    quint32 m_nextPacketNo = 1;
};

} // namespace

class tst_IpmsgTransport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void entryBothWays();
    void broadcastTargetsAndInterfaces();
    void nameAndStatusChangesArePresence();
    void chineseTextInUtf8AndGbk();
    void recvMsgOnlyAfterTheInboxAcks();
    void resendIsShownOnce();
    void pausedReadingTakesNothingNew();
    void ourChatIsAcknowledged();
    void longTextGoesInParts();
    void unacknowledgedFourSendsThenOffline();
    void exitDisconnects();
    void feiqGetsGbk();
    void otherShoalsAreIgnored();
    void junkAndOversizeChangeNothing();
    void floodIsRateLimited();
    void randomPacketsKeepItRunning();
    void bigButValidInputIsCut();
    void userTableIsBounded();
    void stopAndStartAgain();
    void fileOfferIsReported();
    void dialByAddress();
    void unsupportedTypesAreDropped();
    void portTakenFailsWithAMessage();
    void refusedUnderLoopbackOnly();
    void exitOnDestruction();

private:
    // The transport started, the user entered and seen online; the user's datagrams drained.
    bool enterUser(User &user);
    std::unique_ptr<IpmsgTransport> make();

    QString m_ip;
    std::unique_ptr<IpmsgTransport> m_transport;
    std::unique_ptr<User> m_alice; // iptux at 127.0.0.2
    std::unique_ptr<User> m_bob;   // iptux at 127.0.0.3
};

void tst_IpmsgTransport::initTestCase()
{
    const QString ip = m_ip = QStandardPaths::findExecutable(u"ip"_s);
    if (geteuid() != 0)
        QSKIP("needs root to make a network namespace (CI runs as root): IP Messenger traffic "
              "never runs outside one");
    if (ip.isEmpty())
        QSKIP("needs the ip command (iproute2)");
    // This thread (and the children it starts) moves to a namespace of its own, which has only
    // a loopback interface and vanishes with the process.
    if (::unshare(CLONE_NEWNET) != 0)
        QSKIP(qPrintable(
            u"cannot make a network namespace: %1"_s.arg(QString::fromLocal8Bit(strerror(errno)))));
    QCOMPARE(QProcess::execute(ip, {u"link"_s, u"set"_s, u"lo"_s, u"up"_s}), 0);
    // Inside it, IPMsg may run: nothing leaves the namespace. (Not in the child that checks
    // the refusal under SHOAL_LOOPBACK_ONLY: NetworkSafety reads it once per process.)
    if (!qEnvironmentVariableIsSet(LoopbackChild))
        qunsetenv("SHOAL_LOOPBACK_ONLY");
}

std::unique_ptr<IpmsgTransport> tst_IpmsgTransport::make()
{
    IpmsgConfig config;
    config.port = Port;
    config.bindAddress = QHostAddress(u"127.0.0.1"_s);
    config.broadcastTargets = {QHostAddress(u"127.0.0.2"_s), QHostAddress(u"127.0.0.3"_s)};
    config.userName = u"shoaluser"_s;
    config.hostName = u"shoalhost"_s;
    auto t = std::make_unique<IpmsgTransport>(config);
    t->setSelf(u"Shoal 用户"_s, Protocol::Status::Available, QString());
    return t;
}

void tst_IpmsgTransport::init()
{
    m_alice = std::make_unique<User>(u"127.0.0.2"_s);
    m_bob = std::make_unique<User>(u"127.0.0.3"_s);
    QVERIFY(m_alice->isBound());
    QVERIFY(m_bob->isBound());
    m_transport = make();
}

void tst_IpmsgTransport::cleanup()
{
    m_transport.reset();
    m_alice.reset();
    m_bob.reset();
}

bool tst_IpmsgTransport::enterUser(User &user)
{
    if (!m_transport->isRunning() && !m_transport->start())
        return false;
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    user.enter();
    if (!connected.wait(3000) && connected.isEmpty())
        return false;
    if (!user.nextOf(Ipmsg::AnsEntry))
        return false;
    user.drain();
    return m_transport->isConnected(user.peerId());
}

void tst_IpmsgTransport::entryBothWays()
{
    QSignalSpy running(m_transport.get(), &IpmsgTransport::runningChanged);
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    QVERIFY(m_transport->start());
    QCOMPARE(running.size(), 1);
    QCOMPARE(running.first().at(0).toBool(), true);

    // Our BR_ENTRY reaches every target: version "1_…", nickname and group.
    for (User *u : {m_alice.get(), m_bob.get()}) {
        const auto entry = u->nextOf(Ipmsg::BrEntry);
        QVERIFY(entry);
        QVERIFY(entry->version.startsWith("1_")); // FeiQ needs "1_", atoi() gives 1
        QVERIFY(entry->has(Ipmsg::FileAttachOpt));
        QVERIFY(!entry->has(Ipmsg::AbsenceOpt));
        QCOMPARE(entry->user, QByteArray("shoaluser"));
        QCOMPARE(entry->host, QByteArray("shoalhost"));
        QCOMPARE(QString::fromUtf8(entry->extra.value(0)), u"Shoal 用户"_s);
        QCOMPARE(entry->extra.value(1), QByteArray("Shoal"));
    }

    // Their BR_ENTRY: an ANSENTRY back to that user alone, and the user is online.
    m_alice->enter();
    const auto answer = m_alice->nextOf(Ipmsg::AnsEntry);
    QVERIFY(answer);
    QCOMPARE(QString::fromUtf8(answer->extra.value(0)), u"Shoal 用户"_s);
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 3000);
    QCOMPARE(connected.first().at(0).toString(), m_alice->peerId());
    const auto hello = connected.first().at(1).value<Protocol::Hello>();
    QCOMPARE(hello.peerId, m_alice->peerId());
    QCOMPARE(hello.name, u"小企鹅"_s);
    // iptux always sets ABSENCEOPT and means nothing by it.
    QCOMPARE(hello.status, Protocol::Status::Available);
    QCOMPARE(connected.first().at(2).toString(), u"127.0.0.2:2425"_s);
    QVERIFY(m_transport->isConnected(m_alice->peerId()));
    QVERIFY(m_transport->owns(m_alice->peerId()));
    QVERIFY(!m_transport->owns(m_bob->peerId()));
    QCOMPARE(m_transport->remoteHost(m_alice->peerId()), m_alice->address());
    const auto user = m_transport->user(m_alice->peerId());
    QVERIFY(user);
    QCOMPARE(user->nickname, u"小企鹅"_s);
    QCOMPARE(user->group, u"测试组"_s);
    QCOMPARE(user->version, IptuxVersion);
    QVERIFY(m_bob->quietOf(Ipmsg::AnsEntry, 300)); // the answer went to Alice only

    // Entering again (F5 in iptux) answers again but is not a second connection.
    m_alice->enter();
    QVERIFY(m_alice->nextOf(Ipmsg::AnsEntry));
    QCOMPARE(connected.size(), 1);

    // announce(): BR_ENTRY again, packet numbers growing.
    m_bob->drain();
    m_transport->announce();
    const auto again = m_bob->nextOf(Ipmsg::BrEntry);
    QVERIFY(again);
    QVERIFY(again->packetNo > answer->packetNo);
}

void tst_IpmsgTransport::broadcastTargetsAndInterfaces()
{
    // A broadcast target: a socket bound to the broadcast address hears it.
    QUdpSocket lan;
    QVERIFY(lan.bind(QHostAddress(u"127.255.255.255"_s), Port));
    {
        IpmsgConfig config;
        config.bindAddress = QHostAddress(u"127.0.0.1"_s);
        config.broadcastTargets = {QHostAddress(u"127.255.255.255"_s)};
        IpmsgTransport transport(config);
        QVERIFY(transport.start());
        QVERIFY(QTest::qWaitFor([&] { return lan.hasPendingDatagrams(); }, 3000));
        const auto entry = parse(lan.receiveDatagram());
        QVERIFY(entry);
        QCOMPARE(entry->mode(), quint32(Ipmsg::BrEntry));
    }
    QVERIFY(QTest::qWaitFor([&] { return lan.hasPendingDatagrams(); }, 3000));
    QCOMPARE(parse(lan.receiveDatagram())->mode(), quint32(Ipmsg::BrExit));

    // No targets configured: every up IPv4 interface's broadcast address. A veth pair in this
    // namespace (it has no way out of it) with 10.91.0.1/24.
    auto ip = [this](const QStringList &args) {
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedOutputChannel);
        p.setStandardErrorFile(QProcess::nullDevice());
        p.start(m_ip, args);
        return p.waitForFinished() && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    };
    if (!ip({u"link"_s, u"show"_s, u"tv0"_s})) {
        if (!ip({u"link"_s, u"add"_s, u"tv0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"tv1"_s}))
            QSKIP("cannot make a veth pair here: the default targets are not checked");
        QVERIFY(ip({u"addr"_s, u"add"_s, u"10.91.0.1/24"_s, u"brd"_s, u"+"_s, u"dev"_s, u"tv0"_s}));
        QVERIFY(ip({u"link"_s, u"set"_s, u"tv0"_s, u"up"_s}));
        QVERIFY(ip({u"link"_s, u"set"_s, u"tv1"_s, u"up"_s}));
    }
    QUdpSocket segment;
    QVERIFY(segment.bind(QHostAddress(u"10.91.0.255"_s), Port));
    IpmsgConfig config;
    config.bindAddress = QHostAddress(u"10.91.0.1"_s);
    IpmsgTransport transport(config);
    QVERIFY(transport.start());
    QVERIFY(QTest::qWaitFor([&] { return segment.hasPendingDatagrams(); }, 3000));
    const auto entry = parse(segment.receiveDatagram());
    QVERIFY(entry);
    QCOMPARE(entry->mode(), quint32(Ipmsg::BrEntry));
}

void tst_IpmsgTransport::nameAndStatusChangesArePresence()
{
    QVERIFY(m_transport->start());
    User feiq(u"127.0.0.4"_s, "1_ipmsg"); // not iptux: ABSENCEOPT means away
    QVERIFY(feiq.isBound());
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    feiq.send(Ipmsg::BrEntry, {"Wang", "Sales"});
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 3000);
    QCOMPARE(connected.first().at(1).value<Protocol::Hello>().status, Protocol::Status::Available);

    QVERIFY(feiq.nextOf(Ipmsg::AnsEntry));
    feiq.send(Ipmsg::BrAbsence | Ipmsg::AbsenceOpt, {"Wang[Away]", "Sales"});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 3000);
    const auto presence = std::get<Protocol::Presence>(
        received.first().at(1).value<Protocol::Message>());
    QCOMPARE(presence.name, u"Wang[Away]"_s);
    QCOMPARE(presence.status, Protocol::Status::Away);
    QVERIFY(feiq.quietOf(Ipmsg::AnsEntry, 300)); // BR_ABSENCE is not answered

    // The same again: no change, no Presence.
    feiq.send(Ipmsg::BrAbsence | Ipmsg::AbsenceOpt, {"Wang[Away]", "Sales"});
    feiq.send(Ipmsg::BrAbsence, {"Wang", "Sales"});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 3000);
    QCOMPARE(std::get<Protocol::Presence>(received.last().at(1).value<Protocol::Message>()).status,
             Protocol::Status::Available);
    QCOMPARE(connected.size(), 1);

    // Ours: away shows in the nickname and ABSENCEOPT, broadcast as BR_ABSENCE.
    m_alice->drain();
    m_transport->setSelf(u"Shoal 用户"_s, Protocol::Status::Away, u"lunch"_s);
    const auto absence = m_alice->nextOf(Ipmsg::BrAbsence);
    QVERIFY(absence);
    QVERIFY(absence->has(Ipmsg::AbsenceOpt));
    const QString nick = QString::fromUtf8(absence->extra.value(0));
    QVERIFY2(nick.startsWith(u"Shoal 用户"_s) && nick.contains(u"lunch"_s), qPrintable(nick));
}

void tst_IpmsgTransport::chineseTextInUtf8AndGbk()
{
    QVERIFY(enterUser(*m_alice));
    QVERIFY(enterUser(*m_bob));
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);

    m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {u"你好，世界"_s.toUtf8()});
    m_bob->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {gbk(u"中文消息：再见"_s)});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 3000);
    QCOMPARE(received.at(0).at(0).toString(), m_alice->peerId());
    QCOMPARE(std::get<Protocol::Chat>(received.at(0).at(1).value<Protocol::Message>()).text,
             u"你好，世界"_s);
    QCOMPARE(received.at(1).at(0).toString(), m_bob->peerId());
    QCOMPARE(std::get<Protocol::Chat>(received.at(1).at(1).value<Protocol::Message>()).text,
             u"中文消息：再见"_s);

    // Replies go in the encoding each user writes in: UTF-8 to Alice, GBK to Bob (iptux holds
    // one encoding per user and would garble the other).
    const Protocol::Chat reply(QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"好的"_s);
    QVERIFY(m_transport->send(m_alice->peerId(), reply));
    QVERIFY(m_transport->send(m_bob->peerId(), reply));
    const auto toAlice = m_alice->nextOf(Ipmsg::SendMsg);
    const auto toBob = m_bob->nextOf(Ipmsg::SendMsg);
    QVERIFY(toAlice && toBob);
    QCOMPARE(toAlice->extra.value(0), reply.text.toUtf8());
    QCOMPARE(toBob->extra.value(0), gbk(reply.text));
    // ASCII does not change it.
    m_bob->send(Ipmsg::SendMsg, {"ok"});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 3, 3000);
    const Protocol::Chat second(QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"再见"_s);
    QVERIFY(m_transport->send(m_bob->peerId(), second));
    const auto again = m_bob->nextOf(Ipmsg::SendMsg);
    QVERIFY(again);
    QCOMPARE(again->extra.value(0), gbk(second.text));
    // A client that announces UTF-8 gets UTF-8 with UTF8OPT.
    User windows(u"127.0.0.4"_s, "1");
    QVERIFY(windows.isBound());
    windows.send(Ipmsg::BrEntry | Ipmsg::CapUtf8Opt, {"win", "grp"});
    QVERIFY(windows.nextOf(Ipmsg::AnsEntry));
    QVERIFY(m_transport->send(windows.peerId(), second));
    const auto utf8 = windows.nextOf(Ipmsg::SendMsg);
    QVERIFY(utf8);
    QVERIFY(utf8->has(Ipmsg::Utf8Opt));
    QCOMPARE(utf8->extra.value(0), second.text.toUtf8());
    // Even when it writes GBK itself (it cannot know we read UTF-8: we do not announce it).
    windows.send(Ipmsg::SendMsg, {gbk(u"你好"_s)});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 4, 3000);
    QCOMPARE(std::get<Protocol::Chat>(received.last().at(1).value<Protocol::Message>()).text,
             u"你好"_s);
    QCOMPARE(m_transport->user(windows.peerId())->encoding, Ipmsg::Encoding::Utf8);
    QCOMPARE(m_transport->user(m_bob->peerId())->encoding, Ipmsg::Encoding::Gb18030);
}

void tst_IpmsgTransport::recvMsgOnlyAfterTheInboxAcks()
{
    QVERIFY(enterUser(*m_alice));
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    const quint32 no = m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"hello"});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 3000);
    const auto chat = std::get<Protocol::Chat>(received.first().at(1).value<Protocol::Message>());
    QCOMPARE(chat.text, u"hello"_s);
    QVERIFY(!chat.id.isNull());

    // Not acknowledged before the Inbox has it stored...
    QVERIFY(m_alice->quietOf(Ipmsg::RecvMsg, 400));
    // ...and at once when it sends its Ack.
    QVERIFY(m_transport->send(m_alice->peerId(), Protocol::Ack{chat.id}));
    const auto ack = m_alice->nextOf(Ipmsg::RecvMsg);
    QVERIFY(ack);
    QCOMPARE(ack->extra.value(0), QByteArray::number(no));

    // A message without SENDCHECKOPT is never acknowledged; neither is a BROADCASTOPT one.
    m_alice->send(Ipmsg::SendMsg, {"no check"});
    m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt | Ipmsg::BroadcastOpt, {"to all"});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 3, 3000);
    for (int i = 1; i < 3; ++i) {
        QVERIFY(m_transport->send(m_alice->peerId(),
                                  Protocol::Ack{std::get<Protocol::Chat>(
                                                    received.at(i).at(1).value<Protocol::Message>())
                                                    .id}));
    }
    QVERIFY(m_alice->quietOf(Ipmsg::RecvMsg, 400));

    // iptux's group message (0xFB, its BROADCASTOPT): a Chat, never acknowledged.
    m_alice->send(Ipmsg::IptuxSendMsg | Ipmsg::BroadcastOpt, {"to the group"});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 4, 3000);
    const auto group = std::get<Protocol::Chat>(received.last().at(1).value<Protocol::Message>());
    QCOMPARE(group.text, u"to the group"_s);
    QVERIFY(m_transport->send(m_alice->peerId(), Protocol::Ack{group.id}));
    QVERIFY(m_alice->quietOf(Ipmsg::RecvMsg, 300));
}

void tst_IpmsgTransport::resendIsShownOnce()
{
    QVERIFY(enterUser(*m_alice));
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"once"}, 7);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 3000);
    const QUuid id = std::get<Protocol::Chat>(received.first().at(1).value<Protocol::Message>()).id;

    // Resent before the Inbox acknowledged: nothing new, no RECVMSG yet.
    m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"once"}, 7);
    QVERIFY(m_alice->quietOf(Ipmsg::RecvMsg, 300));
    QCOMPARE(received.size(), 1);

    QVERIFY(m_transport->send(m_alice->peerId(), Protocol::Ack{id}));
    QVERIFY(m_alice->nextOf(Ipmsg::RecvMsg));
    // Resent after our RECVMSG was lost: acknowledged again at once, still shown once.
    m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"once"}, 7);
    const auto again = m_alice->nextOf(Ipmsg::RecvMsg);
    QVERIFY(again);
    QCOMPARE(again->extra.value(0), QByteArray("7"));
    QCOMPARE(received.size(), 1);

    // The same number from another user is another message.
    QVERIFY(enterUser(*m_bob));
    m_bob->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"once"}, 7);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 3000);
    QVERIFY(std::get<Protocol::Chat>(received.last().at(1).value<Protocol::Message>()).id != id);

    // A restarted iptux counts from 1 again: after its new BR_ENTRY, number 7 is new.
    m_alice->enter();
    QVERIFY(m_alice->nextOf(Ipmsg::AnsEntry));
    m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"after restart"}, 7);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 3, 3000);
    const auto chat = std::get<Protocol::Chat>(received.last().at(1).value<Protocol::Message>());
    QCOMPARE(chat.text, u"after restart"_s);
    QVERIFY(chat.id != id);
}

void tst_IpmsgTransport::pausedReadingTakesNothingNew()
{
    QVERIFY(enterUser(*m_alice));
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    // The Inbox is behind: a new message is neither taken nor acknowledged...
    m_transport->setReadingPaused(m_alice->peerId(), true);
    m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"later"}, 50);
    QVERIFY(m_alice->quietOf(Ipmsg::RecvMsg, 500));
    QCOMPARE(received.size(), 0);
    // ...so its resend, once the Inbox has caught up, is the one that arrives.
    m_transport->setReadingPaused(m_alice->peerId(), false);
    m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"later"}, 50);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 3000);
    QCOMPARE(std::get<Protocol::Chat>(received.first().at(1).value<Protocol::Message>()).text,
             u"later"_s);
}

void tst_IpmsgTransport::ourChatIsAcknowledged()
{
    QVERIFY(enterUser(*m_alice));
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    const Protocol::Chat chat(QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"你好 iptux"_s);
    QVERIFY(m_transport->send(m_alice->peerId(), chat));
    const auto msg = m_alice->nextOf(Ipmsg::SendMsg);
    QVERIFY(msg);
    QVERIFY(msg->has(Ipmsg::SendCheckOpt));
    QVERIFY(!msg->has(Ipmsg::Utf8Opt)); // iptux never announced UTF-8
    QCOMPARE(QString::fromUtf8(msg->extra.value(0)), chat.text);

    // iptux's ack: SENDCHECKOPT|RECVMSG (0x121), the packet number and a NUL.
    m_alice->send(Ipmsg::RecvMsg | Ipmsg::SendCheckOpt, {QByteArray::number(msg->packetNo)});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 3000);
    QCOMPARE(std::get<Protocol::Ack>(received.first().at(1).value<Protocol::Message>()).id, chat.id);
    // Never an ack of the ack, and no resend of an acknowledged message.
    QVERIFY(m_alice->quietOf(Ipmsg::RecvMsg, 1300));
    QVERIFY(m_alice->quietOf(Ipmsg::SendMsg, 100));

    // Packet numbers grow: the next message's is higher (iptux drops lower ones).
    const Protocol::Chat second(QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"2"_s);
    QVERIFY(m_transport->send(m_alice->peerId(), second));
    const auto msg2 = m_alice->nextOf(Ipmsg::SendMsg);
    QVERIFY(msg2);
    QVERIFY(msg2->packetNo > msg->packetNo);
}

void tst_IpmsgTransport::longTextGoesInParts()
{
    QVERIFY(enterUser(*m_alice));
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    // 20,000 characters, 3 bytes each in UTF-8: 60 KB, far over iptux's 8 KiB buffer.
    QString text;
    for (int i = 0; text.size() < 20000; ++i)
        text += u"第%1行：你好，世界。\n"_s.arg(i);
    const Protocol::Chat chat(QUuid::createUuid(), QDateTime::currentDateTimeUtc(), text);
    QVERIFY(m_transport->send(m_alice->peerId(), chat));
    QByteArray joined;
    QList<quint32> packets;
    while (joined.size() < text.toUtf8().size()) {
        const auto part = m_alice->nextOf(Ipmsg::SendMsg);
        QVERIFY2(part, qPrintable(u"after %1 bytes"_s.arg(joined.size())));
        QVERIFY(part->has(Ipmsg::SendCheckOpt));
        QVERIFY(!packets.contains(part->packetNo));
        packets.append(part->packetNo);
        QVERIFY(part->extra.value(0).size() <= 8192 - 40); // and the header
        joined += part->extra.value(0);
        QVERIFY(part->extra.value(0).endsWith('\n')); // cut at line ends
    }
    QCOMPARE(QString::fromUtf8(joined), text);
    QVERIFY(packets.size() >= joined.size() / 8192 + 1);
    // The Ack comes when every part is acknowledged, not before.
    for (qsizetype i = 0; i < packets.size(); ++i) {
        m_alice->send(Ipmsg::RecvMsg, {QByteArray::number(packets.at(i))});
        if (i + 1 < packets.size())
            QVERIFY(!received.wait(100));
    }
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 3000);
    QCOMPARE(std::get<Protocol::Ack>(received.first().at(1).value<Protocol::Message>()).id, chat.id);
}

void tst_IpmsgTransport::unacknowledgedFourSendsThenOffline()
{
    QVERIFY(enterUser(*m_alice));
    QSignalSpy disconnected(m_transport.get(), &Transport::peerDisconnected);
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    const Protocol::Chat chat(QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"anyone?"_s);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(m_transport->send(m_alice->peerId(), chat));
    QList<qint64> at;
    quint32 packetNo = 0;
    for (int i = 0; i < 4; ++i) {
        const auto msg = m_alice->nextOf(Ipmsg::SendMsg, 2500);
        QVERIFY2(msg, qPrintable(u"send %1 missing"_s.arg(i + 1)));
        at.append(clock.elapsed());
        if (i == 0)
            packetNo = msg->packetNo;
        QCOMPARE(msg->packetNo, packetNo); // the same packet each time
        QCOMPARE(msg->extra.value(0), QByteArray("anyone?"));
    }
    for (int i = 1; i < 4; ++i) {
        const qint64 gap = at[i] - at[i - 1];
        QVERIFY2(gap >= 800 && gap <= 2000, qPrintable(u"gap %1 ms"_s.arg(gap)));
    }
    // After the fourth: offline, no fifth send, no Ack.
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 2500);
    QCOMPARE(disconnected.first().at(0).toString(), m_alice->peerId());
    QVERIFY(!m_transport->isConnected(m_alice->peerId()));
    QVERIFY(m_alice->quietOf(Ipmsg::SendMsg, 1200));
    QVERIFY(received.isEmpty());
    QVERIFY(!m_transport->send(m_alice->peerId(), chat));

    // The user comes back (enters again): online again, and the message can go again.
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    m_alice->enter();
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 3000);
    QVERIFY(m_transport->send(m_alice->peerId(), chat));
    const auto again = m_alice->nextOf(Ipmsg::SendMsg);
    QVERIFY(again);
    m_alice->send(Ipmsg::RecvMsg, {QByteArray::number(again->packetNo)});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 3000);
}

void tst_IpmsgTransport::exitDisconnects()
{
    QVERIFY(enterUser(*m_alice));
    QVERIFY(enterUser(*m_bob));
    QSignalSpy disconnected(m_transport.get(), &Transport::peerDisconnected);
    // iptux's exit: BR_EXIT with DIALUPOPT, unicast.
    m_alice->send(Ipmsg::BrExit | Ipmsg::DialupOpt, {"小企鹅", "测试组"});
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 3000);
    QCOMPARE(disconnected.first().at(0).toString(), m_alice->peerId());
    QVERIFY(!m_transport->isConnected(m_alice->peerId()));
    QVERIFY(m_transport->isConnected(m_bob->peerId()));
    QVERIFY(m_transport->owns(m_alice->peerId())); // still known, offline
    QVERIFY(!m_transport->send(m_alice->peerId(),
                               Protocol::Chat(QUuid::createUuid(),
                                              QDateTime::currentDateTimeUtc(),
                                              u"x"_s)));
    // A second exit changes nothing.
    m_alice->send(Ipmsg::BrExit);
    QVERIFY(!disconnected.wait(300));
}

void tst_IpmsgTransport::feiqGetsGbk()
{
    QVERIFY(m_transport->start());
    User feiq(u"127.0.0.5"_s, FeiqVersion);
    QVERIFY(feiq.isBound());
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    feiq.send(Ipmsg::BrEntry | Ipmsg::FileAttachOpt | Ipmsg::EncryptOpt,
              {gbk(u"王小明"_s), gbk(u"销售部"_s)});
    const auto answer = feiq.nextOf(Ipmsg::AnsEntry);
    QVERIFY(answer);
    QCOMPARE(answer->extra.value(0), gbk(u"Shoal 用户"_s)); // our nickname in GBK too
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 3000);
    QCOMPARE(connected.first().at(1).value<Protocol::Hello>().name, u"王小明"_s);
    QCOMPARE(m_transport->user(feiq.peerId())->group, u"销售部"_s);

    const Protocol::Chat chat(QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"你好，飞秋"_s);
    QVERIFY(m_transport->send(feiq.peerId(), chat));
    const auto msg = feiq.nextOf(Ipmsg::SendMsg);
    QVERIFY(msg);
    QVERIFY(!msg->has(Ipmsg::Utf8Opt));
    QCOMPARE(msg->extra.value(0), gbk(chat.text));
    feiq.send(Ipmsg::RecvMsg, {QByteArray::number(msg->packetNo)});

    feiq.send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {gbk(u"收到了"_s)});
    QTRY_VERIFY_WITH_TIMEOUT(received.size() >= 2, 3000);
    QCOMPARE(std::get<Protocol::Chat>(received.last().at(1).value<Protocol::Message>()).text,
             u"收到了"_s);
}

void tst_IpmsgTransport::otherShoalsAreIgnored()
{
    QVERIFY(m_transport->start());
    User shoal(u"127.0.0.6"_s, Ipmsg::shoalVersion());
    QVERIFY(shoal.isBound());
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    shoal.send(Ipmsg::BrEntry, {"Another Shoal", "Shoal"});
    shoal.send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"over IPMsg?"});
    QVERIFY(shoal.quietOf(Ipmsg::AnsEntry, 500));
    QVERIFY(connected.isEmpty());
    QVERIFY(received.isEmpty());
    QVERIFY(!m_transport->owns(shoal.peerId()));
}

void tst_IpmsgTransport::junkAndOversizeChangeNothing()
{
    QVERIFY(m_transport->start());
    User mallory(u"127.0.0.7"_s);
    QVERIFY(mallory.isBound());
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    const QList<QByteArray> junk{
        "",
        "hello",
        "1:2:3",
        "2:1:u:h:1:nick",                                // version not 1
        "1:abc:u:h:1:nick",                              // packet number not a number
        "1:1:u:h:99999999999:nick",                      // command over 32 bits
        "1:1:u:h:32",                                    // no extra separator
        QByteArray(300, '\xff'),                         // binary
        "1_" + QByteArray(65000, 'x') + ":1:u:h:1:nick", // oversize header field
        "1:1:" + QByteArray(65000, 'u') + ":h:32:text",  // oversize user name
        "1:" + QByteArray(60000, '9') + ":u:h:32:text",  // oversize packet number
    };
    for (const QByteArray &d : junk)
        mallory.sendRaw(d);
    QVERIFY(mallory.quietOf(Ipmsg::AnsEntry, 500));
    QVERIFY(connected.isEmpty());
    QVERIFY(received.isEmpty());
    // Still running, and a good entry from the same source still works.
    QVERIFY(m_transport->isRunning());
    QVERIFY(enterUser(mallory));
}

void tst_IpmsgTransport::floodIsRateLimited()
{
    QVERIFY(enterUser(*m_alice));
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    // 400 distinct messages at once: far more than a person types; most are dropped.
    for (int i = 0; i < 400; ++i)
        m_alice->send(Ipmsg::SendMsg, {QByteArray::number(i)}, 1000 + i);
    QTRY_VERIFY_WITH_TIMEOUT(received.size() >= 10, 3000);
    while (received.wait(300)) {
    }
    QVERIFY2(received.size() < 200, qPrintable(QString::number(received.size())));
    // Another source is not affected.
    QVERIFY(enterUser(*m_bob));
}

void tst_IpmsgTransport::randomPacketsKeepItRunning()
{
    QVERIFY(m_transport->start());
    // Well-formed headers with every command and random options and extras, from 30 sources
    // (each within its rate): whatever they say, the transport keeps answering.
    QRandomGenerator random(17);
    std::vector<std::unique_ptr<QUdpSocket>> sources;
    for (int i = 0; i < 30; ++i) {
        auto socket = std::make_unique<QUdpSocket>();
        QVERIFY(socket->bind(QHostAddress(u"127.0.0.12"_s), 0));
        sources.push_back(std::move(socket));
    }
    const QList<QByteArray> versions{"1", "1_iptux 0.8.3", FeiqVersion, "1_shoal"};
    for (int i = 0; i < 1200; ++i) {
        QByteArray extra(int(random.bounded(600)), Qt::Uninitialized);
        for (char &c : extra)
            c = char(random.bounded(256));
        // Some fields look like what they might be: numbers, file lists, NULs.
        if (i % 3 == 0)
            extra = QByteArray::number(random.generate()) + '\0' + extra;
        if (i % 5 == 0)
            extra += QByteArray("\0") + "0:f:" + QByteArray::number(random.generate(), 16)
                     + ":1:1:\a:";
        const quint32 command = random.bounded(256u) | (random.generate() & 0xFFFFFF00u);
        const QByteArray d = versions.at(i % versions.size()) + ':'
                             + QByteArray::number(random.generate())
                             + ":u:h:" + QByteArray::number(command) + ':' + extra;
        sources.at(i % sources.size())->writeDatagram(d, QHostAddress(u"127.0.0.1"_s), Port);
        if (i % 100 == 99)
            QTest::qWait(1); // the event loop reads; the socket buffer is not endless
    }
    QVERIFY(m_transport->isRunning());
    QVERIFY(enterUser(*m_alice));
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt, {"still here"});
    QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), 3000);
}

void tst_IpmsgTransport::bigButValidInputIsCut()
{
    QVERIFY(m_transport->start());
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    // A nickname of 20,000 characters over two lines: one line of at most 64.
    const QString nick = u"长"_s.repeated(10000) + u"\n"_s + u"x"_s.repeated(10000);
    m_alice->send(Ipmsg::BrEntry, {nick.toUtf8(), "group"});
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 3000);
    const QString name = connected.first().at(1).value<Protocol::Hello>().name;
    QVERIFY(name.size() <= Ipmsg::MaxNameLength);
    QVERIFY(!name.contains(u'\n'));
    QVERIFY(name.startsWith(u"长长长"_s));
    // A text of 60,000 bytes in UTF-8, 4 bytes a character: a Chat a Shoal peer could send.
    const QString text = u"😀"_s.repeated(15000);
    m_alice->send(Ipmsg::SendMsg, {text.toUtf8()});
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 3000);
    const QString got
        = std::get<Protocol::Chat>(received.first().at(1).value<Protocol::Message>()).text;
    QVERIFY(!got.isEmpty());
    QVERIFY(text.startsWith(got));
    QVERIFY(got.toUtf8().size() <= Protocol::MaxTextBytes);
    QVERIFY(!got.back().isHighSurrogate());
}

void tst_IpmsgTransport::userTableIsBounded()
{
    QVERIFY(m_transport->start());
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    // 520 users, each on an address of its own (a user is an address: one per host, as iptux
    // keys them).
    std::vector<std::unique_ptr<QUdpSocket>> users;
    const QByteArray entry("1_iptux 0.8.3:1:u:h:1:someone\0g\0");
    const auto addressOf = [](int i) {
        return QHostAddress(u"127.0.%1.%2"_s.arg(10 + i / 250).arg(1 + i % 250));
    };
    for (int i = 0; i < 520; ++i) {
        auto socket = std::make_unique<QUdpSocket>();
        QVERIFY(socket->bind(addressOf(i), 0));
        socket->writeDatagram(entry, QHostAddress(u"127.0.0.1"_s), Port);
        users.push_back(std::move(socket));
        if (i % 50 == 49) // let the transport read: the socket buffer is not endless
            QTRY_COMPARE_WITH_TIMEOUT(connected.size(), std::min(i + 1, 512), 5000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 512, 5000);
    QVERIFY(!connected.wait(500));
    QCOMPARE(connected.size(), 512);
    // One gone: its room goes to a new user.
    users.front()->writeDatagram("1_iptux 0.8.3:2:u:h:2:\0", QHostAddress(u"127.0.0.1"_s), Port);
    QTRY_VERIFY_WITH_TIMEOUT(!m_transport->isConnected(
                                 Ipmsg::peerIdFor(addressOf(0), users.front()->localPort())),
                             3000);
    QVERIFY(enterUser(*m_alice));
    QCOMPARE(connected.size(), 513);
    // Another port of a known address is the same user, not a new row.
    QUdpSocket samehost;
    QVERIFY(samehost.bind(addressOf(1), 0));
    samehost.writeDatagram(entry, QHostAddress(u"127.0.0.1"_s), Port);
    QVERIFY(!connected.wait(500));
    QCOMPARE(connected.size(), 513);
}

void tst_IpmsgTransport::stopAndStartAgain()
{
    QVERIFY(enterUser(*m_alice));
    QSignalSpy disconnected(m_transport.get(), &Transport::peerDisconnected);
    QSignalSpy running(m_transport.get(), &IpmsgTransport::runningChanged);
    m_bob->drain();
    m_transport->stop();
    QVERIFY(!m_transport->isRunning());
    QCOMPARE(running.size(), 1);
    QCOMPARE(running.first().at(0).toBool(), false);
    QCOMPARE(disconnected.size(), 1);
    QVERIFY(!m_transport->isConnected(m_alice->peerId()));
    QVERIFY(m_alice->nextOf(Ipmsg::BrExit));
    QVERIFY(m_bob->nextOf(Ipmsg::BrExit));
    // Nothing is read while stopped.
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);
    m_alice->enter();
    QVERIFY(m_alice->quietOf(Ipmsg::AnsEntry, 300));
    QVERIFY(connected.isEmpty());
    // Started again: entry again, the user comes back.
    QVERIFY(m_transport->start());
    QVERIFY(m_alice->nextOf(Ipmsg::BrEntry));
    QVERIFY(enterUser(*m_alice));
    QCOMPARE(connected.size(), 1);
}

void tst_IpmsgTransport::fileOfferIsReported()
{
    QVERIFY(enterUser(*m_alice));
    QSignalSpy offered(m_transport.get(), &IpmsgTransport::filesOffered);
    QSignalSpy received(m_transport.get(), &Transport::messageReceived);
    // iptux: no SENDCHECKOPT, empty text, decimal file ID, trailing ':'.
    const QByteArray list = u"0:测试文件.bin:186a0:5f5e1000:1:\a:"_s.toUtf8();
    const quint32 no = m_alice->send(Ipmsg::SendMsg | Ipmsg::FileAttachOpt, {"", list});
    QTRY_COMPARE_WITH_TIMEOUT(offered.size(), 1, 3000);
    QCOMPARE(offered.first().at(0).toString(), m_alice->peerId());
    QCOMPARE(offered.first().at(1).toUInt(), no);
    const auto files = offered.first().at(2).value<QList<Ipmsg::FileEntry>>();
    QCOMPARE(files.size(), 1);
    QCOMPARE(files.first().size, quint64(100000));
    QCOMPARE(QString::fromUtf8(files.first().name), u"测试文件.bin"_s);
    QVERIFY(received.isEmpty()); // no text, no Chat

    // IP Messenger for Windows: text, SENDCHECKOPT: the text is a Chat, acknowledged by the
    // Inbox as usual.
    const quint32 no2 = m_alice->send(Ipmsg::SendMsg | Ipmsg::SendCheckOpt | Ipmsg::FileAttachOpt,
                                      {"see attached", "1:a.txt:10:5f5e1000:1:\a"});
    QTRY_COMPARE_WITH_TIMEOUT(offered.size(), 2, 3000);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 3000);
    QCOMPARE(offered.last().at(1).toUInt(), no2);
    const auto chat = std::get<Protocol::Chat>(received.first().at(1).value<Protocol::Message>());
    QCOMPARE(chat.text, u"see attached"_s);

    // RELEASEFILES from the user.
    QSignalSpy released(m_transport.get(), &IpmsgTransport::filesReleased);
    m_alice->send(Ipmsg::ReleaseFiles, {QByteArray::number(no2)});
    QTRY_COMPARE_WITH_TIMEOUT(released.size(), 1, 3000);
    QCOMPARE(released.first().at(1).toUInt(), no2);

    // Ours: an offer with SENDCHECKOPT, and RELEASEFILES.
    Ipmsg::FileEntry entry;
    entry.fileId = 3;
    entry.name = "report.pdf";
    entry.size = 4096;
    entry.mtime = 1700000000;
    m_alice->drain();
    const quint32 ours = m_transport->sendFileOffer(m_alice->peerId(), QString(), {entry});
    QVERIFY(ours != 0);
    const auto offer = m_alice->nextOf(Ipmsg::SendMsg);
    QVERIFY(offer);
    QCOMPARE(offer->packetNo, ours);
    QVERIFY(offer->has(Ipmsg::FileAttachOpt));
    QVERIFY(offer->extra.value(1).startsWith("3:report.pdf:1000:"));
    m_alice->send(Ipmsg::RecvMsg, {QByteArray::number(ours)});
    QVERIFY(m_alice->quietOf(Ipmsg::SendMsg, 1300)); // acknowledged: not sent again
    m_transport->releaseFiles(m_alice->peerId(), no);
    const auto release = m_alice->nextOf(Ipmsg::ReleaseFiles);
    QVERIFY(release);
    QCOMPARE(release->extra.value(0), QByteArray::number(no));
    QCOMPARE(m_transport->sendFileOffer(Ipmsg::peerIdFor(QHostAddress(u"127.0.0.99"_s), Port),
                                        QString(),
                                        {entry}),
             0u);
}

void tst_IpmsgTransport::dialByAddress()
{
    QVERIFY(m_transport->start());
    QSignalSpy finished(m_transport.get(), &Transport::attemptFinished);
    QSignalSpy connected(m_transport.get(), &Transport::peerConnected);

    // The wrong ID for that address: refused, nothing sent.
    QVERIFY(m_alice->nextOf(Ipmsg::BrEntry)); // the broadcast at start
    QVERIFY(m_bob->nextOf(Ipmsg::BrEntry));
    const int wrong = m_transport->connectToPeer(u"127.0.0.2"_s, Port, m_bob->peerId());
    QVERIFY(wrong != 0);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 3000);
    QCOMPARE(finished.first().at(0).toInt(), wrong);
    QCOMPARE(finished.first().at(2).value<Net::Error>(), Net::Error::IdentityMismatch);
    QVERIFY(m_alice->quietOf(Ipmsg::BrEntry, 300));

    // The right one: BR_ENTRY with DIALUPOPT to that address; ANSENTRY: connected, then done.
    const int right = m_transport->connectToPeer(u"127.0.0.2"_s, Port, m_alice->peerId());
    QVERIFY(right != 0 && right != wrong);
    const auto entry = m_alice->nextOf(Ipmsg::BrEntry);
    QVERIFY(entry);
    QVERIFY(entry->has(Ipmsg::DialupOpt));
    QVERIFY(m_bob->quietOf(Ipmsg::BrEntry, 100));
    QList<int> order; // 1: connected, 2: finished
    connect(m_transport.get(), &Transport::peerConnected, this, [&order] { order.append(1); });
    connect(m_transport.get(), &Transport::attemptFinished, this, [&order] { order.append(2); });
    m_alice->send(Ipmsg::AnsEntry | Ipmsg::AbsenceOpt, {"小企鹅", "测试组"});
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 3000);
    QCOMPARE(finished.last().at(0).toInt(), right);
    QCOMPARE(finished.last().at(1).toString(), m_alice->peerId());
    QCOMPARE(finished.last().at(2).value<Net::Error>(), Net::Error::None);
    QCOMPARE(connected.size(), 1);
    QCOMPARE(order, (QList<int>{1, 2}));

    // Alice was reached by address, maybe not by broadcasts: our changes reach her directly.
    User far(u"127.0.0.11"_s); // entered with DIALUPOPT: the same
    QVERIFY(far.isBound());
    far.send(Ipmsg::BrEntry | Ipmsg::DialupOpt, {"far", "away"});
    QVERIFY(far.nextOf(Ipmsg::AnsEntry));
    m_alice->drain();
    m_bob->drain();
    m_transport->setSelf(u"Shoal 用户"_s, Protocol::Status::Busy, QString());
    for (User *u : {m_alice.get(), &far}) {
        const auto absence = u->nextOf(Ipmsg::BrAbsence);
        QVERIFY(absence);
        QVERIFY(absence->has(Ipmsg::AbsenceOpt));
    }
    QVERIFY(m_bob->nextOf(Ipmsg::BrAbsence));       // the broadcast target
    QVERIFY(m_bob->quietOf(Ipmsg::BrAbsence, 200)); // once: Bob is no dial-up user

    // Nobody at that address: Timeout after about 3 s.
    QElapsedTimer t;
    t.start();
    const int nobody = m_transport->connectToPeer(u"127.0.0.9"_s,
                                                  Port,
                                                  Ipmsg::peerIdFor(QHostAddress(u"127.0.0.9"_s),
                                                                   Port));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 5000);
    QCOMPARE(finished.last().at(0).toInt(), nobody);
    QCOMPARE(finished.last().at(2).value<Net::Error>(), Net::Error::Timeout);
    QVERIFY(t.elapsed() >= 2500);

    // Only chat streams.
    QCOMPARE(m_transport->connectToPeer(u"127.0.0.2"_s, Port, m_alice->peerId(), StreamKind::Bulk),
             0);
    QVERIFY(!m_transport->supportsStream(m_alice->peerId(), StreamKind::Bulk));
}

void tst_IpmsgTransport::unsupportedTypesAreDropped()
{
    QVERIFY(enterUser(*m_alice));
    const QString id = m_alice->peerId();
    QVERIFY(m_transport->send(id, Protocol::Typing{true}));
    QVERIFY(m_transport->send(id, Protocol::Read{QUuid::createUuid()}));
    QVERIFY(m_transport->send(id, Protocol::AvatarGet{QByteArray(32, 'a')}));
    QVERIFY(m_alice->quietOf(Ipmsg::SendMsg, 300));
    // A Presence becomes BR_ABSENCE to that user.
    Protocol::Presence presence;
    presence.name = u"Shoal 用户"_s;
    presence.status = Protocol::Status::Busy;
    QVERIFY(m_transport->send(id, presence));
    const auto absence = m_alice->nextOf(Ipmsg::BrAbsence);
    QVERIFY(absence);
    QVERIFY(absence->has(Ipmsg::AbsenceOpt));
    // Unknown users: false.
    QVERIFY(!m_transport->send(Ipmsg::peerIdFor(QHostAddress(u"127.0.0.99"_s), Port),
                               Protocol::Typing{true}));
}

void tst_IpmsgTransport::portTakenFailsWithAMessage()
{
    QUdpSocket other;
    QVERIFY(other.bind(QHostAddress(u"127.0.0.1"_s),
                       Port,
                       QUdpSocket::ShareAddress | QUdpSocket::ReuseAddressHint));
    QSignalSpy running(m_transport.get(), &IpmsgTransport::runningChanged);
    QVERIFY(!m_transport->start());
    QVERIFY(!m_transport->isRunning());
    QVERIFY2(m_transport->errorString().contains(u"Port 2425 is in use"_s),
             qPrintable(m_transport->errorString()));
    QCOMPARE(running.size(), 1);
    QCOMPARE(running.first().at(0).toBool(), false);
    QCOMPARE(running.first().at(1).toString(), m_transport->errorString());
    // Once the port is free, start() works.
    other.close();
    QVERIFY(m_transport->start());
    QVERIFY(m_transport->errorString().isEmpty());
}

void tst_IpmsgTransport::refusedUnderLoopbackOnly()
{
    if (qEnvironmentVariableIsSet(LoopbackChild)) {
        QSignalSpy running(m_transport.get(), &IpmsgTransport::runningChanged);
        QVERIFY(!m_transport->start());
        QVERIFY(!m_transport->isRunning());
        QVERIFY2(m_transport->errorString().contains(u"SHOAL_LOOPBACK_ONLY"_s),
                 qPrintable(m_transport->errorString()));
        QCOMPARE(running.size(), 1);
        QCOMPARE(running.first().at(0).toBool(), false);
        QVERIFY(m_alice->quietOf(Ipmsg::BrEntry, 300)); // nothing sent
        QVERIFY(m_transport->connectToPeer(u"127.0.0.2"_s, Port) != 0);
        QVERIFY(m_alice->quietOf(Ipmsg::BrEntry, 300));
        return;
    }
    // NetworkSafety reads the variable once per process: the check runs in a child that keeps
    // it (in a namespace of its own too, in case the refusal were broken).
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"SHOAL_LOOPBACK_ONLY"_s, u"1"_s);
    env.insert(QString::fromLatin1(LoopbackChild), u"1"_s);
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(), {u"refusedUnderLoopbackOnly"_s});
    QVERIFY(child.waitForFinished(60000));
    const QByteArray out = child.readAllStandardOutput();
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, out.constData());
    QVERIFY2(out.contains("PASS   : tst_IpmsgTransport::refusedUnderLoopbackOnly()"),
             out.constData());
}

void tst_IpmsgTransport::exitOnDestruction()
{
    QVERIFY(enterUser(*m_alice));
    User far(u"127.0.0.8"_s); // not a broadcast target: reached only as a known user
    QVERIFY(far.isBound());
    QVERIFY(enterUser(far));
    m_bob->drain();
    m_transport.reset();
    QVERIFY(m_bob->nextOf(Ipmsg::BrExit));   // the broadcast
    QVERIFY(m_alice->nextOf(Ipmsg::BrExit)); // broadcast target and user
    QVERIFY(far.nextOf(Ipmsg::BrExit));      // unicast to every online user
}

QTEST_GUILESS_MAIN(tst_IpmsgTransport)
#include "tst_ipmsgtransport.moc"
