// SPDX-License-Identifier: GPL-3.0-or-later
// Store and forward by a helper (issue 16, "Offline proxy"), through shoal-cli's JSON lines:
// three processes on loopback (discovery and IP Messenger off, each its own port). Alice writes
// to Bob while he is away, Carol holds the sealed messages, Alice leaves, Bob comes back and gets
// them from Carol; and a helper that never delivers costs nothing once Alice and Bob meet.
#include "cliprocess.h"

#include <QJsonArray>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int SlowMs = 60'000; // a hundred messages sealed, held, delivered on a loaded machine

QStringList cliArguments(const QString &profile, const QString &name)
{
    return isolatedCliArguments(profile, name) << u"--no-ipmsg"_s;
}

QStringList connecting(QStringList arguments, const QList<const CliProcess *> &to)
{
    for (const CliProcess *p : to)
        arguments << u"--connect"_s << u"127.0.0.1:%1"_s.arg(p->port());
    return arguments;
}

QJsonObject answerTo(const CliProcess &cli, int ref)
{
    return cli.find([ref](const QJsonObject &e) { return e.value(u"ref"_s) == QJsonValue(ref); });
}

// Every "message" event from `from`, in the order they came.
QStringList textsFrom(const CliProcess &cli, const QString &from)
{
    QStringList out;
    for (const QJsonObject &e : cli.all(u"message"_s)) {
        if (e.value(u"from"_s).toString() == from)
            out.append(e.value(u"text"_s).toString());
    }
    return out;
}

// The latest state event of each message ID.
QHash<QString, QJsonObject> lastStates(const CliProcess &cli)
{
    QHash<QString, QJsonObject> out;
    for (const QJsonObject &e : cli.all(u"state"_s))
        out.insert(e.value(u"id"_s).toString(), e);
    return out;
}

// Whether some state event of each of `ids` said `helper` holds it.
bool allHeldBy(const CliProcess &cli, const QStringList &ids, const QString &helper)
{
    QSet<QString> held;
    for (const QJsonObject &e : cli.all(u"state"_s)) {
        if (e.value(u"held_by"_s).toArray().contains(helper))
            held.insert(e.value(u"id"_s).toString());
    }
    for (const QString &id : ids) {
        if (!held.contains(id))
            return false;
    }
    return true;
}

// `cli`'s answer to {"cmd":"held"}, asked afresh.
QJsonArray heldItems(CliProcess &cli, int ref)
{
    cli.send({{u"cmd"_s, u"held"_s}, {u"ref"_s, ref}});
    if (!QTest::qWaitFor([&] { return !answerTo(cli, ref).isEmpty(); }, 5000))
        return {{u"no answer"_s}};
    return answerTo(cli, ref).value(u"items"_s).toArray();
}

bool quit(CliProcess &cli)
{
    cli.send({{u"cmd"_s, u"quit"_s}});
    return cli.process.waitForFinished(15000) && cli.process.exitCode() == 0;
}

} // namespace

class tst_HoldCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void heldUntilBobReturns();
    void withheldStillArrives();
    void switchesAndHeldCommand();

private:
    // Alice, Bob and Carol met; Alice and Bob allow Carol to hold, Carol allows both; each
    // has told the others (a message after the switch on each connection that matters: the
    // carry went before it).
    bool meetAndAllowHold(CliProcess &alice, CliProcess &bob, CliProcess &carol);
    int m_ref = 100;
};

bool tst_HoldCli::meetAndAllowHold(CliProcess &alice, CliProcess &bob, CliProcess &carol)
{
    const auto online = [](const CliProcess &a, const CliProcess &b) {
        return a.peerOnline(b.id(), true) && b.peerOnline(a.id(), true);
    };
    if (!QTest::qWaitFor(
            [&] { return online(alice, bob) && online(alice, carol) && online(bob, carol); },
            10000)) {
        qWarning("the three did not meet");
        return false;
    }
    const struct
    {
        CliProcess *who;
        const CliProcess *allows;
    } switches[] = {{&alice, &carol}, {&bob, &carol}, {&carol, &alice}, {&carol, &bob}};
    for (const auto &s : switches) {
        const int ref = ++m_ref;
        s.who->send({{u"cmd"_s, u"allow-hold"_s},
                     {u"peer"_s, s.allows->id()},
                     {u"hold"_s, true},
                     {u"ref"_s, ref}});
        if (!QTest::qWaitFor([&] { return !answerTo(*s.who, ref).isEmpty(); }, 5000))
            return false;
        const QJsonObject answer = answerTo(*s.who, ref);
        if (answer.value(u"event"_s) != u"allow-hold"_s || answer.value(u"hold"_s) != true) {
            qWarning().noquote() << QJsonDocument(answer).toJson(QJsonDocument::Compact);
            return false;
        }
    }
    // The carry goes out at once on the switch, before anything sent after it.
    const struct
    {
        CliProcess *from;
        CliProcess *to;
    } notes[] = {{&alice, &carol}, {&bob, &carol}, {&carol, &alice}, {&carol, &bob}};
    for (const auto &n : notes) {
        const QString text = u"switched on %1"_s.arg(++m_ref);
        n.from->send({{u"cmd"_s, u"send"_s}, {u"to"_s, n.to->id()}, {u"text"_s, text}});
        if (!QTest::qWaitFor([&] { return textsFrom(*n.to, n.from->id()).contains(text); }, 10000))
            return false;
    }
    return true;
}

