// SPDX-License-Identifier: GPL-3.0-or-later
// The topology matrix of issue 14 (docs/reach.md): one test per network shape, each with hosts
// in network namespaces made by the test (tests/common/netnstopology.h), shoal-cli in each with
// the shipped defaults, and at most one scripted user action.
#include "cliprocess.h"
#include "netnstopology.h"

#include <QJsonArray>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

bool isPeer(const QJsonObject &e, const QString &id)
{
    return e.value(u"event"_s) == u"peer"_s && e.value(u"id"_s) == id;
}

// When `cli` first showed `id` online, or -1.
qint64 onlineAt(const CliProcess &cli, const QString &id, qint64 after = 0)
{
    for (qsizetype i = 0; i < cli.events.size(); ++i) {
        const QJsonObject &e = cli.events.at(i);
        if (cli.arrivedMs.at(i) >= after && isPeer(e, id) && e.value(u"online"_s).toBool())
            return cli.arrivedMs.at(i);
    }
    return -1;
}

bool everOnline(const CliProcess &cli, const QString &id)
{
    return onlineAt(cli, id) >= 0;
}

// The latest peer event about `id`.
QJsonObject lastPeer(const CliProcess &cli, const QString &id)
{
    for (auto it = cli.events.crbegin(); it != cli.events.crend(); ++it) {
        if (isPeer(*it, id))
            return *it;
    }
    return {};
}

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

class tst_Reach : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void sameSubnet();
    void twoSubnetsInviteThenExchange();
    void broadcastDropped();
    void tcpBlocked_data();
    void tcpBlocked();
    void twoInterfacesOneContact();
    void addressChangeMidConversation();
    void interfaceDownUp();
    void noRouteAnswered();

private:
    std::unique_ptr<CliProcess> start(NetnsTopology &net, const QString &host);
    // Two hosts, a (10.80.1.1) and b (10.80.1.2), on one switch.
    bool twoHosts(NetnsTopology &net);
    // `cli`'s invite link, or empty.
    QString inviteOf(CliProcess &cli);

    std::vector<std::unique_ptr<QTemporaryDir>> m_profiles;
};

void tst_Reach::initTestCase()
{
    const QString why = NetnsTopology::unavailable();
    if (!why.isEmpty())
        QSKIP(qPrintable(why + u"; skipped"_s));
}

void tst_Reach::cleanup()
{
    m_profiles.clear(); // after the test function's processes are gone
}

std::unique_ptr<CliProcess> tst_Reach::start(NetnsTopology &net, const QString &host)
{
    m_profiles.push_back(std::make_unique<QTemporaryDir>());
    return std::make_unique<CliProcess>(net.ipPath(),
                                        net.shoalArguments(host,
                                                           QStringLiteral(SHOAL_CLI_PATH),
                                                           m_profiles.back()->path(),
                                                           host));
}

bool tst_Reach::twoHosts(NetnsTopology &net)
{
    return net.addSwitch(u"lan"_s) && net.addHost(u"a"_s)
           && net.plug(u"a"_s, u"eth0"_s, u"lan"_s, {u"10.80.1.1/24"_s}) && net.addHost(u"b"_s)
           && net.plug(u"b"_s, u"eth0"_s, u"lan"_s, {u"10.80.1.2/24"_s});
}

QString tst_Reach::inviteOf(CliProcess &cli)
{
    cli.send({{u"cmd"_s, u"invite"_s}});
    if (!QTest::qWaitFor([&] { return !cli.event(u"invite"_s).isEmpty(); }, 5000))
        return {};
    return cli.event(u"invite"_s).value(u"link"_s).toString();
}

void tst_Reach::sameSubnet()
{
    // Two hosts on one switch find each other with no action at all.
    NetnsTopology net(u"same"_s);
    QVERIFY(twoHosts(net));
    auto a = start(net, u"a"_s);
    QTRY_VERIFY(!a->id().isEmpty());
    auto b = start(net, u"b"_s);
    QTRY_VERIFY(!b->id().isEmpty());
    const qint64 ready = b->arrivalOf(
        [](const QJsonObject &e) { return e.value(u"event"_s) == u"ready"_s; });
    // The goal is 1 s; the assertion leaves room for a loaded CI machine.
    QTRY_VERIFY_WITH_TIMEOUT(everOnline(*a, b->id()) && everOnline(*b, a->id()), 5000);
    const qint64 ms = qMax(onlineAt(*a, b->id()), onlineAt(*b, a->id())) - ready;
    qInfo("same subnet: online both ways %lld ms after the second host was ready", ms);
    QCOMPARE(lastPeer(*a, b->id()).value(u"source"_s).toString(), u"lan"_s);
    a->send({{u"cmd"_s, u"send"_s}, {u"to"_s, b->id()}, {u"text"_s, u"hello"_s}});
    QTRY_COMPARE(b->event(u"message"_s).value(u"text"_s).toString(), u"hello"_s);
}

