// SPDX-License-Identifier: GPL-3.0-or-later
// The roster without sockets, seen through PeerListModel: a connection makes a peer online
// and verified, its end takes it offline, a stranger only heard leaves no trace.
#include "faketransport.h"
#include "ipmsg/ipmsgpacket.h" // issue 17
#include "models/peerlistmodel.h"
#include "peers/roster.h"
#include "storage/messagestore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

static const QString Bob = u"b0b0"_s.repeated(16);
static const QString Eve = u"e0e0"_s.repeated(16);

class tst_Roster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void connectionMakesPeerOnline();
    void onlyHeardStrangerIsDropped();
    void unreadCounts();
    void dialProblemShownUntilConnected();
    void ipmsgUserIsNeverVerified();    // issue 17
    void relayedKeepsDialAddress();     // issue 16
    void relayedKeepsWhatThePeerSaid(); // issue 16

private:
    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<Roster> m_roster;
    std::unique_ptr<PeerListModel> m_model;
};

void tst_Roster::init()
{
    m_transport = std::make_unique<FakeTransport>();
    m_store = std::make_unique<MessageStore>();
    QString error;
    QVERIFY2(m_store->open(u":memory:"_s, &error), qPrintable(error));
    m_roster = std::make_unique<Roster>(*m_transport, *m_store);
    m_model = std::make_unique<PeerListModel>(*m_roster);
}

void tst_Roster::cleanup()
{
    m_model.reset();
    m_roster.reset();
    m_store.reset();
    m_transport.reset();
}

void tst_Roster::connectionMakesPeerOnline()
{
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_transport->connectPeer(Bob, u"Bob"_s, u"127.0.0.1:5000"_s);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(m_model->rowCount(), 1);
    const QModelIndex row = m_model->index(0);
    QCOMPARE(row.data(PeerListModel::NameRole).toString(), u"Bob"_s);
    QCOMPARE(row.data(PeerListModel::OnlineRole).toBool(), true);
    QCOMPARE(row.data(PeerListModel::AddressRole).toString(), u"127.0.0.1:5000"_s);
    QVERIFY(m_roster->peer(Bob)->verified);

    m_transport->disconnectPeer(Bob);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_model->index(0).data(PeerListModel::OnlineRole).toBool(), false);
    // Verified once: kept, and remembered for the next start.
    QCOMPARE(m_roster->dropIfOnlyHeard(Bob, false), false);
    QTRY_COMPARE(m_store->peers().size(), 1);
}

void tst_Roster::onlyHeardStrangerIsDropped()
{
    QSignalSpy updated(m_roster.get(), &Roster::peerUpdated);
    m_roster->onPeerSeen(Eve, u"Eve"_s, {u"127.0.0.9:5000"_s});
    QCOMPARE(updated.size(), 1);
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(m_model->index(0).data(PeerListModel::LanRole).toBool(), true);
    QCOMPARE(m_model->index(0).data(PeerListModel::OnlineRole).toBool(), false); // a claim
    // Heard again, nothing new: no update.
    m_roster->onPeerSeen(Eve, u"Eve"_s, {u"127.0.0.9:5000"_s});
    QCOMPARE(updated.size(), 1);

    QCOMPARE(m_roster->dropIfOnlyHeard(Eve, false), false); // still heard
    m_roster->onPeerGone(Eve);
    QCOMPARE(m_roster->dropIfOnlyHeard(Eve, true), false); // being dialled
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    QCOMPARE(m_roster->dropIfOnlyHeard(Eve, false), true);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(m_model->rowCount(), 0);
}

void tst_Roster::unreadCounts()
{
    m_transport->connectPeer(Bob, u"Bob"_s);
    m_roster->addUnread(Bob, 3);
    QCOMPARE(m_model->index(0).data(PeerListModel::UnreadRole).toInt(), 3);
    // A new hello keeps the count.
    m_transport->connectPeer(Bob, u"Bobby"_s);
    QCOMPARE(m_model->index(0).data(PeerListModel::UnreadRole).toInt(), 3);
    QCOMPARE(m_model->index(0).data(PeerListModel::NameRole).toString(), u"Bobby"_s);
    m_roster->clearUnread(Bob);
    QCOMPARE(m_model->index(0).data(PeerListModel::UnreadRole).toInt(), 0);
}

void tst_Roster::dialProblemShownUntilConnected()
{
    using P = PeerInfo::DialProblem;
    QSignalSpy updated(m_roster.get(), &Roster::peerUpdated);
    m_roster->setDialProblem(Bob, P::Refused, u"x"_s); // nobody known by that ID: no row
    QCOMPARE(m_roster->count(), 0);
    m_roster->onPeerSeen(Bob, u"Bob"_s, {u"127.0.0.1:5000"_s});
    updated.clear();

    m_roster->setDialProblem(Bob, P::Refused, u"127.0.0.1:5000: refused"_s);
    QCOMPARE(updated.size(), 1);
    QCOMPARE(updated.last().at(0).value<PeerInfo>().problem, P::Refused);
    QCOMPARE(m_roster->peer(Bob)->problemDetail, u"127.0.0.1:5000: refused"_s);
    QVERIFY(!m_roster->peer(Bob)->online);
    m_roster->setDialProblem(Bob, P::Refused, u"127.0.0.1:5000: refused"_s);
    QCOMPARE(updated.size(), 1); // no change, nothing reported
    m_roster->setDialProblem(Bob, P::TimedOut, u"127.0.0.1:5000: timed out"_s);
    QCOMPARE(updated.size(), 2);
    // Heard again with the same addresses: the problem stays.
    m_roster->onPeerSeen(Bob, u"Bob"_s, {u"127.0.0.1:5000"_s});
    QCOMPARE(m_roster->peer(Bob)->problem, P::TimedOut);

    // A verified session: online, and whatever failed before is cleared.
    m_transport->connectPeer(Bob, u"Bob"_s, u"127.0.0.1:5000"_s);
    QCOMPARE(updated.last().at(0).value<PeerInfo>().problem, P::None);
    QVERIFY(updated.last().at(0).value<PeerInfo>().problemDetail.isEmpty());
    QVERIFY(m_roster->peer(Bob)->online);
    // While online a late failure (another dial of ours) changes nothing.
    const qsizetype before = updated.size();
    m_roster->setDialProblem(Bob, P::Refused, u"late"_s);
    QCOMPARE(updated.size(), before);
    QCOMPARE(m_roster->peer(Bob)->problem, P::None);
}

