// SPDX-License-Identifier: GPL-3.0-or-later
// E-mail notices (issue 16): MailNotices' decisions, with a fake mail transport and clock.
#include "mail/mailnotices.h"
#include "mail/mailprofile.h"
#include "mail/mailtransport.h"
#include "storage/messagestore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Bob = QString(64, u'b');
const QString Carol = QString(64, u'c');
const QString Dave = QString(64, u'd');

class FakeTransport final : public MailTransport
{
public:
    quint64 send(const MailMessage &message) override
    {
        sent.append(message);
        tickets.append(++last);
        return last;
    }
    void answer(int index, const QString &error = {}) { Q_EMIT finished(tickets.at(index), error); }
    QList<MailMessage> sent;
    QList<quint64> tickets;
    quint64 last = 100;
};

QString bodyText(const MailMessage &m)
{
    return m.body;
}

} // namespace

class tst_MailNotices : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void noticeAfterTheWaitOnce();
    void nothingWhileOff();
    void noneWithoutAddress();
    void noneWhenDeliveredInTime();
    void laterMessagesGetTheirOwnNotice();
    void restartDoesNotMailAgain();
    void failureRetriedWithBackoff();
    void textOnlyWhenAsked();

private:
    ChatMessage queue(const QString &peer, const QString &text);
    std::unique_ptr<MailNotices> makeNotices(MailProfile &profile);
    MailSettings settings(bool includeText = false) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<MailProfile> m_profile;
    FakeTransport m_transport;
    QDateTime m_now;
    QHash<QString, QString> m_addresses;
};

void tst_MailNotices::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<MessageStore>();
    QString error;
    QVERIFY2(m_store->open(u":memory:"_s, &error), qPrintable(error));
    m_profile = std::make_unique<MailProfile>(m_dir->path());
    m_transport.sent.clear();
    m_transport.tickets.clear();
    m_now = QDateTime(QDate(2026, 12, 6), QTime(9, 0), Qt::UTC);
    m_addresses = {{Bob, u"bob@example.org"_s}, {Dave, u"dave@example.org"_s}};
}

void tst_MailNotices::cleanup()
{
    m_profile.reset();
    m_store.reset();
    m_dir.reset();
}

MailSettings tst_MailNotices::settings(bool includeText) const
{
    MailSettings s;
    s.enabled = true;
    s.host = u"127.0.0.1"_s;
    s.port = 2525;
    s.security = MailSettings::Security::None;
    s.fromAddress = u"alice@example.com"_s;
    s.waitSeconds = 3600;
    s.includeText = includeText;
    return s;
}

ChatMessage tst_MailNotices::queue(const QString &peer, const QString &text)
{
    ChatMessage m;
    m.id = newMessageId();
    m.peerId = peer;
    m.outgoing = true;
    m.sentAt = m_now;
    m.receivedAt = m_now;
    m.text = text;
    m.state = MessageState::Queued;
    m_store->addOutgoing(m);
    m_store->flush();
    return *m_store->message(MessageKey{m.id, peer, true});
}

std::unique_ptr<MailNotices> tst_MailNotices::makeNotices(MailProfile &profile)
{
    auto notices = std::make_unique<MailNotices>(*m_store, m_transport, profile);
    notices->setClock([this] { return m_now; });
    notices->setOwnName(u"Alice"_s);
    notices->setAddressBook([this] { return m_addresses; });
    return notices;
}

void tst_MailNotices::noticeAfterTheWaitOnce()
{
    QVERIFY(m_profile->setSettings(settings(), nullptr));
    auto notices = makeNotices(*m_profile);
    QSignalSpy sent(notices.get(), &MailNotices::sent);
    queue(Bob, u"one"_s);
    m_now = m_now.addSecs(60);
    queue(Bob, u"two"_s);
    queue(Bob, u"three"_s);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 0); // not waited long enough
    m_now = m_now.addSecs(3600 - 60);     // the first has waited exactly the wait
    notices->check();
    QCOMPARE(m_transport.sent.size(), 0);
    m_now = m_now.addSecs(1);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 1);
    const MailMessage &m = m_transport.sent.first();
    QCOMPARE(m.toAddress, u"bob@example.org"_s);
    QCOMPARE(m.fromAddress, u"alice@example.com"_s);
    QCOMPARE(m.subject, u"Alice sent you 3 message(s) in Shoal"_s);
    QVERIFY(!m.build().isEmpty());
    // While it is being sent, and after, nothing more for those messages.
    notices->check();
    QCOMPARE(m_transport.sent.size(), 1);
    m_transport.answer(0);
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.first().at(0).toString(), Bob);
    QCOMPARE(sent.first().at(1).toInt(), 3);
    m_now = m_now.addSecs(10 * 3600);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 1);
}

void tst_MailNotices::nothingWhileOff()
{
    MailSettings s = settings();
    s.enabled = false;
    QVERIFY(m_profile->setSettings(s, nullptr));
    auto notices = makeNotices(*m_profile);
    queue(Bob, u"one"_s);
    m_now = m_now.addSecs(5 * 3600);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 0);
    // Turned on: it goes at once.
    QVERIFY(m_profile->setSettings(settings(), nullptr));
    notices->settingsChanged();
    QCOMPARE(m_transport.sent.size(), 1);
}

