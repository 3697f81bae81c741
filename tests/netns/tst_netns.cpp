// SPDX-License-Identifier: GPL-3.0-or-later
// Three hosts, each in its own network namespace, joined by a bridge in a fourth: shoal-cli
// runs in each with the shipped defaults (broadcast on every interface, port 47800/47801),
// which is only ever safe inside namespaces like these, made and removed by this test.
#include "cliprocess.h"

#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

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
    bool ip(const QStringList &args);
    bool run(const QString &program, const QStringList &args);
    QString ns(const QString &what) const { return u"shoal%1-%2"_s.arg(getpid()).arg(what); }

    QString m_ip;
    QStringList m_namespaces;
};

bool tst_Netns::ip(const QStringList &args)
{
    QProcess p;
    p.start(m_ip, args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning().noquote() << "ip" << args.join(u' ')
                             << "failed:" << p.readAllStandardError().trimmed();
        return false;
    }
    return true;
}

void tst_Netns::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("needs root to create network namespaces (CI runs as root); skipped");
    m_ip = QStandardPaths::findExecutable(u"ip"_s);
    if (m_ip.isEmpty())
        QSKIP("needs the ip command (iproute2); skipped");

    // The bridge lives in its own namespace: nothing here touches the host's interfaces.
    const QString br = ns(u"br"_s);
    QVERIFY(ip({u"netns"_s, u"add"_s, br}));
    m_namespaces.append(br);
    QVERIFY(ip({u"-n"_s, br, u"link"_s, u"add"_s, u"br0"_s, u"type"_s, u"bridge"_s}));
    QVERIFY(ip({u"-n"_s, br, u"link"_s, u"set"_s, u"br0"_s, u"up"_s}));
    // Hosts 1-3 have IPv4 and IPv6; hosts 4-6 only IPv6 link-local addresses.
    for (int i = 1; i <= 6; ++i) {
        const QString host = ns(u"h%1"_s.arg(i));
        const QString port = u"p%1"_s.arg(i);
        QVERIFY(ip({u"netns"_s, u"add"_s, host}));
        m_namespaces.append(host);
        // No duplicate address detection: link-local addresses are usable at once.
        QProcess sysctl;
        sysctl.start(m_ip,
                     {u"netns"_s,
                      u"exec"_s,
                      host,
                      u"sysctl"_s,
                      u"-qw"_s,
                      u"net.ipv6.conf.default.accept_dad=0"_s,
                      u"net.ipv6.conf.all.accept_dad=0"_s});
        QVERIFY(sysctl.waitForFinished(10000));
        QVERIFY(ip({u"-n"_s,
                    host,
                    u"link"_s,
                    u"add"_s,
                    u"eth0"_s,
                    u"type"_s,
                    u"veth"_s,
                    u"peer"_s,
                    u"name"_s,
                    port,
                    u"netns"_s,
                    br}));
        QVERIFY(ip({u"-n"_s, br, u"link"_s, u"set"_s, port, u"master"_s, u"br0"_s, u"up"_s}));
        if (i <= 3) {
            QVERIFY(ip(
                {u"-n"_s, host, u"addr"_s, u"add"_s, u"10.77.0.%1/24"_s.arg(i), u"dev"_s, u"eth0"_s}));
        }
        QVERIFY(ip({u"-n"_s, host, u"link"_s, u"set"_s, u"eth0"_s, u"up"_s}));
        QVERIFY(ip({u"-n"_s, host, u"link"_s, u"set"_s, u"lo"_s, u"up"_s}));
    }
}

void tst_Netns::cleanupTestCase()
{
    for (const QString &n : std::as_const(m_namespaces))
        ip({u"netns"_s, u"del"_s, n});
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
        hosts.push_back(std::make_unique<CliProcess>(m_ip,
                                                     QStringList{u"netns"_s,
                                                                 u"exec"_s,
                                                                 ns(u"h%1"_s.arg(i)),
                                                                 u"env"_s,
                                                                 u"-u"_s,
                                                                 u"SHOAL_LOOPBACK_ONLY"_s,
                                                                 QStringLiteral(SHOAL_CLI_PATH),
                                                                 u"--profile"_s,
                                                                 dirs[i - first].path(),
                                                                 u"--name"_s,
                                                                 u"host%1"_s.arg(i)}));
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

bool tst_Netns::run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning().noquote() << program << args.join(u' ')
                             << "failed:" << p.readAllStandardError().trimmed();
        return false;
    }
    return true;
}

void tst_Netns::linkDropAndLossDuringConversation()
{
    // 2,000 messages from host 1 to host 2 while the network misbehaves: 5 % of packets
    // dropped at random in both directions (nftables; this kernel has no netem qdisc), and
    // host 1's link pulled for 3 s and put back. Every message arrives exactly once.
    const QString nft = QStandardPaths::findExecutable(u"nft"_s);
    QVERIFY2(!nft.isEmpty(), "needs nft (nftables; scripts/setup.sh installs it)");
    QTemporaryDir dirs[2];
    auto hosts = startHosts(1, 2, dirs);
    for (auto &h : hosts)
        QTRY_VERIFY(!h->id().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(allSeeAll(hosts), 5000);
    auto lossy = [&](int host, bool on) {
        const QString n = ns(u"h%1"_s.arg(host));
        if (!on)
            return run(m_ip, {u"netns"_s, u"exec"_s, n, nft, u"delete table inet loss"_s});
        return run(m_ip, {u"netns"_s, u"exec"_s, n, nft, u"add table inet loss"_s})
               && run(m_ip,
                      {u"netns"_s,
                       u"exec"_s,
                       n,
                       nft,
                       u"add chain inet loss out { type filter hook output priority 0; }"_s})
               && run(m_ip,
                      {u"netns"_s,
                       u"exec"_s,
                       n,
                       nft,
                       u"add rule inet loss out oifname eth0 numgen random mod 100 < 5 drop"_s});
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
            QVERIFY(ip({u"-n"_s, ns(u"h1"_s), u"link"_s, u"set"_s, u"eth0"_s, u"down"_s}));
            QTest::qWait(3000); // the outage itself, not a synchronisation
            QVERIFY(ip({u"-n"_s, ns(u"h1"_s), u"link"_s, u"set"_s, u"eth0"_s, u"up"_s}));
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
