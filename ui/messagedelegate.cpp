#include "messagedelegate.h"

#include "models/conversationmodel.h"

#include <QAbstractItemView>
#include <QPainter>
#include <QTextLayout>

static constexpr int Padding = 8;
static constexpr int Gap = 4;
static constexpr int Side = 12;

namespace {

// Lays out `text` wrapped at word boundaries, or anywhere when a word is wider than `width`
// (long links). Returns the used size; draws it at `origin` when `painter` is given.
QSize layoutText(const QString &text,
                 const QFont &font,
                 int width,
                 QPainter *painter = nullptr,
                 QPoint origin = {})
{
    QTextLayout layout(text, font);
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(option);
    layout.beginLayout();
    qreal height = 0;
    qreal used = 0;
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, height));
        height += line.height();
        used = qMax(used, line.naturalTextWidth());
    }
    layout.endLayout();
    if (painter)
        layout.draw(painter, origin);
    return {int(std::ceil(used)), int(std::ceil(height))};
}

} // namespace

MessageDelegate::MessageDelegate(QAbstractItemView *view)
    : QStyledItemDelegate(view)
    , m_view(view)
{}

QString MessageDelegate::stateText(int state)
{
    switch (MessageState(state)) {
    case MessageState::Queued:
        return tr("waiting");
    case MessageState::Sent:
        return tr("sent ✓");
    case MessageState::Delivered:
        return tr("delivered ✓✓");
    case MessageState::Read:
        return tr("read ✓✓");
    case MessageState::Failed: // not on disk, not sent: right-click to retry
        return tr("not saved");
    }
    return {};
}

QString MessageDelegate::footerText(const QModelIndex &index) const
{
    auto format = [](const QDateTime &utc) {
        const QDateTime t = utc.toLocalTime();
        const bool today = t.date() == QDate::currentDate();
        return QLocale().toString(t,
                                  today ? QLocale().timeFormat(QLocale::ShortFormat)
                                        : QLocale().dateTimeFormat(QLocale::ShortFormat));
    };
    QString time = format(index.data(ConversationModel::SentAtRole).toDateTime());
    // Messages are in the order they arrived; a sender's time far from that is marked.
    if (index.data(ConversationModel::SenderTimeFarOffRole).toBool()) {
        time = tr("%1 by the sender's clock, arrived %2")
                   .arg(time, format(index.data(ConversationModel::ReceivedAtRole).toDateTime()));
    }
    if (index.data(ConversationModel::OutgoingRole).toBool())
        time += QStringLiteral("  ") + stateText(index.data(ConversationModel::StateRole).toInt());
    return time;
}

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option,
                                                const QModelIndex &index,
                                                int top) const
{
    const int viewWidth = m_view->viewport()->width();
    const int maxText = qMax(120, viewWidth * 7 / 10 - 2 * Padding);
    const QString text = index.data(ConversationModel::TextRole).toString();
    QFont small = option.font;
    small.setPointSizeF(option.font.pointSizeF() * 0.8);
    const QFontMetrics sfm(small);

    const QRect textBounds(QPoint(0, 0), layoutText(text, option.font, maxText));
    const QString footer = footerText(index);
    const int width = qMax(textBounds.width(), sfm.horizontalAdvance(footer));
    const int height = textBounds.height() + Gap + sfm.height();
    const bool outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    const int left = outgoing ? viewWidth - Side - width - 2 * Padding : Side;

    Layout l;
    l.bubble = QRect(left, top + Gap, width + 2 * Padding, height + 2 * Padding);
    l.text = QRect(left + Padding, top + Gap + Padding, width, textBounds.height());
    l.footer = QRect(left + Padding, l.text.bottom() + Gap, width, sfm.height());
    return l;
}

void MessageDelegate::paint(QPainter *painter,
                            const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    const Layout l = layout(option, index, option.rect.top());
    const bool outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    const QPalette &pal = option.palette;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(outgoing ? QColor(0xd4, 0xea, 0xff) : pal.color(QPalette::AlternateBase));
    painter->drawRoundedRect(l.bubble, 10, 10);
    if (option.state & QStyle::State_Selected) {
        painter->setPen(QPen(pal.color(QPalette::Highlight), 1.5));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(l.bubble, 10, 10);
    }

    painter->setPen(outgoing ? QColor(0x10, 0x20, 0x30) : pal.color(QPalette::Text));
    painter->setFont(option.font);
    layoutText(index.data(ConversationModel::TextRole).toString(),
               option.font,
               l.text.width(),
               painter,
               l.text.topLeft());

    QFont small = option.font;
    small.setPointSizeF(option.font.pointSizeF() * 0.8);
    painter->setFont(small);
    painter->setPen(QColor(0x70, 0x70, 0x70));
    const int state = index.data(ConversationModel::StateRole).toInt();
    if (outgoing && MessageState(state) == MessageState::Failed)
        painter->setPen(QColor(0xc0, 0x30, 0x30));
    painter->drawText(l.footer, Qt::AlignRight | Qt::AlignVCenter, footerText(index));
    painter->restore();
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const Layout l = layout(option, index, 0);
    return {m_view->viewport()->width(), l.bubble.bottom() + Gap};
}
