#pragma once

#include <QListView>

class PeerListModel;

// The people on the left.
class PeerListView final : public QListView
{
    Q_OBJECT

public:
    explicit PeerListView(PeerListModel *model, QWidget *parent = nullptr);

    QString currentPeerId() const;
    void selectPeer(const QString &peerId);

Q_SIGNALS:
    void peerSelected(const QString &peerId);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    PeerListModel *m_model;
};
