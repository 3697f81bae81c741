// SPDX-License-Identifier: GPL-3.0-or-later
#include "elidinglabel.h"

using namespace Qt::StringLiterals;

ElidingLabel::ElidingLabel(QWidget *parent)
    : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
}

void ElidingLabel::setFullText(const QString &text)
{
    if (text == m_full && !QLabel::text().isEmpty())
        return;
    m_full = text;
    updateGeometry();
    elide();
}

QSize ElidingLabel::sizeHint() const
{
    const QMargins m = contentsMargins();
    return {fontMetrics().horizontalAdvance(m_full) + m.left() + m.right() + 2 * margin(),
            QLabel::sizeHint().height()};
}

QSize ElidingLabel::minimumSizeHint() const
{
    // Room for "…" and a little: the rest of the line goes in the tool tip.
    const QMargins m = contentsMargins();
    return {fontMetrics().horizontalAdvance(u"W…"_s) + m.left() + m.right() + 2 * margin(),
            QLabel::minimumSizeHint().height()};
}

void ElidingLabel::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    elide();
}

void ElidingLabel::elide()
{
    const QString shown = fontMetrics().elidedText(m_full,
                                                   Qt::ElideRight,
                                                   contentsRect().width() - 2 * margin());
    if (shown != QLabel::text())
        setText(shown);
    setToolTip(shown == m_full ? QString() : m_full);
}
