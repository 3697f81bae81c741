// SPDX-License-Identifier: GPL-3.0-or-later
// Three hosts, each in its own network namespace, joined by a bridge in a fourth: shoal-cli
// runs in each with the shipped defaults (broadcast on every interface, port 47800/47801),
// which is only ever safe inside namespaces like these, made and removed by this test.
#include "cliprocess.h"
#include "netnstopology.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

bool allSeeAll(const std::vector<std::unique_ptr<CliProcess>> &hosts)
{
    for (const auto &x : hosts) {
        for (const auto &y : hosts) {
            if (x != y && !x->peerOnline(y->id(), true))
                return false;
        }
    }
    return true;
}

} // namespace

class tst_Netns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void defaultsDiscoverAndChat();
    void ipv6OnlyDiscoverAndChat();
    void linkDropAndLossDuringConversation();

private:
    std::vector<std::unique_ptr<CliProcess>> startHosts(int first, int last, QTemporaryDir *dirs);
    QString host(int i) const { return u"h%1"_s.arg(i); }

    std::unique_ptr<NetnsTopology> m_net;
};

void tst_Netns::initTestCase()
{
    const QString why = NetnsTopology::unavailable();
    if (!why.isEmpty())
        QSKIP(qPrintable(why + u"; skipped"_s));
    m_net = std::make_unique<NetnsTopology>(u"netns"_s);
    QVERIFY(m_net->addSwitch(u"br0"_s));
    // Hosts 1-3 have IPv4 and IPv6; hosts 4-6 only IPv6 link-local addresses.
    for (int i = 1; i <= 6; ++i) {
        QStringList addresses;
        if (i <= 3)
            addresses.append(u"10.77.0.%1/24"_s.arg(i));
        QVERIFY(m_net->addHost(host(i)));
        QVERIFY(m_net->plug(host(i), u"eth0"_s, u"br0"_s, addresses));
    }
}

void tst_Netns::cleanupTestCase()
{
    m_net.reset();
}

void tst_Netns::defaultsDiscoverAndChat()
{
    QTemporaryDir dirs[3];
    auto hosts = startHosts(1, 3, dirs);
    for (auto &h : hosts)
        QTRY_VERIFY(!h->id().isEmpty());
    for (auto &h : hosts)
        QCOMPARE(h->port(), 47800);
    QTRY_VERIFY_WITH_TIMEOUT(allSeeAll(hosts), 5000);
    // They were heard on the bridge, at their own addresses (IPv4 or IPv6 may be heard first;
    // the IPv4 one must come).
    auto heardAt = [&](const QString &address) {
        return hosts[0]->find([&](const QJsonObject &e) {
            return e.value(u"event"_s) == u"peer"_s && e.value(u"id"_s) == hosts[2]->id()
                   && e.value(u"addresses"_s).toArray().contains(address);
        });
    };
    QTRY_VERIFY(!heardAt(u"10.77.0.3:47800"_s).isEmpty());
    QCOMPARE(heardAt(u"10.77.0.3:47800"_s).value(u"source"_s).toString(), u"lan"_s);

    hosts[0]->send(
        {{u"cmd"_s, u"send"_s}, {u"to"_s, hosts[2]->id()}, {u"text"_s, u"over the bridge"_s}});
    QTRY_COMPARE(hosts[2]->event(u"message"_s).value(u"text"_s).toString(), u"over the bridge"_s);
    QTRY_VERIFY(
        !hosts[0]
             ->find([](const QJsonObject &e) { return e.value(u"state"_s) == u"delivered"_s; })
             .isEmpty());

    hosts[1]->send({{u"cmd"_s, u"network"_s}});
    QTRY_VERIFY(!hosts[1]->event(u"network"_s).isEmpty());
    const QJsonObject discovery = hosts[1]->event(u"network"_s).value(u"discovery"_s).toObject();
    QVERIFY2(discovery.value(u"targets"_s).toArray().size() >= 1, QJsonDocument(discovery).toJson());
    qInfo().noquote() << "host2 network:"
                      << QJsonDocument(discovery).toJson(QJsonDocument::Compact);
}

