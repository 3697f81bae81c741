// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QTimer>

struct NetworkChange;

class Messenger;
class QLabel;
class QTreeWidget;

// "Why can't I see X?": own addresses and ports, discovery targets and counters, the loopback
// self-test, IP Messenger's port (or why it is not there), this host's recent network changes,
// and what to check when nothing arrives.
class NetworkDialog final : public QDialog
{
    Q_OBJECT

public:
    NetworkDialog(const Messenger &messenger, QWidget *parent = nullptr);

    QLabel *identityLabel() const { return m_identity; }
    QLabel *selfTestLabel() const { return m_selfTest; }
    QLabel *hintLabel() const { return m_hint; }
    QTreeWidget *targetList() const { return m_targets; }
    QTreeWidget *changeList() const { return m_changes; }
    QLabel *ipmsgLabel() const { return m_ipmsg; } // issue 17

private:
    void refresh();
    void showChanges(const QList<NetworkChange> &changes);

    const Messenger &m_messenger;
    QLabel *m_identity;
    QLabel *m_discovery;
    QLabel *m_selfTest;
    QLabel *m_counters;
    QLabel *m_hint;
    QTreeWidget *m_targets;
    QTreeWidget *m_changes; // this host's recent network changes (issue 14)
    QLabel *m_ipmsg;        // IP Messenger: on, off, or why not (issue 17)
    QTimer m_timer;
};
