// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QToolButton>

class Messenger;
class QMenu;

// Presence (issue 15): the person's own status in the status bar, "● Available ▾", with a menu:
// Available, Away, Busy, "Set status message…", "Clear status message". The tray menu gets the
// same entries (addStatusActions).
class StatusSelector final : public QToolButton
{
    Q_OBJECT

public:
    explicit StatusSelector(Messenger &messenger, QWidget *parent = nullptr);

    // Adds the status choices to `menu` (checkable, kept in step with the messenger). The
    // message dialog opens over `dialogParent`.
    static void addStatusActions(QMenu *menu, Messenger &messenger, QWidget *dialogParent);
    // Asks for a status message (QInputDialog) and sets it, keeping the status.
    static void askStatusMessage(Messenger &messenger, QWidget *parent);

    // The longest text shown, in average characters; a longer status message is cut with "…".
    static constexpr int MaxTextChars = 40;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void updateLook();
    int arrowRoom() const;

    Messenger &m_messenger;
};
