// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPlainTextEdit>

// The message box: Enter sends, Shift+Enter starts a new line. Files dropped (or pasted from a
// file manager) and a picture pasted (Ctrl+V with only an image on the clipboard) are handed
// on to be sent, not written into the box; text pastes as text.
class MessageInput final : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit MessageInput(QWidget *parent = nullptr);

Q_SIGNALS:
    void submitted(const QString &text);
    void filesDropped(const QStringList &paths);
    void imagePasted(const QImage &image);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;
};
