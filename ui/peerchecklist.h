// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QListWidget>

struct PeerInfo;

// Known peers with a check box each, to pick several: a new group's members, members to add,
// the recipients of one message. Online ones first, then by name.
class PeerCheckList final : public QListWidget
{
    Q_OBJECT

public:
    explicit PeerCheckList(QWidget *parent = nullptr);

    // Lists `peers` but those in `leaveOut`; those in `checked` start checked.
    void setPeers(const QList<PeerInfo> &peers,
                  const QStringList &leaveOut = {},
                  const QStringList &checked = {});
    // In the order shown.
    QStringList checkedIds() const;
    // Their names, in the order shown.
    QStringList checkedNames() const;
    void setChecked(const QString &peerId, bool checked);

    // --- IP Messenger (issue 17) ---
    // Picking a group's members: IP Messenger users are listed greyed out, with the reason (a
    // group's messages are signed and go over TLS: they cannot take part). Set before setPeers.
    void setForGroup(bool forGroup) { m_forGroup = forGroup; }
    // --- end IP Messenger ---

    static constexpr int IdRole = Qt::UserRole + 1;
    static constexpr int NameRole = Qt::UserRole + 2;

Q_SIGNALS:
    void checkedChanged();

private:
    bool m_forGroup = false; // issue 17
};
