// SPDX-License-Identifier: GPL-3.0-or-later
// Messenger's invite links (issue 14; docs/protocol.md, "Invite links"): what this profile's
// link holds, and what pasting or clicking another's does.
#include "messenger.h"

#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "net/peeraddress.h"
#include "peers/dialer.h"
#include "peers/roster.h"
#include "protocol/invitelink.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QNetworkInterface>

Q_DECLARE_LOGGING_CATEGORY(lcMessenger)

void Messenger::wireInvites()
{
    // Reached: the link's work is done; the peer is a contact like any other now.
    connect(m_registry, &Transport::peerConnected, this, [this](const QString &peerId) {
        if (m_invitesWant.contains(peerId))
            setWantedBy(m_invitesWant, peerId, false);
    });
}

QList<QHostAddress> Messenger::inviteAddresses() const
{
    const QHostAddress bound = m_registry->listeningAddress();
    const bool any = bound == QHostAddress::Any;
    if (!any && bound != QHostAddress::AnyIPv4 && bound != QHostAddress::AnyIPv6)
        return {bound};
    // Nothing but loopback may be dialled there: a link to another address would be refused.
    if (NetworkSafety::loopbackOnly())
        return {bound == QHostAddress::AnyIPv6 ? QHostAddress(QHostAddress::LocalHostIPv6)
                                               : QHostAddress(QHostAddress::LocalHost)};
    QList<QHostAddress> v4, v6;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &i : interfaces) {
        const auto flags = i.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp)
            || !flags.testFlag(QNetworkInterface::IsRunning)
            || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const auto entries = i.addressEntries();
        for (const QNetworkAddressEntry &e : entries) {
            const QHostAddress a = PeerAddress::plain(e.ip());
            if (a.isLoopback() || e.isTemporary() || e.preferredLifetime().hasExpired())
                continue;
            if (a.protocol() == QAbstractSocket::IPv4Protocol) {
                if (bound != QHostAddress::AnyIPv6 && !v4.contains(a))
                    v4.append(a);
            } else if (!a.isLinkLocal() && bound != QHostAddress::AnyIPv4 && !v6.contains(a)) {
                // Link-local is left out: its scope means nothing on another host.
                v6.append(a);
            }
        }
    }
    // IPv4 first: on most LANs the likelier way; the link holds at most eight.
    QList<QHostAddress> out = (v4 + v6).mid(0, InviteLink::MaxAddresses);
    if (out.isEmpty())
        out.append(bound == QHostAddress::AnyIPv6 ? QHostAddress(QHostAddress::LocalHostIPv6)
                                                  : QHostAddress(QHostAddress::LocalHost));
    return out;
}

QString Messenger::inviteLink() const
{
    InviteLink link;
    link.peerId = id();
    link.name = name();
    link.addresses = inviteAddresses();
    link.port = port();
    return link.encode();
}

bool Messenger::connectInvite(const QString &text, QString *error, QString *peerId)
{
    const auto link = InviteLink::decode(text, error);
    if (!link)
        return false;
    if (peerId)
        *peerId = link->peerId;
    if (link->peerId == id()) {
        *error = tr("This is your own invite link. Send it to the person you want to chat with, "
                    "and paste theirs here.");
        return false;
    }
    if (m_registry->isConnected(link->peerId)) {
        // Already reached: nothing to dial. Reported, so that whoever waits for it sees it.
        if (const auto peer = m_roster->peer(link->peerId))
            Q_EMIT peerUpdated(*peer);
        return true;
    }
    QStringList addresses;
    for (const QHostAddress &a : link->addresses)
        addresses.append(PeerAddress::format(a, link->port));
    qCInfo(lcMessenger) << "invite link for" << link->peerId << "at" << addresses;
    PeerInfo row = m_roster->peer(link->peerId).value_or(PeerInfo{});
    row.id = link->peerId;
    // The link's name is what the person expects to see until the peer's hello says otherwise.
    if (!row.verified || row.name.isEmpty())
        row.name = link->name;
    row.invited = true;
    m_roster->update(row);
    // Chosen by the person: its connections keep room when strangers fill the limits.
    m_registry->addKnownPeer(link->peerId, link->addresses.constFirst());
    // Dialled at once, outside the LAN dial bounds (the person chose it), with the link's ID
    // expected; and kept wanted, so that the redial tick goes on until it is reached.
    m_invitesWant.insert(link->peerId);
    m_dialer->onPeerHinted(link->peerId, addresses, Dialer::HintSource::Invite);
    setWantedBy(m_invitesWant, link->peerId, true);
    return true;
}
