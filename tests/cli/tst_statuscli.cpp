// SPDX-License-Identifier: GPL-3.0-or-later
// Presence between shoal-cli processes (issue 15): the status command, a peer's status and
// status text in "peer" events and the "peers" answer, bad input refused, kept in the profile.
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
    explicit CliPeer(const QString &profile, const QStringList &extra = {})
        : CliProcess(QStringLiteral(SHOAL_CLI_PATH),
                     QStringList{u"--profile"_s,
                                 profile,
                                 u"--listen"_s,
                                 u"127.0.0.1"_s,
                                 u"--port"_s,
                                 u"0"_s,
                                 u"--no-discovery"_s}
                         + extra)
    {}

    // The last "peer" event about `id`.
    QJsonObject peerEvent(const QString &id) const
    {
        QJsonObject last;
        for (const QJsonObject &e : all(u"peer"_s)) {
            if (e.value(u"id"_s).toString() == id)
                last = e;
        }
        return last;
    }
};

} // namespace

class tst_StatusCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statusSeenByAnotherCliPeer();
};

void tst_StatusCli::statusSeenByAnotherCliPeer()
{
    QTemporaryDir dirA, dirB;
    CliPeer bob(dirB.path(), {u"--name"_s, u"Bob"_s});
    QTRY_VERIFY(!bob.id().isEmpty());
    CliPeer alice(dirA.path(),
                  {u"--name"_s, u"Alice"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(bob.port())});
    QTRY_VERIFY(alice.peerOnline(bob.id(), true));
    QTRY_VERIFY(bob.peerOnline(alice.id(), true));
    QCOMPARE(bob.peerEvent(alice.id()).value(u"status"_s).toString(), u"available"_s);
    QCOMPARE(bob.peerEvent(alice.id()).value(u"status_text"_s).toString(), QString());

    alice.send({{u"cmd"_s, u"status"_s},
                {u"status"_s, u"away"_s},
                {u"text"_s, u"at lunch until 13:00"_s},
                {u"ref"_s, 1}});
    QTRY_COMPARE(bob.peerEvent(alice.id()).value(u"status"_s).toString(), u"away"_s);
    QCOMPARE(bob.peerEvent(alice.id()).value(u"status_text"_s).toString(),
             u"at lunch until 13:00"_s);
    const QJsonObject reply = alice.event(u"status"_s);
    QCOMPARE(reply.value(u"status"_s).toString(), u"away"_s);
    QCOMPARE(reply.value(u"text"_s).toString(), u"at lunch until 13:00"_s);
    QCOMPARE(reply.value(u"ref"_s).toInt(), 1);

    // Only the status: the text stays.
    alice.send({{u"cmd"_s, u"status"_s}, {u"status"_s, u"busy"_s}});
    QTRY_COMPARE(bob.peerEvent(alice.id()).value(u"status"_s).toString(), u"busy"_s);
    QCOMPARE(bob.peerEvent(alice.id()).value(u"status_text"_s).toString(),
             u"at lunch until 13:00"_s);

    // Bad input: an error each, nothing changes.
    alice.send({{u"cmd"_s, u"status"_s}, {u"status"_s, u"asleep"_s}});
    alice.send({{u"cmd"_s, u"status"_s}, {u"status"_s, 3}});
    alice.send({{u"cmd"_s, u"status"_s}, {u"text"_s, true}});
    QTRY_COMPARE(alice.all(u"error"_s).size(), 3);

    // The peers answer says it too.
    bob.send({{u"cmd"_s, u"peers"_s}});
    QTRY_VERIFY(!bob.event(u"peers"_s).isEmpty());
    const QJsonArray peers = bob.event(u"peers"_s).value(u"peers"_s).toArray();
    QCOMPARE(peers.size(), 1);
    QCOMPARE(peers.at(0).toObject().value(u"status"_s).toString(), u"busy"_s);
    QCOMPARE(peers.at(0).toObject().value(u"status_text"_s).toString(), u"at lunch until 13:00"_s);

    // Kept in the profile: after a restart Alice is still busy, and Bob sees it on connecting.
    alice.send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(alice.process.waitForFinished(5000));
    QTRY_VERIFY(bob.peerOnline(alice.id(), false));
    CliPeer again(dirA.path(), {u"--connect"_s, u"127.0.0.1:%1"_s.arg(bob.port())});
    again.send({{u"cmd"_s, u"status"_s}});
    QTRY_VERIFY(!again.event(u"status"_s).isEmpty());
    QCOMPARE(again.event(u"status"_s).value(u"status"_s).toString(), u"busy"_s);
    QTRY_VERIFY(bob.peerOnline(alice.id(), true));
    QTRY_COMPARE(bob.peerEvent(alice.id()).value(u"status"_s).toString(), u"busy"_s);
    QVERIFY(alice.badLines.isEmpty());
    QVERIFY(bob.badLines.isEmpty());
}

QTEST_GUILESS_MAIN(tst_StatusCli)
#include "tst_statuscli.moc"