void tst_Reach::twoInterfacesOneContact()
{
    // M has an interface on each of two subnets. A is on the first, B on the second, X on
    // both: each sees M as one contact (one ID, one connection) and chats with it.
    NetnsTopology net(u"multi"_s);
    QVERIFY(net.addSwitch(u"lan1"_s) && net.addSwitch(u"lan2"_s));
    QVERIFY(net.addHost(u"m"_s));
    QVERIFY(net.plug(u"m"_s, u"eth0"_s, u"lan1"_s, {u"10.80.1.5/24"_s}));
    QVERIFY(net.plug(u"m"_s, u"eth1"_s, u"lan2"_s, {u"10.80.2.5/24"_s}));
    QVERIFY(net.addHost(u"a"_s) && net.plug(u"a"_s, u"eth0"_s, u"lan1"_s, {u"10.80.1.1/24"_s}));
    QVERIFY(net.addHost(u"b"_s) && net.plug(u"b"_s, u"eth0"_s, u"lan2"_s, {u"10.80.2.2/24"_s}));
    QVERIFY(net.addHost(u"x"_s));
    QVERIFY(net.plug(u"x"_s, u"eth0"_s, u"lan1"_s, {u"10.80.1.9/24"_s}));
    QVERIFY(net.plug(u"x"_s, u"eth1"_s, u"lan2"_s, {u"10.80.2.9/24"_s}));
    auto m = start(net, u"m"_s);
    auto a = start(net, u"a"_s);
    auto b = start(net, u"b"_s);
    auto x = start(net, u"x"_s);
    for (auto *h : {m.get(), a.get(), b.get(), x.get()})
        QTRY_VERIFY(!h->id().isEmpty());
    for (auto *h : {a.get(), b.get(), x.get()}) {
        QTRY_VERIFY_WITH_TIMEOUT(h->peerOnline(m->id(), true), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m->peerOnline(h->id(), true), 5000);
    }
    // X heard M on both subnets: still one contact.
    QTRY_VERIFY(lastPeer(*x, m->id()).value(u"addresses"_s).toArray().size() >= 2);
    qInfo().noquote() << "x sees m:" << compact(lastPeer(*x, m->id()));
    x->send({{u"cmd"_s, u"peers"_s}});
    QTRY_VERIFY(!x->event(u"peers"_s).isEmpty());
    int rows = 0;
    for (const QJsonValue &p : x->event(u"peers"_s).value(u"peers"_s).toArray())
        rows += p.toObject().value(u"id"_s) == m->id();
    QCOMPARE(rows, 1);
    // One connection per peer in M's namespace, whichever subnet or address family it runs
    // over (the one-connection-per-pair rule).
    auto connections = [&] {
        QByteArray out;
        if (!net.exec(u"m"_s, {u"ss"_s, u"-Htn"_s, u"state"_s, u"established"_s}, {}, &out))
            return -1;
        return int(out.count('\n'));
    };
    QTRY_COMPARE_WITH_TIMEOUT(connections(), 3, 10000);

    for (auto *h : {a.get(), b.get(), x.get()}) {
        h->send({{u"cmd"_s, u"send"_s}, {u"to"_s, m->id()}, {u"text"_s, u"from "_s + h->id()}});
        m->send({{u"cmd"_s, u"send"_s}, {u"to"_s, h->id()}, {u"text"_s, u"to "_s + h->id()}});
    }
    for (auto *h : {a.get(), b.get(), x.get()}) {
        QTRY_VERIFY(!m->find([&](const QJsonObject &e) {
                          return e.value(u"event"_s) == u"message"_s
                                 && e.value(u"text"_s) == u"from "_s + h->id();
                      }).isEmpty());
        QTRY_COMPARE(h->event(u"message"_s).value(u"text"_s).toString(), u"to "_s + h->id());
    }
}

