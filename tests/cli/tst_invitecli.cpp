// SPDX-License-Identifier: GPL-3.0-or-later
// Invite links between shoal-cli processes on loopback, with discovery off: the link is the
// only way the peers learn of each other.
#include "cliprocess.h"
#include "protocol/invitelink.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

class CliPeer : public CliProcess
{
public:
    CliPeer(const QString &profile, const QString &name)
        : CliProcess(QStringLiteral(SHOAL_CLI_PATH), isolatedCliArguments(profile, name))
    {}

    // The reply to {"cmd":"invite"}.
    QString inviteLink()
    {
        send({{u"cmd"_s, u"invite"_s}, {u"ref"_s, u"inv"_s}});
        if (!QTest::qWaitFor([this] { return !event(u"invite"_s).isEmpty(); }, 5000))
            return {};
        return event(u"invite"_s).value(u"link"_s).toString();
    }
    QJsonObject reply(const QString &ref) const
    {
        return find([&](const QJsonObject &e) { return e.value(u"ref"_s).toString() == ref; });
    }
    QStringList texts() const
    {
        QStringList out;
        for (const QJsonObject &m : all(u"message"_s))
            out.append(m.value(u"text"_s).toString());
        return out;
    }
};

} // namespace

class tst_InviteCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void inviteConnectsAndChats();
    void tamperedLinkIsRefused();
    void ownAndBadLinksRefused();
};

void tst_InviteCli::inviteConnectsAndChats()
{
    QTemporaryDir dirA, dirB;
    CliPeer alice(dirA.path(), u"Alice"_s);
    CliPeer bob(dirB.path(), u"Bob"_s);
    QTRY_VERIFY(!alice.id().isEmpty() && !bob.id().isEmpty());

    const QString link = alice.inviteLink();
    QVERIFY2(link.startsWith(u"shoal:invite?v=1&d="_s), qPrintable(link));
    QString error;
    const auto decoded = InviteLink::decode(link, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->peerId, alice.id());
    QCOMPARE(decoded->name, u"Alice"_s);
    QCOMPARE(decoded->port, alice.port());
    QCOMPARE(decoded->addresses, QList<QHostAddress>{QHostAddress(u"127.0.0.1"_s)});

    // As pasted from a mail that wrapped it.
    const QString wrapped = link.first(30) + u"\n"_s + link.sliced(30);
    bob.send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, wrapped}, {u"ref"_s, u"c"_s}});
    QTRY_VERIFY(!bob.reply(u"c"_s).isEmpty());
    QCOMPARE(bob.reply(u"c"_s).value(u"event"_s).toString(), u"connecting"_s);
    QCOMPARE(bob.reply(u"c"_s).value(u"id"_s).toString(), alice.id());
    // Listed at once under the link's name, not yet online.
    const QJsonObject first = bob.find([&](const QJsonObject &e) {
        return e.value(u"event"_s) == u"peer"_s && e.value(u"id"_s).toString() == alice.id();
    });
    QCOMPARE(first.value(u"name"_s).toString(), u"Alice"_s);
    QCOMPARE(first.value(u"online"_s).toBool(), false);
    QCOMPARE(first.value(u"invited"_s).toBool(), true);

    QTRY_VERIFY(bob.peerOnline(alice.id(), true));
    QTRY_VERIFY(alice.peerOnline(bob.id(), true));
    QVERIFY(bob.all(u"identity-mismatch"_s).isEmpty());
    const QJsonObject online = bob.all(u"peer"_s).constLast();
    QCOMPARE(online.value(u"invited"_s).toBool(), false);

    bob.send({{u"cmd"_s, u"send"_s}, {u"to"_s, alice.id()}, {u"text"_s, u"hello from the link"_s}});
    QTRY_COMPARE(alice.texts(), QStringList{u"hello from the link"_s});
    QCOMPARE(alice.event(u"message"_s).value(u"from"_s).toString(), bob.id());
    alice.send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob.id()}, {u"text"_s, u"hi Bob"_s}});
    QTRY_COMPARE(bob.texts(), QStringList{u"hi Bob"_s});

    // The link used again while connected: nothing to dial, and the peer is reported online.
    const qsizetype peerEvents = bob.all(u"peer"_s).size();
    bob.send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, link}, {u"ref"_s, u"again"_s}});
    QTRY_VERIFY(bob.all(u"peer"_s).size() > peerEvents);
    QCOMPARE(bob.reply(u"again"_s).value(u"event"_s).toString(), u"connecting"_s);
    QVERIFY(bob.peerOnline(alice.id(), true));
    QVERIFY(alice.badLines.isEmpty() && bob.badLines.isEmpty());
}

