// SPDX-License-Identifier: GPL-3.0-or-later
// CarryStore (issue 16): switches, cards, certificates, envelopes held for others with their
// quotas and expiry, opened envelopes; on disk across a reopen.
#include "identity/identity.h"
#include "protocol/messages.h"
#include "relay/carrystore.h"
#include "relay/envelope.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Now = 1'800'000'000'000; // a fixed clock: ms since epoch
constexpr qint64 Hour = 3'600'000;

QString peer(char c)
{
    return QString(64, QLatin1Char(c));
}

const QString Author = peer('a');

QByteArray eid(int n)
{
    QByteArray id(Protocol::EnvelopeIdBytes, '\0');
    id[0] = char(n & 0xff);
    id[1] = char((n >> 8) & 0xff);
    id[15] = 'e';
    return id;
}

CarryStore::HeldEnvelope envelope(int n,
                                  const QString &recipient,
                                  const QString &author,
                                  qint64 size = 100,
                                  qint64 expires = Now + Hour)
{
    CarryStore::HeldEnvelope e;
    e.id = eid(n);
    e.recipient = recipient;
    e.author = author;
    e.expiresAt = expires;
    e.envelope = QByteArray(size, char('a' + n % 26));
    return e;
}

QList<QByteArray> idsOf(const QList<CarryStore::HeldEnvelope> &list)
{
    QList<QByteArray> out;
    for (const auto &e : list)
        out.append(e.id);
    return out;
}

} // namespace

class tst_CarryStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void switchesDefaultOffAndPersist();
    void cardsAndCertificates();
    void notOurs();
    void holdKeepsAndPages();
    void duplicates();
    void tooBigAndExpiry();
    void quotaPerAuthor();
    void quotaInAll();
    void dropOnlyForTheRecipient();
    void dropExpired();
    void opened();
    void twoStoresAtOnce();
    void switchesThroughAFailingDisk();
};

void tst_CarryStore::switchesDefaultOffAndPersist()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = CarryStore::pathIn(dir.path());
    QCOMPARE(path, dir.filePath(u"relay.sqlite"_s));
    {
        CarryStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QCOMPARE(store.allowed(peer('a')), CarryStore::Switches{});
        QCOMPARE(store.granted(peer('a')), CarryStore::Switches{});
        QVERIFY(store.setAllowed(peer('a'), {true, false}));
        QVERIFY(store.setAllowed(peer('b'), {false, true}));
        QVERIFY(store.setAllowed(peer('b'), {true, true})); // the last one counts
        QVERIFY(store.setGranted(peer('c'), {false, true}));
        QVERIFY(store.hold(envelope(1, peer('b'), peer('a')), Now) == CarryStore::HoldResult::Kept);
        QVERIFY(store.markOpened(Author, eid(9), Now + Hour));
    }
    CarryStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QCOMPARE(store.allowed(peer('a')), (CarryStore::Switches{true, false}));
    QCOMPARE(store.allowed(peer('b')), (CarryStore::Switches{true, true}));
    QCOMPARE(store.allowed(peer('c')), CarryStore::Switches{});
    QCOMPARE(store.granted(peer('c')), (CarryStore::Switches{false, true}));
    QCOMPARE(store.granted(peer('a')), CarryStore::Switches{});
    const auto all = store.allAllowed();
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.value(peer('b')), (CarryStore::Switches{true, true}));
    // What was held survives the restart, bytes and all.
    const auto held = store.heldFor(peer('b'), 10);
    QCOMPARE(held.size(), 1);
    QCOMPARE(held.first().envelope, envelope(1, peer('b'), peer('a')).envelope);
    QCOMPARE(held.first().author, peer('a'));
    QCOMPARE(held.first().receivedAt, Now);
    QVERIFY(store.wasOpened(Author, eid(9)));
    QVERIFY(!store.wasOpened(Author, eid(8)));
    // By author: another's envelope under the same eid (in clear, so anyone who carried it
    // knows it) is not taken for the first one's replay.
    QVERIFY(!store.wasOpened(peer('c'), eid(9)));
}