void tst_Reach::twoSubnetsInviteThenExchange()
{
    // A on 10.80.1.0/24; C and D on 10.80.2.0/24; a router between them, which forwards
    // unicast but no broadcast. One action: C's invite link given to A's connect.
    NetnsTopology net(u"routed"_s);
    QVERIFY(net.addSwitch(u"lan1"_s) && net.addSwitch(u"lan2"_s));
    QVERIFY(net.addHost(u"r"_s));
    QVERIFY(net.plug(u"r"_s, u"eth0"_s, u"lan1"_s, {u"10.80.1.254/24"_s}));
    QVERIFY(net.plug(u"r"_s, u"eth1"_s, u"lan2"_s, {u"10.80.2.254/24"_s}));
    QVERIFY(net.enableForwarding(u"r"_s));
    const struct
    {
        QString host, address, gateway, lan;
    } hosts[] = {{u"a"_s, u"10.80.1.1/24"_s, u"10.80.1.254"_s, u"lan1"_s},
                 {u"c"_s, u"10.80.2.3/24"_s, u"10.80.2.254"_s, u"lan2"_s},
                 {u"d"_s, u"10.80.2.4/24"_s, u"10.80.2.254"_s, u"lan2"_s}};
    for (const auto &h : hosts) {
        QVERIFY(net.addHost(h.host));
        QVERIFY(net.plug(h.host, u"eth0"_s, h.lan, {h.address}));
        QVERIFY(net.ipIn(h.host, {u"route"_s, u"add"_s, u"default"_s, u"via"_s, h.gateway}));
    }
    auto c = start(net, u"c"_s);
    auto d = start(net, u"d"_s);
    QTRY_VERIFY(!c->id().isEmpty() && !d->id().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(c->peerOnline(d->id(), true) && d->peerOnline(c->id(), true), 5000);
    auto a = start(net, u"a"_s);
    QTRY_VERIFY(!a->id().isEmpty());
    // A has been announcing for the start burst (2 s): nobody across the router heard it.
    a->send({{u"cmd"_s, u"network"_s}});
    QTRY_VERIFY(!a->event(u"network"_s).isEmpty());
    QVERIFY(lastPeer(*c, a->id()).isEmpty() && lastPeer(*a, c->id()).isEmpty());

    const QString link = inviteOf(*c);
    QVERIFY(link.startsWith(u"shoal:invite?"_s));
    const qint64 asked = CliProcess::now();
    a->send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, link}, {u"ref"_s, 1}});
    QTRY_COMPARE_WITH_TIMEOUT(a->find([](const QJsonObject &e) { return e.value(u"ref"_s) == 1; })
                                  .value(u"id"_s)
                                  .toString(),
                              c->id(),
                              10000);
    QTRY_VERIFY(a->peerOnline(c->id(), true));
    // D comes by peer exchange, with no further action, and both ends see each other.
    QTRY_VERIFY_WITH_TIMEOUT(a->peerOnline(d->id(), true) && d->peerOnline(a->id(), true), 15000);
    qInfo("two subnets: C online %lld ms, D (by exchange) %lld ms after the invite was used",
          onlineAt(*a, c->id()) - asked,
          onlineAt(*a, d->id()) - asked);
    a->send({{u"cmd"_s, u"send"_s}, {u"to"_s, d->id()}, {u"text"_s, u"across the router"_s}});
    QTRY_COMPARE(d->event(u"message"_s).value(u"text"_s).toString(), u"across the router"_s);
}