void tst_HoldCli::heldUntilBobReturns()
{
    QTemporaryDir dirA, dirB, dirC;
    CliProcess carol(QStringLiteral(SHOAL_CLI_PATH), cliArguments(dirC.path(), u"Carol"_s));
    QTRY_VERIFY(carol.port() > 0);
    auto alice = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                              connecting(cliArguments(dirA.path(), u"Alice"_s),
                                                         {&carol}));
    QTRY_VERIFY(alice->port() > 0);
    auto bob = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                            connecting(cliArguments(dirB.path(), u"Bob"_s),
                                                       {&carol, alice.get()}));
    QTRY_VERIFY(bob->port() > 0);
    const QString aliceId = alice->id(), bobId = bob->id(), carolId = carol.id();
    QVERIFY(meetAndAllowHold(*alice, *bob, carol));

    // Bob goes away. Alice writes to him 100 times.
    QVERIFY(quit(*bob));
    QTRY_VERIFY(alice->peerOnline(bobId, false));
    QTRY_VERIFY(carol.peerOnline(bobId, false));
    constexpr int Count = 100;
    QStringList sent;
    for (int i = 0; i < Count; ++i) {
        const QString text = u"while you were away %1"_s.arg(i, 3, 10, QChar(u'0'));
        sent.append(text);
        alice->send({{u"cmd"_s, u"send"_s}, {u"to"_s, bobId}, {u"text"_s, text}, {u"ref"_s, i}});
    }
    QTRY_VERIFY_WITH_TIMEOUT(answerTo(*alice, Count - 1).value(u"state"_s) == u"queued"_s, 10000);
    QStringList ids;
    for (int i = 0; i < Count; ++i) {
        const QJsonObject queued = answerTo(*alice, i);
        QCOMPARE(queued.value(u"state"_s).toString(), u"queued"_s);
        QCOMPARE(queued.value(u"to"_s).toString(), bobId);
        ids.append(queued.value(u"id"_s).toString());
    }
    // Carol keeps every one of them, and Alice is told so.
    QTRY_VERIFY_WITH_TIMEOUT(allHeldBy(*alice, ids, carolId), SlowMs);
    QJsonArray held;
    QTRY_VERIFY_WITH_TIMEOUT((held = heldItems(carol, ++m_ref)).size() == Count, 10000);
    for (const QJsonValue &v : held) {
        const QJsonObject item = v.toObject();
        QCOMPARE(item.value(u"to"_s).toString(), bobId);
        QCOMPARE(item.value(u"from"_s).toString(), aliceId);
        QVERIFY(item.value(u"size"_s).toInteger() > 0);
        QVERIFY(!item.contains(u"text"_s));
        QVERIFY(QDateTime::fromString(item.value(u"expires_at"_s).toString(), Qt::ISODateWithMs)
                > QDateTime::currentDateTimeUtc());
    }
    // Nothing was delivered: Bob is away.
    const auto states = lastStates(*alice);
    for (const QString &id : ids)
        QCOMPARE(states.value(id).value(u"state"_s).toString(), u"queued"_s);

    // Alice leaves too; Bob comes back (the same profile) and meets only Carol.
    QVERIFY(quit(*alice));
    QTRY_VERIFY(carol.peerOnline(aliceId, false));
    bob = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                       connecting(cliArguments(dirB.path(), u"Bob"_s), {&carol}));
    QTRY_VERIFY(bob->port() > 0);
    QCOMPARE(bob->id(), bobId);
    QTRY_VERIFY_WITH_TIMEOUT(textsFrom(*bob, aliceId).size() >= Count, SlowMs);
    // All of them, each once, in the order Alice wrote them.
    QCOMPARE(textsFrom(*bob, aliceId), sent);
    bob->send({{u"cmd"_s, u"history"_s}, {u"with"_s, aliceId}, {u"limit"_s, 1000}, {u"ref"_s, 1}});
    QTRY_VERIFY(!answerTo(*bob, 1).isEmpty());
    QStringList history;
    for (const QJsonValue &m : answerTo(*bob, 1).value(u"messages"_s).toArray()) {
        if (m.toObject().value(u"from"_s) == aliceId)
            history.append(m.toObject().value(u"text"_s).toString());
    }
    QCOMPARE(history, sent);
    // Carol dropped them as Bob took them; what she holds now are Bob's receipts for Alice.
    const auto heldFor = [&](const QString &to) {
        int n = 0;
        for (const QJsonValue &v : heldItems(carol, ++m_ref))
            n += v.toObject().value(u"to"_s) == to;
        return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(heldFor(bobId), 0, 10000);
    QVERIFY(heldFor(aliceId) > 0);

    // Alice comes back: every message shows delivered, and Bob still has each once.
    alice = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                         connecting(cliArguments(dirA.path(), u"Alice"_s),
                                                    {&carol, bob.get()}));
    QTRY_VERIFY(alice->port() > 0);
    const auto allDelivered = [&] {
        alice->events.removeIf(
            [](const QJsonObject &e) { return e.value(u"event"_s) == u"history"_s; });
        alice->send({{u"cmd"_s, u"history"_s}, {u"with"_s, bobId}, {u"limit"_s, 1000}});
        if (!QTest::qWaitFor([&] { return !alice->event(u"history"_s).isEmpty(); }, 5000))
            return false;
        int delivered = 0;
        for (const QJsonValue &m : alice->event(u"history"_s).value(u"messages"_s).toArray()) {
            const QJsonObject o = m.toObject();
            delivered += ids.contains(o.value(u"id"_s).toString())
                         && (o.value(u"state"_s) == u"delivered"_s
                             || o.value(u"state"_s) == u"read"_s);
        }
        return delivered == Count;
    };
    QTRY_VERIFY_WITH_TIMEOUT(allDelivered(), SlowMs);
    QTRY_VERIFY(alice->peerOnline(bobId, true));
    QCOMPARE(textsFrom(*bob, aliceId), sent);
    // The receipts Carol kept reached Alice (or were made moot by Bob's direct ones): she
    // holds nothing any more.
    QTRY_VERIFY_WITH_TIMEOUT(heldItems(carol, ++m_ref).isEmpty(), 20000);
    for (CliProcess *p : {alice.get(), bob.get(), &carol})
        QVERIFY(p->badLines.isEmpty());
}