void tst_CarryStore::cardsAndCertificates()
{
    QString error;
    const auto alice = Identity::generate(&error);
    QVERIFY2(alice, qPrintable(error));
    const QByteArray der = alice->certificate().toDer();

    CarryStore store;
    QVERIFY(store.open({}, &error)); // in memory
    QVERIFY(store.email(peer('a')).isEmpty());
    QVERIFY(store.setEmail(peer('a'), u"alice@example.org"_s));
    QCOMPARE(store.email(peer('a')), u"alice@example.org"_s);
    QCOMPARE(store.emails().size(), 1);
    QVERIFY(store.setEmail(peer('a'), {}));
    QVERIFY(store.email(peer('a')).isEmpty());
    QVERIFY(store.emails().isEmpty());

    QVERIFY(store.certificate(alice->id()).isEmpty());
    // A certificate that is not the one the ID names is refused.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"carry store: certificate.*"_s));
    QVERIFY(!store.saveCertificate(peer('a'), der));
    QVERIFY(store.certificate(peer('a')).isEmpty());
    QVERIFY(store.saveCertificate(alice->id(), der));
    QCOMPARE(store.certificate(alice->id()), der);
    QVERIFY(store.saveCertificate(alice->id(), der)); // again: still one
    QCOMPARE(store.certificate(alice->id()), der);
}

void tst_CarryStore::notOurs()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"relay.sqlite"_s);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(4096, 'x'));
    f.close();
    CarryStore store;
    QString error;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"carry store:.*"_s));
    QVERIFY(!store.open(path, &error));
    QVERIFY(!error.isEmpty());
    // Nothing works, nothing crashes.
    QVERIFY(!store.setAllowed(peer('a'), {true, true}));
    QVERIFY(store.hold(envelope(1, peer('b'), peer('a')), Now) == CarryStore::HoldResult::Error);

    // A newer schema is not ours either.
    const QString newer = dir.filePath(u"newer.sqlite"_s);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"newer"_s);
        db.setDatabaseName(newer);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"PRAGMA user_version = 7"_s));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"newer"_s);
    CarryStore store2;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"carry store:.*newer.*"_s));
    QVERIFY(!store2.open(newer, &error));
}

void tst_CarryStore::holdKeepsAndPages()
{
    CarryStore store;
    QString error;
    QVERIFY(store.open({}, &error));
    QVERIFY(!store.holdsFor(peer('b')));
    // Interleaved for two recipients, received at increasing times.
    for (int i = 0; i < 10; ++i) {
        const QString to = i % 2 ? peer('c') : peer('b');
        QVERIFY(store.hold(envelope(i, to, peer('a'), 50 + i), Now + i)
                == CarryStore::HoldResult::Kept);
    }
    QVERIFY(store.holdsFor(peer('b')));
    QVERIFY(store.holdsFor(peer('c')));
    QVERIFY(!store.holdsFor(peer('a')));

    auto page = store.heldFor(peer('b'), 2);
    QCOMPARE(idsOf(page), (QList<QByteArray>{eid(0), eid(2)}));
    QCOMPARE(page.at(1).size, 52);
    QCOMPARE(page.at(1).envelope.size(), 52);
    page = store.heldFor(peer('b'), 2, eid(2));
    QCOMPARE(idsOf(page), (QList<QByteArray>{eid(4), eid(6)}));
    page = store.heldFor(peer('b'), 10, eid(6));
    QCOMPARE(idsOf(page), (QList<QByteArray>{eid(8)}));
    QVERIFY(store.heldFor(peer('b'), 10, eid(8)).isEmpty());
    // Another recipient's eid is no anchor for this one.
    QCOMPARE(idsOf(store.heldFor(peer('b'), 1, eid(1))), (QList<QByteArray>{eid(0)}));
    QVERIFY(store.heldFor(peer('b'), 0).isEmpty());

    const auto summary = store.heldSummary();
    QCOMPARE(summary.size(), 10);
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(summary.at(i).id, eid(i));
        QVERIFY(summary.at(i).envelope.isEmpty()); // never the bytes
        QCOMPARE(summary.at(i).size, 50 + i);
        QCOMPARE(summary.at(i).expiresAt, Now + Hour);
    }
}

