// SPDX-License-Identifier: GPL-3.0-or-later
#include "replystrip.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

ReplyStrip::ReplyStrip(QWidget *parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
    , m_cancel(new QToolButton(this))
{
    setFrameShape(QFrame::StyledPanel);
    setAccessibleName(tr("Replying to"));
    m_label->setTextFormat(Qt::PlainText);
    m_label->setMinimumWidth(1);
    m_label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_cancel->setText(QString(QChar(0x2715))); // ✕
    m_cancel->setAutoRaise(true);
    m_cancel->setToolTip(tr("Don't reply to this message"));
    m_cancel->setAccessibleName(tr("Cancel reply"));
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(6, 2, 2, 2);
    row->addWidget(m_label, 1);
    row->addWidget(m_cancel, 0);
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        clear();
        Q_EMIT cancelled();
    });
    hide();
}

void ReplyStrip::setReply(const QUuid &id, const QString &author, const QString &text)
{
    m_id = id;
    m_author = author;
    m_text = firstLine(text);
    updateText();
    show();
}

void ReplyStrip::clear()
{
    m_id = QUuid();
    m_author.clear();
    m_text.clear();
    m_label->clear();
    hide();
}

QString ReplyStrip::firstLine(const QString &text)
{
    const QString trimmed = text.trimmed();
    const qsizetype end = trimmed.indexOf(u'\n');
    return (end < 0 ? trimmed : trimmed.left(end)).simplified();
}

void ReplyStrip::resizeEvent(QResizeEvent *event)
{
    QFrame::resizeEvent(event);
    updateText();
}

void ReplyStrip::updateText()
{
    if (m_id.isNull())
        return;
    const QString whole = tr("Replying to %1: %2", "author, first line").arg(m_author, m_text);
    m_label->setText(
        m_label->fontMetrics().elidedText(whole, Qt::ElideRight, qMax(m_label->width(), 40)));
    m_label->setToolTip(whole);
}