std::vector<std::unique_ptr<CliProcess>> tst_Netns::startHosts(int first,
                                                               int last,
                                                               QTemporaryDir *dirs)
{
    std::vector<std::unique_ptr<CliProcess>> hosts;
    for (int i = first; i <= last; ++i) {
        // No --discovery-target, no --port: the shipped defaults, inside the namespace.
        hosts.push_back(
            std::make_unique<CliProcess>(m_net->ipPath(),
                                         m_net->shoalArguments(host(i),
                                                               QStringLiteral(SHOAL_CLI_PATH),
                                                               dirs[i - first].path(),
                                                               u"host%1"_s.arg(i))));
    }
    return hosts;
}

void tst_Netns::ipv6OnlyDiscoverAndChat()
{
    // ff02::1 multicast finds the peers; TLS connects to fe80::…%eth0.
    QTemporaryDir dirs[3];
    auto hosts = startHosts(4, 6, dirs);
    for (auto &h : hosts)
        QTRY_VERIFY(!h->id().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(allSeeAll(hosts), 5000);
    const QJsonObject seen = hosts[0]->find([&](const QJsonObject &e) {
        return e.value(u"event"_s) == u"peer"_s && e.value(u"id"_s) == hosts[1]->id();
    });
    QVERIFY2(seen.value(u"addresses"_s).toArray().first().toString().startsWith(u"[fe80::"_s),
             QJsonDocument(seen).toJson());
    hosts[0]->send({{u"cmd"_s, u"send"_s}, {u"to"_s, hosts[1]->id()}, {u"text"_s, u"v6"_s}});
    QTRY_COMPARE(hosts[1]->event(u"message"_s).value(u"text"_s).toString(), u"v6"_s);
}

void tst_Netns::linkDropAndLossDuringConversation()
{
    // 2,000 messages from host 1 to host 2 while the network misbehaves: 5 % of packets
    // dropped at random in both directions (nftables; this kernel has no netem qdisc), and
    // host 1's link pulled for 3 s and put back. Every message arrives exactly once.
    QTemporaryDir dirs[2];
    auto hosts = startHosts(1, 2, dirs);
    for (auto &h : hosts)
        QTRY_VERIFY(!h->id().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(allSeeAll(hosts), 5000);
    auto lossy = [&](int i, bool on) {
        if (!on)
            return m_net->nft(host(i), u"delete table inet loss"_s);
        return m_net->nft(host(i),
                          u"table inet loss { chain out { type filter hook output priority 0; "
                          "oifname eth0 numgen random mod 100 < 5 drop; }; }"_s);
    };
    constexpr int Count = 2000;
    const QString to = hosts[1]->id();
    auto received = [&] { return hosts[1]->all(u"message"_s).size(); };
    for (int i = 0; i < Count; ++i) {
        hosts[0]->send({{u"cmd"_s, u"send"_s}, {u"to"_s, to}, {u"text"_s, QString::number(i)}});
        if (i == 200) {
            QVERIFY(lossy(1, true) && lossy(2, true));
        } else if (i == 800) {
            QTRY_VERIFY_WITH_TIMEOUT(received() > 100, 20000);
            QVERIFY(m_net->ipIn(host(1), {u"link"_s, u"set"_s, u"eth0"_s, u"down"_s}));
            QTest::qWait(3000); // the outage itself, not a synchronisation
            QVERIFY(m_net->ipIn(host(1), {u"link"_s, u"set"_s, u"eth0"_s, u"up"_s}));
        }
    }
    QTRY_VERIFY_WITH_TIMEOUT(received() >= Count, 120000);
    QVERIFY(lossy(1, false) && lossy(2, false));
    QSet<QString> texts;
    for (const QJsonObject &m : hosts[1]->all(u"message"_s))
        texts.insert(m.value(u"text"_s).toString());
    QCOMPARE(texts.size(), Count);          // every one
    QCOMPARE(received(), qsizetype(Count)); // once
}

QTEST_GUILESS_MAIN(tst_Netns)
#include "tst_netns.moc"
