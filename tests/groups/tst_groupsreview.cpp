// SPDX-License-Identifier: GPL-3.0-or-later
// Real Messengers on loopback (review of issue 13): membership changes that reach a member who
// was away. "Away" is a Messenger destroyed and made again on the same profile folder.
#include "groupprofile.h"
#include "groups/groupbody.h"
#include "groups/grouplimits.h"
#include "groups/groupservice.h"
#include "identity/signer.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "rawpeer.h"
#include "storage/messagestore.h"
#include "testports.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTest>

#include <array>

using namespace Qt::StringLiterals;

namespace {

template<typename T>
QList<T> receivedOf(const RawPeer &peer)
{
    QList<T> out;
    for (const Protocol::Message &m : peer.received) {
        if (const T *t = std::get_if<T>(&m))
            out.append(*t);
    }
    return out;
}

// One signed, chained message of `identity` in `group`.
Protocol::GroupMessage signedText(const Identity &identity,
                                  const QString &group,
                                  qint64 seq,
                                  qint64 lc,
                                  const QByteArray &prev,
                                  const QString &text,
                                  const QSslKey &key)
{
    Groups::Body b;
    b.group = group;
    b.author = identity.id();
    b.seq = seq;
    b.lc = lc;
    b.prev = prev;
    b.sentAt = QDateTime::currentDateTimeUtc();
    b.kind = Groups::Kind::Text;
    b.text = text;
    const QByteArray bytes = Groups::encode(b);
    return {bytes, Signer(key).sign(bytes)};
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

    // A member speaking the wire by hand sends Alice everything rule 2 and rule 4 refuse, as
    // well-formed frames: a body that does not decode, a forged signature, a replay, a page
    // nobody asked for, a jump in its seq, a gsync for 256 made-up groups, a burst of pulls,
    // a receipt about a made-up author. Alice keeps the connection and the group goes on both
    // ways; she pulls a handful of made-up groups, serves a handful of pulls.
    void hostileMemberIsRefusedAndTheGroupGoesOn()
    {
        const quint16 lan = freeUdpPort();
        Profile alice;
        alice.name = u"Alice"_s;
        alice.start(lan);
        QString error;
        const Identity me = *Identity::generate(&error);
        const Identity other = *Identity::generate(&error);
        RawPeer raw(me);
        QVERIFY(raw.connectAndWait(*alice.m));
        Protocol::Hello hello = raw.hello(me.id());
        raw.send(hello);
        QTRY_VERIFY_WITH_TIMEOUT(alice.m->connections().isConnected(me.id()), 10000);

        const auto group = alice.m->createGroup(u"Two"_s, {me.id()}, &error);
        QVERIFY2(group, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!receivedOf<Protocol::GroupMessage>(raw).isEmpty(), 10000);
        const Protocol::GroupMessage create = receivedOf<Protocol::GroupMessage>(raw).first();
        const QByteArray zero(Groups::LinkBytes, '\0');

        raw.send(Protocol::GroupMessage{QByteArray("not a body"), QByteArray("sig")});
        raw.send(signedText(me, *group, 1, 2, zero, u"forged"_s, other.privateKey()));
        raw.send(create); // a replay
        const auto first = signedText(me, *group, 1, 2, zero, u"hello"_s, me.privateKey());
        raw.send(Protocol::GroupPage{*group, {{first.body, first.sig}}, true});
        raw.send(signedText(me, *group, 5, 9, zero, u"jumps"_s, me.privateKey()));
        for (int i = 0; i < int(Groups::MaxHeads); ++i) {
            const QString made = QString::fromLatin1(
                QCryptographicHash::hash(QByteArray::number(i), QCryptographicHash::Md5).toHex());
            raw.send(Protocol::GroupSync{made, {}});
        }
        for (int i = 0; i < 20; ++i)
            raw.send(Protocol::GroupPull{*group, {}});
        Groups::ReceiptBody r;
        r.group = *group;
        r.member = me.id();
        r.author = other.id();
        r.delivered = 1;
        r.sentAt = QDateTime::currentDateTimeUtc();
        const QByteArray rb = Groups::encodeReceipt(r);
        raw.send(Protocol::GroupReceipt{rb, Signer(me.privateKey()).sign(rb)});
        raw.send(first);

        QTRY_COMPARE_WITH_TIMEOUT(textsBy(*alice.m, *group, me.id()),
                                  QStringList{u"hello"_s},
                                  10000);
        QVERIFY(alice.m->connections().isConnected(me.id()));
        QVERIFY2(alice.m->sendGroupMessage(*group, u"still here"_s, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(receivedOf<Protocol::GroupMessage>(raw).size(), 2, 10000);
        QString why;
        const auto last = Groups::decode(receivedOf<Protocol::GroupMessage>(raw).last().body, &why);
        QVERIFY2(last, qPrintable(why));
        QCOMPARE(last->text, u"still here"_s);
        QVERIFY(receivedOf<Protocol::GroupPage>(raw).size() <= Groups::MaxPullsPerSecond + 1);
        qsizetype unknownPulls = 0;
        for (const Protocol::GroupPull &p : receivedOf<Protocol::GroupPull>(raw))
            unknownPulls += p.group != *group;
        QVERIFY(unknownPulls <= GroupService::MaxUnknownPulls);
        QVERIFY(alice.m->history().groupReceipts(*group).size() <= 1);
        QVERIFY(alice.m->connections().isConnected(me.id()));
    }
};

QTEST_GUILESS_MAIN(tst_GroupsReview)
#include "tst_groupsreview.moc"
