// SPDX-License-Identifier: GPL-3.0-or-later
// The typed dispatcher: each type reaches its one handler, a type nobody handles is logged and
// not lost in silence, and the running Messenger handles every type that is not the session's.
#include "identity/identity.h"
#include "messenger/messenger.h"
#include "net/dispatcher.h"

#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Dispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachTypeReachesItsHandler();
    void unhandledTypeIsLogged();
    void messengerHandlesEveryNonSessionType();
};

void tst_Dispatcher::eachTypeReachesItsHandler()
{
    Dispatcher d;
    QList<QUuid> acks;
    QList<QUuid> reads;
    QString from;
    d.on<Protocol::Ack>([&](const QString &peerId, const Protocol::Ack &ack) {
        from = peerId;
        acks.append(ack.id);
    });
    d.on<Protocol::Read>(
        [&](const QString &, const Protocol::Read &read) { reads.append(read.id); });
    QVERIFY(d.handles<Protocol::Ack>());
    QVERIFY(d.handles<Protocol::Read>());
    QVERIFY(!d.handles<Protocol::Chat>());

    const QUuid a = QUuid::createUuid();
    const QUuid r = QUuid::createUuid();
    d.dispatch(u"peer"_s, Protocol::Ack{a});
    d.dispatch(u"peer"_s, Protocol::Read{r});
    // Ack and Read have the same shape: told apart by type, not by content.
    QCOMPARE(acks, QList<QUuid>{a});
    QCOMPARE(reads, QList<QUuid>{r});
    QCOMPARE(from, u"peer"_s);
}

void tst_Dispatcher::unhandledTypeIsLogged()
{
    Dispatcher d;
    QVERIFY(d.unhandled().contains(Dispatcher::nameOf<Protocol::Chat>()));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"no handler for .*Chat.*ignored"_s));
    d.dispatch(u"peer"_s,
               Protocol::Chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"hi"_s});
    // The names are readable: a failing check below says which type lacks a handler.
    QVERIFY2(Dispatcher::nameOf<Protocol::Chat>().endsWith(u"Chat"_s),
             qPrintable(Dispatcher::nameOf<Protocol::Chat>()));
}

void tst_Dispatcher::messengerHandlesEveryNonSessionType()
{
    QString error;
    const auto identity = Identity::generate(&error);
    QVERIFY2(identity, qPrintable(error));
    Messenger messenger(*identity, MessengerConfig{});
    // The session's own messages stay in PeerConnection; every other type has a handler,
    // Unknown included (ignored on purpose), so a new type cannot be dropped unnoticed.
    const QStringList session{Dispatcher::nameOf<Protocol::Hello>(),
                              Dispatcher::nameOf<Protocol::Ping>(),
                              Dispatcher::nameOf<Protocol::Pong>(),
                              Dispatcher::nameOf<Protocol::Bye>()};
    QStringList missing = messenger.dispatcher().unhandled();
    for (const QString &name : session)
        missing.removeAll(name);
    QVERIFY2(missing.isEmpty(), qPrintable(u"no handler for: "_s + missing.join(u", "_s)));
    QVERIFY(messenger.dispatcher().handles<Protocol::Chat>());
    QVERIFY(messenger.dispatcher().handles<Protocol::Unknown>());
}

QTEST_GUILESS_MAIN(tst_Dispatcher)
#include "tst_dispatcher.moc"
