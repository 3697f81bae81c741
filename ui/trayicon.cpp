// SPDX-License-Identifier: GPL-3.0-or-later
#include "trayicon.h"
#include "statusselector.h" // issue 15

#include "messenger/messenger.h"
#include "models/peerlistmodel.h"
#include "notifier.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QSystemTrayIcon>
#include <QWidget>

using namespace Qt::StringLiterals;

TrayIcon::TrayIcon(Messenger &messenger, QWidget *window)
    : QObject(window)
    , m_messenger(messenger)
    , m_window(window)
    , m_menu(new QMenu(window))
    , m_tray(new QSystemTrayIcon(this))
    , m_status(new QAction(this))
{
    m_menu->setObjectName(u"trayMenu"_s);
    QAction *show = m_menu->addAction(tr("&Show Shoal"), this, &TrayIcon::showWindow);
    QFont bold = show->font();
    bold.setBold(true);
    show->setFont(bold); // what clicking the icon does
    m_menu->addSeparator();
    m_status->setEnabled(false); // a line of information, not a command
    m_menu->addAction(m_status);
    // --- Presence (issue 15): the same status choices as the status bar's ---
    m_menu->addSeparator();
    StatusSelector::addStatusActions(m_menu, m_messenger, window);
    // --- end presence ---
    m_menu->addSeparator();
    m_menu->addAction(tr("&Quit"), this, &TrayIcon::quit);
    connect(m_menu, &QMenu::aboutToShow, this, &TrayIcon::updateStatus);
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason r) {
        if (r != QSystemTrayIcon::Trigger && r != QSystemTrayIcon::DoubleClick)
            return;
        // A click shows the window, or puts it away when it is already in front.
        if (m_window->isVisible() && m_window->isActiveWindow() && !m_window->isMinimized())
            m_window->hide();
        else
            showWindow();
    });

    QAbstractItemModel *peers = m_messenger.peers();
    connect(peers, &QAbstractItemModel::dataChanged, this, &TrayIcon::updateUnread);
    connect(peers, &QAbstractItemModel::rowsInserted, this, &TrayIcon::updateUnread);
    connect(peers, &QAbstractItemModel::rowsRemoved, this, &TrayIcon::updateUnread);
    connect(peers, &QAbstractItemModel::modelReset, this, &TrayIcon::updateUnread);
    // A burst of messages redraws the icon once, not once each.
    m_iconTimer.setSingleShot(true);
    m_iconTimer.setInterval(IconDelayMs);
    connect(&m_iconTimer, &QTimer::timeout, this, &TrayIcon::updateIcon);
    m_window->installEventFilter(this);
    m_unread = Notifier::totalUnread(*peers);
    updateIcon();
    updateStatus();
}

TrayIcon::~TrayIcon()
{
    if (m_tray->isVisible())
        QApplication::setQuitOnLastWindowClosed(m_quitOnLastWindowClosed);
}

void TrayIcon::setSettings(const ProfileSettings &settings)
{
    m_settings = settings;
    if (m_settings.trayIcon == m_tray->isVisible())
        return;
    // While the icon is up the window may be hidden with nothing else open, and that must not
    // end the program: only Quit does.
    if (m_settings.trayIcon) {
        m_quitOnLastWindowClosed = QApplication::quitOnLastWindowClosed();
        QApplication::setQuitOnLastWindowClosed(false);
        m_tray->show();
    } else {
        m_tray->hide();
        QApplication::setQuitOnLastWindowClosed(m_quitOnLastWindowClosed);
        if (!m_window->isVisible())
            showWindow(); // no other way back to it
    }
}

QString TrayIcon::toolTip() const
{
    return m_unread > 0 ? tr("Shoal — %n unread", nullptr, m_unread) : tr("Shoal");
}

