// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QListView>

class AccessibleRows;
class PeerListModel;

// The people and groups on the left. Clicking empty space keeps the open conversation; the
// keyboard (arrows, type-ahead) works while the list has the focus, and a screen reader hears a
// peer's name, online state and unread count. Ctrl/Shift+click selects several (for "Send to
// several…"); the conversation shown is the one clicked last.
class PeerListView final : public QListView
{
    Q_OBJECT

public:
    explicit PeerListView(PeerListModel *model, QWidget *parent = nullptr);

    // The open conversation's peer or group.
    QString currentPeerId() const;
    void selectPeer(const QString &peerId);
    // Every peer selected (groups left out), in the list's order.
    QStringList selectedPeerIds() const;
    // The selection is changing because of a key pressed in the list (arrows, type-ahead):
    // the keyboard stays here.
    bool isSelectingFromKeyboard() const { return m_fromKeyboard; }
    // Whether LAN discovery is on: the empty list then says peers on the network come by
    // themselves, rather than that an address is the only way.
    void setFindsPeersOnLan(bool on);
    // What the empty list says.
    QString emptyText() const;

Q_SIGNALS:
    void peerSelected(const QString &peerId);

protected:
    void paintEvent(QPaintEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    QItemSelectionModel::SelectionFlags selectionCommand(const QModelIndex &index,
                                                         const QEvent *event) const override;

private:
    PeerListModel *m_model;
    AccessibleRows *m_rows;
    bool m_fromKeyboard = false;
    bool m_findsPeersOnLan = false;
};
