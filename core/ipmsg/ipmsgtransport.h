// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// IP Messenger users as a second Transport beside the Shoal one (docs/ipmsg.md): the chat
// services see IPMsg users as peers (peerConnected on their entry, messageReceived for their
// messages and acknowledgements, peerDisconnected on exit) and never know the wire differs.
// TransportMux (core/net/transportmux.h) routes each call to this or ConnectionRegistry.
//
// What maps to what:
//   BR_ENTRY / ANSENTRY / BR_ABSENCE in  -> peerConnected (first time) or Presence (later)
//   BR_EXIT in, or 4 sends unacknowledged -> peerDisconnected
//   SENDMSG in                           -> Chat (a UUID derived from user, entry, packet
//                                            number: a resent packet is the same message);
//                                            RECVMSG goes back when the Inbox sends its Ack
//   RECVMSG in                           -> Ack of the Chat sent with that packet number
//   send(Chat) -> SENDMSG|SENDCHECKOPT, resent 4 times 1 s apart until RECVMSG
//   send(Presence) -> BR_ABSENCE to that user; send(Ack) -> RECVMSG; other types: dropped
//   connectToPeer(host, port, id) -> BR_ENTRY unicast; answered by ANSENTRY -> connected
//
// Never started under SHOAL_LOOPBACK_ONLY (ctest sets it): IPMsg runs only in the network
// namespaces a test creates.

#include "ipmsg/ipmsgconfig.h"
#include "ipmsg/ipmsgpacket.h"
#include "net/transport.h"

#include <QHostAddress>
#include <QList>

#include <memory>
#include <optional>

class IpmsgTransport final : public Transport
{
    Q_OBJECT

public:
    IpmsgTransport(IpmsgConfig config, QObject *parent = nullptr);
    ~IpmsgTransport() override; // BR_EXIT to every user, if started

    // Binds UDP (and lets IpmsgFiles bind TCP) on the port; false and errorString() (shown in
    // the Network panel: "Port 2425 is in use by another program (another IP Messenger, or a
    // second Shoal): IP Messenger users will not see you.") when it cannot, or under
    // SHOAL_LOOPBACK_ONLY.
    bool start();
    // BR_EXIT to everyone, the socket closed, every user disconnected (IP Messenger turned
    // off); start() again to come back.
    void stop();
    QString errorString() const;
    bool isRunning() const;
    quint16 port() const;
    // Our nickname, status and status text as IPMsg users see them; a change is broadcast.
    void setSelf(const QString &name, Protocol::Status status, const QString &statusText);
    // BR_ENTRY again (a network change).
    void announce();

    // Whether the ID is an IPMsg user this transport knows (heard this run).
    bool owns(const QString &peerId) const;
    struct User
    {
        QString peerId;
        QHostAddress host;
        quint16 port = 0;
        QString nickname, group, userName, hostName;
        // What we write to this user in, before Ipmsg::replyEncoding's FeiQ rule: UTF-8 if it
        // announced UTF-8, else the encoding of its last non-ASCII text (UTF-8 until then).
        Ipmsg::Encoding encoding = Ipmsg::Encoding::Utf8;
        QByteArray version;
        bool online = false;
    };
    std::optional<User> user(const QString &peerId) const;

    // Transport
    int connectToPeer(const QString &host,
                      quint16 port,
                      const QString &expectedPeerId = {},
                      StreamKind kind = StreamKind::Chat) override;
    bool isConnected(const QString &peerId, StreamKind kind = StreamKind::Chat) const override;
    bool send(const QString &peerId,
              const Protocol::Message &message,
              StreamKind kind = StreamKind::Chat) override;
    // Our messages to that user still waiting for its RECVMSG (their datagrams' bytes), or a
    // full window for everyone while the table of waiting packets is nearly full: the Outbox
    // holds the rest back and peerWritable() brings it back when RECVMSGs come.
    qint64 pendingWriteBytes(const QString &peerId,
                             StreamKind kind = StreamKind::Chat) const override;
    // While paused (the Inbox is behind storing that user's messages) its new messages are
    // dropped unacknowledged: the sender resends them, or tells its user they did not arrive.
    void setReadingPaused(const QString &peerId,
                          bool paused,
                          StreamKind kind = StreamKind::Chat) override;
    void addKnownPeer(const QString &, const QHostAddress & = {}) override {}
    QHostAddress remoteHost(const QString &peerId) const override;

    // --- Files (IpmsgFiles builds on these) ---
    // SENDMSG|FILEATTACHOPT|SENDCHECKOPT with `files` to the user; the packet number (the
    // offer's ID on the wire), or 0 when the user is unknown.
    quint32 sendFileOffer(const QString &peerId,
                          const QString &text,
                          const QList<Ipmsg::FileEntry> &files);
    // RELEASEFILES: we will not fetch that offer.
    void releaseFiles(const QString &peerId, quint32 packetNo);

Q_SIGNALS:
    // The port could not be bound, or works again.
    void runningChanged(bool running, const QString &error);
    // A user attached files (the text, if any, also arrives as a Chat).
    void filesOffered(const QString &peerId, quint32 packetNo, const QList<Ipmsg::FileEntry> &files);
    // The offering user will not serve that offer any more (RELEASEFILES).
    void filesReleased(const QString &peerId, quint32 packetNo);

private:
    struct Private;
    std::unique_ptr<Private> d;
};