void tst_Reach::broadcastDropped()
{
    // Both hosts drop every discovery datagram (UDP 47801) that reaches them: `network` says
    // no peer was heard and what to do; the invite connects them anyway.
    NetnsTopology net(u"nobcast"_s);
    QVERIFY(twoHosts(net));
    const QString drop = u"table inet shoaltest { chain in { type filter hook input priority 0; "
                         "udp dport 47801 drop; }; }"_s;
    QVERIFY(net.nft(u"a"_s, drop) && net.nft(u"b"_s, drop));
    auto a = start(net, u"a"_s);
    auto b = start(net, u"b"_s);
    QTRY_VERIFY(!a->id().isEmpty() && !b->id().isEmpty());
    auto hint = [&] {
        a->events.removeIf([](const QJsonObject &e) { return e.value(u"event"_s) == u"network"_s; });
        a->send({{u"cmd"_s, u"network"_s}});
        if (!QTest::qWaitFor([&] { return !a->event(u"network"_s).isEmpty(); }, 5000))
            return QJsonObject();
        return a->event(u"network"_s);
    };
    // The hint comes once announcements have gone out for 10 s with no other Shoal heard.
    QTRY_COMPARE_WITH_TIMEOUT(hint().value(u"hint"_s).toString(), u"no-peers-heard"_s, 20000);
    qInfo().noquote() << "broadcast dropped: network says" << compact(hint());
    QVERIFY(lastPeer(*a, b->id()).isEmpty());

    a->send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, inviteOf(*b)}, {u"ref"_s, 1}});
    QTRY_COMPARE_WITH_TIMEOUT(a->find([](const QJsonObject &e) { return e.value(u"ref"_s) == 1; })
                                  .value(u"id"_s)
                                  .toString(),
                              b->id(),
                              10000);
    QTRY_VERIFY(a->peerOnline(b->id(), true) && b->peerOnline(a->id(), true));
}

void tst_Reach::tcpBlocked_data()
{
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<QString>("reason");
    // A firewall that drops: each address's handshake times out (10 s; IPv4 and link-local).
    QTest::newRow("drop") << u"drop"_s << u"timeout"_s;
    // One that rejects: refused at once.
    QTest::newRow("reject") << u"reject with tcp reset"_s << u"refused"_s;
}

void tst_Reach::tcpBlocked()
{
    // B's firewall lets discovery through but no Shoal TCP connection, either way: A hears B,
    // shows it "seen, can't connect" with the reason, and never online.
    QFETCH(QString, verdict);
    QFETCH(QString, reason);
    NetnsTopology net(u"notcp"_s);
    QVERIFY(twoHosts(net));
    QVERIFY(net.nft(u"b"_s,
                    u"table inet shoaltest { "
                    "chain in { type filter hook input priority 0; tcp dport 47800 %1; }; "
                    "chain out { type filter hook output priority 0; tcp dport 47800 %1; }; }"_s.arg(
                        verdict)));
    auto a = start(net, u"a"_s);
    auto b = start(net, u"b"_s);
    QTRY_VERIFY(!a->id().isEmpty() && !b->id().isEmpty());
    auto cantConnect = [&] {
        const QJsonObject p = lastPeer(*a, b->id());
        return p.value(u"reachable"_s) == false && p.value(u"reason"_s) == reason;
    };
    QTRY_VERIFY_WITH_TIMEOUT(cantConnect(), 40000);
    const qint64 ready = b->arrivalOf(
        [](const QJsonObject &e) { return e.value(u"event"_s) == u"ready"_s; });
    const qint64 shown = a->arrivalOf(
        [&](const QJsonObject &e) { return isPeer(e, b->id()) && e.value(u"reason"_s) == reason; });
    qInfo().noquote() << "tcp blocked (" << verdict << "): shown" << shown - ready
                      << "ms after b was ready:" << compact(lastPeer(*a, b->id()));
    QVERIFY(!everOnline(*a, b->id()));
    QVERIFY(!everOnline(*b, a->id()));
}

