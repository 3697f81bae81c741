// SPDX-License-Identifier: GPL-3.0-or-later
// Reply with a quote in a group (issue 15), between three real Messengers on loopback: the
// quoted message's ID travels in the signed body ("re") and is stored with the reply on every
// member; a reply to what the group does not hold is refused and sends nothing.
#include "groupprofile.h"
#include "groups/groupbody.h"
#include "net/networksafety.h"
#include "testports.h"

#include <QSignalSpy>
#include <QTest>

#include <array>

using namespace Qt::StringLiterals;

namespace {

// The group's text `text` as `m` holds it, or an empty message.
ChatMessage textOf(const Messenger &m, const QString &group, const QString &text)
{
    for (const ChatMessage &c : m.history().conversation(group)) {
        if (c.kind == MessageKind::Text && c.text == text)
            return c;
    }
    return {};
}

} // namespace

class tst_GroupReply : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("SHOAL_LOOPBACK_ONLY", "1");
        QVERIFY(NetworkSafety::loopbackOnly());
    }

    void replyRoundTrip()
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
        QTRY_VERIFY_WITH_TIMEOUT(connectedToAll(*bob.m, ids), 20000);
        QString error;
        const auto group = alice.m->createGroup(u"Lunch"_s, ids.mid(1), &error);
        QVERIFY2(group, qPrintable(error));
        for (Profile &x : p)
            QTRY_VERIFY_WITH_TIMEOUT(x.m->group(*group).has_value(), 20000);

        const auto asked = bob.m->sendGroupMessage(*group, u"lunch?"_s, &error);
        QVERIFY2(asked, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!textOf(*alice.m, *group, u"lunch?"_s).id.isNull(), 20000);
        QVERIFY(textOf(*alice.m, *group, u"lunch?"_s).replyTo.isNull());

        // Alice quotes Bob's message; Carol sees it arrive as a reply to it.
        QSignalSpy received(carol.m.get(), &Messenger::messageReceived);
        const auto answer = alice.m->sendGroupMessage(*group, u"yes, 12:00"_s, &error, *asked);
        QVERIFY2(answer, qPrintable(error));
        QCOMPARE(alice.m->history().message(*answer)->replyTo, *asked);
        for (Profile *x : {&bob, &carol}) {
            QTRY_VERIFY_WITH_TIMEOUT(!textOf(*x->m, *group, u"yes, 12:00"_s).id.isNull(), 20000);
            const ChatMessage m = textOf(*x->m, *group, u"yes, 12:00"_s);
            QCOMPARE(m.id, *answer);
            QCOMPARE(m.author, alice.id());
            QCOMPARE(m.replyTo, *asked);
            // What the quote shows: the original, by its author.
            const auto quoted = x->m->history().message(MessageKey{m.replyTo, *group, x == &bob});
            QVERIFY(quoted);
            QCOMPARE(quoted->text, u"lunch?"_s);
            QCOMPARE(quoted->author, bob.id());
        }
        QTRY_VERIFY(!received.isEmpty());
        QCOMPARE(received.constLast().at(0).value<ChatMessage>().replyTo, *asked);
        // The signed body carries it: a member's copy verifies as its author wrote it.
        bool found = false;
        for (const GroupMessageRecord &r :
             carol.m->history().groupMessagesAfter(*group, {}, 100, 1 << 20)) {
            const auto body = Groups::decode(r.body, &error);
            QVERIFY2(body, qPrintable(error));
            if (body->text == u"yes, 12:00"_s) {
                QCOMPARE(body->replyTo, *asked);
                found = true;
            }
        }
        QVERIFY(found);

        // A reply to a message of another conversation, or of none: refused, nothing sent.
        const auto direct = alice.m->sendMessage(bob.id(), u"1:1"_s, &error);
        QVERIFY2(direct, qPrintable(error));
        const qsizetype before = textCount(*alice.m, *group);
        for (const QUuid &re : {*direct, QUuid::createUuid()}) {
            QVERIFY(!alice.m->sendGroupMessage(*group, u"no"_s, &error, re));
            QVERIFY2(error.contains(re.toString(QUuid::WithoutBraces)), qPrintable(error));
        }
        QCOMPARE(textCount(*alice.m, *group), before);
        // The group goes on: Carol's next message after the refusals is the next Bob holds.
        QVERIFY2(carol.m->sendGroupMessage(*group, u"see you"_s, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(textCount(*bob.m, *group), before + 1, 20000);
        QCOMPARE(textsBy(*bob.m, *group, alice.id()), QStringList{u"yes, 12:00"_s});
    }
};

QTEST_GUILESS_MAIN(tst_GroupReply)
#include "tst_groupreply.moc"
