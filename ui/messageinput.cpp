// SPDX-License-Identifier: GPL-3.0-or-later
#include "messageinput.h"

#include "conversationpane.h"
#include "emojifont.h"

#include <QImage>
#include <QKeyEvent>
#include <QMimeData>

MessageInput::MessageInput(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setPlaceholderText(tr("Write a message… (Enter sends, Shift+Enter adds a line)"));
    setTabChangesFocus(true);
    new EmojiHighlighter(document()); // emoji in colour as they are typed
}

void MessageInput::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        Q_EMIT submitted(toPlainText());
        event->accept();
        return;
    }
    if (enter) {
        insertPlainText(QStringLiteral("\n"));
        event->accept();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

bool MessageInput::canInsertFromMimeData(const QMimeData *source) const
{
    if (!source || source->formats().isEmpty())
        return false;
    return !ConversationPane::localFiles(source).isEmpty()
           || ConversationPane::hasPastedImage(source) // asked on every clipboard change
           || QPlainTextEdit::canInsertFromMimeData(source);
}

void MessageInput::insertFromMimeData(const QMimeData *source)
{
    // Ctrl+V with nothing on the X11 clipboard (no owner) hands over data with no format, and
    // Qt 6.4's QPlainTextEdit crashes on it (a plain QPlainTextEdit does too, under Xvfb):
    // there is nothing to paste.
    if (!source || source->formats().isEmpty())
        return;
    if (const QStringList files = ConversationPane::localFiles(source); !files.isEmpty()) {
        Q_EMIT filesDropped(files);
        return;
    }
    if (const QImage image = ConversationPane::pastedImage(source); !image.isNull()) {
        Q_EMIT imagePasted(image);
        return;
    }
    QPlainTextEdit::insertFromMimeData(source);
}