void tst_Reach::addressChangeMidConversation()
{
    // A sends B a message every 100 ms; B's address changes (DHCP gave another): the old one
    // removed, a new one added. The conversation goes on by itself: every message arrives,
    // once, and the longest silence is printed.
    NetnsTopology net(u"readdr"_s);
    QVERIFY(twoHosts(net));
    auto a = start(net, u"a"_s);
    auto b = start(net, u"b"_s);
    QTRY_VERIFY(!a->id().isEmpty() && !b->id().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(a->peerOnline(b->id(), true) && b->peerOnline(a->id(), true), 5000);
    constexpr int Count = 100;
    for (int i = 0; i < Count; ++i) {
        a->send({{u"cmd"_s, u"send"_s}, {u"to"_s, b->id()}, {u"text"_s, QString::number(i)}});
        if (i == 20) {
            QVERIFY(net.ipIn(u"b"_s, {u"addr"_s, u"del"_s, u"10.80.1.2/24"_s, u"dev"_s, u"eth0"_s}));
            QVERIFY(
                net.ipIn(u"b"_s, {u"addr"_s, u"add"_s, u"10.80.1.12/24"_s, u"dev"_s, u"eth0"_s}));
        }
        QTest::qWait(100); // the conversation's pace, not a synchronisation
    }
    auto received = [&] { return b->all(u"message"_s).size(); };
    QTRY_VERIFY_WITH_TIMEOUT(received() >= Count, 30000);
    QSet<QString> texts;
    qint64 gap = 0, last = -1;
    for (qsizetype i = 0; i < b->events.size(); ++i) {
        if (b->events.at(i).value(u"event"_s) != u"message"_s)
            continue;
        texts.insert(b->events.at(i).value(u"text"_s).toString());
        if (last >= 0)
            gap = qMax(gap, b->arrivedMs.at(i) - last);
        last = b->arrivedMs.at(i);
    }
    qInfo("address change: longest silence %lld ms (a message every 100 ms)", gap);
    QCOMPARE(texts.size(), Count);          // nothing lost
    QCOMPARE(received(), qsizetype(Count)); // each once
    QVERIFY2(gap <= 5000, qPrintable(u"silent for %1 ms"_s.arg(gap)));
}

void tst_Reach::interfaceDownUp()
{
    // B's cable is pulled and put back: B drops its connections on that interface, and once
    // the link is up it announces again and reconnects.
    NetnsTopology net(u"downup"_s);
    QVERIFY(twoHosts(net));
    auto a = start(net, u"a"_s);
    auto b = start(net, u"b"_s);
    QTRY_VERIFY(!a->id().isEmpty() && !b->id().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(a->peerOnline(b->id(), true) && b->peerOnline(a->id(), true), 5000);
    QVERIFY(net.ipIn(u"b"_s, {u"link"_s, u"set"_s, u"eth0"_s, u"down"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(b->peerOnline(a->id(), false), 5000);
    auto heardFromB = [&] {
        a->events.removeIf([](const QJsonObject &e) { return e.value(u"event"_s) == u"network"_s; });
        a->send({{u"cmd"_s, u"network"_s}});
        if (!QTest::qWaitFor([&] { return !a->event(u"network"_s).isEmpty(); }, 5000))
            return qint64(-1);
        const QJsonObject received
            = a->event(u"network"_s).value(u"discovery"_s).toObject().value(u"received"_s).toObject();
        return received.value(u"eth0"_s).toInteger();
    };
    const qint64 heardBefore = heardFromB();
    const qint64 up = CliProcess::now();
    QVERIFY(net.ipIn(u"b"_s, {u"link"_s, u"set"_s, u"eth0"_s, u"up"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(onlineAt(*b, a->id(), up) >= 0, 10000);
    const qint64 ms = onlineAt(*b, a->id(), up) - up;
    QVERIFY(heardFromB() > heardBefore); // announced again
    qInfo("interface down/up: reconnected %lld ms after the link came up", ms);
    QVERIFY2(ms <= 2000, qPrintable(u"%1 ms"_s.arg(ms)));
}

void tst_Reach::noRouteAnswered()
{
    // An address with no route fails inside connect() itself ("Network unreachable"), at
    // once: the answer still comes, as for any other failure (it was lost, and a dialled peer
    // stayed "being dialled" for ever).
    NetnsTopology net(u"noroute"_s);
    QVERIFY(net.addSwitch(u"lan"_s) && net.addHost(u"a"_s)
            && net.plug(u"a"_s, u"eth0"_s, u"lan"_s, {u"10.80.1.1/24"_s}));
    auto a = start(net, u"a"_s);
    QTRY_VERIFY(!a->id().isEmpty());
    a->send({{u"cmd"_s, u"connect"_s}, {u"address"_s, u"10.99.0.1:47800"_s}, {u"ref"_s, 1}});
    QTRY_VERIFY_WITH_TIMEOUT(!a->find([](const QJsonObject &e) {
                                   return e.value(u"ref"_s) == 1;
                               }).isEmpty(),
                             5000);
    const QJsonObject answer = a->find([](const QJsonObject &e) { return e.value(u"ref"_s) == 1; });
    QVERIFY2(answer.value(u"event"_s) == u"error"_s, qPrintable(compact(answer)));
}

QTEST_GUILESS_MAIN(tst_Reach)
#include "tst_reach.moc"
