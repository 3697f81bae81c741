// SPDX-License-Identifier: GPL-3.0-or-later
#include "emojipicker.h"

#include "emojidata.h"
#include "emojifont.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QScreen>
#include <QSettings>
#include <QTabBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <iterator>

namespace {
constexpr auto RecentKey = "emoji/recent";
constexpr int RecentTab = 0; // then one tab per group

// An emoji drawn into a `side` pixels square icon. As an icon it is greyed when its button or
// tab is off; a colour glyph drawn as text looks the same either way.
QIcon emojiIcon(const QString &emoji, const QFont &font, int side, qreal ratio)
{
    QPixmap picture(QSize(side, side) * ratio);
    picture.setDevicePixelRatio(ratio);
    picture.fill(Qt::transparent);
    QPainter painter(&picture);
    painter.setFont(font);
    painter.drawText(QRect(0, 0, side, side), Qt::AlignCenter, emoji);
    painter.end();
    return QIcon(picture);
}

// What each tab shows: the recently used, then one emoji per group (EmojiData's order).
const char16_t *const TabEmoji[] = {
    u"\U0001F552", // 🕒 recently used
    u"\U0001F642", // 🙂 smileys & emotion (as the emoji button)
    u"\U0001F44B", // 👋 people & body
    u"\U0001F43B", // 🐻 animals & nature
    u"\U0001F354", // 🍔 food & drink
    u"\U0001F697", // 🚗 travel & places
    u"\U0001F389", // 🎉 activities
    u"\U0001F4A1", // 💡 objects
    u"\U0001F523", // 🔣 symbols
    u"\U0001F3C1", // 🏁 flags
};
} // namespace

EmojiPicker::EmojiPicker(const QString &settingsFile, QWidget *parent)
    : QFrame(parent, Qt::Popup)
    , m_settingsFile(settingsFile)
    , m_search(new QLineEdit(this))
    , m_tabs(new QTabBar(this))
    , m_grid(new QListWidget(this))
{
    setFrameShape(QFrame::StyledPanel);
    setAccessibleName(tr("Emoji"));
    m_search->setPlaceholderText(tr("Search emoji"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search emoji"));
    // One emoji per tab, the group's name in its tool tip: ten names did not fit the picker's
    // width ("People &" and scroll arrows), and every group is one click away.
    QFont tabFont = EmojiFont::forEmojiOnly(font());
    tabFont.setPointSizeF(tabFont.pointSizeF() * 1.3);
    const int tabIcon = QFontMetrics(tabFont).height();
    m_tabs->setIconSize(QSize(tabIcon, tabIcon));
    for (int tab = 0; tab <= EmojiData::groupCount(); ++tab) {
        const QString name = tab == RecentTab ? tr("Recently used") : EmojiData::groupName(tab - 1);
        const QString emoji = tab < int(std::size(TabEmoji)) ? QString::fromUtf16(TabEmoji[tab])
                                                             : QString();
        m_tabs->addTab(emojiIcon(emoji, tabFont, tabIcon, devicePixelRatioF()), QString());
        m_tabs->setTabToolTip(tab, name);
        m_tabs->setAccessibleTabName(tab, name);
    }
    m_tabs->setUsesScrollButtons(false);
    m_tabs->setExpanding(true);
    m_tabs->setDocumentMode(true);

    QFont emojiFont = EmojiFont::forEmojiOnly(font());
    emojiFont.setPointSizeF(emojiFont.pointSizeF() * 1.6);
    m_grid->setFont(emojiFont);
    const int cell = QFontMetrics(emojiFont).height() + 10;
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setMovement(QListView::Static);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setUniformItemSizes(true);
    m_grid->setGridSize(QSize(cell, cell));
    m_grid->setWrapping(true);
    m_grid->setSelectionMode(QAbstractItemView::SingleSelection);
    m_grid->setAccessibleName(tr("Emoji"));
    m_grid->setTextElideMode(Qt::ElideNone);
    // Sequences the installed font draws as several glyphs (newer than the font) are left
    // out rather than shown as two pictures or "…": about one in two at most as wide as 😀.
    const QFontMetrics metrics(emojiFont);
    const int one = metrics.horizontalAdvance(QStringLiteral("\U0001F600"));
    for (const EmojiData::Emoji &e : EmojiData::all()) {
        if (metrics.horizontalAdvance(e.text) <= one * 3 / 2)
            m_shown.append(&e);
    }

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_search);
    layout->addWidget(m_tabs);
    layout->addWidget(m_grid, 1);
    resize(cell * 10 + 40, cell * 7 + 80);

    connect(m_search, &QLineEdit::textChanged, this, &EmojiPicker::fill);
    connect(m_tabs, &QTabBar::currentChanged, this, &EmojiPicker::fill);
    connect(m_grid, &QListWidget::itemClicked, this, &EmojiPicker::choose);
    connect(m_grid, &QListWidget::itemActivated, this, &EmojiPicker::choose);
    // Down from the search field goes to the results; Enter there takes the first.
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (m_grid->count() > 0)
            choose(m_grid->item(0));
    });
    // Something to choose from at once: what was used, or the smileys the first time.
    m_tabs->setCurrentIndex(recent().isEmpty() ? RecentTab + 1 : RecentTab);
    fill();
    m_search->setFocus();
}