void tst_MailNotices::noneWithoutAddress()
{
    QVERIFY(m_profile->setSettings(settings(), nullptr));
    auto notices = makeNotices(*m_profile);
    queue(Carol, u"for carol, who has no address"_s);
    queue(Bob, u"for bob"_s);
    m_now = m_now.addSecs(2 * 3600);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 1);
    QCOMPARE(m_transport.sent.first().toAddress, u"bob@example.org"_s);
    // An address given later: now Carol gets hers.
    m_addresses.insert(Carol, u"carol@example.org"_s);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 2);
    QCOMPARE(m_transport.sent.at(1).toAddress, u"carol@example.org"_s);
}

void tst_MailNotices::noneWhenDeliveredInTime()
{
    QVERIFY(m_profile->setSettings(settings(), nullptr));
    auto notices = makeNotices(*m_profile);
    const ChatMessage m = queue(Bob, u"delivered soon"_s);
    m_now = m_now.addSecs(600);
    m_store->setState(m, MessageState::Delivered);
    m_store->flush();
    m_now = m_now.addSecs(5 * 3600);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 0);
}

void tst_MailNotices::laterMessagesGetTheirOwnNotice()
{
    QVERIFY(m_profile->setSettings(settings(), nullptr));
    auto notices = makeNotices(*m_profile);
    queue(Bob, u"first"_s);
    m_now = m_now.addSecs(3601);
    notices->check();
    m_transport.answer(0);
    queue(Bob, u"second"_s);
    queue(Bob, u"third"_s);
    m_now = m_now.addSecs(1800);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 1); // the new ones have not waited long enough
    m_now = m_now.addSecs(1801);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 2);
    QCOMPARE(m_transport.sent.at(1).subject, u"Alice sent you 2 message(s) in Shoal"_s);
}

void tst_MailNotices::restartDoesNotMailAgain()
{
    QVERIFY(m_profile->setSettings(settings(), nullptr));
    {
        auto notices = makeNotices(*m_profile);
        queue(Bob, u"one"_s);
        m_now = m_now.addSecs(3601);
        notices->check();
        m_transport.answer(0);
    }
    MailProfile again(m_dir->path());
    QCOMPARE(again.settings(), settings());
    auto notices = makeNotices(again);
    m_now = m_now.addSecs(3600);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 1);
}

void tst_MailNotices::failureRetriedWithBackoff()
{
    QVERIFY(m_profile->setSettings(settings(), nullptr));
    auto notices = makeNotices(*m_profile);
    QSignalSpy failed(notices.get(), &MailNotices::failed);
    QSignalSpy sent(notices.get(), &MailNotices::sent);
    queue(Bob, u"one"_s);
    m_now = m_now.addSecs(3601);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 1);
    m_transport.answer(0, u"The mail server 127.0.0.1 did not answer in time."_s);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(0).toString(), Bob);
    QCOMPARE(failed.first().at(1).toString(),
             u"The mail server 127.0.0.1 did not answer in time."_s);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 1); // not at once
    m_now = m_now.addSecs(61);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 2); // after a minute
    m_transport.answer(1, u"again"_s);
    m_now = m_now.addSecs(61);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 2); // the second wait is two minutes
    m_now = m_now.addSecs(60);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 3);
    m_transport.answer(2);
    QCOMPARE(sent.size(), 1);
    QCOMPARE(failed.size(), 2);
    m_now = m_now.addSecs(3 * 3600);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 3);
}

void tst_MailNotices::textOnlyWhenAsked()
{
    QVERIFY(m_profile->setSettings(settings(false), nullptr));
    auto notices = makeNotices(*m_profile);
    queue(Bob, u"the secret plan"_s);
    queue(Dave, u"lunch at noon?\nor later"_s);
    m_now = m_now.addSecs(3601);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 2);
    for (const MailMessage &m : std::as_const(m_transport.sent)) {
        QVERIFY(!bodyText(m).contains(u"secret"_s));
        QVERIFY(!bodyText(m).contains(u"lunch"_s));
        QVERIFY(bodyText(m).contains(u"Alice sent you 1 message(s) in Shoal"_s));
    }
    m_transport.answer(0);
    m_transport.answer(1);

    // On: a new message's text is in its notice (and only that message's).
    QVERIFY(m_profile->setSettings(settings(true), nullptr));
    notices->settingsChanged();
    queue(Dave, u"dinner instead"_s);
    m_now = m_now.addSecs(3601);
    notices->check();
    QCOMPARE(m_transport.sent.size(), 3);
    const QString body = bodyText(m_transport.sent.at(2));
    QVERIFY(body.contains(u"dinner instead"_s));
    QVERIFY(!body.contains(u"lunch"_s));
    QCOMPARE(m_transport.sent.at(2).toAddress, u"dave@example.org"_s);
}

QTEST_GUILESS_MAIN(tst_MailNotices)
#include "tst_mailnotices.moc"
