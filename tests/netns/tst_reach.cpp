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
    void twoInterfacesOneContact();

private:
    std::unique_ptr<CliProcess> start(NetnsTopology &net, const QString &host);
    // Two hosts, a (10.80.1.1) and b (10.80.1.2), on one switch.
    bool twoHosts(NetnsTopology &net);

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

QTEST_GUILESS_MAIN(tst_Reach)
#include "tst_reach.moc"