void tst_HoldCli::withheldStillArrives()
{
    // Carol takes the messages and never delivers them (she leaves for good): they still wait
    // in Alice's queue, and reach Bob, once each, when Alice and Bob meet.
    QTemporaryDir dirA, dirB, dirC;
    auto carol = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                              cliArguments(dirC.path(), u"Carol"_s));
    QTRY_VERIFY(carol->port() > 0);
    CliProcess alice(QStringLiteral(SHOAL_CLI_PATH),
                     connecting(cliArguments(dirA.path(), u"Alice"_s), {carol.get()}));
    QTRY_VERIFY(alice.port() > 0);
    auto bob = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                            connecting(cliArguments(dirB.path(), u"Bob"_s),
                                                       {carol.get(), &alice}));
    QTRY_VERIFY(bob->port() > 0);
    const QString aliceId = alice.id(), bobId = bob->id(), carolId = carol->id();
    QVERIFY(meetAndAllowHold(alice, *bob, *carol));

    QVERIFY(quit(*bob));
    QTRY_VERIFY(alice.peerOnline(bobId, false));
    constexpr int Count = 20;
    QStringList sent;
    for (int i = 0; i < Count; ++i) {
        sent.append(u"withheld %1"_s.arg(i));
        alice.send(
            {{u"cmd"_s, u"send"_s}, {u"to"_s, bobId}, {u"text"_s, sent.last()}, {u"ref"_s, i}});
    }
    QTRY_VERIFY(!answerTo(alice, Count - 1).isEmpty());
    QStringList ids;
    for (int i = 0; i < Count; ++i)
        ids.append(answerTo(alice, i).value(u"id"_s).toString());
    QTRY_VERIFY_WITH_TIMEOUT(allHeldBy(alice, ids, carolId), SlowMs);
    QTRY_COMPARE_WITH_TIMEOUT(heldItems(*carol, ++m_ref).size(), qsizetype(Count), 10000);
    // Carol goes for good, with everything she holds.
    QVERIFY(quit(*carol));
    carol.reset();

    // Bob returns and meets Alice directly.
    bob = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                       connecting(cliArguments(dirB.path(), u"Bob"_s), {&alice}));
    QTRY_VERIFY(bob->port() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(textsFrom(*bob, aliceId).size() >= Count, SlowMs);
    QCOMPARE(textsFrom(*bob, aliceId), sent);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto states = lastStates(alice);
            for (const QString &id : ids) {
                if (states.value(id).value(u"state"_s) != u"delivered"_s)
                    return false;
            }
            return true;
        }(),
        SlowMs);
    // Delivered directly: nobody carried them.
    for (const QString &id : ids)
        QVERIFY(!lastStates(alice).value(id).contains(u"via"_s));
    QCOMPARE(textsFrom(*bob, aliceId), sent);
}

