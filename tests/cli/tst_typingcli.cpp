// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 15 through shoal-cli's JSON lines: typing notices, replies ("reply_to") and delete for
// oneself, between two processes on loopback.
#include "cliprocess.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_TypingCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void typingReplyAndDelete();
};

void tst_TypingCli::typingReplyAndDelete()
{
    QTemporaryDir dirA, dirB;
    CliProcess bob(QStringLiteral(SHOAL_CLI_PATH), isolatedCliArguments(dirB.path(), u"Bob"_s));
    QTRY_VERIFY(!bob.id().isEmpty());
    CliProcess alice(QStringLiteral(SHOAL_CLI_PATH),
                     isolatedCliArguments(dirA.path(), u"Alice"_s)
                         << u"--connect"_s << u"127.0.0.1:%1"_s.arg(bob.port()));
    QTRY_VERIFY(!alice.id().isEmpty());
    QTRY_VERIFY(alice.peerOnline(bob.id(), true));
    QTRY_VERIFY(bob.peerOnline(alice.id(), true));

    // Typing: Bob's bot says it types; Alice gets the event, then "off".
    bob.send({{u"cmd"_s, u"typing"_s}, {u"to"_s, alice.id()}, {u"on"_s, true}, {u"ref"_s, 3}});
    QTRY_VERIFY(!alice.event(u"typing"_s).isEmpty());
    QCOMPARE(alice.event(u"typing"_s).value(u"from"_s).toString(), bob.id());
    QCOMPARE(alice.event(u"typing"_s).value(u"on"_s).toBool(), true);
    QCOMPARE(bob.find([](const QJsonObject &e) { return e.value(u"ref"_s).toInt() == 3; })
                 .value(u"event"_s)
                 .toString(),
             u"typing-set"_s);
    bob.send({{u"cmd"_s, u"typing"_s}, {u"to"_s, alice.id()}, {u"on"_s, false}});
    QTRY_COMPARE(alice.all(u"typing"_s).size(), 2);
    QCOMPARE(alice.all(u"typing"_s).at(1).value(u"on"_s).toBool(), false);
    // To nobody known: an error, nothing else.
    bob.send({{u"cmd"_s, u"typing"_s}, {u"to"_s, QString(64, u'a')}, {u"ref"_s, 4}});
    QTRY_COMPARE(bob.find([](const QJsonObject &e) { return e.value(u"ref"_s).toInt() == 4; })
                     .value(u"event"_s)
                     .toString(),
                 u"error"_s);

    // A reply: "reply_to" on the way in, in the event and in the history on both sides.
    alice.send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob.id()}, {u"text"_s, u"lunch?"_s}});
    QTRY_VERIFY(!bob.event(u"message"_s).isEmpty());
    const QString first = bob.event(u"message"_s).value(u"id"_s).toString();
    QVERIFY(!bob.event(u"message"_s).contains(u"reply_to"_s));
    bob.send({{u"cmd"_s, u"send"_s},
              {u"to"_s, alice.id()},
              {u"text"_s, u"yes"_s},
              {u"reply_to"_s, first}});
    QTRY_VERIFY(!alice.event(u"message"_s).isEmpty());
    QCOMPARE(alice.event(u"message"_s).value(u"reply_to"_s).toString(), first);
    const QString answer = alice.event(u"message"_s).value(u"id"_s).toString();
    for (CliProcess *p : {&alice, &bob}) {
        const QString with = p == &alice ? bob.id() : alice.id();
        p->send({{u"cmd"_s, u"history"_s}, {u"with"_s, with}, {u"ref"_s, 10}});
        QTRY_VERIFY(!p->event(u"history"_s).isEmpty());
        const QJsonArray messages = p->event(u"history"_s).value(u"messages"_s).toArray();
        QCOMPARE(messages.size(), 2);
        QVERIFY(!messages.at(0).toObject().contains(u"reply_to"_s));
        QCOMPARE(messages.at(1).toObject().value(u"id"_s).toString(), answer);
        QCOMPARE(messages.at(1).toObject().value(u"reply_to"_s).toString(), first);
    }
    // A reply to what this conversation does not hold, or not an ID: refused.
    bob.send({{u"cmd"_s, u"send"_s},
              {u"to"_s, alice.id()},
              {u"text"_s, u"?"_s},
              {u"reply_to"_s, u"5f0a8a4e-0000-4000-8000-000000000000"_s},
              {u"ref"_s, 11}});
    bob.send({{u"cmd"_s, u"send"_s},
              {u"to"_s, alice.id()},
              {u"text"_s, u"?"_s},
              {u"reply_to"_s, 12},
              {u"ref"_s, 12}});
    for (int ref : {11, 12}) {
        QTRY_COMPARE(bob.find([ref](const QJsonObject &e) {
                            return e.value(u"ref"_s).toInt() == ref;
                        })
                         .value(u"event"_s)
                         .toString(),
                     u"error"_s);
    }

    // Delete for me: Alice deletes Bob's delivered reply; Bob keeps it.
    alice.send({{u"cmd"_s, u"delete"_s}, {u"id"_s, answer}, {u"ref"_s, 20}});
    QTRY_VERIFY(!alice
                     .find([&](const QJsonObject &e) {
                         return e.value(u"event"_s) == u"state"_s
                                && e.value(u"id"_s).toString() == answer
                                && e.value(u"state"_s) == u"deleted"_s;
                     })
                     .isEmpty());
    const QString aliceId = alice.id(), bobId = bob.id(); // from "ready", about to be cleared
    alice.events.clear();
    alice.send({{u"cmd"_s, u"history"_s}, {u"with"_s, bobId}});
    QTRY_VERIFY(!alice.event(u"history"_s).isEmpty());
    QCOMPARE(alice.event(u"history"_s).value(u"messages"_s).toArray().size(), 1);
    bob.events.clear();
    bob.send({{u"cmd"_s, u"history"_s}, {u"with"_s, aliceId}});
    QTRY_VERIFY(!bob.event(u"history"_s).isEmpty());
    QVERIFY2(bob.event(u"history"_s).value(u"messages"_s).toArray().size() == 2,
             QJsonDocument(bob.event(u"history"_s)).toJson().constData());
    QVERIFY(alice.badLines.isEmpty());
    QVERIFY(bob.badLines.isEmpty());
}

QTEST_GUILESS_MAIN(tst_TypingCli)
#include "tst_typingcli.moc"
