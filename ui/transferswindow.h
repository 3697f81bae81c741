// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fileitem.h"

#include <QWidget>

class Messenger;
class QLabel;
class QListView;
class TransferDelegate;
class TransferListModel;

// Every transfer, in both directions and with every peer: those not over first, then the
// newest. The same progress and buttons as in the conversations.
class TransfersWindow final : public QWidget
{
    Q_OBJECT

public:
    explicit TransfersWindow(Messenger &messenger, QWidget *parent = nullptr);

    TransferListModel *model() const { return m_model; }
    QListView *view() const { return m_view; }
    TransferDelegate *delegate() const { return m_delegate; }
    QLabel *errorLabel() const { return m_error; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateEmpty();
    void run(const TransferInfo &transfer, FileAction action);

    Messenger &m_messenger;
    TransferListModel *m_model;
    QListView *m_view;
    TransferDelegate *m_delegate;
    QLabel *m_empty;
    QLabel *m_error;
};
