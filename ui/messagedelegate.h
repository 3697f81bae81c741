#pragma once

#include <QStyledItemDelegate>

class QAbstractItemView;

// Paints a message as a bubble: own messages on the right, received ones on the left, with the
// time and, for own messages, the delivery state.
class MessageDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit MessageDelegate(QAbstractItemView *view);

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static QString stateText(int state);

    // For tests and benchmarks: how many times a text was laid out, and the most UTF-16 units
    // laid out for one bubble.
    int textLayoutCount() const { return m_textLayouts; }
    qsizetype longestLaidOutText() const { return m_longestLaidOut; }

private:
    struct Layout
    {
        QRect bubble;
        QRect text;
        QRect footer;
    };
    Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index, int top) const;
    QString footerText(const QModelIndex &index) const;

    QAbstractItemView *m_view;
    mutable int m_textLayouts = 0;
    mutable qsizetype m_longestLaidOut = 0;
};