QToolButton *EmojiPicker::createButton(QPlainTextEdit *input,
                                       QWidget *parent,
                                       std::function<QString()> settingsFile)
{
    auto *button = new QToolButton(parent);
    const QString smile = QStringLiteral("\U0001F642"); // 🙂
    button->setText(smile);
    button->setToolTip(tr("Insert an emoji"));
    button->setAccessibleName(tr("Emoji"));
    button->setAutoRaise(true);
    QFont font = EmojiFont::forEmojiOnly(button->font());
    font.setPointSizeF(font.pointSizeF() * 1.5);
    // Drawn once into an icon: a colour glyph drawn as text looks the same when the button is
    // off (no conversation open), and an icon is greyed then.
    const int side = QFontMetrics(font).height();
    button->setIcon(emojiIcon(smile, font, side, button->devicePixelRatioF()));
    button->setIconSize(QSize(side, side));
    button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    QObject::connect(button, &QToolButton::clicked, input, [input, button, settingsFile] {
        auto *picker = new EmojiPicker(settingsFile ? settingsFile() : QString(), button);
        picker->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(picker, &EmojiPicker::emojiChosen, input, [input](const QString &e) {
            input->insertPlainText(e);
            input->setFocus();
        });
        picker->popUpAbove(button);
    });
    return button;
}

QStringList EmojiPicker::recent() const
{
    // In the profile's settings, never the desktop-wide QSettings(): that one ignored
    // --profile and wrote a world-readable "Unknown Organization/shoal.conf".
    if (m_settingsFile.isEmpty())
        return m_unsaved;
    return QSettings(m_settingsFile, QSettings::IniFormat)
        .value(QLatin1StringView(RecentKey))
        .toStringList();
}

void EmojiPicker::popUpAbove(QWidget *anchor)
{
    layout()->activate(); // its size as shown (at least what its contents need)
    // Its right edge on the button's: the button is at the window's right, and a picker
    // opening to the right of it hung out of the window.
    QPoint at = anchor->mapToGlobal(QPoint(anchor->width(), 0)) - QPoint(width(), height());
    if (const QScreen *screen = anchor->screen()) {
        const QRect room = screen->availableGeometry();
        at.setX(qBound(room.left(), at.x(), room.right() - width()));
        at.setY(qBound(room.top(), at.y(), room.bottom() - height()));
    }
    move(at);
    show();
    m_search->setFocus();
}

void EmojiPicker::fill()
{
    m_grid->clear();
    const QString query = m_search->text().trimmed();
    m_tabs->setEnabled(query.isEmpty()); // a search looks in every group
    const QList<const EmojiData::Emoji *> &all = m_shown;
    auto add = [this](const EmojiData::Emoji &e) {
        auto *item = new QListWidgetItem(e.text, m_grid);
        item->setToolTip(e.name);
        item->setData(Qt::AccessibleTextRole, e.name);
        item->setTextAlignment(Qt::AlignCenter);
    };
    if (!query.isEmpty()) {
        for (const EmojiData::Emoji *e : all) {
            if (e->name.contains(query, Qt::CaseInsensitive))
                add(*e);
        }
        return;
    }
    const int tab = m_tabs->currentIndex();
    if (tab == RecentTab) {
        QHash<QString, const EmojiData::Emoji *> byText;
        for (const EmojiData::Emoji *e : all)
            byText.insert(e->text, e);
        for (const QString &text : recent()) {
            if (const EmojiData::Emoji *e = byText.value(text))
                add(*e);
        }
        return;
    }
    for (const EmojiData::Emoji *e : all) {
        if (e->group == tab - 1)
            add(*e);
    }
}

void EmojiPicker::choose(QListWidgetItem *item)
{
    if (!item)
        return;
    const QString emoji = item->text();
    QStringList list = recent();
    list.removeAll(emoji);
    list.prepend(emoji);
    list = list.mid(0, MaxRecent);
    if (m_settingsFile.isEmpty()) {
        m_unsaved = list;
    } else {
        // Owner-only, as every file of the profile, should this one be the first to write it.
        if (!QFileInfo::exists(m_settingsFile)) {
            QFile file(m_settingsFile);
            file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
        QSettings(m_settingsFile, QSettings::IniFormat).setValue(QLatin1StringView(RecentKey), list);
    }
    Q_EMIT emojiChosen(emoji);
    close();
}
