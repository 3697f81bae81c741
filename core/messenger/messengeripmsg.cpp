// SPDX-License-Identifier: GPL-3.0-or-later
// IP Messenger (issue 17): Messenger's side of core/ipmsg. The IP Messenger transport sits
// beside the Shoal one behind TransportMux, so the chat services see its users as peers; this
// file starts and stops it (the setting, a port taken), tells it our name and status, and
// hands the groups its users announce to the roster (docs/ipmsg.md, "In Shoal and shoal-cli").
#include "messenger.h"

#include "ipmsg/ipmsgpacket.h"
#include "ipmsg/ipmsgtransport.h"
#include "messenger/transportslot.h"
#include "net/networksafety.h"
#include "net/peeraddress.h"
#include "net/transportmux.h"
#include "peers/presence.h"
#include "peers/roster.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcMessenger)

void Messenger::wireIpmsg()
{
    m_ipmsgEnabled = m_config.ipmsg.has_value() && m_config.ipmsgStart;
    // An IP Messenger user's calls go to the IP Messenger side, whether or not it runs (while
    // it is off the slot fails them): never a TLS dial to a port where IPMsg listens. A user
    // is one this run heard (owns), or, for a dial, one whose ID is the address's (the
    // Dialer dials the users we knew before; a Shoal's ID never is).
    m_mux->addSecondary(*m_ipmsgSlot,
                        [this](const QString &peerId, const QString &host, quint16 port) {
                            if (m_ipmsg && m_ipmsg->owns(peerId))
                                return true;
                            if (host.isEmpty() || peerId.isEmpty())
                                return false;
                            const QHostAddress address(host);
                            return !address.isNull()
                                   && Ipmsg::isPeerIdFor(peerId, PeerAddress::format(address, port));
                        });
    // After the mux's relay (connected by addSecondary just above), through which the Roster
    // has made the row: its group is added to it.
    connect(m_ipmsgSlot, &Transport::peerConnected, this, &Messenger::updateIpmsgGroup);
    // A BR_ABSENCE may bring a new group with the new name.
    connect(m_ipmsgSlot,
            &Transport::messageReceived,
            this,
            [this](const QString &peerId, const Protocol::Message &message) {
                if (std::holds_alternative<Protocol::Presence>(message))
                    QMetaObject::invokeMethod(
                        this, [this, peerId] { updateIpmsgGroup(peerId); }, Qt::QueuedConnection);
            });
}

void Messenger::updateIpmsgGroup(const QString &peerId)
{
    if (!m_ipmsg)
        return;
    if (const auto user = m_ipmsg->user(peerId))
        m_roster->setGroup(peerId, user->group);
}

void Messenger::setIpmsgEnabled(bool enabled)
{
    if (enabled == m_ipmsgEnabled)
        return;
    m_ipmsgEnabled = enabled;
    if (!enabled) {
        stopIpmsg();
        m_ipmsgError.clear();
        Q_EMIT ipmsgStatusChanged();
        return;
    }
    if (m_started)
        startIpmsg(); // reports
    else
        Q_EMIT ipmsgStatusChanged(); // start() starts it
}

void Messenger::startIpmsg()
{
    if (m_ipmsg)
        return;
    if (NetworkSafety::loopbackOnly()) {
        // Tests (ctest sets SHOAL_LOOPBACK_ONLY): IP Messenger broadcasts only ever happen in
        // a namespace a test made. Said in the Network panel; not a warning for every test.
        setIpmsgError(tr("IP Messenger is off: SHOAL_LOOPBACK_ONLY is set, and IP Messenger "
                         "needs the LAN."),
                      false);
        return;
    }
    IpmsgConfig config = m_config.ipmsg.value_or(IpmsgConfig{});
    m_ipmsg = new IpmsgTransport(config, this);
    m_ipmsg->setSelf(m_config.name, Protocol::Status(int(m_config.status)), m_config.statusText);
    connect(m_ipmsg,
            &IpmsgTransport::runningChanged,
            this,
            [this](bool running, const QString &error) {
                setIpmsgError(running ? QString() : error, !running && !error.isEmpty());
            });
    m_ipmsgSlot->setTarget(m_ipmsg);
    if (!m_ipmsg->start()) {
        // Chat with Shoal peers goes on; the person is told why IPMsg users will not see us.
        qCWarning(lcMessenger).noquote() << "IP Messenger:" << m_ipmsg->errorString();
        setIpmsgError(m_ipmsg->errorString(), true);
        return;
    }
    qCInfo(lcMessenger) << "IP Messenger on UDP port" << m_ipmsg->port();
    setIpmsgError({}, false);
}

void Messenger::stopIpmsg()
{
    if (!m_ipmsg)
        return;
    // BR_EXIT, and its users go offline (the slot reports any it did not), then it goes.
    m_ipmsg->stop();
    m_ipmsgSlot->setTarget(nullptr);
    delete std::exchange(m_ipmsg, nullptr);
    Q_EMIT ipmsgStatusChanged();
}

void Messenger::setIpmsgError(const QString &error, bool warn)
{
    m_ipmsgError = error;
    if (warn)
        addWarning(error);
    Q_EMIT ipmsgStatusChanged();
}
