// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/ports.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QStringList>

// What a person sets in Settings, kept in shoal.ini: in the config folder
// (~/.config/shoal), or in the profile folder given with --profile. Command-line options win
// over these for one run.
struct ProfileSettings
{
    QString name;
    quint16 port = DefaultPort;
    bool discoveryEnabled = true;
    quint16 discoveryPort = DefaultDiscoveryPort;
    bool readReceipts = true; // tell senders when their message has been shown
    // Desktop integration (ui/trayicon, ui/notifier); each can be turned off.
    bool trayIcon = true;       // an icon in the tray; closing the window keeps Shoal there
    bool notifications = true;  // a desktop notification for a message while the window is away
    bool alertWindow = true;    // and the window marked urgent
    bool unreadInTitle = true;  // "(3) Shoal"
    bool trayNoteShown = false; // "Shoal is still running in the tray", once per profile
    // Files (ui: Settings and the peer list's menu). Empty: the system's download folder.
    QString downloadDir;
    QStringList acceptFilesFrom; // peer IDs whose offers are accepted at once
    // Peer exchange: tell contacts where our other contacts are, except those listed.
    bool peerExchange = true;
    QStringList notSharedWithOthers; // peer IDs whose address is never told to others
    // Limits on what peers may offer (shoal.ini only, no dialog); 0: Shoal's default
    // (OfferLimits, MessengerConfig). Kept only when set, so a new default reaches old profiles.
    qint64 maxOfferEntries = 0;  // files/maxOfferEntries: files and folders in one offer
    qint64 maxOfferBytes = 0;    // files/maxOfferBytes: bytes in one offer
    qint64 maxPendingOffers = 0; // files/maxPendingOffers: offers from one peer undecided
    // Where the window was (QWidget::saveGeometry, QMainWindow::saveState, QSplitter::saveState):
    // opaque to core, kept with the rest, not part of what Settings edits (operator==).
    // --- Presence (issue 15) ---
    // The status the person chose ("available", "away", "busy") and its text: kept, not part of
    // what Settings edits (operator==). Auto-away after this many minutes without input (0: off).
    QString status;
    QString statusText;
    int autoAwayMinutes = 10;
    // --- end presence ---
    // --- IP Messenger (issue 17) ---
    // Talk to IP Messenger / FeiQ / iptux users on the LAN (ini key "ipmsg/enabled").
    bool ipmsgEnabled = true;
    // --- end IP Messenger ---
    QByteArray windowGeometry;
    QByteArray windowState;
    QByteArray splitterState;

    static constexpr auto FileName = "shoal.ini";

    // `dir` is the folder shoal.ini is in.
    static ProfileSettings load(const QString &dir);
    // downloadDir, or the system's download folder (QStandardPaths::DownloadLocation).
    QString effectiveDownloadDir() const;
    bool save(const QString &dir, QString *error) const;
    // Moves shoal.ini from `fromDir` (where Shoal kept it before settings and data were split)
    // to `toDir` (created owner-only if missing), unless `toDir` has one already. False with
    // *error when it was there and could not be moved.
    static bool migrate(const QString &fromDir, const QString &toDir, QString *error);
    bool operator==(const ProfileSettings &o) const
    {
        return name == o.name && port == o.port && discoveryEnabled == o.discoveryEnabled
               && discoveryPort == o.discoveryPort && readReceipts == o.readReceipts
               && trayIcon == o.trayIcon && notifications == o.notifications
               && alertWindow == o.alertWindow && unreadInTitle == o.unreadInTitle
               && trayNoteShown == o.trayNoteShown && downloadDir == o.downloadDir
               && acceptFilesFrom == o.acceptFilesFrom && peerExchange == o.peerExchange
               && notSharedWithOthers == o.notSharedWithOthers
               && maxOfferEntries == o.maxOfferEntries && maxOfferBytes == o.maxOfferBytes
               && maxPendingOffers == o.maxPendingOffers
               && autoAwayMinutes == o.autoAwayMinutes // issue 15
               && ipmsgEnabled == o.ipmsgEnabled;      // issue 17
    }
};
Q_DECLARE_METATYPE(ProfileSettings)
