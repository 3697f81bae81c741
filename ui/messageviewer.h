// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;

// A whole message, for one the conversation shows shortened: all of its length, and Copy, which
// puts the exact text on the clipboard (a character carrying thousands of combining marks is
// still shown cut, with the count of what is hidden; the copy has them all).
class MessageViewer final : public QDialog
{
    Q_OBJECT

public:
    MessageViewer(const QString &text, const QString &title, QWidget *parent = nullptr);

    QPlainTextEdit *textView() const { return m_view; }
    QPushButton *copyButton() const { return m_copy; }

private:
    QString m_text;
    QPlainTextEdit *m_view;
    QPushButton *m_copy;
};
