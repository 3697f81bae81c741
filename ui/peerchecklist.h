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

    static constexpr int IdRole = Qt::UserRole + 1;
    static constexpr int NameRole = Qt::UserRole + 2;

Q_SIGNALS:
    void checkedChanged();
};