bool TrayIcon::keepsRunning() const
{
    return m_settings.trayIcon && m_tray->isVisible() && QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayIcon::showWindow()
{
    if (m_window->isMinimized())
        m_window->showNormal();
    else
        m_window->show();
    m_window->raise();
    m_window->activateWindow();
}

void TrayIcon::quit()
{
    m_quitting = true;
    m_window->close();
    Q_EMIT quitRequested();
}

bool TrayIcon::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::WindowIconChange)
        updateIcon(); // the app's icon arrived or changed
    if (watched != m_window || event->type() != QEvent::Close)
        return QObject::eventFilter(watched, event);
    if (m_quitting)
        return false;
    if (!keepsRunning()) {
        // No tray to come back from (none on this desktop, or the icon is off): closing quits,
        // the way Quit does, once the window has closed.
        QMetaObject::invokeMethod(this, &TrayIcon::quitRequested, Qt::QueuedConnection);
        return false;
    }
    event->ignore();
    m_window->hide();
    if (!m_settings.trayNoteShown) {
        m_settings.trayNoteShown = true;
        m_tray->showMessage(tr("Shoal is still running"),
                            tr("Messages keep arriving. Click the Shoal icon in the tray to open "
                               "the window; choose Quit in its menu to end Shoal."),
                            QSystemTrayIcon::Information,
                            15'000);
        Q_EMIT closeNoteShown();
    }
    return true;
}

void TrayIcon::updateUnread()
{
    const int unread = Notifier::totalUnread(*m_messenger.peers());
    if (unread == m_unread)
        return;
    m_unread = unread;
    if (!m_iconTimer.isActive())
        m_iconTimer.start();
}

void TrayIcon::updateIcon()
{
    m_tray->setIcon(badged(baseIcon(), m_unread));
    m_tray->setToolTip(toolTip());
}

void TrayIcon::updateStatus()
{
    const quint16 port = m_messenger.port();
    m_status->setText(
        port != 0 ? tr("%1 · online, listening on port %2").arg(m_messenger.name()).arg(port)
                  : tr("%1 · offline, not listening").arg(m_messenger.name()));
}

QIcon TrayIcon::baseIcon() const
{
    const QIcon app = m_window->windowIcon();
    if (!app.isNull())
        return app;
    // Until the app has its icon: a plain mark, so the tray entry is never blank.
    QPixmap pixmap(64, 64);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0x1f, 0x7a, 0x8c));
    p.drawRoundedRect(QRectF(4, 4, 56, 56), 14, 14);
    QFont font = p.font();
    font.setPixelSize(40);
    font.setBold(true);
    p.setFont(font);
    p.setPen(Qt::white);
    p.drawText(pixmap.rect(), Qt::AlignCenter, u"S"_s);
    return QIcon(pixmap);
}

QIcon TrayIcon::badged(const QIcon &base, int unread)
{
    if (unread <= 0)
        return base;
    const QString text = unread > 99 ? u"99+"_s : QString::number(unread);
    QIcon out;
    for (const int size : {16, 22, 24, 32, 48, 64}) {
        QPixmap pixmap = base.pixmap(QSize(size, size));
        if (pixmap.isNull() || pixmap.size() != QSize(size, size)) {
            QPixmap scaled(size, size);
            scaled.fill(Qt::transparent);
            QPainter(&scaled).drawPixmap(scaled.rect(), pixmap);
            pixmap = scaled;
        }
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        QFont font = QApplication::font();
        font.setBold(true);
        font.setPixelSize(qMax(7, size * (text.size() > 2 ? 36 : 48) / 100));
        p.setFont(font);
        const int h = qMax(9, size * 62 / 100);
        const int w = qMin(size, qMax(h, QFontMetrics(font).horizontalAdvance(text) + h / 3));
        const QRectF badge(size - w, size - h, w, h);
        p.setPen(QPen(Qt::white, qMax(1.0, size / 24.0)));
        p.setBrush(QColor(0xd9, 0x30, 0x25));
        p.drawRoundedRect(badge.adjusted(0.5, 0.5, -0.5, -0.5), h / 2.0, h / 2.0);
        p.setPen(Qt::white);
        p.drawText(badge, Qt::AlignCenter, text);
        p.end();
        out.addPixmap(pixmap);
    }
    return out;
}
