// SPDX-License-Identifier: GPL-3.0-or-later
// Five real Messengers in one process on loopback (issue 13's scenario): a member who was away
// gets every message from whoever is online, each once, in each author's order; per-member
// states reach Delivered once everyone meets again; membership changes made while a member is
// away reach it. "Away" is a Messenger destroyed and made again on the same profile folder.
#include "groupprofile.h"
#include "groups/groupbody.h"
#include "identity/signer.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "storage/messagestore.h"
#include "testports.h"

#include <QTemporaryDir>
#include <QTest>

#include <array>

using namespace Qt::StringLiterals;

namespace {

// Whether every text `author` wrote in the group is at least Delivered to every other member.
bool allDelivered(const Messenger &m, const QString &group)
{
    for (const ChatMessage &c : m.history().conversation(group)) {
        if (!c.outgoing || c.kind != MessageKind::Text)
            continue;
        for (const GroupDelivery &d : m.groupDeliveries(c.id)) {
            if (d.state != MessageState::Delivered && d.state != MessageState::Read)
                return false;
        }
    }
    return true;
}

} // namespace

class tst_GroupsMessenger : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("SHOAL_LOOPBACK_ONLY", "1");
        QVERIFY(NetworkSafety::loopbackOnly());
    }

    void awayMemberCatchesUpFromOneMember()
    {
        const quint16 lan = freeUdpPort();
        std::array<Profile, 5> p;
        const QStringList names{u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s, u"Eve"_s};
        for (int i = 0; i < 5; ++i) {
            p[i].name = names.at(i);
            p[i].start(lan);
        }
        Profile &alice = p[0], &bob = p[1], &carol = p[2], &dave = p[3], &eve = p[4];
        QStringList ids;
        for (const Profile &x : p)
            ids.append(x.id());
        QTRY_VERIFY_WITH_TIMEOUT(connectedToAll(*alice.m, ids), 20000);

        QString error;
        const auto group = alice.m->createGroup(u"Five"_s, ids.mid(1), &error);
        QVERIFY2(group, qPrintable(error));
        for (Profile &x : p) {
            QTRY_VERIFY_WITH_TIMEOUT(x.m->group(*group).has_value(), 20000);
            QCOMPARE(x.m->group(*group)->members.size(), 5);
            QCOMPARE(x.m->group(*group)->name, u"Five"_s);
            // A row in the peer list, after the peers.
            QVERIFY(x.m->peers()->group(*group).has_value());
        }

        eve.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!alice.m->connections().isConnected(ids.at(4)), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!carol.m->connections().isConnected(ids.at(4)), 20000);
        std::array<QStringList, 3> written;
        for (int n = 0; n < 100; ++n) {
            for (int a = 0; a < 3; ++a) {
                written[a].append(u"%1 %2"_s.arg(names.at(a)).arg(n));
                QVERIFY2(p[a].m->sendGroupMessage(*group, written[a].last(), &error),
                         qPrintable(error));
            }
        }
        for (int x = 0; x < 4; ++x)
            QTRY_COMPARE_WITH_TIMEOUT(textCount(*p[x].m, *group), 300, 20000);
        // Carol's badge counts the 200 messages of the others, not the group's creation (an
        // event, shown read).
        QTRY_COMPARE_WITH_TIMEOUT(carol.m->group(*group)->unread, 200, 20000);

        alice.stop();
        bob.stop();
        dave.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!carol.m->connections().isConnected(ids.at(0)), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!carol.m->connections().isConnected(ids.at(1)), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!carol.m->connections().isConnected(ids.at(3)), 20000);

        // Eve is back; only Carol is there.
        eve.start(lan);
        QTRY_COMPARE_WITH_TIMEOUT(textCount(*eve.m, *group), 300, 30000);
        for (int a = 0; a < 3; ++a)
            QCOMPARE(textsBy(*eve.m, *group, ids.at(a)), written[a]); // each once, in order
        // Every message Eve holds carries its author's valid signature.
        Verifier verifier;
        const auto held = eve.m->history().groupMessagesAfter(*group, {}, 1000, 64 << 20);
        QCOMPARE(held.size(), 301); // the create and the texts
        for (const GroupMessageRecord &r : held) {
            const int author = int(ids.indexOf(r.author));
            QVERIFY(author >= 0);
            QVERIFY(verifier.verify(p[author].cert(), r.body, r.sig));
        }

        // Everyone meets again: every member's state reaches Delivered for every message.
        alice.start(lan);
        bob.start(lan);
        dave.start(lan);
        for (int a = 0; a < 3; ++a)
            QTRY_VERIFY_WITH_TIMEOUT(allDelivered(*p[a].m, *group), 30000);
        // Alice's last message: delivered to (or read by) each of the four others.
        const auto own = alice.m->groupDeliveries(
            Groups::messageId(*group, ids.at(0), 101)); // her create, then 100 texts
        QCOMPARE(own.size(), 4);
        // Carol opens the group: Alice sees her messages read by Carol (a grcpt, never a 1:1
        // read), and Carol's unread count is gone.
        QVERIFY(carol.m->group(*group)->unread > 0);
        carol.m->setActiveConversation(*group);
        QCOMPARE(carol.m->group(*group)->unread, 0);
        const auto readByCarol = [&] {
            for (const GroupDelivery &d :
                 alice.m->groupDeliveries(Groups::messageId(*group, ids.at(0), 101))) {
                if (d.member == ids.at(2))
                    return d.state == MessageState::Read;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(readByCarol(), 20000);
    }

    void membershipChangesWhileAwayConverge()
    {
        const quint16 lan = freeUdpPort();
        std::array<Profile, 5> p;
        const QStringList names{u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s, u"Eve"_s};
        for (int i = 0; i < 5; ++i) {
            p[i].name = names.at(i);
            p[i].start(lan);
        }
        Profile &alice = p[0], &bob = p[1], &carol = p[2], &dave = p[3], &eve = p[4];
        QStringList ids;
        for (const Profile &x : p)
            ids.append(x.id());
        QTRY_VERIFY_WITH_TIMEOUT(connectedToAll(*alice.m, ids), 20000);
        QString error;
        const auto group = alice.m->createGroup(u"Four"_s, ids.mid(1, 3), &error);
        QVERIFY2(group, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(dave.m->group(*group).has_value(), 20000);
        QVERIFY(!eve.m->group(*group));

        dave.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!alice.m->connections().isConnected(ids.at(3)), 20000);
        QVERIFY2(alice.m->addGroupMembers(*group, {ids.at(4)}, &error), qPrintable(error));
        QVERIFY2(alice.m->removeGroupMember(*group, ids.at(1), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(carol.m->group(*group)->members.size() == 4, 20000);
        QVERIFY2(carol.m->renameGroup(*group, u"Renamed"_s, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(eve.m->group(*group).has_value(), 20000);
        // Only the owner removes.
        QVERIFY(!carol.m->removeGroupMember(*group, ids.at(0), &error));

        dave.start(lan);
        const auto expected = [&] {
            QStringList out{ids.at(0), ids.at(2), ids.at(3), ids.at(4)};
            out.sort();
            return out;
        }();
        const auto membersOf = [&](Profile &x) {
            QStringList out;
            const auto g = x.m->group(*group);
            if (g) {
                for (const GroupMemberInfo &m : g->members)
                    out.append(m.id);
            }
            out.sort();
            return out;
        };
        for (Profile *x : {&alice, &carol, &dave, &eve}) {
            QTRY_COMPARE_WITH_TIMEOUT(membersOf(*x), expected, 20000);
            QTRY_COMPARE_WITH_TIMEOUT(x->m->group(*group)->name, u"Renamed"_s, 20000);
            QCOMPARE(x->m->group(*group)->owner, ids.at(0));
        }
        QTRY_VERIFY_WITH_TIMEOUT(!bob.m->group(*group)->isMember, 20000);
        QVERIFY(!bob.m->sendGroupMessage(*group, u"still here?"_s, &error));
        // The group goes on without Bob, and Bob's attempt reached nobody.
        QVERIFY2(dave.m->sendGroupMessage(*group, u"back"_s, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(textsBy(*eve.m, *group, ids.at(3)), QStringList{u"back"_s}, 20000);
    }

    void sendToManyIsAllOrNone()
    {
        const quint16 lan = freeUdpPort();
        std::array<Profile, 3> p;
        for (int i = 0; i < 3; ++i) {
            p[i].name = u"P%1"_s.arg(i);
            p[i].start(lan);
        }
        const QStringList ids{p[0].id(), p[1].id(), p[2].id()};
        QTRY_VERIFY_WITH_TIMEOUT(connectedToAll(*p[0].m, ids), 20000);
        QString error;
        // One unknown ID: nothing is sent to anyone.
        const QString stranger(64, u'e');
        QVERIFY(p[0].m->sendToMany({ids.at(1), stranger, ids.at(2)}, u"hi"_s, &error).isEmpty());
        QVERIFY(error.contains(stranger));
        QVERIFY(p[0].m->sendToMany({ids.at(1)}, u"  "_s, &error).isEmpty());
        QCOMPARE(p[0].m->history().count(ids.at(1)), 0);
        const auto sent = p[0].m->sendToMany({ids.at(2), ids.at(1)}, u"to both"_s, &error);
        QCOMPARE(sent.size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(p[1].m->history().count(ids.at(0)), 1, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(p[2].m->history().count(ids.at(0)), 1, 20000);
        QCOMPARE(p[0].m->history().message(sent.at(0))->peerId, ids.at(2));
    }
};

QTEST_GUILESS_MAIN(tst_GroupsMessenger)
#include "tst_groupsmessenger.moc"