void tst_CarryStore::duplicates()
{
    CarryStore store;
    QString error;
    QVERIFY(store.open({}, &error));
    QVERIFY(store.hold(envelope(1, peer('b'), peer('a')), Now) == CarryStore::HoldResult::Kept);
    // The same envelope again, from the same author or another: kept once.
    QVERIFY(store.hold(envelope(1, peer('b'), peer('a')), Now) == CarryStore::HoldResult::Duplicate);
    QVERIFY(store.hold(envelope(1, peer('b'), peer('d')), Now) == CarryStore::HoldResult::Duplicate);
    // Another envelope under an eid already kept (an eid is in clear: a peer that saw one
    // spends it first): not "kept", or its depositor would count on a copy that is not here.
    QVERIFY(store.hold(envelope(1, peer('b'), peer('d'), 200), Now)
            == CarryStore::HoldResult::Conflict);
    CarryStore::HeldEnvelope other = envelope(1, peer('c'), peer('a'));
    QVERIFY(store.hold(other, Now) == CarryStore::HoldResult::Conflict);
    QCOMPARE(store.heldSummary().size(), 1);
    QCOMPARE(store.heldSummary().first().author, peer('a'));
}

void tst_CarryStore::tooBigAndExpiry()
{
    CarryStore store;
    QString error;
    QVERIFY(store.open({}, &error));
    using R = CarryStore::HoldResult;
    QVERIFY(store.hold(envelope(1, peer('b'), peer('a'), Protocol::MaxEnvelopeBytes + 1), Now)
            == R::TooBig);
    QVERIFY(store.hold(envelope(2, peer('b'), peer('a'), Protocol::MaxEnvelopeBytes), Now)
            == R::Kept);
    QVERIFY(store.hold(envelope(3, peer('b'), peer('a'), 10, Now), Now) == R::Expired);
    QVERIFY(store.hold(envelope(4, peer('b'), peer('a'), 10, Now - 1), Now) == R::Expired);
    // At most 7 days away (and the clock slack).
    QVERIFY(store.hold(envelope(5, peer('b'), peer('a'), 10, Now + Relay::MaxLifetimeMs), Now)
            == R::Kept);
    QVERIFY(store.hold(envelope(6,
                                peer('b'),
                                peer('a'),
                                10,
                                Now + Relay::MaxLifetimeMs + Relay::ClockSlackMs + 1),
                       Now)
            == R::Expired);
    QCOMPARE(idsOf(store.heldSummary()), (QList<QByteArray>{eid(2), eid(5)}));
}

void tst_CarryStore::quotaPerAuthor()
{
    CarryStore store;
    QString error;
    QVERIFY(store.open({}, &error));
    CarryStore::Limits limits;
    limits.perAuthorCount = 3;
    limits.perAuthorBytes = 1000;
    store.setLimits(limits);
    QCOMPARE(store.limits().perAuthorCount, 3);
    using R = CarryStore::HoldResult;
    // Count: 3 from Alice's connection, for any recipients.
    QVERIFY(store.hold(envelope(1, peer('b'), peer('a')), Now) == R::Kept);
    QVERIFY(store.hold(envelope(2, peer('c'), peer('a')), Now) == R::Kept);
    QVERIFY(store.hold(envelope(3, peer('b'), peer('a')), Now) == R::Kept);
    QVERIFY(store.hold(envelope(4, peer('b'), peer('a')), Now) == R::Quota);
    // Dave's are counted apart: bytes, 1000 at most.
    QVERIFY(store.hold(envelope(5, peer('b'), peer('d'), 600), Now) == R::Kept);
    QVERIFY(store.hold(envelope(6, peer('b'), peer('d'), 401), Now) == R::Quota);
    QVERIFY(store.hold(envelope(7, peer('b'), peer('d'), 400), Now) == R::Kept);
    // Room again once Bob has some of Alice's.
    QCOMPARE(store.drop(peer('b'), {eid(1)}), 1);
    QVERIFY(store.hold(envelope(4, peer('b'), peer('a')), Now) == R::Kept);
    QCOMPARE(store.heldSummary().size(), 5);
}

