// SPDX-License-Identifier: GPL-3.0-or-later
// shoal-cli's view of the network (issue 14): `network` says when nobody else has been heard,
// and reports this host's network changes, also as `network-change` events. The changes are
// made in a network namespace of this process's own (root only), where the shoal-cli started
// from it runs too.
#include "cliprocess.h"
#include "testports.h"

#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sched.h>
#include <unistd.h>

namespace {

class CliPeer : public CliProcess
{
public:
    CliPeer(const QString &profile, const QStringList &extra)
        : CliProcess(QStringLiteral(SHOAL_CLI_PATH),
                     QStringList{u"--profile"_s,
                                 profile,
                                 u"--listen"_s,
                                 u"127.0.0.1"_s,
                                 u"--port"_s,
                                 u"0"_s}
                         + extra)
    {}

    // Asks `network` and waits for the answer.
    QJsonObject network()
    {
        const qsizetype before = all(u"network"_s).size();
        send({{u"cmd"_s, u"network"_s}});
        if (!QTest::qWaitFor([&] { return all(u"network"_s).size() > before; }, 5000))
            return {};
        return all(u"network"_s).constLast();
    }
};

// Network safety: discovery only to loopback, on a port of this test's own.
QStringList loopbackDiscovery(quint16 port)
{
    return {u"--discovery-target"_s,
            u"127.255.255.255"_s,
            u"--discovery-port"_s,
            QString::number(port),
            u"--discovery-interval"_s,
            u"500"_s};
}

bool contains(const QJsonValue &list, const QString &item)
{
    return list.toArray().contains(item);
}

} // namespace

class tst_CliNetwork : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noPeersHeardHint();
    void changesReported();

private:
    bool ip(const QStringList &args);
    QString m_ip;
};

bool tst_CliNetwork::ip(const QStringList &args)
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

void tst_CliNetwork::noPeersHeardHint()
{
    // Alone for over 10 s of announcing: the hint. Once another Shoal is heard: gone for good.
    const quint16 port = freeUdpPort();
    QTemporaryDir dirA, dirB;
    CliPeer a(dirA.path(), QStringList{u"--name"_s, u"Ann"_s} + loopbackDiscovery(port));
    QTRY_VERIFY(!a.id().isEmpty());
    const QJsonObject early = a.network();
    QVERIFY(early.value(u"changes"_s).isArray());
    QVERIFY(!early.contains(u"hint"_s)); // not yet: announcing for less than 10 s
    QVERIFY(QTest::qWaitFor([&] { return a.network().value(u"hint"_s) == u"no-peers-heard"_s; },
                            20000));

    CliPeer b(dirB.path(), QStringList{u"--name"_s, u"Ben"_s} + loopbackDiscovery(port));
    QTRY_VERIFY_WITH_TIMEOUT(a.peerOnline(b.id(), true), 10000);
    QVERIFY(!a.network().contains(u"hint"_s));
    QVERIFY(!b.network().contains(u"hint"_s));
}

void tst_CliNetwork::changesReported()
{
    if (geteuid() != 0)
        QSKIP("needs root to make a network namespace (CI runs as root); skipped");
    m_ip = QStandardPaths::findExecutable(u"ip"_s);
    if (m_ip.isEmpty())
        QSKIP("needs the ip command (iproute2); skipped");
    // This thread and what it starts move to a namespace of their own: loopback only, down.
    QVERIFY2(::unshare(CLONE_NEWNET) == 0, strerror(errno));
    QVERIFY(ip({u"link"_s, u"set"_s, u"lo"_s, u"up"_s}));

    QTemporaryDir dir;
    CliPeer a(dir.path(), {u"--name"_s, u"Ann"_s, u"--no-discovery"_s});
    QTRY_VERIFY(!a.id().isEmpty());
    QVERIFY(a.network().value(u"changes"_s).toArray().isEmpty());

    // A new interface with an address: what a cable plugged in or a VPN coming up looks like.
    QVERIFY(
        ip({u"link"_s, u"add"_s, u"sh0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"sh1"_s}));
    for (const QString &name : {u"sh0"_s, u"sh1"_s})
        QVERIFY(ip({u"link"_s, u"set"_s, name, u"addrgenmode"_s, u"none"_s}));
    QVERIFY(ip({u"addr"_s, u"add"_s, u"10.98.0.1/24"_s, u"dev"_s, u"sh0"_s}));
    QVERIFY(ip({u"link"_s, u"set"_s, u"sh1"_s, u"up"_s}));
    QVERIFY(ip({u"link"_s, u"set"_s, u"sh0"_s, u"up"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(!a.find([](const QJsonObject &e) {
                                   return e.value(u"event"_s) == u"network-change"_s
                                          && contains(e.value(u"added"_s), u"10.98.0.1"_s)
                                          && contains(e.value(u"up"_s), u"sh0"_s);
                               }).isEmpty(),
                             3000);
    const QJsonObject change = a.event(u"network-change"_s);
    QVERIFY(change.value(u"removed"_s).toArray().isEmpty());
    QCOMPARE(change.value(u"resumed"_s), QJsonValue(false));
    QVERIFY(QDateTime::fromString(change.value(u"at"_s).toString(), Qt::ISODateWithMs).isValid());

    QVERIFY(ip({u"link"_s, u"set"_s, u"sh0"_s, u"down"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(a.all(u"network-change"_s).size() == 2, 3000);
    const QJsonObject down = a.all(u"network-change"_s).constLast();
    QVERIFY(contains(down.value(u"down"_s), u"sh0"_s));
    QVERIFY(contains(down.value(u"removed"_s), u"10.98.0.1"_s));

    // `network` lists them, oldest first.
    const QJsonArray changes = a.network().value(u"changes"_s).toArray();
    QCOMPARE(changes.size(), 2);
    const auto withoutName = [](QJsonObject event) {
        event.remove(u"event"_s);
        return event;
    };
    QVERIFY(changes.at(0).toObject() == withoutName(change));
    QVERIFY(changes.at(1).toObject() == withoutName(down));
}

QTEST_GUILESS_MAIN(tst_CliNetwork)
#include "tst_clinetwork.moc"
