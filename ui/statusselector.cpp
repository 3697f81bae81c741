// SPDX-License-Identifier: GPL-3.0-or-later
#include "statusselector.h"

#include "messenger/messenger.h"
#include "statusicon.h"

#include <QActionGroup>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QPointer>
#include <QStyleOptionToolButton>
#include <QStylePainter>

StatusSelector::StatusSelector(Messenger &messenger, QWidget *parent)
    : QToolButton(parent)
    , m_messenger(messenger)
{
    setObjectName(QStringLiteral("statusSelector"));
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    setPopupMode(QToolButton::InstantPopup);
    setAutoRaise(true);
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("statusMenu"));
    addStatusActions(menu, m_messenger, this);
    setMenu(menu);
    connect(&m_messenger, &Messenger::statusChanged, this, &StatusSelector::updateLook);
    updateLook();
}

void StatusSelector::updateLook()
{
    const auto status = m_messenger.status();
    setIcon(StatusIcon::icon(status, true, palette()));
    // The arrow is the menu's (InstantPopup); the text says what the others see. A status
    // message may be 80 wide characters: cut, so that the status bar (and with it the window's
    // smallest width) does not grow with it; the tool tip has it whole.
    const QString full = StatusIcon::describe(status, m_messenger.statusText());
    const QString shown = fontMetrics().elidedText(full,
                                                   Qt::ElideRight,
                                                   fontMetrics().averageCharWidth() * MaxTextChars);
    QString escaped = shown;
    setText(escaped.replace(u'&', QStringLiteral("&&"))); // a "&" in it is no mnemonic
    const QString hint = tr("Your status, as your contacts see it. Click to change it.");
    setToolTip(shown == full ? hint : full + u'\n' + hint);
}

int StatusSelector::arrowRoom() const
{
    QStyleOptionToolButton option;
    initStyleOption(&option);
    return style()->pixelMetric(QStyle::PM_MenuButtonIndicator, &option, this);
}

void StatusSelector::paintEvent(QPaintEvent *)
{
    // The styles draw an InstantPopup button's arrow small, in the bottom right corner (here on
    // the window's edge): the button is drawn without it, its icon and text left of the room
    // kept for the arrow (QToolButton's size has room for it), and the arrow there, centred on
    // the text.
    QStylePainter painter(this);
    QStyleOptionToolButton option;
    initStyleOption(&option);
    option.features &= ~QStyleOptionToolButton::HasMenu;
    QStyleOptionToolButton panel = option;
    panel.text.clear();
    panel.icon = QIcon();
    painter.drawComplexControl(QStyle::CC_ToolButton, panel);
    const int room = arrowRoom();
    const int frame = style()->pixelMetric(QStyle::PM_DefaultFrameWidth, &option, this);
    QStyleOptionToolButton label = option;
    label.rect = rect().adjusted(frame, frame, -frame - room, -frame);
    painter.drawControl(QStyle::CE_ToolButtonLabel, label);
    QStyleOption arrow;
    arrow.initFrom(this);
    arrow.rect = QRect(width() - frame - room, 0, room, height());
    painter.drawPrimitive(QStyle::PE_IndicatorArrowDown, arrow);
}

void StatusSelector::askStatusMessage(Messenger &messenger, QWidget *parent)
{
    QPointer<Messenger> alive(&messenger);
    auto *dialog = new QInputDialog(parent);
    dialog->setObjectName(QStringLiteral("statusMessageDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Status message"));
    dialog->setLabelText(tr("What your contacts see beside your status:"));
    dialog->setTextValue(messenger.statusText());
    // Room for a sentence, and no more typed than the peers are told (the rest was cut unseen).
    if (auto *field = dialog->findChild<QLineEdit *>()) {
        field->setMinimumWidth(field->fontMetrics().averageCharWidth() * 70);
        field->setMaxLength(80); // the limit every peer applies (docs/protocol.md)
    }
    connect(dialog, &QInputDialog::textValueSelected, dialog, [alive](const QString &text) {
        if (alive)
            alive->setStatus(alive->status(), text);
    });
    dialog->open();
}

void StatusSelector::addStatusActions(QMenu *menu, Messenger &messenger, QWidget *dialogParent)
{
    auto *group = new QActionGroup(menu);
    group->setExclusive(true);
    const PeerInfo::Status all[] = {PeerInfo::Status::Available,
                                    PeerInfo::Status::Away,
                                    PeerInfo::Status::Busy};
    QList<QAction *> actions;
    for (const auto status : all) {
        QAction *a = menu->addAction(StatusIcon::icon(status, true, menu->palette()),
                                     StatusIcon::name(status));
        a->setObjectName(QStringLiteral("status-") + PeerInfo::statusName(status));
        a->setCheckable(true);
        a->setChecked(messenger.status() == status);
        a->setActionGroup(group);
        if (status == PeerInfo::Status::Busy)
            a->setToolTip(tr("Do not disturb: no notifications"));
        QObject::connect(a, &QAction::triggered, menu, [&messenger, status] {
            messenger.setStatus(status, messenger.statusText());
        });
        actions.append(a);
    }
    menu->addSeparator();
    QAction *set = menu->addAction(tr("Set status message…"));
    set->setObjectName(QStringLiteral("status-message"));
    QObject::connect(set, &QAction::triggered, menu, [&messenger, dialogParent] {
        askStatusMessage(messenger, dialogParent);
    });
    QAction *clear = menu->addAction(tr("Clear status message"));
    clear->setObjectName(QStringLiteral("status-clear"));
    clear->setEnabled(!messenger.statusText().isEmpty());
    QObject::connect(clear, &QAction::triggered, menu, [&messenger] {
        messenger.setStatus(messenger.status(), QString());
    });
    QObject::connect(&messenger,
                     &Messenger::statusChanged,
                     menu,
                     [actions, clear](PeerInfo::Status status, const QString &text) {
                         for (QAction *a : actions)
                             a->setChecked(a->objectName().endsWith(PeerInfo::statusName(status)));
                         clear->setEnabled(!text.isEmpty());
                     });
}