void tst_HoldCli::switchesAndHeldCommand()
{
    // The commands' answers and errors, on one process.
    QTemporaryDir dir;
    CliProcess cli(QStringLiteral(SHOAL_CLI_PATH), cliArguments(dir.path(), u"Solo"_s));
    QTRY_VERIFY(cli.port() > 0);
    const QString someone(64, u'b');
    cli.send(
        {{u"cmd"_s, u"allow-relay"_s}, {u"peer"_s, someone}, {u"relay"_s, true}, {u"ref"_s, 1}});
    QTRY_VERIFY(!answerTo(cli, 1).isEmpty());
    QCOMPARE(answerTo(cli, 1).value(u"event"_s).toString(), u"allow-relay"_s);
    QCOMPARE(answerTo(cli, 1).value(u"relay"_s).toBool(), true);
    QCOMPARE(answerTo(cli, 1).value(u"hold"_s).toBool(), false);
    cli.send({{u"cmd"_s, u"allow-hold"_s}, {u"peer"_s, someone}, {u"hold"_s, true}, {u"ref"_s, 2}});
    QTRY_VERIFY(!answerTo(cli, 2).isEmpty());
    QCOMPARE(answerTo(cli, 2).value(u"relay"_s).toBool(), true);
    QCOMPARE(answerTo(cli, 2).value(u"hold"_s).toBool(), true);
    cli.send(
        {{u"cmd"_s, u"allow-relay"_s}, {u"peer"_s, someone}, {u"relay"_s, false}, {u"ref"_s, 3}});
    QTRY_VERIFY(!answerTo(cli, 3).isEmpty());
    QCOMPARE(answerTo(cli, 3).value(u"relay"_s).toBool(), false);
    QCOMPARE(answerTo(cli, 3).value(u"hold"_s).toBool(), true);
    // Not a peer ID, our own ID, a switch that is not a bool: errors.
    cli.send({{u"cmd"_s, u"allow-relay"_s}, {u"peer"_s, u"carol"_s}, {u"ref"_s, 4}});
    cli.send({{u"cmd"_s, u"allow-hold"_s}, {u"peer"_s, cli.id()}, {u"ref"_s, 5}});
    cli.send({{u"cmd"_s, u"allow-hold"_s}, {u"peer"_s, someone}, {u"hold"_s, 1}, {u"ref"_s, 6}});
    for (int ref : {4, 5, 6}) {
        QTRY_VERIFY(!answerTo(cli, ref).isEmpty());
        QCOMPARE(answerTo(cli, ref).value(u"event"_s).toString(), u"error"_s);
    }
    QCOMPARE(heldItems(cli, 7).size(), 0);
    QVERIFY(quit(cli));
    // The switches are kept in the profile.
    CliProcess again(QStringLiteral(SHOAL_CLI_PATH), cliArguments(dir.path(), u"Solo"_s));
    QTRY_VERIFY(again.port() > 0);
    again.send(
        {{u"cmd"_s, u"allow-relay"_s}, {u"peer"_s, someone}, {u"relay"_s, false}, {u"ref"_s, 8}});
    QTRY_VERIFY(!answerTo(again, 8).isEmpty());
    QCOMPARE(answerTo(again, 8).value(u"hold"_s).toBool(), true);
}

QTEST_GUILESS_MAIN(tst_HoldCli)
#include "tst_holdcli.moc"