// --- IP Messenger (issue 17) ---
void tst_Roster::ipmsgUserIsNeverVerified()
{
    // An IP Messenger user's ID is its address's: its row says so, now and after a restart,
    // and nothing it said is verified.
    const QString address = u"10.0.0.9:2425"_s;
    const QString user = Ipmsg::peerIdFor(QHostAddress(u"10.0.0.9"_s), 2425);
    m_transport->connectPeer(user, u"小企鹅"_s, address);
    m_transport->connectPeer(Bob, u"Bob"_s, u"10.0.0.8:47800"_s);
    QVERIFY(m_roster->peer(user)->ipmsg);
    QVERIFY(!m_roster->peer(user)->verified);
    QVERIFY(m_roster->peer(user)->online);
    QVERIFY(!m_roster->peer(Bob)->ipmsg);
    QVERIFY(m_roster->peer(Bob)->verified);
    // The group it announced (from Messenger); never on a Shoal peer's row.
    QSignalSpy updated(m_roster.get(), &Roster::peerUpdated);
    m_roster->setGroup(user, u"测试组"_s);
    QCOMPARE(m_roster->peer(user)->group, u"测试组"_s);
    QCOMPARE(updated.size(), 1);
    m_roster->setGroup(user, u"测试组"_s);
    QCOMPARE(updated.size(), 1); // nothing new
    m_roster->setGroup(Bob, u"x"_s);
    QCOMPARE(m_roster->peer(Bob)->group, QString());
    // Remembered as what it is.
    QTRY_COMPARE(m_store->peers().size(), 2);
    Roster again(*m_transport, *m_store);
    again.load();
    QVERIFY(again.peer(user)->ipmsg);
    QVERIFY(!again.peer(user)->verified);
    QVERIFY(!again.peer(Bob)->ipmsg);
    QVERIFY(again.peer(Bob)->verified);
}
// --- end IP Messenger ---

// --- Carried delivery (issue 16) ---
void tst_Roster::relayedKeepsDialAddress()
{
    // Reached directly once, then through Carol: online, "via" Carol, the address where it was
    // reached directly kept for dialling (in the list and on disk).
    const QString carol = u"ca0c"_s.repeated(16);
    m_transport->connectPeer(Bob, u"Bob"_s, u"10.0.0.2:47800"_s);
    m_transport->disconnectPeer(Bob);
    m_transport->connectPeer(Bob, u"Bob"_s, QString());
    m_roster->setVia(Bob, carol);
    auto bob = m_roster->peer(Bob);
    QVERIFY(bob);
    QVERIFY(bob->online);
    QVERIFY(bob->verified);
    QCOMPARE(bob->address, u"10.0.0.2:47800"_s);
    QCOMPARE(bob->via, carol);
    QCOMPARE(m_model->index(0).data(PeerListModel::AddressRole).toString(), u"10.0.0.2:47800"_s);
    QTRY_COMPARE(m_store->peers().value(0).addresses, QStringList{u"10.0.0.2:47800"_s});
    // The relayed session ends: offline, no carrier, the address still there.
    m_transport->disconnectPeer(Bob);
    bob = m_roster->peer(Bob);
    QVERIFY(!bob->online);
    QVERIFY(bob->via.isEmpty());
    QCOMPARE(bob->address, u"10.0.0.2:47800"_s);
    // Never reached directly: online through the carrier with no address at all.
    m_transport->connectPeer(Eve, u"Eve"_s, QString());
    QVERIFY(m_roster->peer(Eve)->online);
    QVERIFY(m_roster->peer(Eve)->address.isEmpty());
}

void tst_Roster::relayedKeepsWhatThePeerSaid()
{
    // A relayed session's hello is made by the carrier from its route: the name is the
    // carrier's word, and it has no status or picture. What Bob said himself stays.
    const QByteArray avatar(32, '\x5a');
    m_transport->connectPeer(Bob, u"Bob"_s, u"10.0.0.2:47800"_s);
    m_roster->onPresence(Bob, u"Bob"_s, PeerInfo::Status::Away, u"at lunch"_s, avatar);
    m_transport->disconnectPeer(Bob);
    m_transport->connectPeer(Bob, u"Your Bank"_s, QString());
    auto bob = m_roster->peer(Bob);
    QVERIFY(bob->online);
    QCOMPARE(bob->name, u"Bob"_s);
    QCOMPARE(bob->status, PeerInfo::Status::Away);
    QCOMPARE(bob->statusText, u"at lunch"_s);
    QCOMPARE(bob->avatarHash, avatar);
    QTRY_COMPARE(m_store->peers().value(0).name, u"Bob"_s);
    QCOMPARE(m_store->peers().value(0).avatarHash, avatar);
    // Never reached directly: the route's name is all there is.
    m_transport->connectPeer(Eve, u"Eve"_s, QString());
    QCOMPARE(m_roster->peer(Eve)->name, u"Eve"_s);
}
// --- end carried delivery ---

QTEST_GUILESS_MAIN(tst_Roster)
#include "tst_roster.moc"