void tst_InviteCli::tamperedLinkIsRefused()
{
    QTemporaryDir dirA, dirB, dirC;
    CliPeer alice(dirA.path(), u"Alice"_s);
    CliPeer bob(dirB.path(), u"Bob"_s);
    CliPeer carol(dirC.path(), u"Carol"_s);
    QTRY_VERIFY(!alice.id().isEmpty() && !bob.id().isEmpty() && !carol.id().isEmpty());

    // Carol's ID with Alice's address: whoever answers there must prove Carol's key.
    QString error;
    auto tampered = InviteLink::decode(alice.inviteLink(), &error);
    QVERIFY2(tampered, qPrintable(error));
    tampered->peerId = carol.id();
    tampered->name = u"Carol"_s;
    bob.send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, tampered->encode()}, {u"ref"_s, u"t"_s}});
    QTRY_VERIFY(!bob.all(u"identity-mismatch"_s).isEmpty());
    const QJsonObject warning = bob.event(u"identity-mismatch"_s);
    QCOMPARE(warning.value(u"id"_s).toString(), carol.id());
    const QString message = warning.value(u"message"_s).toString();
    QVERIFY2(message.contains(u"differs from the invite link's"_s), qPrintable(message));
    QVERIFY2(message.contains(alice.id()), qPrintable(message)); // who answered instead
    QVERIFY(!bob.peerOnline(carol.id(), true));

    // A message for Carol waits; nothing of it, nor Bob himself, reaches Alice.
    bob.send({{u"cmd"_s, u"send"_s}, {u"to"_s, carol.id()}, {u"text"_s, u"for Carol"_s}});
    // Then Bob uses Alice's real link: what Alice gets from then on is only what is hers.
    bob.send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, alice.inviteLink()}});
    QTRY_VERIFY(bob.peerOnline(alice.id(), true));
    bob.send({{u"cmd"_s, u"send"_s}, {u"to"_s, alice.id()}, {u"text"_s, u"for Alice"_s}});
    QTRY_COMPARE(alice.texts(), QStringList{u"for Alice"_s});
    const auto alicePeers = alice.all(u"peer"_s);
    for (const QJsonObject &p : alicePeers)
        QCOMPARE(p.value(u"id"_s).toString(), bob.id()); // never anyone as Carol
    QVERIFY(carol.all(u"peer"_s).isEmpty());
    QVERIFY(!bob.peerOnline(carol.id(), true));
}

void tst_InviteCli::ownAndBadLinksRefused()
{
    QTemporaryDir dirA;
    CliPeer alice(dirA.path(), u"Alice"_s);
    QTRY_VERIFY(!alice.id().isEmpty());
    alice.send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, alice.inviteLink()}, {u"ref"_s, u"own"_s}});
    alice.send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, u"127.0.0.1:1"_s}, {u"ref"_s, u"bad"_s}});
    alice.send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, 5}, {u"ref"_s, u"type"_s}});
    QTRY_VERIFY(!alice.reply(u"type"_s).isEmpty());
    QCOMPARE(alice.reply(u"own"_s).value(u"event"_s).toString(), u"error"_s);
    QVERIFY(alice.reply(u"own"_s)
                .value(u"message"_s)
                .toString()
                .startsWith(u"This is your own invite link."_s));
    QCOMPARE(alice.reply(u"bad"_s).value(u"event"_s).toString(), u"error"_s);
    QCOMPARE(alice.reply(u"bad"_s).value(u"message"_s).toString(),
             u"This is not a Shoal invite link."_s);
    QCOMPARE(alice.reply(u"type"_s).value(u"event"_s).toString(), u"error"_s);
    QVERIFY(alice.all(u"peer"_s).isEmpty()); // nobody listed
}

QTEST_GUILESS_MAIN(tst_InviteCli)
#include "tst_invitecli.moc"
