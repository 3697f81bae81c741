// SPDX-License-Identifier: GPL-3.0-or-later
// shoal-cli's history search (issue 15) between two shoal-cli processes on loopback.
#include "cliprocess.h"

#include <QJsonArray>
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

    QJsonObject reply(const QString &ref) const
    {
        return find([&](const QJsonObject &e) { return e.value(u"ref"_s).toString() == ref; });
    }
    // The reply to a command, waited for.
    QJsonObject ask(QJsonObject command, const QString &ref)
    {
        command.insert(u"ref"_s, ref);
        send(command);
        QTest::qWaitFor([&] { return !reply(ref).isEmpty(); }, 5000);
        return reply(ref);
    }
    QStringList texts() const
    {
        QStringList out;
        for (const QJsonObject &m : all(u"message"_s))
            out.append(m.value(u"text"_s).toString());
        return out;
    }
};

QStringList resultTexts(const QJsonObject &event)
{
    QStringList out;
    for (const QJsonValue &r : event.value(u"results"_s).toArray())
        out.append(r.toObject().value(u"text"_s).toString());
    return out;
}

} // namespace

class tst_SearchCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void searchFindsMessagesBothWays();
};

void tst_SearchCli::searchFindsMessagesBothWays()
{
    QTemporaryDir dirA, dirB;
    CliPeer alice(dirA.path(), u"Alice"_s);
    CliPeer bob(dirB.path(), u"Bob"_s);
    QTRY_VERIFY(!alice.id().isEmpty() && !bob.id().isEmpty());
    const QJsonObject invite = alice.ask({{u"cmd"_s, u"invite"_s}}, u"inv"_s);
    bob.send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, invite.value(u"link"_s)}});
    QTRY_VERIFY(bob.peerOnline(alice.id(), true));

    alice.send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob.id()}, {u"text"_s, u"午饭一起吃吗？"_s}});
    alice.send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob.id()}, {u"text"_s, u"Lunch at noon"_s}});
    QTRY_COMPARE(bob.texts(), (QStringList{u"午饭一起吃吗？"_s, u"Lunch at noon"_s}));
    bob.send({{u"cmd"_s, u"send"_s}, {u"to"_s, alice.id()}, {u"text"_s, u"好的，午饭见"_s}});
    QTRY_COMPARE(alice.texts(), QStringList{u"好的，午饭见"_s});

    // Newest first, theirs and ours, with who wrote them.
    QJsonObject found = bob.ask({{u"cmd"_s, u"search"_s}, {u"text"_s, u"午饭"_s}}, u"s1"_s);
    QCOMPARE(found.value(u"event"_s).toString(), u"search"_s);
    QCOMPARE(found.value(u"complete"_s).toBool(), true);
    QCOMPARE(resultTexts(found), (QStringList{u"好的，午饭见"_s, u"午饭一起吃吗？"_s}));
    const QJsonArray results = found.value(u"results"_s).toArray();
    const QJsonObject ours = results.at(0).toObject();
    const QJsonObject theirs = results.at(1).toObject();
    QCOMPARE(ours.value(u"with"_s).toString(), alice.id());
    QCOMPARE(ours.value(u"from"_s).toString(), bob.id());
    QCOMPARE(theirs.value(u"with"_s).toString(), alice.id());
    QCOMPARE(theirs.value(u"from"_s).toString(), alice.id());
    QCOMPARE(QUuid::fromString(theirs.value(u"id"_s).toString()).isNull(), false);
    QVERIFY(
        QDateTime::fromString(theirs.value(u"sent_at"_s).toString(), Qt::ISODateWithMs).isValid());

    found = bob.ask({{u"cmd"_s, u"search"_s},
                     {u"text"_s, u"LUNCH"_s},
                     {u"with"_s, alice.id()},
                     {u"limit"_s, 1}},
                    u"s2"_s);
    QCOMPARE(resultTexts(found), QStringList{u"Lunch at noon"_s});
    found = bob.ask({{u"cmd"_s, u"search"_s}, {u"text"_s, u"午饭"_s}, {u"limit"_s, 1}}, u"s3"_s);
    QCOMPARE(resultTexts(found), QStringList{u"好的，午饭见"_s});
    found = bob.ask({{u"cmd"_s, u"search"_s},
                     {u"text"_s, u"lunch"_s},
                     {u"with"_s, QString(64, u'c')}},
                    u"s4"_s);
    QCOMPARE(found.value(u"event"_s).toString(), u"search"_s);
    QCOMPARE(resultTexts(found), QStringList{});
    // Query syntax is text.
    found = bob.ask({{u"cmd"_s, u"search"_s}, {u"text"_s, u"\"lunch* OR NEAR("_s}}, u"s5"_s);
    QCOMPARE(found.value(u"event"_s).toString(), u"search"_s);
    QCOMPARE(resultTexts(found), QStringList{});

    // Bad input: an error event, nothing else.
    for (const QJsonObject &bad :
         {QJsonObject{{u"cmd"_s, u"search"_s}},
          QJsonObject{{u"cmd"_s, u"search"_s}, {u"text"_s, 5}},
          QJsonObject{{u"cmd"_s, u"search"_s}, {u"text"_s, u"  "_s}},
          QJsonObject{{u"cmd"_s, u"search"_s}, {u"text"_s, u"x"_s}, {u"with"_s, 7}},
          QJsonObject{{u"cmd"_s, u"search"_s}, {u"text"_s, u"x"_s}, {u"limit"_s, u"ten"_s}}}) {
        const QString ref = u"bad%1"_s.arg(bob.all(u"error"_s).size());
        const QJsonObject error = bob.ask(bad, ref);
        QCOMPARE(error.value(u"event"_s).toString(), u"error"_s);
        QVERIFY(!error.value(u"message"_s).toString().isEmpty());
    }
    QVERIFY(alice.badLines.isEmpty() && bob.badLines.isEmpty());
}

QTEST_GUILESS_MAIN(tst_SearchCli)
#include "tst_searchcli.moc"
