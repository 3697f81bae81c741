// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "emojidata.h"

#include <QFrame>

class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPlainTextEdit;
class QTabBar;
class QToolButton;

// Emoji (issue 15): a popup with a search field, a tab per group ("Recently used" first), and
// a grid. Clicking an emoji (or Enter on it) chooses it: emojiChosen(), and it becomes the
// first of the recently used (kept in QSettings, "emoji/recent", at most MaxRecent).
class EmojiPicker final : public QFrame
{
    Q_OBJECT

public:
    static constexpr int MaxRecent = 32;

    explicit EmojiPicker(QWidget *parent = nullptr);

    // A button for beside `input` that opens a picker above it; what is chosen is inserted at
    // the input's cursor.
    static QToolButton *createButton(QPlainTextEdit *input, QWidget *parent);

    QLineEdit *searchField() const { return m_search; }
    QTabBar *tabs() const { return m_tabs; }
    QListWidget *grid() const { return m_grid; }
    QStringList recent() const;
    // Shows the picker as a popup with its bottom left corner at `anchor`'s top left.
    void popUpAbove(QWidget *anchor);

Q_SIGNALS:
    void emojiChosen(const QString &emoji);

private:
    void fill();
    void choose(QListWidgetItem *item);

    QLineEdit *m_search;
    QTabBar *m_tabs;
    QListWidget *m_grid;
    QList<const EmojiData::Emoji *> m_shown; // those the font draws as one picture
};
