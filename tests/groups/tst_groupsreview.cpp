// SPDX-License-Identifier: GPL-3.0-or-later
// Real Messengers on loopback (review of issue 13): membership changes that reach a member who
// was away. "Away" is a Messenger destroyed and made again on the same profile folder.
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "testports.h"

#include <QTemporaryDir>
#include <QTest>

#include <array>

using namespace Qt::StringLiterals;

namespace {

struct Profile
{
    QTemporaryDir dir;
    quint16 port = 0;
    QString name;
    std::unique_ptr<Messenger> m;

    void start(quint16 discoveryPort)
    {
        QString error;
        const auto identity = Identity::loadOrCreate(dir.path(), &error);
        QVERIFY2(identity, qPrintable(error));
        MessengerConfig config;
        config.profileDir = dir.path();
        config.name = name;
        config.listenAddress = QHostAddress::LocalHost;
        config.port = port;
        config.discovery = DiscoveryConfig{discoveryPort,
                                           {QHostAddress(u"127.255.255.255"_s)},
                                           30000};
        m = std::make_unique<Messenger>(*identity, config);
        QVERIFY2(m->start(), qPrintable(m->errorString()));
        port = m->port();
    }
    void stop()
    {
        m->shutdown();
        m.reset();
    }
    QString id() const { return m->id(); }
};

bool connectedToAll(Messenger &m, const QStringList &ids)
{
    for (const QString &id : ids) {
        if (id != m.id() && !m.connections().isConnected(id))
            return false;
    }
    return true;
}

} // namespace

class tst_GroupsReview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("SHOAL_LOOPBACK_ONLY", "1");
        QVERIFY(NetworkSafety::loopbackOnly());
    }

    // Bob is away when Alice removes him. Back, he meets Alice and Carol, who no longer count
    // him a member and so send him no gsync; he sends his, which shows them nothing new. He
    // must still learn of his removal (docs/groups.md: "one who was away when removed learns
    // of it"), else he goes on writing to a group that refuses every word.
    void memberRemovedWhileAwayLearnsOfIt()
    {
        const quint16 lan = freeUdpPort();
        std::array<Profile, 3> p;
        const QStringList names{u"Alice"_s, u"Bob"_s, u"Carol"_s};
        for (int i = 0; i < 3; ++i) {
            p[i].name = names.at(i);
            p[i].start(lan);
        }
        Profile &alice = p[0], &bob = p[1], &carol = p[2];
        const QStringList ids{alice.id(), bob.id(), carol.id()};
        QTRY_VERIFY_WITH_TIMEOUT(connectedToAll(*alice.m, ids), 20000);
        QString error;
        const auto group = alice.m->createGroup(u"Three"_s, ids.mid(1), &error);
        QVERIFY2(group, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(bob.m->group(*group).has_value(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(carol.m->group(*group).has_value(), 20000);

        bob.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!alice.m->connections().isConnected(ids.at(1)), 20000);
        QVERIFY2(alice.m->removeGroupMember(*group, ids.at(1), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(carol.m->group(*group)->members.size(), 2, 20000);

        bob.start(lan);
        QTRY_VERIFY_WITH_TIMEOUT(connectedToAll(*bob.m, ids), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!bob.m->group(*group)->isMember, 10000);
    }
};

QTEST_GUILESS_MAIN(tst_GroupsReview)
#include "tst_groupsreview.moc"
