// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/profilesettings.h"

#include <QIcon>
#include <QObject>
#include <QTimer>

class Messenger;
class QAction;
class QMenu;
class QSystemTrayIcon;
class QWidget;

// The icon in the system tray: the unread count drawn on it and in its tooltip, a menu (Show,
// your status, Quit). While it is in a tray, closing the window hides it there (the first
// time, a note says so); where there is no tray, closing quits as before.
class TrayIcon final : public QObject
{
    Q_OBJECT

public:
    static constexpr int IconDelayMs = 150;

    TrayIcon(Messenger &messenger, QWidget *window);
    ~TrayIcon() override;

    void setSettings(const ProfileSettings &settings);
    QSystemTrayIcon *icon() const { return m_tray; }
    QMenu *menu() const { return m_menu; }
    QAction *statusAction() const { return m_status; }
    int unread() const { return m_unread; }
    QString toolTip() const;
    // Closing the window now hides it in the tray.
    bool keepsRunning() const;

    void showWindow();
    // Closes the window and asks to end the program, tray or not (quitRequested).
    void quit();

    // `base` with the count in a badge at its corner; `base` itself when unread is 0.
    static QIcon badged(const QIcon &base, int unread);

Q_SIGNALS:
    // Quit was chosen, or the window closed with no tray to keep Shoal in. The program ends
    // through one path for every way of quitting (peers get bye first); nothing here quits.
    void quitRequested();
    // The note about closing to the tray was shown: not again for this profile.
    void closeNoteShown();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateUnread();
    void updateIcon();
    void updateStatus();
    QIcon baseIcon() const;

    Messenger &m_messenger;
    QWidget *m_window;
    QMenu *m_menu;
    QSystemTrayIcon *m_tray;
    QAction *m_status;
    ProfileSettings m_settings;
    QTimer m_iconTimer;
    int m_unread = 0;
    bool m_quitting = false;
    bool m_quitOnLastWindowClosed = true; // the application's, restored when the icon goes
};