void tst_CarryStore::quotaInAll()
{
    CarryStore store;
    QString error;
    QVERIFY(store.open({}, &error));
    CarryStore::Limits limits;
    limits.totalCount = 4;
    limits.totalBytes = 1000;
    store.setLimits(limits);
    using R = CarryStore::HoldResult;
    QVERIFY(store.hold(envelope(1, peer('b'), peer('a'), 100), Now) == R::Kept);
    QVERIFY(store.hold(envelope(2, peer('b'), peer('d'), 100), Now) == R::Kept);
    QVERIFY(store.hold(envelope(3, peer('b'), peer('e'), 700), Now) == R::Kept);
    // 900 held: 101 more bytes is over, from anyone.
    QVERIFY(store.hold(envelope(4, peer('b'), peer('f'), 101), Now) == R::Quota);
    QVERIFY(store.hold(envelope(4, peer('b'), peer('f'), 100), Now) == R::Kept);
    // Four held: a fifth is over, however small.
    QVERIFY(store.hold(envelope(5, peer('c'), peer('g'), 1), Now) == R::Quota);
    QCOMPARE(store.heldSummary().size(), 4);
}

void tst_CarryStore::dropOnlyForTheRecipient()
{
    CarryStore store;
    QString error;
    QVERIFY(store.open({}, &error));
    QVERIFY(store.hold(envelope(1, peer('b'), peer('a')), Now) == CarryStore::HoldResult::Kept);
    QVERIFY(store.hold(envelope(2, peer('b'), peer('a')), Now) == CarryStore::HoldResult::Kept);
    QVERIFY(store.hold(envelope(3, peer('c'), peer('a')), Now) == CarryStore::HoldResult::Kept);
    // Someone else's `got` (Carol's, Mallory's, the author's) drops nothing of Bob's.
    QCOMPARE(store.drop(peer('c'), {eid(1), eid(2)}), 0);
    QCOMPARE(store.drop(peer('a'), {eid(1)}), 0);
    QCOMPARE(store.heldSummary().size(), 3);
    // Bob's drops his, and only those named; unknown ones are ignored.
    QCOMPARE(store.drop(peer('b'), {eid(2), eid(3), eid(42)}), 1);
    QCOMPARE(idsOf(store.heldSummary()), (QList<QByteArray>{eid(1), eid(3)}));
    QCOMPARE(store.drop(peer('b'), {}), 0);
    // Again: nothing more.
    QCOMPARE(store.drop(peer('b'), {eid(2)}), 0);
    // A page anchored at a dropped envelope starts from the oldest again.
    QCOMPARE(idsOf(store.heldFor(peer('b'), 10, eid(2))), (QList<QByteArray>{eid(1)}));
}

void tst_CarryStore::dropExpired()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = CarryStore::pathIn(dir.path());
    {
        CarryStore store;
        QString error;
        QVERIFY(store.open(path, &error));
        QVERIFY(store.hold(envelope(1, peer('b'), peer('a'), 10, Now + Hour), Now)
                == CarryStore::HoldResult::Kept);
        QVERIFY(store.hold(envelope(2, peer('b'), peer('a'), 10, Now + 2 * Hour), Now)
                == CarryStore::HoldResult::Kept);
        QVERIFY(store.hold(envelope(3, peer('c'), peer('a'), 10, Now + 3 * Hour), Now)
                == CarryStore::HoldResult::Kept);
        QVERIFY(store.markOpened(Author, eid(7), Now + Hour));
        QVERIFY(store.markOpened(Author, eid(8), Now + 3 * Hour));
        QCOMPARE(store.dropExpired(Now), 0);
    }
    CarryStore store;
    QString error;
    QVERIFY(store.open(path, &error));
    // Held: gone at their expiry. Opened: kept past it by the clock slack (a late copy is
    // still refused as a replay).
    QCOMPARE(store.dropExpired(Now + Hour + Relay::ClockSlackMs), 1);
    QVERIFY(store.wasOpened(Author, eid(7)));
    QCOMPARE(store.dropExpired(Now + Hour + Relay::ClockSlackMs + 1), 0);
    QVERIFY(!store.wasOpened(Author, eid(7)));
    QCOMPARE(store.dropExpired(Now + 2 * Hour), 1);
    QCOMPARE(idsOf(store.heldSummary()), (QList<QByteArray>{eid(3)}));
    QVERIFY(!store.holdsFor(peer('b')));
    QVERIFY(store.holdsFor(peer('c')));
    QVERIFY(store.wasOpened(Author, eid(8)));
}

