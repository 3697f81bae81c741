// SPDX-License-Identifier: GPL-3.0-or-later
#include "messageviewer.h"

#include "messagetext.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace {

// Wrapping at word boundaries measures each word whole for every line it spans: over a word
// of thousands of characters that is quadratic, so such a text wraps anywhere instead.
bool hasLongWord(const QString &text)
{
    constexpr int LongWord = 200;
    int run = 0;
    for (QChar c : text) {
        run = c.isSpace() ? 0 : run + 1;
        if (run > LongWord)
            return true;
    }
    return false;
}

} // namespace

MessageViewer::MessageViewer(const QString &text, const QString &title, QWidget *parent)
    : QDialog(parent)
    , m_text(text)
    , m_view(new QPlainTextEdit(this))
    , m_copy(new QPushButton(tr("Copy"), this))
{
    setWindowTitle(title);
    const MessageText shown = MessageText::fromText(text, -1);
    m_view->setReadOnly(true);
    m_view->setWordWrapMode(hasLongWord(shown.shown) ? QTextOption::WrapAnywhere
                                                     : QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_view->setPlainText(shown.shown);
    m_view->setAccessibleName(tr("Message text"));

    auto *count = new QLabel(tr("%Ln characters", nullptr, int(text.toUcs4().size())), this);
    count->setToolTip(tr("Copy puts the exact text on the clipboard."));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_copy, QDialogButtonBox::ActionRole);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    auto *row = new QHBoxLayout;
    row->addWidget(count, 1);
    row->addWidget(buttons);
    layout->addLayout(row);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_text);
    });
    resize(640, 480);
}
