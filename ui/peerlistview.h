// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QListView>

class AccessibleRows;
class PeerListModel;

// The people on the left. Clicking empty space keeps the open conversation; the keyboard
// (arrows, type-ahead) works while the list has the focus, and a screen reader hears a peer's
// name, online state and unread count.
class PeerListView final : public QListView
{
    Q_OBJECT

public:
    explicit PeerListView(PeerListModel *model, QWidget *parent = nullptr);

    QString currentPeerId() const;
    void selectPeer(const QString &peerId);
    // The selection is changing because of a key pressed in the list (arrows, type-ahead):
    // the keyboard stays here.
    bool isSelectingFromKeyboard() const { return m_fromKeyboard; }

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
};