void tst_CarryStore::opened()
{
    CarryStore store;
    QString error;
    QVERIFY(store.open({}, &error));
    QVERIFY(!store.wasOpened(Author, eid(1)));
    QVERIFY(store.markOpened(Author, eid(1), Now + Hour));
    QVERIFY(store.wasOpened(Author, eid(1)));
    QVERIFY(store.markOpened(Author, eid(1), Now + Hour)); // twice: still once
    QVERIFY(!store.wasOpened(Author, eid(2)));
    // Opened is not held: the two do not mix.
    QVERIFY(!store.holdsFor(peer('b')));
}

void tst_CarryStore::twoStoresAtOnce()
{
    // Each on its own connection: two profiles in one process (tests, the fake net).
    CarryStore a;
    CarryStore b;
    QString error;
    QVERIFY(a.open({}, &error));
    QVERIFY(b.open({}, &error));
    QVERIFY(a.setAllowed(peer('x'), {true, true}));
    QCOMPARE(b.allowed(peer('x')), CarryStore::Switches{});
    QCOMPARE(a.allowed(peer('x')), (CarryStore::Switches{true, true}));
}

void tst_CarryStore::switchesThroughAFailingDisk()
{
    // The switches are asked at every rly and env: they answer right whatever the disk does
    // meanwhile, a set that could not be written changes nothing, and what was written is what
    // a restart finds.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = CarryStore::pathIn(dir.path());
    // Another program on the same file (the test's hand), to make the disk fail under it.
    const auto onTheSide = [&path](const QString &sql) {
        const QString name = u"tst_carrystore-side"_s;
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(path);
            QSqlQuery q(db);
            ok = db.open() && q.exec(sql);
            if (!ok)
                qWarning() << sql << q.lastError().text();
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    };
    {
        CarryStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QVERIFY(store.setAllowed(peer('a'), {true, false}));
        QVERIFY(store.setAllowed(peer('b'), {false, true}));
        QVERIFY(store.setGranted(peer('b'), {true, true}));
        QVERIFY(store.setAllowed(peer('b'), {true, true})); // changed: the new answer
        QCOMPARE(store.allowed(peer('b')), (CarryStore::Switches{true, true}));

        // The tables are gone from under the store: nothing can be read or written there.
        QVERIFY(onTheSide(u"ALTER TABLE allow RENAME TO allow_away"_s));
        QVERIFY(onTheSide(u"ALTER TABLE granted RENAME TO granted_away"_s));
        QCOMPARE(store.allowed(peer('a')), (CarryStore::Switches{true, false}));
        QCOMPARE(store.allowed(peer('b')), (CarryStore::Switches{true, true}));
        QCOMPARE(store.granted(peer('b')), (CarryStore::Switches{true, true}));
        // A write that fails changes nothing.
        QVERIFY(!store.setAllowed(peer('a'), {false, false}));
        QVERIFY(!store.lastError().isEmpty());
        QVERIFY(!store.setAllowed(peer('c'), {true, true}));
        QVERIFY(!store.setGranted(peer('b'), {false, false}));
        QCOMPARE(store.allowed(peer('a')), (CarryStore::Switches{true, false}));
        QCOMPARE(store.allowed(peer('c')), CarryStore::Switches{});
        QCOMPARE(store.granted(peer('b')), (CarryStore::Switches{true, true}));
        QCOMPARE(store.allAllowed().size(), 2);
        QVERIFY(!store.allAllowed().contains(peer('c')));

        // Back: writes reach the disk and the answers again.
        QVERIFY(onTheSide(u"ALTER TABLE allow_away RENAME TO allow"_s));
        QVERIFY(onTheSide(u"ALTER TABLE granted_away RENAME TO granted"_s));
        QVERIFY(store.setAllowed(peer('a'), {false, true}));
        QCOMPARE(store.allowed(peer('a')), (CarryStore::Switches{false, true}));
    }
    // A restart finds what the last answers were.
    CarryStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QCOMPARE(store.allowed(peer('a')), (CarryStore::Switches{false, true}));
    QCOMPARE(store.allowed(peer('b')), (CarryStore::Switches{true, true}));
    QCOMPARE(store.allowed(peer('c')), CarryStore::Switches{});
    QCOMPARE(store.granted(peer('b')), (CarryStore::Switches{true, true}));
    QCOMPARE(store.allAllowed().size(), 2);
}

QTEST_GUILESS_MAIN(tst_CarryStore)
#include "tst_carrystore.moc"
