// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>
#include <QUuid>

class QLabel;
class QToolButton;

// Above the message box while the person replies to a message (issue 15): who wrote it and its
// first line, and ✕ to reply to nothing after all. Hidden when there is no reply.
class ReplyStrip final : public QFrame
{
    Q_OBJECT

public:
    explicit ReplyStrip(QWidget *parent = nullptr);

    // Shows the strip for the message `id`, written by `author`, whose text is `text`.
    void setReply(const QUuid &id, const QString &author, const QString &text);
    void clear();
    QUuid replyTo() const { return m_id; }

    QLabel *label() const { return m_label; }
    QToolButton *cancelButton() const { return m_cancel; }

    // The first line of `text`, for a quote (whitespace runs as one space).
    static QString firstLine(const QString &text);

Q_SIGNALS:
    void cancelled();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateText();

    QUuid m_id;
    QString m_author;
    QString m_text;
    QLabel *m_label;
    QToolButton *m_cancel;
};
