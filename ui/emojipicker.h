// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "emojidata.h"

#include <QFrame>

#include <functional>

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

    // The recently used are kept in `settingsFile` (the profile's shoal.ini, group "emoji");
    // without one, they are not kept.
    explicit EmojiPicker(const QString &settingsFile = {}, QWidget *parent = nullptr);

    // A button for beside `input` that opens a picker above it; what is chosen is inserted at
    // the input's cursor. `settingsFile` is asked each time a picker opens.
    static QToolButton *createButton(QPlainTextEdit *input,
                                     QWidget *parent,
                                     std::function<QString()> settingsFile);

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

    QString m_settingsFile;
    QStringList m_unsaved; // the recently used, without a settings file
    QLineEdit *m_search;
    QTabBar *m_tabs;
    QListWidget *m_grid;
    QList<const EmojiData::Emoji *> m_shown; // those the font draws as one picture
};
